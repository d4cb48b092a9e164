"""Telling assistive technology that an answer is ready: its first sentence, spoken without moving focus.

Where Qt has ``QAccessibleAnnouncementEvent`` (6.8+), the sentence is announced politely through
it. Either way the status line's accessible description becomes the same sentence, which screen
readers that watch the status bar (a live region, in web terms) read out as well.
"""

from __future__ import annotations

import re

from PySide6 import QtGui, QtWidgets

_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s|(?<=[。！？])")
_LONGEST = 200


def first_sentence(text: str) -> str:
    """The first sentence of ``text`` (at most about 200 characters), on one line."""
    flat = " ".join(text.split())
    match = _SENTENCE_END.search(flat)
    sentence = flat[: match.start()].strip() if match else flat
    return sentence if len(sentence) <= _LONGEST else sentence[: _LONGEST - 1].rstrip() + "…"


def announce(widget: QtWidgets.QWidget, text: str) -> None:
    """Says ``text`` to assistive technology on behalf of ``widget``, politely."""
    widget.setAccessibleDescription(text)
    event_class = getattr(QtGui, "QAccessibleAnnouncementEvent", None)
    if event_class is not None and QtGui.QAccessible.isActive():
        event = event_class(widget, text)
        event.setPoliteness(QtGui.QAccessible.AnnouncementPoliteness.Polite)
        QtGui.QAccessible.updateAccessibility(event)
