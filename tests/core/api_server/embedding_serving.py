"""A local API server whose embedding model is the real starter, chosen in Settings as a user would."""

from __future__ import annotations

from pathlib import Path

from app.core.api_server.server import ApiConfig
from app.core.config.settings import Settings, SettingsStore
from app.core.models.registry import ModelRegistry
from tests.core.api_server.serving import MODEL, Running, start


def start_embedding_server(starter_model: Path, config: ApiConfig) -> Running:
    """A started server (see ``serving.start``) that embeds with the starter model."""
    running = start(starter_model, config)
    settings = Settings(embedding_model=MODEL)
    running.server.backend.models.embedder.choose(settings, ModelRegistry(SettingsStore(settings)))
    return running
