"""The engine service with the real model: many clients on one engine, each hearing only its own requests."""

from __future__ import annotations

import logging
import logging.handlers
import os
import signal
import time
from dataclasses import replace
from pathlib import Path

import pytest

from app.core import logs, paths
from app.core.config.settings import SettingsStore
from app.core.engine import local
from app.core.engine.protocol import (
    NO_STATS,
    ChatMessage,
    EngineEvent,
    GenerationFailed,
    GenerationFinished,
    ModelLoaded,
    ModelLoadFailed,
    ModelUnloaded,
    SamplingSettings,
    TokensReceived,
)
from app.core.errors import EngineHungError
from app.core.history.store import Store
from app.core.models.registry import ModelRegistry
from app.core.session.service import EngineService
from app.core.session.turns import TurnOutcome, TurnRunner
from tests.core.engine_helpers import GREEDY, EventLog, request, spec_for

LONG = SamplingSettings(temperature=0.0, top_k=1, max_tokens=400, repeat_penalty=1.0, seed=1)
COUNT = [ChatMessage("user", "Count from one to two hundred, one number per line.")]
HELLO = [ChatMessage("user", "Say hello.")]


def own_events(log: EventLog, request_id: str, timeout: float = 120.0) -> list[EngineEvent]:
    """Every event of ``log`` up to the end of ``request_id``; the answer's events, in order."""
    events = log.collect_until((GenerationFinished,), timeout)
    return [e for e in events if not isinstance(e, ModelLoaded | ModelUnloaded)]


def test_two_clients_at_once_each_get_only_their_own_events_in_order(
    service: EngineService, starter_model: Path
) -> None:
    model = spec_for(starter_model)
    log_a, log_b = EventLog(), EventLog()
    client_a, client_b = service.connect(log_a.put, "a"), service.connect(log_b.put, "b")
    first, second = request(model, HELLO), request(model, [ChatMessage("user", "Name a colour.")])
    client_a.generate(first)
    client_b.generate(second)  # queued while the first runs: the engine has one request at a time

    for log, mine in ((log_a, first), (log_b, second)):
        events = own_events(log, mine.request_id)
        assert {getattr(e, "request_id", None) for e in events} == {mine.request_id}
        assert all(isinstance(e, TokensReceived) for e in events[:-1]) and len(events) > 1
        finished = events[-1]
        assert isinstance(finished, GenerationFinished) and finished.reason == "stop"
        streamed = "".join(e.text for e in events[:-1] if isinstance(e, TokensReceived))
        assert streamed == finished.text and finished.text.strip()
    # Each heard the model load (the engine's state), and nothing of the other's answer.
    assert not any(getattr(e, "request_id", None) == second.request_id for e in log_a.seen)
    assert not any(getattr(e, "request_id", None) == first.request_id for e in log_b.seen)


def test_stopping_one_client_leaves_the_other_running_to_completion(
    service: EngineService, starter_model: Path
) -> None:
    model = spec_for(starter_model)
    log_a, log_b = EventLog(), EventLog()
    client_a, client_b = service.connect(log_a.put, "a"), service.connect(log_b.put, "b")
    long_one, other = request(model, COUNT, LONG), request(model, HELLO, GREEDY)
    client_a.generate(long_one)
    client_b.generate(other)
    log_a.wait_for(TokensReceived)
    client_b.stop(long_one.request_id)  # not b's request: nothing happens to it
    client_a.stop(long_one.request_id)
    stopped = log_a.wait_for(GenerationFinished)
    assert stopped.reason == "stopped" and stopped.stats.generated_tokens < 400
    finished = log_b.wait_for(GenerationFinished, timeout=120)
    assert finished.request_id == other.request_id
    assert finished.reason == "stop" and finished.text.strip()


def test_a_queued_request_stopped_before_it_runs_never_reaches_the_engine(
    service: EngineService, starter_model: Path
) -> None:
    model = spec_for(starter_model)
    log_a, log_b = EventLog(), EventLog()
    client_a, client_b = service.connect(log_a.put, "a"), service.connect(log_b.put, "b")
    running, queued = request(model, HELLO), request(model, HELLO)
    client_a.generate(running)
    client_b.generate(queued)
    client_b.stop(queued.request_id)
    dropped = log_b.wait_for(GenerationFinished, timeout=60)
    assert (dropped.request_id, dropped.reason, dropped.text) == (queued.request_id, "stopped", "")
    assert dropped.stats == NO_STATS
    assert not any(isinstance(e, TokensReceived) for e in log_b.seen)
    assert log_a.wait_for(GenerationFinished).reason == "stop", "the running request was not touched"


def test_a_client_that_goes_away_mid_stream_frees_the_engine(service: EngineService, starter_model: Path) -> None:
    model = spec_for(starter_model)
    log_a, log_b = EventLog(), EventLog()
    client_a, client_b = service.connect(log_a.put, "a"), service.connect(log_b.put, "b")
    client_a.generate(request(model, COUNT, LONG))
    log_a.wait_for(TokensReceived)
    client_a.close()
    heard_before = len(log_a.seen) + log_a.queue.qsize()
    started = time.monotonic()
    client_b.generate(request(model, HELLO))
    finished = log_b.wait_for(GenerationFinished, timeout=120)
    assert finished.reason == "stop" and finished.text.strip()
    # b did not wait for a's 400 tokens: a's answer was stopped when a left (a few seconds at most here).
    assert finished.stats.generated_tokens < 100 and time.monotonic() - started < 60
    assert service.is_idle
    time.sleep(0.2)
    assert len(log_a.seen) + log_a.queue.qsize() == heard_before, "a closed client hears nothing more"


def test_unload_is_acknowledged_once_the_file_is_closed(service: EngineService, starter_model: Path) -> None:
    model = spec_for(starter_model)
    log = EventLog()
    client = service.connect(log.put)
    client.load(model)
    assert log.wait_for(ModelLoaded).model == model
    pid = service.pid
    assert pid is not None and str(Path(starter_model).resolve()) in Path(f"/proc/{pid}/maps").read_text()
    client.unload()
    assert log.wait_for(ModelUnloaded).model == model
    assert str(Path(starter_model).resolve()) not in Path(f"/proc/{pid}/maps").read_text()
    assert service.loaded_model is None


def test_an_unexpected_error_in_the_engine_reaches_the_crash_log_with_its_traceback(
    service: EngineService, starter_model: Path
) -> None:
    logger = logging.getLogger("app")
    logs.configure()
    try:
        model = spec_for(starter_model)
        log = EventLog()
        client = service.connect(log.put)
        # Not a value the app ever sends: llama.cpp's ctypes binding raises ArgumentError, which the
        # worker does not expect. It must not end the engine silently.
        broken = SamplingSettings(top_k="forty")  # type: ignore[arg-type]
        bad = request(model, HELLO, broken)
        client.generate(bad)
        failed = log.wait_for(GenerationFailed)
        assert failed.request_id == bad.request_id
        assert "internal error" in failed.reason and "ArgumentError" in failed.traceback
        crash_log = logs.crash_log_path().read_text(encoding="utf-8")
        assert "Traceback (most recent call last)" in crash_log and "ArgumentError" in crash_log
        assert str(Path("engine", "worker", "loop.py")) in crash_log, "the traceback is the engine process's own"
        # The engine's own log lines reach the app's log file, and the engine keeps working.
        client.generate(request(model, HELLO))
        assert log.wait_for(GenerationFinished).reason == "stop"
        for handler in logger.handlers:
            handler.flush()
        text = (paths.log_dir() / logs.LOG_NAME).read_text(encoding="utf-8")
        assert "app.worker: unexpected error while generating" in text
    finally:
        for handler in list(logger.handlers):
            if isinstance(handler, logging.handlers.RotatingFileHandler):
                logger.removeHandler(handler)
                handler.close()


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_a_hung_engine_is_ended_after_a_stop_and_the_next_request_gets_a_fresh_one(
    service: EngineService, starter_model: Path
) -> None:
    settings = SettingsStore()
    registry = ModelRegistry(settings)
    store = Store()
    log = EventLog()
    runner = TurnRunner(store, service.connect(log.put, "window"), settings, registry)
    entry = registry.resolve(str(starter_model))
    conversation = store.create_conversation(model_name=entry.name)
    story = "Write a very long story about a lighthouse."
    runner.start(conversation.id, story, model=entry, sampling=replace(LONG, max_tokens=2000))
    while len(runner.live_text) < 20:
        runner.handle(log.next(timeout=120))
    pid = service.pid
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)  # frozen: it will never acknowledge the stop
    seen = runner.live_text
    runner.stop()
    # The watchdog gives up after a few tokens' time (seconds); the ceiling only says "not never".
    outcome: TurnOutcome | None = None
    while outcome is None:
        update = runner.handle(log.next(timeout=60))
        outcome = update.outcome if update is not None else None
    assert outcome.status == "stopped" and isinstance(outcome.error, EngineHungError)
    assert "stopped responding" in outcome.error.user_message()
    assert outcome.message is not None and outcome.message.status == "stopped"
    assert outcome.message.content == seen, "the answer is what the user saw when they pressed Stop"
    finished = next(e for e in log.seen if isinstance(e, GenerationFinished))
    assert finished.engine_hung and finished.reason == "stopped" and finished.stats == NO_STATS
    assert _gone(pid), "the hung process was ended"

    client = service.connect(log.put, "next")
    hello = request(spec_for(starter_model), HELLO)
    client.generate(hello)
    answer = log.wait_for(GenerationFinished, timeout=120)
    assert answer.request_id == hello.request_id and answer.reason == "stop" and answer.text.strip()
    assert service.pid not in (None, pid), "a fresh engine answered"
    store.close()


def test_a_load_that_hangs_past_the_limit_fails_and_the_next_load_starts_afresh(
    service: EngineService, starter_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local, "LOAD_LIMIT_SECONDS", 1.5)
    model = spec_for(starter_model)
    log = EventLog()
    client = service.connect(log.put)
    client.load(model)
    pid = service.pid
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)  # frozen before it could load anything
    started = time.monotonic()
    failed = log.wait_for(ModelLoadFailed, timeout=90)
    assert time.monotonic() - started < 60, "given up after the configured 1.5 s, not the usual 180 s"
    assert failed.model == model and "stopped responding while loading" in failed.reason
    assert _gone(pid) and service.is_idle and service.loaded_model is None

    monkeypatch.setattr(local, "LOAD_LIMIT_SECONDS", 180.0)
    client.load(model)
    assert log.wait_for(ModelLoaded, timeout=120).model == model
    assert service.pid not in (None, pid)
