"""Memory: short facts about the user, kept across conversations (see app.core.memory.store)."""
