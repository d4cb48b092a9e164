"""Parley: a private chat assistant that runs local GGUF models."""

__version__ = "0.1.0"
