"""The first-start speed check: one short answer of the starter, so that speed estimates rest on this computer.

``speed`` keeps the engine's decode speed of every answer; before the first one (a new computer, or a
new llama.cpp build, which ``speed.machine_key`` tells apart) the estimates would rest on an assumed
figure. ``StarterSpeedCheck`` asks the engine service for one greedy answer of the starter on the CPU;
the service measures and caches it like any other answer (``EngineService._record_speed``), and
``finished`` is told the new calibration. It runs in the service's queue like a client's request, so a
chat asked for meanwhile waits for it (a second or two), and a closed window drops it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from pathlib import Path

from app.core.engine.protocol import (
    NO_GPU_LAYERS,
    ChatMessage,
    EngineCrashed,
    EngineEvent,
    GenerationFailed,
    GenerationFinished,
    GenerationRequest,
    ModelLoadFailed,
    ModelSpec,
    SamplingSettings,
)
from app.core.models import speed
from app.core.session.service import EngineService

log = logging.getLogger(__name__)

# Counting is an answer that never ends early: every token of it is decoded, whatever the model.
PROMPT = (ChatMessage("user", "Count from 1 to 400, separated by commas."),)
TOKENS = 64


def speed_check_request(starter: Path) -> GenerationRequest:
    """The answer the check times: greedy, on the CPU only (the CPU's speed is what scales to other models)."""
    model = ModelSpec(str(starter), starter.stem, n_ctx=1024, n_gpu_layers=NO_GPU_LAYERS)
    sampling = SamplingSettings(temperature=0.0, top_k=1, repeat_penalty=1.0, max_tokens=TOKENS, seed=1)
    return GenerationRequest(uuid.uuid4().hex, model, PROMPT, sampling)


class StarterSpeedCheck:
    """One timed answer of the starter through ``service``; ``finished`` is called on the engine's thread."""

    def __init__(
        self, service: EngineService, starter: Path, finished: Callable[[speed.Calibration | None], None]
    ) -> None:
        self._request = speed_check_request(starter)
        self._finished = finished
        self._done = False
        self._client = service.connect(self._deliver, "speed-check")

    def start(self) -> None:
        self._client.generate(self._request)

    def cancel(self) -> None:
        self._done = True
        self._client.close()

    def _deliver(self, event: EngineEvent) -> None:
        ours = getattr(event, "request_id", None) == self._request.request_id
        if self._done or not (ours or isinstance(event, EngineCrashed)):
            return
        if isinstance(event, GenerationFinished):
            self._end(speed.current_calibration() if not speed.needs_measuring() else None)
        elif isinstance(event, GenerationFailed | ModelLoadFailed | EngineCrashed):
            log.warning("the starter's speed check did not run: %s", event.reason)
            self._end(None)

    def _end(self, calibration: speed.Calibration | None) -> None:
        self._done = True
        self._client.close()
        self._finished(calibration)


def check_if_needed(
    service: EngineService, starter: Path | None, finished: Callable[[speed.Calibration | None], None]
) -> StarterSpeedCheck | None:
    """Starts the check when this computer has no measured decode speed yet and the starter is here."""
    if starter is None or not speed.needs_measuring():
        return None
    check = StarterSpeedCheck(service, starter, finished)
    check.start()
    return check
