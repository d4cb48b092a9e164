"""Reasoning apart from the answer, and stop strings, in streamed text cut at every position."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from app.core.engine.output import OutputSplitter, StopScanner
from app.core.engine.reasoning import MARKUP, ReasoningSplitter, markup_of, split_reasoning

QWEN_PROMPT = "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
QWQ_PROMPT = QWEN_PROMPT + "<think>\n"
QWEN_NO_THINKING_PROMPT = QWEN_PROMPT + "<think>\n\n</think>\n\n"
HARMONY_PROMPT = "<|start|>user<|message|>Hi<|end|><|start|>assistant"

# (prompt, output, reasoning, answer)
CASES = {
    "think block": (
        QWEN_PROMPT,
        "<think>\nThe user greets me.\nI greet back.\n</think>\n\nHello! How can I help?",
        "The user greets me.\nI greet back.",
        "Hello! How can I help?",
    ),
    "think block after whitespace": (QWEN_PROMPT, " \n<think>Short.</think>Answer.", "Short.", "Answer."),
    "empty think block": (QWEN_PROMPT, "<think>\n\n</think>\n\nJust the answer.", "", "Just the answer."),
    "opened in the prompt": (
        QWQ_PROMPT,
        "Okay, the user says hi.\n</think>\n\nHi there.",
        "Okay, the user says hi.",
        "Hi there.",
    ),
    "thinking turned off in the prompt": (QWEN_NO_THINKING_PROMPT, "Hi there.", "", "Hi there."),
    "no reasoning at all": (QWEN_PROMPT, " Plain <b>answer</b>, < and <th.", "", " Plain <b>answer</b>, < and <th."),
    "a tag-like word": (QWEN_PROMPT, "<thinking> is not a tag.", "", "<thinking> is not a tag."),
    "harmony": (
        HARMONY_PROMPT,
        "<|channel|>analysis<|message|>User says hi. Respond.<|end|>"
        "<|start|>assistant<|channel|>final<|message|>Hello! 😀<|return|>",
        "User says hi. Respond.",
        "Hello! 😀",
    ),
    "harmony without the prompt": (
        "",
        "<|channel|>analysis<|message|>Think.<|end|><|start|>assistant<|channel|>final<|message|>Done.<|end|>",
        "Think.",
        "Done.",
    ),
    "harmony commentary is reasoning": (
        HARMONY_PROMPT,
        "<|channel|>analysis<|message|>Need weather.<|end|><|start|>assistant<|channel|>commentary "
        'to=functions.get_weather <|constrain|>json<|message|>{"city": "Paris"}<|call|>',
        'Need weather.\n\n{"city": "Paris"}',
        "",
    ),
    "harmony ending inside the final channel": (
        HARMONY_PROMPT + "<|channel|>final<|message|>",
        "Straight to the answer.",
        "",
        "Straight to the answer.",
    ),
    "harmony prompt, plain output": (HARMONY_PROMPT, "Just text.", "", "Just text."),
}


def _feed(splitter: ReasoningSplitter, chunks: list[str]) -> tuple[str, str]:
    reasoning, answer = [], []
    for chunk in chunks:
        r, a = splitter.feed(chunk)
        reasoning.append(r)
        answer.append(a)
    r, a = splitter.finish()
    reasoning.append(r)
    answer.append(a)
    return "".join(reasoning), "".join(answer)


def _two_cuts(text: str) -> Iterator[list[str]]:
    for i in range(len(text) + 1):
        yield [text[:i], text[i:]]
    yield list(text)


@pytest.mark.parametrize("name", list(CASES))
def test_reasoning_and_answer_come_apart_wherever_the_chunks_are_cut(name: str) -> None:
    prompt, output, want_reasoning, want_answer = CASES[name]
    for chunks in _two_cuts(output):
        splitter = ReasoningSplitter(prompt)
        reasoning, answer = _feed(splitter, chunks)
        assert (reasoning, answer) == (want_reasoning, want_answer), chunks
        assert (splitter.reasoning, splitter.answer) == (want_reasoning, want_answer)


@pytest.mark.parametrize("name", ["think block", "harmony", "harmony commentary is reasoning"])
def test_three_chunks_cut_anywhere(name: str) -> None:
    prompt, output, want_reasoning, want_answer = CASES[name]
    for i in range(len(output) + 1):
        for j in range(i, len(output) + 1):
            chunks = [output[:i], output[i:j], output[j:]]
            assert _feed(ReasoningSplitter(prompt), chunks) == (want_reasoning, want_answer), chunks


@pytest.mark.parametrize("name", list(CASES))
def test_the_answer_stream_never_shows_markup_even_in_part(name: str) -> None:
    prompt, output, _, want_answer = CASES[name]
    splitter = ReasoningSplitter(prompt)
    shown = ""
    for ch in output:
        _, answer = splitter.feed(ch)
        shown += answer
        assert not any(marker in shown for marker in MARKUP)
        if "<" not in want_answer:  # not even the start of a tag that might be finished later
            assert "<" not in shown


@pytest.mark.parametrize("name", list(CASES))
def test_random_chunkings_agree(name: str) -> None:
    prompt, output, want_reasoning, want_answer = CASES[name]
    rng = random.Random(name)
    for _ in range(200):
        cuts = sorted(rng.sample(range(len(output) + 1), rng.randint(1, min(8, len(output)))))
        chunks = [output[a:b] for a, b in zip([0, *cuts], [*cuts, len(output)], strict=True)]
        assert _feed(ReasoningSplitter(prompt), chunks) == (want_reasoning, want_answer), chunks


def test_reasoning_streams_before_the_block_ends() -> None:
    splitter = ReasoningSplitter(QWEN_PROMPT)
    assert splitter.feed("<think>\nFirst") == ("First", "")
    assert splitter.feed(" thought. \n") == (" thought.", "")  # trailing whitespace waits
    assert splitter.feed("More</th") == (" \nMore", "")
    assert splitter.feed("ink>\n\nAnswer") == ("", "Answer")


def test_an_output_cut_off_while_thinking_is_all_reasoning() -> None:
    assert split_reasoning("<think>\nStill thinking when the limit came", QWEN_PROMPT) == (
        "Still thinking when the limit came",
        "",
    )


def test_a_user_message_quoting_a_tag_does_not_open_reasoning() -> None:
    prompt = "<|im_start|>user\nWhat does <think> do?<|im_end|>\n<|im_start|>assistant\n"
    assert split_reasoning("It marks reasoning.", prompt) == ("", "It marks reasoning.")


def test_stop_strings_are_found_across_chunks_and_never_shown() -> None:
    for cut in range(len("Hello.\nUser: next") + 1):
        text = "Hello.\nUser: next"
        scanner = StopScanner(["\nUser:", "###"])
        shown = scanner.feed(text[:cut]) + scanner.feed(text[cut:]) + scanner.finish()
        assert shown == "Hello."
        assert scanner.stopped


def test_held_back_text_is_released_when_it_is_not_a_stop() -> None:
    scanner = StopScanner(["###"])
    assert scanner.feed("a #") == "a "
    assert scanner.feed("# b") == "## b"
    assert scanner.feed("##") == ""
    assert scanner.finish() == "##"
    assert not scanner.stopped


def test_no_stop_strings_passes_everything_through() -> None:
    scanner = StopScanner(["", ""])
    assert scanner.feed("<|im") == "<|im"
    assert scanner.finish() == ""


def _run_output(splitter: OutputSplitter, chunks: list[str]) -> tuple[str, str]:
    reasoning, answer = "", ""
    for chunk in chunks:
        r, a = splitter.feed(chunk)
        reasoning, answer = reasoning + r, answer + a
        if splitter.stopped:
            break
    r, a = splitter.finish()
    return reasoning + r, answer + a


def test_a_user_stop_string_ends_the_answer_but_not_the_reasoning() -> None:
    output = "<think>I could say STOP here.</think>Fine. STOP and more"
    for chunks in _two_cuts(output):
        splitter = OutputSplitter(QWEN_PROMPT, user_stops=["STOP"])
        assert _run_output(splitter, chunks) == ("I could say STOP here.", "Fine. ")
        assert splitter.stopped and splitter.answer == "Fine. "


def test_the_models_end_marker_written_out_as_text_ends_the_output() -> None:
    output = "<think>Hm.</think>Done.<|im_end|>\n<|im_start|>user\nmore"
    for chunks in _two_cuts(output):
        splitter = OutputSplitter(QWEN_PROMPT, model_stops=["<|im_end|>"])
        assert _run_output(splitter, chunks) == ("Hm.", "Done.")
        assert splitter.stopped


def test_an_end_marker_inside_the_reasoning_still_ends_everything() -> None:
    splitter = OutputSplitter(QWQ_PROMPT, model_stops=["<|im_end|>"])
    assert _run_output(splitter, ["Thinking<|im_", "end|>never shown"]) == ("Thinking", "")


# Gemma 4: the template's own tags (ChatTemplate.reasoning_pairs reads them off the template).
GEMMA_PAIRS = (("<|channel>thought", "<channel|>"),)
GEMMA_PROMPT = "<bos><|turn>user\nHi<turn|>\n<|turn>model\n"
GEMMA_CASES = {
    "thinking on": (
        GEMMA_PROMPT,
        "<|channel>thought\nThe user greets me.<channel|>Hello! How can I help?",
        "The user greets me.",
        "Hello! How can I help?",
    ),
    "thinking off: the prompt holds the empty block": (
        GEMMA_PROMPT + "<|channel>thought\n<channel|>",
        "Hello there.",
        "",
        "Hello there.",
    ),
    "cut while thinking": (GEMMA_PROMPT, "<|channel>thought\nStill going", "Still going", ""),
    "a plain answer": (GEMMA_PROMPT, "<b>Bold</b> and <|tags|> stay.", "", "<b>Bold</b> and <|tags|> stay."),
}


@pytest.mark.parametrize("name", list(GEMMA_CASES))
def test_a_models_own_tag_pair_splits_wherever_the_chunks_are_cut(name: str) -> None:
    prompt, output, want_reasoning, want_answer = GEMMA_CASES[name]
    for chunks in _two_cuts(output):
        assert _feed(ReasoningSplitter(prompt, pairs=GEMMA_PAIRS), chunks) == (want_reasoning, want_answer), chunks
    # Without the model's pair the same output is all answer: the tags are not a fixed list.
    if want_reasoning:
        assert split_reasoning(output, prompt)[0] == ""


def test_the_markup_of_a_pair_holds_the_tokens_inside_it() -> None:
    markup = markup_of(GEMMA_PAIRS)
    assert {"<|channel>", "<channel|>", "<|channel>thought"} <= markup and markup >= MARKUP


def test_a_harmony_header_that_never_reaches_its_message_is_kept_as_the_answer() -> None:
    output = "<|channel|>analysis The user asks for a haiku about rain, so I will write one"
    for chunks in _two_cuts(output):
        assert _feed(ReasoningSplitter(HARMONY_PROMPT), chunks) == (
            "",
            "analysis The user asks for a haiku about rain, so I will write one",
        ), chunks
    # A long header streams as soon as it cannot be a header any more.
    splitter = ReasoningSplitter(HARMONY_PROMPT)
    _, answer = splitter.feed("<|channel|>" + "word " * 30)
    assert answer.startswith("word word")
    # A lone channel name is markup.
    assert split_reasoning("<|channel|>analysis", HARMONY_PROMPT) == ("", "")


@pytest.mark.parametrize(
    ("prompt", "output", "want"),
    [
        (HARMONY_PROMPT + "<|channel|>final<|message|>", "The answer.<|return", ("", "The answer.")),
        (HARMONY_PROMPT, "<|channel|>analysis<|message|>Hm.<|en", ("Hm.", "")),
        (QWEN_PROMPT, "<think>Hm.</thi", ("Hm.", "")),
        (QWEN_PROMPT, "<|chan", ("", "")),
        (QWEN_PROMPT, "Less than <", ("", "Less than <")),  # one character may be the answer's own
    ],
)
def test_a_marker_cut_off_half_written_at_the_end_is_dropped(prompt: str, output: str, want: tuple[str, str]) -> None:
    assert split_reasoning(output, prompt) == want


def test_a_model_stop_cut_off_half_written_is_dropped_but_a_user_stop_start_is_kept() -> None:
    splitter = OutputSplitter(QWEN_PROMPT, model_stops=["<|im_end|>"], user_stops=["###"])
    assert _run_output(splitter, ["Done. #", "#<|im_"]) == ("", "Done. ##")


@pytest.mark.parametrize(
    ("prompt", "prefill", "pairs", "more", "want"),
    [
        (QWEN_PROMPT, "<think>\nFirst I", (), " add.</think>\n\nFour.", (" add.", "Four.")),
        (QWQ_PROMPT, "First I", (), " add.</think>Four.", (" add.", "Four.")),
        (GEMMA_PROMPT, "<|channel>thought\nFirst I", GEMMA_PAIRS, " add.<channel|>Four.", (" add.", "Four.")),
        (QWEN_PROMPT, "The answer is", (), " four.", ("", " four.")),
    ],
)
def test_a_continued_output_goes_on_where_its_prefill_left_off(
    prompt: str, prefill: str, pairs: tuple[tuple[str, str], ...], more: str, want: tuple[str, str]
) -> None:
    for chunks in _two_cuts(more):
        splitter = ReasoningSplitter(prompt + prefill, pairs=pairs, prefill=prefill)
        assert _feed(splitter, chunks) == want, chunks
