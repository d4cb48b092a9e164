"""Streamed model output, pulled apart: the reasoning, the answer, and where to stop.

Models that think write their reasoning into the same token stream as the answer. A block opened
and closed by a pair of tags is one way: ``<think>…</think>`` always, plus the pairs a model's own
template shows (``ChatTemplate.reasoning_pairs``, e.g. Gemma 4's ``<|channel>thought…<channel|>``);
a generation prompt that ends inside the opening tag means the output starts inside the block.
gpt-oss writes "harmony" channels: ``<|channel|>analysis<|message|>…<|end|>`` then
``<|start|>assistant<|channel|>final<|message|>…<|return|>``. ``ReasoningSplitter`` takes the
decoded text as it arrives, in chunks cut anywhere, and hands back reasoning and answer apart,
holding back only what could still turn out to be markup; nothing the model wrote is dropped but
markup (and a marker cut off half-written at the end). Plain Python: it knows nothing of llama.cpp.
Where to stop, and the two together, are ``app.core.engine.output``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from enum import Enum, auto

THINK_OPEN = "<think>"
THINK_CLOSE = "</think>"
CHANNEL = "<|channel|>"
MESSAGE = "<|message|>"
END = "<|end|>"
RETURN = "<|return|>"
CALL = "<|call|>"
START = "<|start|>"
CONSTRAIN = "<|constrain|>"
HARMONY_MARKUP = (CHANNEL, MESSAGE, END, RETURN, CALL, START, CONSTRAIN)
# Every piece of markup the splitter understands; special tokens outside it are not shown at all.
MARKUP = frozenset((THINK_OPEN, THINK_CLOSE, *HARMONY_MARKUP))

# A reasoning block's opening and closing tag, e.g. ("<think>", "</think>").
Pair = tuple[str, str]
THINK_PAIR: Pair = (THINK_OPEN, THINK_CLOSE)
_TAG = re.compile(r"<[^<>\s]{1,40}>")
# A half-written marker at the very end of an output that stopped is dropped; one character ("<") may
# be the answer's own.
PARTIAL_MIN = 2


def markup_of(pairs: Sequence[Pair] = ()) -> frozenset[str]:
    """Every tag the splitter reads for these pairs: MARKUP plus each tag inside them (Gemma 4's opener
    "<|channel>thought" holds the token "<|channel>"). The token loop shows control tokens among these."""
    tags = {tag for pair in pairs for marker in pair for tag in (marker, *_TAG.findall(marker))}
    return MARKUP | frozenset(tags)


_ASSISTANT = "assistant"
_LONGEST_HEADER = 120  # "commentary to=functions.get_weather <|constrain|>json" and the like are shorter
_OPEN_CHANNEL = re.compile(r"<\|channel\|>\s*(\w*)[^<]*(?:<\|constrain\|>[^<]*)?<\|message\|>\s*\Z")


class _State(Enum):
    START = auto()  # nothing seen yet: is this a think block, harmony, or a plain answer?
    REASONING = auto()  # inside a tag pair's block (<think>…</think>)
    ANSWER = auto()  # plain text to the end
    BETWEEN = auto()  # harmony, between messages: "<|start|>assistant" and the like
    HEADER = auto()  # harmony, after <|channel|>: the channel's name, up to <|message|>
    BODY = auto()  # harmony, a message's text, up to <|end|>, <|return|> or <|call|>
    DONE = auto()  # harmony, after <|return|> or <|call|>: nothing more is shown


def find_first(text: str, markers: Iterable[str]) -> tuple[int, str] | None:
    found: tuple[int, str] | None = None
    for marker in markers:
        at = text.find(marker)
        if at >= 0 and (found is None or at < found[0]):
            found = (at, marker)
    return found


def partial_tail(text: str, markers: Iterable[str]) -> int:
    """How many trailing characters of ``text`` could be the start of one of ``markers``."""
    longest = 0
    for marker in markers:
        for size in range(min(len(marker) - 1, len(text)), longest, -1):
            if text.endswith(marker[:size]):
                longest = size
                break
    return longest


class ReasoningSplitter:
    """Splits streamed output into (reasoning, answer) deltas.

    ``prompt`` is the rendered prompt (only its end is read): a generation prompt that ends
    inside an opening tag or inside a harmony assistant turn means the output starts there too.
    ``pairs`` are the model's own reasoning tags, besides ``<think>…</think>``. ``prefill`` is text the
    answer already starts with (Continue), at the end of ``prompt``: it sets where the output goes on
    (inside the reasoning, say) and is not handed back again.
    """

    def __init__(self, prompt: str = "", *, pairs: Sequence[Pair] = (), prefill: str = "") -> None:
        self._pairs = tuple(dict.fromkeys((THINK_PAIR, *(p for p in pairs if p[0] and p[1]))))
        self._openers = tuple(open_ for open_, _ in self._pairs)
        self._partials = tuple(markup_of(self._pairs))
        self._close = THINK_CLOSE  # the closing tag of the block the output is in
        self._buffer = ""
        self._state = _State.START
        self._channel_is_answer = False
        self._header = ""
        self._skip_space = False  # drop the whitespace that follows a tag
        self._new_block = False  # the next reasoning text starts a new block: separate it
        self._reasoning: list[str] = []
        self._answer: list[str] = []
        if prefill and prompt.endswith(prefill):
            # (A prefill that starts with the opening tag tells where it stands even when the prompt,
            # not the prefill, holds that tag: then the whole prompt is read and the prefill fed after.)
            prompt = prompt[: len(prompt) - len(prefill)]
        self._start_from_prompt(prompt.rstrip())
        if prefill:
            self.feed(prefill)
            self._reasoning.clear()
            self._answer.clear()

    def _start_from_prompt(self, tail: str) -> None:
        opened = next((pair for pair in self._pairs if tail.endswith(pair[0])), None)
        if opened is not None:
            self._state, self._close, self._skip_space = _State.REASONING, opened[1], True
        elif any(tail.endswith(close) for _, close in self._pairs):
            # Thinking off (Qwen3, Gemma 4): the generation prompt holds an empty block.
            self._state, self._skip_space = _State.ANSWER, True
        elif tail.endswith(START + _ASSISTANT):
            self._state = _State.BETWEEN
        elif match := _OPEN_CHANNEL.search(tail[-200:]):
            self._state, self._channel_is_answer = _State.BODY, match.group(1) == "final"

    @property
    def reasoning(self) -> str:
        return "".join(self._reasoning)

    @property
    def answer(self) -> str:
        return "".join(self._answer)

    def feed(self, text: str) -> tuple[str, str]:
        """Takes the next chunk of output; returns the (reasoning, answer) text now certain."""
        self._buffer += text
        return self._run(final=False)

    def finish(self) -> tuple[str, str]:
        """The output has ended: returns whatever was held back."""
        return self._run(final=True)

    # -- the state machine ---------------------------------------------------------------------

    def _run(self, *, final: bool) -> tuple[str, str]:
        reasoning: list[str] = []
        answer: list[str] = []
        while self._step(reasoning, answer, final=final):
            pass
        if final:
            self._buffer = ""
        r, a = "".join(reasoning), "".join(answer)
        if r:
            self._reasoning.append(r)
        if a:
            self._answer.append(a)
        return r, a

    def _step(self, reasoning: list[str], answer: list[str], *, final: bool) -> bool:
        """Consumes what it can of the buffer; True while there may be more to do."""
        if self._skip_space:
            stripped = self._buffer.lstrip()
            if not stripped:
                self._buffer = ""
                return False
            self._buffer, self._skip_space = stripped, False
        state = self._state
        if state is _State.START:
            return self._step_start(final=final)
        if state is _State.REASONING:
            return self._step_text((self._close,), reasoning, is_reasoning=True, final=final)
        if state is _State.ANSWER:
            answer.append(self._buffer)
            self._buffer = ""
            return False
        if state is _State.BETWEEN:
            return self._step_between(final=final)
        if state is _State.HEADER:
            return self._step_header(final=final)
        if state is _State.BODY:
            markers = (END, RETURN, CALL, START, CHANNEL)
            if self._channel_is_answer:
                return self._step_text(markers, answer, is_reasoning=False, final=final)
            return self._step_text(markers, reasoning, is_reasoning=True, final=final)
        self._buffer = ""  # DONE
        return False

    def _step_start(self, *, final: bool) -> bool:
        stripped = self._buffer.lstrip()
        opened = next((pair for pair in self._pairs if stripped.startswith(pair[0])), None)
        if opened is not None:
            self._buffer, self._state = stripped[len(opened[0]) :], _State.REASONING
            self._close, self._skip_space = opened[1], True
        elif stripped.startswith(CHANNEL) or stripped.startswith(START):
            self._buffer, self._state = stripped, _State.BETWEEN
        elif not final and (not stripped or any(tag.startswith(stripped) for tag in (*self._openers, CHANNEL, START))):
            return False  # too early to tell
        else:
            if final and len(stripped) >= PARTIAL_MIN and any(t.startswith(stripped) for t in self._partials):
                self._buffer = ""  # the output stopped half-way through its first tag
            self._state = _State.ANSWER
        return True

    def _step_text(self, markers: tuple[str, ...], out: list[str], *, is_reasoning: bool, final: bool) -> bool:
        found = find_first(self._buffer, markers)
        if found is not None:
            at, marker = found
            text = self._buffer[:at]
            self._buffer = self._buffer[at + len(marker) :]
            self._put(text.rstrip() if is_reasoning else text, out, is_reasoning=is_reasoning)
            self._after_marker(marker)
            return True
        if final:
            text, self._buffer = self._cut_partial(self._buffer), ""
            self._put(text.rstrip() if is_reasoning else text, out, is_reasoning=is_reasoning)
            return False
        keep = partial_tail(self._buffer, markers)
        ready = self._buffer[: len(self._buffer) - keep]
        if is_reasoning:  # trailing whitespace waits: it is dropped if the block ends here
            ready = ready.rstrip()
        self._buffer = self._buffer[len(ready) :]
        self._put(ready, out, is_reasoning=is_reasoning)
        return False

    def _cut_partial(self, text: str) -> str:
        """``text`` without a marker cut off half-written at its end (the output stopped inside it)."""
        keep = partial_tail(text, self._partials)
        return text[: len(text) - keep] if keep >= PARTIAL_MIN else text

    def _put(self, text: str, out: list[str], *, is_reasoning: bool) -> None:
        if not text:
            return
        if is_reasoning and self._new_block:
            if self._reasoning or out:
                text = "\n\n" + text
            self._new_block = False
        out.append(text)

    def _after_marker(self, marker: str) -> None:
        if self._state is _State.REASONING:
            self._state, self._skip_space = _State.ANSWER, True
        elif marker in (RETURN, CALL):
            self._state = _State.DONE
        elif marker == CHANNEL:
            self._state, self._header = _State.HEADER, ""
        else:  # <|end|> or <|start|>: the message is over
            self._state = _State.BETWEEN

    def _step_between(self, *, final: bool) -> bool:
        markers = (CHANNEL, MESSAGE, START, END, RETURN, CALL)
        found = find_first(self._buffer, markers)
        if found is not None:
            before = self._buffer[: found[0]]
        else:
            before = self._buffer[: len(self._buffer) - partial_tail(self._buffer, markers)]
        word = before.strip()
        if word and not _ASSISTANT.startswith(word) and word != _ASSISTANT:
            # Not harmony after all (or the model left it): the rest is the answer.
            self._state, self._channel_is_answer = _State.BODY, True
            return True
        if found is None:
            if final:
                self._buffer = ""
            return False
        at, marker = found
        self._buffer = self._buffer[at + len(marker) :]
        if marker == CHANNEL:
            self._state, self._header = _State.HEADER, ""
        elif marker == MESSAGE:
            self._state, self._channel_is_answer = _State.BODY, True
        elif marker in (RETURN, CALL):
            self._state = _State.DONE
        return True

    def _step_header(self, *, final: bool) -> bool:
        at = self._buffer.find(MESSAGE)
        if at < 0:
            header = self._header + self._buffer
            if final or "\n" in header or len(header) > _LONGEST_HEADER:
                # Not a channel header after all (it never reached <|message|>): what the model wrote
                # is the answer; only a lone channel name ("analysis") is markup.
                words = header.split()
                self._header, self._buffer = "", "" if final and len(words) <= 1 else header.lstrip()
                self._state, self._channel_is_answer = _State.BODY, True
                return bool(self._buffer)
            return False
        self._header += self._buffer[:at]
        self._buffer = self._buffer[at + len(MESSAGE) :]
        words = self._header.split()
        self._channel_is_answer = bool(words) and words[0] == "final"
        self._new_block = not self._channel_is_answer
        self._state = _State.BODY
        return True


def split_reasoning(text: str, prompt: str = "", pairs: Sequence[Pair] = ()) -> tuple[str, str]:
    """(reasoning, answer) of a whole output at once."""
    splitter = ReasoningSplitter(prompt, pairs=pairs)
    splitter.feed(text)
    splitter.finish()
    return splitter.reasoning, splitter.answer


def has_markup(text: str) -> bool:
    return any(marker in text for marker in MARKUP)


def split_saved(text: str) -> tuple[str, str] | None:
    """(reasoning, answer) of an answer an older Parley saved raw, markup and all; None when ``text``
    does not read as raw output (it does not start with markup, nor close a think block it never
    opened, as QwQ's output does): an answer may well quote a tag."""
    start = text.lstrip()
    close = text.find(THINK_CLOSE)
    opened_in_prompt = close >= 0 and THINK_OPEN not in text[:close]
    if not (opened_in_prompt or any(start.startswith(marker) for marker in (THINK_OPEN, CHANNEL, START))):
        return None
    return split_reasoning(text, THINK_OPEN if opened_in_prompt else "")
