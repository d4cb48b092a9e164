"""A local API server on the real starter model, on a free port of 127.0.0.1, for the API server's tests."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import openai

from app.core.api_server.app import ApiBackend, ApiOutcome, ModelChoices
from app.core.api_server.server import ApiConfig, ApiServer
from app.core.engine.protocol import ModelSpec, SamplingSettings
from app.core.session.service import EngineService, local_engine_factory

MODEL = "SmolLM2 135M (starter, offline)"
GREEDY = {"temperature": 0.0, "seed": 1, "max_tokens": 16}
N_CTX = 1024


@dataclass
class Running:
    server: ApiServer
    service: EngineService
    activity: list[int]

    @property
    def port(self) -> int:
        return self.server.address[1]

    def client(self, key: str = "none") -> openai.OpenAI:
        return openai.OpenAI(base_url=self.server.base_url, api_key=key, max_retries=0, timeout=120)

    def outcome(self, timeout: float = 60.0) -> ApiOutcome:
        """The next completion's end, as the server recorded it."""
        deadline = time.monotonic() + timeout
        while not self.server.backend.outcomes:
            assert time.monotonic() < deadline, "no completion ended"
            time.sleep(0.05)
        return self.server.backend.outcomes.popleft()


def served_spec(starter_model: Path) -> ModelSpec:
    """How the server loads the starter: as the app loads a local model (the registry's flash attention on)."""
    return ModelSpec(str(starter_model), MODEL, n_ctx=N_CTX, flash_attn=True)


def start(starter_model: Path, config: ApiConfig, service: EngineService | None = None) -> Running:
    """A started server for ``config`` (on its own engine service unless ``service`` is given)."""
    service = service or EngineService(local_engine_factory())
    choices = ModelChoices()
    choices.set({MODEL: served_spec(starter_model)}, SamplingSettings(repeat_penalty=1.0))
    activity: list[int] = []
    server = ApiServer(ApiBackend(service, choices, on_activity=activity.append), config)
    server.start()
    return Running(server, service, activity)
