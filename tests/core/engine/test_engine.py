"""The local engine with the real starter model: streaming, stop, cache reuse, bad files, crashes."""

from __future__ import annotations

import ctypes
import os
import signal
from multiprocessing import Value
from pathlib import Path

import pytest

from app.core.engine.local import LocalEngine
from app.core.engine.protocol import (
    ChatMessage,
    CountTokensRequest,
    EngineCrashed,
    GenerationFinished,
    ModelLoaded,
    ModelLoadFailed,
    ModelSpec,
    TokensCounted,
    TokensReceived,
)
from tests.core.engine_helpers import GREEDY, EventLog, request, running_engine, spec_for

SYSTEM = ChatMessage("system", "You are a helpful assistant.")


def test_answer_streams_token_by_token(starter_model: Path) -> None:
    with running_engine() as (engine, log):
        engine.generate(request(spec_for(starter_model), [SYSTEM, ChatMessage("user", "Name three colours.")]))
        events = log.collect_until((GenerationFinished,))
    loaded = [e for e in events if isinstance(e, ModelLoaded)]
    chunks = [e.text for e in events if isinstance(e, TokensReceived)]
    finished = events[-1]
    assert isinstance(finished, GenerationFinished)
    assert len(loaded) == 1 and not loaded[0].template_fallback
    assert len(chunks) >= 2 and len(chunks[0]) < len(finished.text), "the answer should arrive in pieces"
    assert "".join(chunks) == finished.text
    assert finished.text.strip()
    assert finished.stats.generated_tokens >= len(chunks)
    assert finished.stats.tokens_per_second > 0
    assert 0 < finished.stats.ttft_seconds < 30


def _count(engine: LocalEngine, log: EventLog, model: ModelSpec, text: str) -> int:
    """The tokens ``text`` takes as an answer, by the model's own tokenizer (template included)."""
    engine.count_tokens(CountTokensRequest(f"count-{len(text)}", model, (ChatMessage("assistant", text),)))
    return log.wait_for(TokensCounted, timeout=120).tokens


def test_stop_mid_answer_keeps_the_partial_text(starter_model: Path) -> None:
    sampling = GREEDY.__class__(temperature=0.0, top_k=1, max_tokens=400, repeat_penalty=1.0, seed=1)
    prompt = [SYSTEM, ChatMessage("user", "Write a long story about a dragon who learns to bake bread.")]
    model = spec_for(starter_model)
    with running_engine() as (engine, log):
        engine.generate(request(model, prompt, sampling))
        seen = "".join(log.wait_for(TokensReceived).text for _ in range(5))
        engine.request_stop()
        # Counted, not timed: however slow the machine, the engine checks the stop between tokens, so
        # what arrives after it is the few tokens already on their way, not the rest of the 400.
        after = log.collect_until((GenerationFinished,), timeout=120)
        finished = after[-1]
        assert isinstance(finished, GenerationFinished)
        late = _count(engine, log, model, finished.text) - _count(engine, log, model, seen)
    assert finished.reason == "stopped"
    assert finished.text.startswith(seen) and seen.strip()
    assert late <= 40, f"{late} tokens arrived after the stop"
    assert finished.stats.generated_tokens < sampling.max_tokens // 2


def test_stop_mid_prompt_aborts_the_evaluation(starter_model: Path) -> None:
    long_text = " ".join(f"Item {i} is a plain sentence about the weather." for i in range(260))
    model = spec_for(starter_model, n_ctx=8192)
    with running_engine() as (engine, log):
        engine.load(model)
        log.wait_for(ModelLoaded)
        prompt = request(model, [SYSTEM, ChatMessage("user", long_text)])
        engine.generate(prompt)
        # Asked before the worker even starts on it, so the stop lands before or during the prompt's
        # evaluation on any machine; evaluating all of it takes seconds on two cores.
        engine.request_stop()
        finished = log.wait_for(GenerationFinished, timeout=120)
        # Counted, not timed: the answer never started and the prompt's evaluation was cut short.
        assert finished.reason == "stopped"
        assert finished.stats.generated_tokens == 0
        assert finished.stats.prompt_tokens > 2000
        assert finished.stats.prompt_tokens_evaluated < finished.stats.prompt_tokens, "the evaluation was cut short"
        # The engine is still good for the next message.
        engine.generate(request(model, [SYSTEM, ChatMessage("user", "Say hello.")]))
        after = log.wait_for(GenerationFinished)
    assert after.reason in ("stop", "length") and after.text.strip()


def test_third_turn_evaluates_only_its_new_tokens(starter_model: Path) -> None:
    model = spec_for(starter_model)
    history = [SYSTEM]
    results: list[GenerationFinished] = []
    with running_engine() as (engine, log):
        for question in ("What is the capital of France?", "And of Italy?", "Which of the two is bigger?"):
            history.append(ChatMessage("user", question))
            engine.generate(request(model, history))
            finished = log.wait_for(GenerationFinished)
            history.append(ChatMessage("assistant", finished.text))
            results.append(finished)
    first, second, third = (r.stats for r in results)
    # Counted by llama.cpp itself (llama_perf_context): the first turn evaluates its whole prompt...
    assert first.prompt_tokens_evaluated == first.prompt_tokens
    # ...later turns only what the history did not already hold: the closing of the last answer
    # and the new question (plus the last answer token when it ended on the length limit).
    new_tokens = third.prompt_tokens - second.prompt_tokens - second.generated_tokens
    assert 0 < third.prompt_tokens_evaluated <= new_tokens + 1
    assert third.prompt_tokens_evaluated < third.prompt_tokens / 3


def test_chinese_answer_never_shows_a_broken_character(starter_model: Path) -> None:
    prompt = [SYSTEM, ChatMessage("user", "Translate into Chinese: I love my family.")]
    with running_engine() as (engine, log):
        engine.generate(request(spec_for(starter_model), prompt))
        events = log.collect_until((GenerationFinished,))
    chunks = [e.text for e in events if isinstance(e, TokensReceived)]
    finished = events[-1]
    assert isinstance(finished, GenerationFinished)
    assert all("\ufffd" not in chunk for chunk in chunks)
    assert "".join(chunks) == finished.text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in finished.text), finished.text


def test_characters_split_across_tokens_are_held_back_until_whole(
    starter_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In this process, with batching off, so every token's text is sent as soon as it decodes.
    from app.core.engine.worker import generation, loading

    monkeypatch.setattr(generation, "SEND_INTERVAL_SECONDS", 0.0)
    loaded = loading.open_model(spec_for(starter_model), loading.LlamaLog(), Value(ctypes.c_longlong, 0), None)
    sent: list[str] = []
    finished: list[GenerationFinished] = []

    def emit(event: object) -> None:
        if isinstance(event, TokensReceived):
            sent.append(event.text)
        elif isinstance(event, GenerationFinished):
            finished.append(event)

    try:
        prompt = [SYSTEM, ChatMessage("user", "Translate into Chinese: I love my family.")]
        loaded.generate(request(spec_for(starter_model), prompt), 1 << 40, emit)
    finally:
        loaded.close()
    (done,) = finished
    assert all("\ufffd" not in piece for piece in sent)
    assert "".join(sent) == done.text
    # Some characters span two or three tokens: fewer pieces than tokens shows the incomplete
    # bytes were held back rather than shown.
    assert len(sent) < done.stats.generated_tokens


def _bad_files(tmp_path: Path, starter_model: Path) -> dict[str, Path]:
    data = starter_model.read_bytes()
    files = {
        "empty": b"",
        "truncated": data[: len(data) // 2],
        "corrupt": b"GGUF" + os.urandom(4096),
        "not a gguf": b"This is a text file, not a model.\n" * 100,
    }
    paths = {}
    for name, content in files.items():
        path = tmp_path / f"{name.replace(' ', '-')}.gguf"
        path.write_bytes(content)
        paths[name] = path
    return paths


def test_bad_model_files_fail_to_load_and_the_engine_keeps_working(tmp_path: Path, starter_model: Path) -> None:
    with running_engine() as (engine, log):
        for name, path in _bad_files(tmp_path, starter_model).items():
            engine.generate(request(spec_for(path), [SYSTEM, ChatMessage("user", "hi")]))
            failed = log.wait_for(ModelLoadFailed)
            assert failed.model.path == str(path), name
            assert failed.reason.strip(), name
            assert failed.request_id is not None
        truncated = next(e for e in log.seen if isinstance(e, ModelLoadFailed) and "truncated" in e.model.path)
        assert "corrupted or incomplete" in truncated.reason or "bounds" in truncated.reason
        engine.generate(request(spec_for(starter_model), [SYSTEM, ChatMessage("user", "Say hello.")]))
        finished = log.wait_for(GenerationFinished)
    assert finished.text.strip()


def test_a_failed_switch_leaves_the_previous_model_loaded(tmp_path: Path, starter_model: Path) -> None:
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF" + b"\0" * 64)
    with running_engine() as (engine, log):
        engine.load(spec_for(starter_model))
        log.wait_for(ModelLoaded)
        engine.load(spec_for(bad))
        failed = log.wait_for(ModelLoadFailed)
        assert failed.still_loaded == spec_for(starter_model)
        assert engine.loaded_model == spec_for(starter_model)


def test_killed_engine_is_reported_and_the_next_message_works(starter_model: Path) -> None:
    model = spec_for(starter_model)
    sampling = GREEDY.__class__(temperature=0.0, top_k=1, max_tokens=400, seed=1)
    with running_engine() as (engine, log):
        engine.generate(request(model, [SYSTEM, ChatMessage("user", "Tell me a long story.")], sampling))
        log.wait_for(TokensReceived)
        pid = engine.pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        crashed = log.wait_for(EngineCrashed)
        assert "SIGKILL" in crashed.reason
        assert crashed.request_id is not None
        engine.generate(request(model, [SYSTEM, ChatMessage("user", "Say hello.")]))
        finished = log.wait_for(GenerationFinished)
        assert engine.pid != pid
    assert finished.text.strip()


@pytest.mark.parametrize("n_ctx", [512])
def test_a_conversation_longer_than_the_context_drops_its_oldest_turns(starter_model: Path, n_ctx: int) -> None:
    model = spec_for(starter_model, n_ctx=n_ctx)
    history = [SYSTEM]
    for i in range(30):
        history.append(ChatMessage("user", f"Remember the number {i}. It matters a lot to me."))
        history.append(ChatMessage("assistant", f"I will remember the number {i}."))
    history.append(ChatMessage("user", "Which number came last?"))
    with running_engine() as (engine, log):
        engine.generate(request(model, history))
        finished = log.wait_for(GenerationFinished)
    assert finished.stats.truncated_messages > 0
    assert finished.stats.prompt_tokens <= n_ctx


def test_loading_the_loaded_model_again_is_answered_at_once(starter_model: Path) -> None:
    with running_engine() as (engine, log):
        engine.load(spec_for(starter_model))
        first = log.wait_for(ModelLoaded)
        engine.load(spec_for(starter_model))
        again = log.wait_for(ModelLoaded, timeout=60)
    assert first.load_seconds > 0 and again.load_seconds == 0.0
