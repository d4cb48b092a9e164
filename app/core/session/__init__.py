"""The session core: the engine service (one engine, many clients) and the turn runner (one chat turn)."""
