"""The test helpers' own promise: a wait ends at once, with the engine's reason, when the engine fails."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from app.core.engine.protocol import (
    GenerationFailed,
    GenerationFinished,
    ModelLoaded,
    ModelLoadFailed,
    ModelSpec,
    TokensReceived,
)
from tests.core.engine_helpers import EventLog, UnexpectedFailureError, running_engine

SPEC = ModelSpec("/models/a.gguf", "a")


def test_a_failure_not_waited_for_ends_the_wait_at_once_with_its_reason() -> None:
    log = EventLog()
    log.put(TokensReceived("r", "Hel"))
    log.put(GenerationFailed("r", "the message is too long for this model's context"))
    started = time.monotonic()
    with pytest.raises(UnexpectedFailureError, match="GenerationFailed: the message is too long"):
        log.wait_for(GenerationFinished, timeout=60)
    assert time.monotonic() - started < 30, "the failure ended the wait, not the 60 s timeout"
    log.put(ModelLoadFailed(SPEC, "the file is empty", traceback="Traceback (most recent call last): ..."))
    with pytest.raises(UnexpectedFailureError, match="waiting for GenerationFinished or ModelLoaded") as failed:
        log.collect_until((GenerationFinished, ModelLoaded), timeout=60)
    assert "the file is empty" in str(failed.value) and "Traceback" in str(failed.value)


def test_a_failure_waited_for_is_returned() -> None:
    log = EventLog()
    log.put(ModelLoadFailed(SPEC, "the file is empty"))
    assert log.wait_for(ModelLoadFailed, timeout=60).reason == "the file is empty"
    log.put(GenerationFailed("r", "no room"))
    assert isinstance(log.collect_until((GenerationFinished, GenerationFailed), timeout=60)[-1], GenerationFailed)


def test_a_model_that_does_not_load_fails_the_wait_for_its_answer_at_once(tmp_path: Path) -> None:
    missing = ModelSpec(str(tmp_path / "missing.gguf"), "missing")
    with running_engine() as (engine, log):
        engine.load(missing)
        started = time.monotonic()
        with pytest.raises(UnexpectedFailureError, match="ModelLoadFailed: the file does not exist"):
            log.wait_for(ModelLoaded, timeout=120)
        assert time.monotonic() - started < 60  # the engine's answer, not the timeout
