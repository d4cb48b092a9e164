"""The conversation KV-state cache, with the real engine and the starter model.

Evaluated prompt tokens are llama.cpp's own count (``llama_perf_context``'s n_p_eval, reported as
``prompt_tokens_evaluated``): a restored state means only the new message is evaluated.
"""

from __future__ import annotations

import dataclasses
import os
import uuid
from pathlib import Path

import pytest

from app.core.engine import kv_state
from app.core.engine.kv_state import SavedState, StateCache, StateKey
from app.core.engine.local import LocalEngine
from app.core.engine.protocol import (
    AUTO_GPU_LAYERS,
    ChatMessage,
    GenerationFinished,
    GenerationRequest,
    ModelLoaded,
    ModelSpec,
    ModelUnloaded,
)
from app.core.session import records
from tests.core.engine_helpers import GREEDY, EventLog

SYSTEM = ChatMessage("system", "You are a helpful assistant. " * 20)
LONG_USER = ChatMessage("user", "Tell me about the history of the bicycle in Europe. " * 6)


def _engine(folder: Path, limit: int = kv_state.DEFAULT_LIMIT_BYTES) -> tuple[LocalEngine, EventLog]:
    log = EventLog()
    engine = LocalEngine(log.put)
    engine.configure_state_cache(str(folder), limit)
    return engine, log


def _ask(engine: LocalEngine, log: EventLog, model: ModelSpec, messages: list[ChatMessage], key: str | None
         ) -> GenerationFinished:
    request = GenerationRequest(uuid.uuid4().hex, model, tuple(messages), GREEDY, conversation_key=key)
    engine.generate(request)
    return log.wait_for(GenerationFinished, timeout=300)


def _first_turn(engine: LocalEngine, log: EventLog, model: ModelSpec, key: str) -> list[ChatMessage]:
    answer = _ask(engine, log, model, [SYSTEM, LONG_USER], key)
    assert answer.stats.prompt_tokens > 150
    return [SYSTEM, LONG_USER, ChatMessage("assistant", answer.text), ChatMessage("user", "And in Asia?")]


def _saved_first_turn(folder: Path, model: ModelSpec, key: str) -> list[ChatMessage]:
    """A first turn in an engine that then ends, leaving the conversation's state in ``folder``."""
    engine, log = _engine(folder)
    try:
        return _first_turn(engine, log, model, key)
    finally:
        engine.shutdown()  # the worker writes what it still holds before it ends


def test_a_restart_restores_the_state_and_evaluates_only_the_new_message(
    tmp_path: Path, starter_model: Path
) -> None:
    model = ModelSpec(str(starter_model), "starter", n_ctx=2048)
    folder = tmp_path / "states"
    history = _saved_first_turn(folder, model, "7")
    assert kv_state.state_path(folder, "7").exists()

    engine, log = _engine(folder)
    try:
        answer = _ask(engine, log, model, history, "7")
        # Only the new user message and the answer's opening markup, not the ~200 tokens before them.
        assert answer.stats.prompt_tokens_evaluated < 20 < answer.stats.prompt_tokens
        # The same conversation without the cache: every token is evaluated again.
        engine.unload()
        log.wait_for(ModelUnloaded)
        fresh = _ask(engine, log, model, history, None)
        assert fresh.stats.prompt_tokens_evaluated == fresh.stats.prompt_tokens
        # The restored state reads the conversation as a fresh evaluation does: the same answer, until
        # the float rounding of one big batch against many small ones tips a greedy choice (as it
        # does between any warm and cold turn in llama.cpp).
        assert fresh.text[:60] == answer.text[:60]
    finally:
        engine.shutdown()


def test_switching_back_to_a_conversation_restores_it_from_memory(tmp_path: Path, starter_model: Path) -> None:
    model = ModelSpec(str(starter_model), "starter", n_ctx=2048)
    engine, log = _engine(tmp_path / "states")
    try:
        history_a = _first_turn(engine, log, model, "a")
        _ask(engine, log, model, [SYSTEM, ChatMessage("user", "Name three rivers in Africa.")], "b")
        back = _ask(engine, log, model, history_a, "a")
        assert back.stats.prompt_tokens_evaluated < 20 < back.stats.prompt_tokens
    finally:
        engine.shutdown()


@pytest.mark.parametrize("prepared", [True, False])
def test_opening_a_conversation_restores_its_state_before_the_user_sends(
    tmp_path: Path, starter_model: Path, prepared: bool
) -> None:
    model = ModelSpec(str(starter_model), "starter", n_ctx=2048)
    folder = tmp_path / "states"
    history = _saved_first_turn(folder, model, "p")

    engine, log = _engine(folder)
    try:
        engine.load(model)
        log.wait_for(ModelLoaded, timeout=300)
        if prepared:  # what the window does when the conversation is opened: its history as it stands
            engine.prepare(GenerationRequest(uuid.uuid4().hex, model, tuple(history[:-1]), GREEDY,
                                             conversation_key="p"))
        # From here the saved states are out of reach (another, empty folder): only what the engine
        # already put back in its KV cache can spare the evaluation.
        engine.configure_state_cache(str(tmp_path / "elsewhere"), kv_state.DEFAULT_LIMIT_BYTES)
        answer = _ask(engine, log, model, history, "p")
        if prepared:
            assert answer.stats.prompt_tokens_evaluated < 20 < answer.stats.prompt_tokens
        else:
            assert answer.stats.prompt_tokens_evaluated == answer.stats.prompt_tokens
    finally:
        engine.shutdown()


def test_preparing_for_a_model_that_is_not_loaded_loads_nothing(tmp_path: Path, starter_model: Path) -> None:
    model = ModelSpec(str(starter_model), "starter", n_ctx=2048)
    engine, log = _engine(tmp_path / "states")
    try:
        engine.prepare(GenerationRequest("r", model, (SYSTEM, LONG_USER), GREEDY, conversation_key="q"))
        engine.load(dataclasses.replace(model, n_ctx=1024))
        loaded = log.wait_for(ModelLoaded, timeout=300)
        assert loaded.model.n_ctx == 1024  # the first model loaded is the one asked for, not the prepared one's
        assert [event for event in log.seen if isinstance(event, ModelLoaded)] == [loaded]
    finally:
        engine.shutdown()


@pytest.mark.parametrize(
    "change",
    ["other_context", "edited_history", "other_model_file"],
)
def test_a_state_that_does_not_match_is_never_used(tmp_path: Path, starter_model: Path, change: str) -> None:
    copy = tmp_path / "model.gguf"
    copy.write_bytes(starter_model.read_bytes())
    model = ModelSpec(str(copy), "starter", n_ctx=2048)
    folder = tmp_path / "states"
    history = _saved_first_turn(folder, model, "c")
    if change == "other_context":
        model = dataclasses.replace(model, n_ctx=1536)
    elif change == "edited_history":
        history[1] = ChatMessage("user", LONG_USER.content.replace("bicycle", "tram"))
    else:  # the same path, but another file now: its identity (size, modification time) changed
        os.utime(copy, ns=(1, 1))
    assert kv_state.read_state(kv_state.state_path(folder, "c")) is not None
    engine, log = _engine(folder)
    try:
        answer = _ask(engine, log, model, history, "c")
        assert answer.stats.prompt_tokens_evaluated == answer.stats.prompt_tokens
    finally:
        engine.shutdown()


def test_a_state_file_cut_short_is_ignored_and_removed(tmp_path: Path, starter_model: Path) -> None:
    model = ModelSpec(str(starter_model), "starter", n_ctx=2048)
    folder = tmp_path / "states"
    history = _saved_first_turn(folder, model, "d")
    path = kv_state.state_path(folder, "d")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # a kill in the middle of a copy made outside Parley
    engine, log = _engine(folder)
    try:
        engine.load(model)
        log.wait_for(ModelLoaded, timeout=300)
        answer = _ask(engine, log, model, history, "d")
        assert answer.stats.prompt_tokens_evaluated == answer.stats.prompt_tokens
    finally:
        engine.shutdown()
    # ... and the cut file was replaced by the whole state of the new turn.
    assert kv_state.read_state(path) is not None


def _state(conversation: str, size: int, text: str = "prompt") -> SavedState:
    return SavedState(StateKey(conversation, "model|1|1", 2048, 0), text, (1, 2, 3), bytes(size))


def test_eviction_keeps_the_folder_under_its_limit_dropping_the_least_recently_used(tmp_path: Path) -> None:
    cache = StateCache(tmp_path, limit_bytes=25_000, background=False)
    for name in ("one", "two"):
        cache.remember(_state(name, 10_000))
        os.utime(kv_state.state_path(tmp_path, name), (1000 + len(name), 1000 + len(name)))
    os.utime(kv_state.state_path(tmp_path, "one"), (5000, 5000))  # "one" used since: "two" is the oldest
    cache.remember(_state("three", 10_000))
    assert kv_state.state_path(tmp_path, "one").exists()
    assert not kv_state.state_path(tmp_path, "two").exists()
    assert kv_state.state_path(tmp_path, "three").exists()
    assert kv_state.folder_bytes(tmp_path) <= 25_000


def test_deleting_a_conversation_deletes_its_state_even_from_memory(tmp_path: Path) -> None:
    cache = StateCache(tmp_path, background=False)
    cache.remember(_state("gone", 100))
    key = StateKey("gone", "model|1|1", 2048, 0)
    assert cache.find(key, "prompt and more") is not None
    kv_state.delete_conversation(tmp_path, "gone")
    assert not kv_state.state_path(tmp_path, "gone").exists()
    assert cache.find(key, "prompt and more") is None


def test_clearing_the_cache_removes_every_state(tmp_path: Path) -> None:
    cache = StateCache(tmp_path, background=False)
    for name in ("x", "y"):
        cache.remember(_state(name, 1000))
    assert kv_state.clear(tmp_path) > 2000
    assert kv_state.folder_bytes(tmp_path) == 0
    assert cache.find(StateKey("x", "model|1|1", 2048, 0), "prompt") is None


def test_only_the_three_most_recent_states_stay_in_memory(tmp_path: Path) -> None:
    cache = StateCache(None)  # memory only
    for name in ("a", "b", "c", "d"):
        cache.remember(_state(name, 10))
    assert cache.find(StateKey("a", "model|1|1", 2048, 0), "prompt") is None
    assert all(cache.find(StateKey(n, "model|1|1", 2048, 0), "prompt") is not None for n in "bcd")


def test_deleting_a_conversation_from_the_history_deletes_its_saved_state() -> None:
    from app.core import paths
    from app.core.history.store import Store

    store = Store()
    try:
        conversation = store.create_conversation()
        folder = paths.states_dir()
        StateCache(folder, background=False).remember(_state(str(conversation.id), 100))
        assert kv_state.state_path(folder, str(conversation.id)).exists()
        records.delete_conversation(store, conversation.id)
        assert not kv_state.state_path(folder, str(conversation.id)).exists()
    finally:
        store.close()


def test_new_gpu_layers_on_a_build_that_cannot_offload_reload_nothing_and_keep_the_states(
    tmp_path: Path, starter_model: Path
) -> None:
    short = dataclasses.replace(GREEDY, max_tokens=8)
    model = ModelSpec(str(starter_model), "starter", n_ctx=2048, n_gpu_layers=AUTO_GPU_LAYERS)
    engine, log = _engine(tmp_path / "states")

    def ask(spec: ModelSpec, messages: list[ChatMessage], key: str | None) -> GenerationFinished:
        engine.generate(GenerationRequest(uuid.uuid4().hex, spec, tuple(messages), short, conversation_key=key))
        return log.wait_for(GenerationFinished, timeout=300)

    def loads_since(mark: int) -> list[ModelLoaded]:
        return [event for event in log.seen[mark:] if isinstance(event, ModelLoaded)]

    try:
        history_b = [SYSTEM, ChatMessage("user", "Name three rivers in Africa.")]
        answer_b = ask(model, history_b, "b")
        history_a = [SYSTEM, LONG_USER]
        answer_a = ask(model, history_a, "a")  # the KV cache now holds conversation a
        (first_load,) = loads_since(0)
        assert first_load.offload is not None
        offloads = first_load.offload.gpu_build
        history_a += [ChatMessage("assistant", answer_a.text), ChatMessage("user", "And in Asia?")]
        history_b += [ChatMessage("assistant", answer_b.text), ChatMessage("user", "And in Europe?")]

        for layers in (0, 12):  # Off, then a number, as the Settings or the model's own settings set it
            mark = len(log.seen)
            new = dataclasses.replace(model, n_gpu_layers=layers)
            # No conversation key: only the tokens still in the KV cache can spare the evaluation.
            again = ask(new, history_a, None)
            (loaded,) = loads_since(mark)
            assert loaded.model == new and engine.loaded_model == new
            if offloads:  # a build that can offload loads the model again with the new layers
                assert loaded.load_seconds > 0
                assert again.stats.prompt_tokens_evaluated == again.stats.prompt_tokens
                return
            assert loaded.load_seconds == 0.0, "the model was loaded again"
            assert again.stats.prompt_tokens_evaluated < 20 < again.stats.prompt_tokens
            history_a += [ChatMessage("assistant", again.text), ChatMessage("user", "Go on.")]
            model = new
        # The other conversation's saved state is still there and still matches.
        back = ask(model, history_b, "b")
        assert back.stats.prompt_tokens_evaluated < 20 < back.stats.prompt_tokens

        # Any other change does load the model again, and the states of the old context do not apply.
        mark = len(log.seen)
        smaller = dataclasses.replace(model, n_ctx=1024)
        fresh = ask(smaller, history_b, "b")
        (reloaded,) = loads_since(mark)
        assert reloaded.model == smaller and reloaded.n_ctx == 1024 and reloaded.load_seconds > 0
        assert fresh.stats.prompt_tokens_evaluated == fresh.stats.prompt_tokens
    finally:
        engine.shutdown()
