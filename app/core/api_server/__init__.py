"""Parley as a local OpenAI-compatible API server (``/v1/models``, ``/v1/chat/completions``).

Off by default. Starlette routes (``app``), OpenAI's wire format (``openai_shapes``), uvicorn on a
thread (``server``), and the models it may serve, from the registry (``choices_from``).
"""

from __future__ import annotations

from app.core.api_server.app import ApiBackend, ApiOutcome, ModelChoices
from app.core.api_server.server import (
    API_KEY_ACCOUNT,
    DEFAULT_HOST,
    DEFAULT_PORT,
    ApiConfig,
    ApiServer,
    check_binding,
    is_loopback,
)
from app.core.registry import ModelRegistry
from app.core.settings import Settings


def choices_from(registry: ModelRegistry, settings: Settings, choices: ModelChoices) -> None:
    """Sets ``choices`` to the installed models (never remote ones) as ``settings`` loads them."""
    specs = {entry.name: registry.spec_for(entry, settings) for entry in registry.models() if not entry.damage}
    choices.set(specs, settings.sampling)


__all__ = [
    "API_KEY_ACCOUNT",
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "ApiBackend",
    "ApiConfig",
    "ApiOutcome",
    "ApiServer",
    "ModelChoices",
    "check_binding",
    "choices_from",
    "is_loopback",
]
