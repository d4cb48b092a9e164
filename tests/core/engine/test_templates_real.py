"""The real starter model under templates shaped like popular models' own (ModelSpec.chat_template)."""

from __future__ import annotations

import ctypes
import dataclasses
import datetime
from multiprocessing import Value
from pathlib import Path
from typing import Any

import pytest

from app.core.engine.commands import GenerateCommand
from app.core.engine.output import OutputSplitter
from app.core.engine.protocol import (
    ChatMessage,
    EngineEvent,
    GenerationFailed,
    GenerationFinished,
    GenerationRequest,
    ModelLoaded,
    ModelSpec,
    TokensReceived,
)
from app.core.engine.reasoning import MARKUP
from app.core.engine.template import date_string
from app.core.engine.worker import generation, loading, loop
from app.core.history.store import Store
from app.core.session.records import TurnContext, build_request, history_for_engine
from tests.core.engine_helpers import GREEDY, request, running_engine, spec_for
from tests.core.template_helpers import template, template_source

# A few worked examples are enough for the 135M model to think in <think> tags before answering.
EXAMPLES = [
    ChatMessage("system", "Think first, then answer."),
    ChatMessage("user", "Hi!"),
    ChatMessage("assistant", "Hello! How can I help?", reasoning="A greeting."),
    ChatMessage("user", "What is 2+2?"),
    ChatMessage("assistant", "4.", reasoning="Simple sum."),
    ChatMessage("user", "Name a colour."),
    ChatMessage("assistant", "Blue.", reasoning="Any colour."),
    ChatMessage("user", "What is the capital of France?"),
]
LONG_SYSTEM = ChatMessage("system", " ".join(f"Rule {i}: be polite, precise and brief." for i in range(40)))


def with_template(model: Path, name: str, n_ctx: int = 4096) -> ModelSpec:
    return dataclasses.replace(spec_for(model, n_ctx), chat_template=template_source(name))


def template_pairs(name: str) -> tuple[tuple[str, str], ...]:
    return template(name).reasoning_pairs()


def _no_markup(text: str) -> bool:
    return not any(marker in text for marker in MARKUP) and "<|im_" not in text


@pytest.mark.parametrize("name", ["keeps_think", "opens_think"])
def test_reasoning_arrives_apart_from_the_answer(starter_model: Path, name: str) -> None:
    # keeps_think: the model writes "<think>" itself; opens_think: the prompt ends inside it.
    sampling = dataclasses.replace(GREEDY, max_tokens=80)
    with running_engine() as (engine, log):
        engine.generate(request(with_template(starter_model, name), EXAMPLES, sampling))
        events = log.collect_until((GenerationFinished, GenerationFailed))
    finished = events[-1]
    assert isinstance(finished, GenerationFinished), finished
    chunks = [e for e in events if isinstance(e, TokensReceived)]
    assert finished.reasoning.strip() and "France" in finished.reasoning
    assert "Paris" in finished.text
    assert _no_markup(finished.text) and _no_markup(finished.reasoning)
    assert "".join(c.text for c in chunks) == finished.text
    assert "".join(c.reasoning for c in chunks) == finished.reasoning
    # The reasoning streams before the answer starts.
    first_answer = next(i for i, c in enumerate(chunks) if c.text)
    assert any(c.reasoning for c in chunks[:first_answer])


def test_the_loaded_event_tells_what_the_template_reads_and_why_it_failed(starter_model: Path) -> None:
    broken = dataclasses.replace(spec_for(starter_model), chat_template="{% for m in messages %}{% oops %}")
    with running_engine() as (engine, log):
        engine.load(with_template(starter_model, "think_strip"))
        thinking = log.wait_for(ModelLoaded)
        engine.load(broken)
        fallback = log.wait_for(ModelLoaded)
        engine.generate(request(with_template(starter_model, "generation"), [ChatMessage("user", "Say hello.")]))
        generation = log.wait_for(ModelLoaded)
        finished = log.wait_for(GenerationFinished)
        engine.load(spec_for(starter_model))
        own = log.wait_for(ModelLoaded)
    assert thinking.template_options == ("enable_thinking",) and not thinking.template_fallback
    assert fallback.template_fallback and fallback.template_error and "oops" in fallback.template_error
    assert not generation.template_fallback and generation.template_error is None
    assert finished.text.strip()
    assert (own.template_fallback, own.template_error, own.template_options) == (False, None, ())


def test_a_strict_template_gets_alternating_turns_even_after_a_failed_answer(starter_model: Path) -> None:
    store = Store()
    c = store.create_conversation()
    store.add_message(c.id, "user", "What is the capital of France?")
    store.add_message(c.id, "assistant", "", status="failed")
    store.add_message(c.id, "user", "Answer in one word.")
    history = history_for_engine(store.messages(c.id), "You are a helpful assistant.")
    with running_engine() as (engine, log):
        engine.generate(request(with_template(starter_model, "alternating"), list(history)))
        finished = log.wait_for(GenerationFinished)
    assert finished.text.strip()


def test_a_long_conversation_is_shortened_by_whole_turns(starter_model: Path) -> None:
    history = [ChatMessage("system", "You are a helpful assistant.")]
    for i in range(30):
        history.append(ChatMessage("user", f"Remember the number {i}. It matters a lot to me."))
        history.append(ChatMessage("assistant", f"I will remember the number {i}."))
    history.append(ChatMessage("user", "Which number came last?"))
    with running_engine() as (engine, log):
        engine.generate(request(with_template(starter_model, "alternating", n_ctx=512), history))
        event = log.wait_for((GenerationFinished, GenerationFailed))  # type: ignore[arg-type]
    assert isinstance(event, GenerationFinished), event  # the template would refuse an answer first
    assert event.stats.truncated_messages > 0 and event.stats.truncated_messages % 2 == 0


def test_a_system_prompt_is_folded_into_the_first_turn_for_a_template_without_one(starter_model: Path) -> None:
    with running_engine() as (engine, log):
        engine.generate(request(with_template(starter_model, "no_system"), [LONG_SYSTEM, ChatMessage("user", "Hi")]))
        finished = log.wait_for(GenerationFinished)
    assert finished.text.strip()


def _turns(
    engine: Any, log: Any, model: ModelSpec, history: list[ChatMessage], questions: list[str], **options: Any
) -> list[GenerationFinished]:
    results = []
    for question in questions:
        history.append(ChatMessage("user", question))
        engine.generate(dataclasses.replace(request(model, history), **options))
        finished = log.wait_for(GenerationFinished)
        history.append(ChatMessage("assistant", finished.text, reasoning=finished.reasoning or None))
        results.append(finished)
    return results


def test_a_template_that_drops_earlier_think_blocks_still_reuses_the_cache(starter_model: Path) -> None:
    # Qwen3 with thinking off: the generation prompt holds an empty think block that the answer,
    # once in the history, no longer has. The prompt changes right after the last user turn.
    with running_engine() as (engine, log):
        first, second = _turns(
            engine,
            log,
            with_template(starter_model, "think_strip"),
            [LONG_SYSTEM],
            ["What is the capital of France?", "And of Italy?"],
            enable_thinking=False,
        )
    assert first.stats.prompt_tokens_evaluated == first.stats.prompt_tokens
    assert 0 < second.stats.prompt_tokens_evaluated < second.stats.prompt_tokens / 4
    assert _no_markup(first.text) and not first.reasoning


def test_a_template_that_moves_the_system_prompt_reuses_what_stayed_in_place(starter_model: Path) -> None:
    document = " ".join(f"Line {i}: the river rises in spring and falls in autumn." for i in range(30))
    history = [ChatMessage("system", "Be brief.")]
    with running_engine() as (engine, log):
        _, second, third = _turns(
            engine,
            log,
            with_template(starter_model, "system_last"),
            history,
            [f"Read this: {document}", "What rises?", "When does it fall?"],
        )
    # Turn 2 had to move the system prompt out of the first message; turn 3 keeps turns 1 and 2.
    assert second.stats.prompt_tokens_evaluated > second.stats.prompt_tokens / 2
    assert 0 < third.stats.prompt_tokens_evaluated < third.stats.prompt_tokens / 4


def _stop_word(text: str) -> str:
    """A word from the middle of an answer, to stop a second answer at where it first appears.

    The stop comes from what this build of llama.cpp wrote, not from what the starter ought to know:
    greedy output differs between CPUs, and a fixed word ("Paris") is not written by every build.
    """
    words = [w for w in text.split() if len(w) >= 3 and text.index(w) > 0]
    assert words, f"the unstopped answer has no word to stop at: {text!r}"
    return words[len(words) // 2]


def test_a_user_stop_string_ends_the_answer_and_is_not_shown(starter_model: Path) -> None:
    question = [
        ChatMessage("system", "You are a helpful assistant."),
        ChatMessage("user", "What is the capital of France?"),
    ]
    # With flash attention, as the app loads models: without it a prompt evaluated in one batch (the first
    # answer) and one whose last token is evaluated again from the cache (the second) get logits that differ
    # enough to change a greedy answer on some CPUs (this one: "La femme de France, …" then "The capital …").
    model = dataclasses.replace(spec_for(starter_model), flash_attn=True)
    with running_engine() as (engine, log):
        engine.generate(request(model, question))
        unstopped = log.wait_for(GenerationFinished)
        stop = _stop_word(unstopped.text)
        sampling = dataclasses.replace(GREEDY, stop=(stop,))
        engine.generate(request(model, question, sampling))
        events = log.collect_until((GenerationFinished,))
    finished = events[-1]
    assert isinstance(finished, GenerationFinished)
    assert finished.reason == "stop"
    assert finished.text == unstopped.text[: unstopped.text.index(stop)]
    assert stop not in finished.text
    assert "".join(e.text for e in events if isinstance(e, TokensReceived)) == finished.text


def test_special_tokens_are_read_as_text_and_the_request_date_reaches_the_prompt(starter_model: Path) -> None:
    model = with_template(starter_model, "dated")
    loaded = loading.open_model(model, loading.LlamaLog(), Value(ctypes.c_longlong, 0), None)
    events: list[EngineEvent] = []
    try:
        (im_start,) = loaded.llm.tokenize(b"<|im_start|>", add_bos=False, special=True)
        assert loaded.vocab.piece(im_start) == b"<|im_start|>"
        assert loaded.stop_strings == ("<|im_end|>",)  # SmolLM2's EOS, which llama.cpp ends on
        req = GenerationRequest("r", model, (ChatMessage("user", "Hi"),), GREEDY, date="2024-07-26")
        loaded.generate(req, 1 << 40, events.append)
        assert "Today Date: 26 Jul 2024\nISO: 2024-07-26 (Friday 26 July 2024)" in loaded.cached_text
    finally:
        loaded.close()
    assert isinstance(events[-1], GenerationFinished)


class _BrokenModel:
    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec
        self.gpu_offload = False

    def generate(self, *_: object) -> None:
        raise ValueError("a bug, not a fault of the model or the conversation")

    def forget_cache(self) -> None:
        self.forgotten = True


def test_an_unexpected_error_in_a_generation_is_not_swallowed(starter_model: Path) -> None:
    emitted: list[EngineEvent] = []
    w = loop.Worker(emitted.append, Value(ctypes.c_longlong, 0))
    model = spec_for(starter_model)
    broken = _BrokenModel(model)
    w.loaded = broken  # type: ignore[assignment]
    w.generate(GenerateCommand(request(model, [ChatMessage("user", "Hi")]), 1))
    # Not a plain "could not generate": the answer fails as a bug, with its traceback for crash.log,
    # and the cache, which may no longer spell what it says, is forgotten.
    (failed,) = [e for e in emitted if isinstance(e, GenerationFailed)]
    assert "internal error" in failed.reason and "ValueError: a bug" in failed.traceback
    assert getattr(broken, "forgotten", False)


def test_the_reasoning_tags_are_read_off_the_template_and_the_vocabulary(starter_model: Path) -> None:
    for name, tags in [
        ("gemma4_thought", ("<|channel>", "<channel|>")),
        ("control_thought", ("<issue_start>", "<issue_closed>")),
    ]:
        loaded = loading.open_model(
            with_template(starter_model, name), loading.LlamaLog(), Value(ctypes.c_longlong, 0), None
        )
        try:
            assert loaded.reasoning_pairs == ((tags[0] + "thought", tags[1]),)
            if name == "control_thought":  # the tags are the starter's control tokens, as Gemma 4's are Gemma's
                assert loaded.vocab.special_texts("<issue_start>thought\n<issue_closed>") == list(tags)
        finally:
            loaded.close()
    # ChatML, <think> and harmony need no pairs of their own.
    for name in ("keeps_think", "think_strip", "harmony"):
        assert template_pairs(name) == ()


def test_gemma_4_style_thinking_arrives_apart_from_the_answer(starter_model: Path) -> None:
    sampling = dataclasses.replace(GREEDY, max_tokens=80)
    model = with_template(starter_model, "gemma4_thought")
    with running_engine() as (engine, log):
        engine.generate(dataclasses.replace(request(model, EXAMPLES, sampling), enable_thinking=True))
        events = log.collect_until((GenerationFinished, GenerationFailed))
    finished = events[-1]
    assert isinstance(finished, GenerationFinished), finished
    assert "France" in finished.reasoning and "Paris" in finished.text, finished
    for text in (finished.text, finished.reasoning):
        assert _no_markup(text) and "channel" not in text and not text.startswith("thought")
    chunks = [e for e in events if isinstance(e, TokensReceived)]
    assert "".join(c.text for c in chunks) == finished.text
    assert "".join(c.reasoning for c in chunks) == finished.reasoning


class _Replay:
    """Stands in for ``Llama.generate``: yields the given token ids (what a model wrote)."""

    def __init__(self, ids: list[int]) -> None:
        self.ids, self.n_tokens = ids, 0

    def generate(self, *_: object, **__: object) -> Any:
        return (token for token in self.ids)


def test_reasoning_tags_made_of_control_tokens_reach_the_splitter(starter_model: Path) -> None:
    # As Gemma 4's <|channel> and <channel|> are in Gemma's vocabulary: the worker used to drop them,
    # and the answer read "thought\n<reasoning><answer>". The starter never writes them unasked, so
    # its own tokens of such an output are replayed through the token loop.
    model = with_template(starter_model, "control_thought")
    loaded = loading.open_model(model, loading.LlamaLog(), Value(ctypes.c_longlong, 0), None)
    events: list[EngineEvent] = []
    try:
        written = loaded.vocab.tokenize(
            "<issue_start>thought\nThe capital of France.<issue_closed>\n\nParis.<|im_end|>"
        )
        prompt = loaded.template.render(EXAMPLES, enable_thinking=True)
        output = OutputSplitter(prompt, model_stops=loaded.stop_strings, pairs=loaded.reasoning_pairs)
        done = generation.run(
            _Replay(written), [], request_id="r", sampling=GREEDY, output=output, vocab=loaded.vocab,  # type: ignore[arg-type]
            n_ctx=loaded.n_ctx, seq=1 << 40, stop_seq=Value(ctypes.c_longlong, 0), watch=lambda _: None,
            emit=events.append,
        )  # fmt: skip
    finally:
        loaded.close()
    assert done.reason == "stop"
    assert (output.reasoning, output.answer) == ("The capital of France.", "Paris.")
    received = [e for e in events if isinstance(e, TokensReceived)]
    assert "".join(e.text for e in received) == "Paris."


def test_a_conversation_from_last_week_is_sent_todays_date(starter_model: Path) -> None:
    store = Store()
    started = store.create_conversation()
    store.add_message(started.id, "user", "What day is it?")
    last_week = dataclasses.replace(started, created_at=started.created_at - 7 * 86400)
    model = with_template(starter_model, "dated")
    context = TurnContext(model, "Be brief.", GREEDY)
    today = datetime.date.today()
    request_today, _ = build_request(last_week, store.messages(started.id), context)
    # Within a day the prompt stays the same (its cache holds); the day after, it moves on.
    tomorrow, _ = build_request(last_week, store.messages(started.id), context, today=today + datetime.timedelta(1))
    assert request_today.date == today.isoformat() and tomorrow.date == (today + datetime.timedelta(1)).isoformat()
    loaded = loading.open_model(model, loading.LlamaLog(), Value(ctypes.c_longlong, 0), None)
    try:
        loaded.generate(request_today, 1 << 40, lambda _: None)
        assert f"Today Date: {date_string(today)}\n" in loaded.cached_text
        assert date_string(datetime.date.fromtimestamp(last_week.created_at)) not in loaded.cached_text
    finally:
        loaded.close()
