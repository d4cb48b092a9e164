"""Personas: the assistants a conversation talks to, and the summary carried into a new chat."""
