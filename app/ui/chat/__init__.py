"""The chat: the conversation on screen, its header, the composer and the context meter."""
