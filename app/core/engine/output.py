"""Where streamed model output stops (``StopScanner``, the stop strings), and the reasoning split and the
stops together (``OutputSplitter``), as the token loop uses them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from app.core.engine.reasoning import PARTIAL_MIN, Pair, ReasoningSplitter, find_first, markup_of, partial_tail


class StopScanner:
    """Watches streamed text for stop strings; what it returns never holds one.

    Text that could be the start of a stop string is held back until the next chunk tells.
    """

    def __init__(self, stops: Iterable[str]) -> None:
        self._stops = tuple(dict.fromkeys(s for s in stops if s))
        self._buffer = ""
        self.stopped = False

    def feed(self, text: str) -> str:
        if self.stopped:
            return ""
        if not self._stops:
            return text
        self._buffer += text
        found = find_first(self._buffer, self._stops)
        if found is not None:
            self.stopped = True
            ready, self._buffer = self._buffer[: found[0]], ""
            return ready
        keep = partial_tail(self._buffer, self._stops)
        ready = self._buffer[: len(self._buffer) - keep]
        self._buffer = self._buffer[len(ready) :]
        return ready

    def finish(self, *, drop_partial: bool = False) -> str:
        """What was held back; with ``drop_partial``, a held start of a stop string (two characters or
        more: a marker the output stopped inside) is dropped instead."""
        text, self._buffer = self._buffer, ""
        if self.stopped or (drop_partial and len(text) >= PARTIAL_MIN):
            return ""  # only a start of a stop string is ever held back
        return text


class OutputSplitter:
    """The whole way from decoded output to what is shown.

    The model's own stop strings are looked for in the raw text (they are markup), then the
    reasoning is split from the answer, then the user's stop strings are looked for in the
    answer alone (a stop string the model merely thinks about does not end the answer).
    """

    def __init__(
        self,
        prompt: str = "",
        *,
        model_stops: Iterable[str] = (),
        user_stops: Iterable[str] = (),
        pairs: Sequence[Pair] = (),
        prefill: str = "",
    ) -> None:
        self._model_stops = StopScanner(model_stops)
        self._splitter = ReasoningSplitter(prompt, pairs=pairs, prefill=prefill)
        self.markup = markup_of(pairs)  # the tags it reads: control tokens among them must reach it
        self._user_stops = StopScanner(user_stops)
        self._answer: list[str] = []

    @property
    def stopped(self) -> bool:
        """A stop string was met: the output should end here."""
        return self._model_stops.stopped or self._user_stops.stopped

    @property
    def reasoning(self) -> str:
        return self._splitter.reasoning

    @property
    def answer(self) -> str:
        return "".join(self._answer)

    def feed(self, text: str) -> tuple[str, str]:
        if self.stopped:
            return "", ""
        reasoning, answer = self._splitter.feed(self._model_stops.feed(text))
        if self._model_stops.stopped:
            more_reasoning, more_answer = self._splitter.finish()
            reasoning, answer = reasoning + more_reasoning, answer + more_answer
        return reasoning, self._shown(answer)

    def finish(self) -> tuple[str, str]:
        reasoning, answer = self._splitter.feed(self._model_stops.finish(drop_partial=True))
        more_reasoning, more_answer = self._splitter.finish()
        shown = self._shown(answer + more_answer)
        return reasoning + more_reasoning, shown + self._remember(self._user_stops.finish())

    def _shown(self, answer: str) -> str:
        return self._remember(self._user_stops.feed(answer))

    def _remember(self, text: str) -> str:
        if text:
            self._answer.append(text)
        return text
