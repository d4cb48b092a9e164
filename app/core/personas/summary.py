"""A short extractive summary of a conversation, carried into a new one when the old one no longer fits.

Extractive on purpose: the conversation being summarised is by definition too long for the model's
context, so asking the loaded model would mean summarising it piece by piece, many seconds of work
on the starter model (SmolLM2-135M) for a summary it writes poorly. Taking the opening of each turn
is instant, says nothing the conversation did not, and the user sees (and can edit) it before sending.
"""

from __future__ import annotations

import re

from app.core.history.types import Message

TURN_CHARS = 160  # of each turn, at most: its first sentence, or its first words
SUMMARY_CHARS = 1200  # in all: the first turn, then the most recent ones that fit

_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s")


def _opening(text: str) -> str:
    """A turn's first sentence (or first ``TURN_CHARS`` characters), on one line."""
    flat = " ".join(text.split())
    first = _SENTENCE_END.split(flat, maxsplit=1)[0]
    if len(first) > TURN_CHARS:
        first = first[: TURN_CHARS - 1].rstrip() + "…"
    return first


def extractive_summary(messages: list[Message]) -> str:
    """One line per turn ("User: …", "Assistant: …"): the first turn, "…", then the latest that fit."""
    lines = [
        f"{'User' if message.role == 'user' else 'Assistant'}: {_opening(message.content)}"
        for message in messages
        if message.kind is None and message.role in ("user", "assistant") and message.content.strip()
    ]
    if not lines:
        return ""
    kept: list[str] = []
    used = len(lines[0])
    for line in reversed(lines[1:]):
        if used + len(line) + 1 > SUMMARY_CHARS:
            kept.append("…")
            break
        kept.append(line)
        used += len(line) + 1
    return "\n".join([lines[0], *reversed(kept)])
