"""The user's settings: the global settings file, per-model settings, and the key store."""
