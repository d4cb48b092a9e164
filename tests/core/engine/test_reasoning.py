"""Reasoning apart from the answer, and stop strings, in streamed text cut at every position."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from app.core.engine.reasoning import MARKUP, OutputSplitter, ReasoningSplitter, StopScanner, split_reasoning

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
