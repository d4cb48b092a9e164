"""Remote OpenAI-compatible servers: their list and keys, and the engine that talks to them."""
