"""Driving the real LocalEngine from tests: collect its events and wait for the ones wanted.

A failure the test did not wait for (``GenerationFailed``, ``ModelLoadFailed``) ends the wait at
once with the engine's reason, instead of a timeout minutes later that says nothing.
"""

from __future__ import annotations

import queue
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from app.core.engine.local import LocalEngine
from app.core.engine.protocol import (
    ChatMessage,
    EngineEvent,
    GenerationFailed,
    GenerationRequest,
    ModelLoadFailed,
    ModelSpec,
    SamplingSettings,
)

# A ceiling for model work (a load and an answer) on a machine of any speed, not a goal: bench/ has those.
MODEL_WORK_TIMEOUT_S = 180.0

E = TypeVar("E")

GREEDY = SamplingSettings(temperature=0.0, top_k=1, max_tokens=48, repeat_penalty=1.0, seed=1)


class UnexpectedFailureError(AssertionError):
    """The engine failed while a test waited for something else."""


def _fail_on_failure(event: EngineEvent, wanted: type | tuple[type, ...]) -> None:
    if isinstance(event, GenerationFailed | ModelLoadFailed) and not isinstance(event, wanted):
        names = " or ".join(kind.__name__ for kind in (wanted if isinstance(wanted, tuple) else (wanted,)))
        details = f"\n{event.traceback}" if event.traceback else ""
        sent = f"{type(event).__name__}: {event.reason}"
        raise UnexpectedFailureError(f"waiting for {names}, the engine sent {sent}{details}")


class EventLog:
    def __init__(self) -> None:
        self.queue: queue.Queue[EngineEvent] = queue.Queue()
        self.seen: list[EngineEvent] = []

    def put(self, event: EngineEvent) -> None:
        self.queue.put(event)

    def next(self, timeout: float = MODEL_WORK_TIMEOUT_S) -> EngineEvent:
        event = self.queue.get(timeout=timeout)
        self.seen.append(event)
        return event

    def wait_for(self, kind: type[E], timeout: float = MODEL_WORK_TIMEOUT_S) -> E:
        """Returns the next event of ``kind``; fails on timeout, or at once on a failure not waited for."""
        deadline = time.monotonic() + timeout
        while True:
            event = self.next(max(0.01, deadline - time.monotonic()))
            _fail_on_failure(event, kind)
            if isinstance(event, kind):
                return event

    def collect_until(self, kinds: tuple[type, ...], timeout: float = MODEL_WORK_TIMEOUT_S) -> list[EngineEvent]:
        """Every event up to and including the first of ``kinds``; fails as ``wait_for`` does."""
        deadline = time.monotonic() + timeout
        events: list[EngineEvent] = []
        while True:
            event = self.next(max(0.01, deadline - time.monotonic()))
            _fail_on_failure(event, kinds)
            events.append(event)
            if isinstance(event, kinds):
                return events


def spec_for(path: Path, n_ctx: int = 4096) -> ModelSpec:
    return ModelSpec(str(path), path.stem, n_ctx=n_ctx)


def request(model: ModelSpec, messages: list[ChatMessage], sampling: SamplingSettings = GREEDY) -> GenerationRequest:
    return GenerationRequest(uuid.uuid4().hex, model, tuple(messages), sampling)


@contextmanager
def running_engine() -> Iterator[tuple[LocalEngine, EventLog]]:
    log = EventLog()
    engine = LocalEngine(log.put)
    try:
        yield engine, log
    finally:
        engine.shutdown()
