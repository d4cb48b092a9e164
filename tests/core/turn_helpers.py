"""Driving the turn runner on the real engine from tests: a turn waited for to its outcome, and what a client sent."""

from __future__ import annotations

from app.core.engine.protocol import GenerationRequest
from app.core.session.service import EngineClient
from app.core.session.turns import TurnOutcome, TurnRunner
from tests.core.engine_helpers import EventLog


def finish(runner: TurnRunner, log: EventLog, timeout: float = 120) -> TurnOutcome:
    """Hands the engine's events in ``log`` to ``runner`` until the turn settles; its outcome."""
    while True:
        update = runner.handle(log.next(timeout=timeout))
        if update is not None and update.outcome is not None:
            return update.outcome


def recording(client: EngineClient) -> list[GenerationRequest]:
    """Every request ``client`` sends from now on, in order; the client still sends each one."""
    sent: list[GenerationRequest] = []
    real_generate = client.generate

    def generate(request: GenerationRequest) -> None:
        sent.append(request)
        real_generate(request)

    client.generate = generate  # type: ignore[method-assign]
    return sent
