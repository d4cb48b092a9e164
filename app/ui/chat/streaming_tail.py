"""A streaming answer on screen: its text is re-rendered in batches, and only its unsettled tail.

``RenderTicker`` collects the answers that got text and renders them at most once every
``RENDER_INTERVAL_MS`` (longer when one render takes longer), never once per token. ``render_tail``
re-renders only what follows an answer's settled Markdown (``stream_split``): what newly settled is
rendered once more, for the last time, and the tail starts after it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6 import QtCore, QtGui

from app.ui.chat.blocks import BlockWriter, ShownMessage
from app.ui.chat.stream_split import settled_length

RENDER_INTERVAL_MS = 30


class RenderTicker(QtCore.QObject):
    """Calls ``render`` with the ids of the answers that changed, once a tick."""

    def __init__(self, render: Callable[[set[int]], None], parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._render = render
        self._dirty: set[int] = set()
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(RENDER_INTERVAL_MS)
        self._timer.timeout.connect(self._on_timer_timeout)

    def mark(self, message_id: int) -> None:
        """``message_id`` got text: it is rendered with the next tick."""
        self._dirty.add(message_id)
        if not self._timer.isActive():
            self._timer.start()

    def discard(self, message_id: int) -> None:
        self._dirty.discard(message_id)

    def clear(self) -> None:
        self._timer.stop()
        self._dirty.clear()

    @QtCore.Slot()
    def _on_timer_timeout(self) -> None:
        dirty, self._dirty = self._dirty, set()
        started = time.perf_counter()
        self._render(dirty)
        # A very long answer takes longer to render than a tick: the next render waits at least as long
        # again, so the window keeps at least half of its time for the user however long the answer gets.
        took_ms = int((time.perf_counter() - started) * 1000)
        self._timer.setInterval(max(RENDER_INTERVAL_MS, took_ms))


def streams_in_tail(shown: ShownMessage) -> bool:
    """Whether a render of ``shown`` can rewrite its tail alone (its reasoning line did not change)."""
    return (
        shown.tail_offset >= 0
        and shown.message.status == "streaming"
        and shown.reasoning == shown.tail_reasoning
        and shown.frame.firstPosition() + shown.tail_offset <= shown.frame.lastPosition()
    )


def render_tail(writer: BlockWriter, shown: ShownMessage, palette: QtGui.QPalette) -> None:
    """Re-renders what follows the settled Markdown of a streaming answer, in one edit."""
    cursor = QtGui.QTextCursor(writer.document)
    cursor.beginEditBlock()
    cursor.setPosition(shown.frame.firstPosition() + shown.tail_offset)
    cursor.setPosition(shown.frame.lastPosition(), QtGui.QTextCursor.MoveMode.KeepAnchor)
    cursor.removeSelectedText()
    settled = settled_length(shown.text, shown.settled)
    newly_settled = shown.text[shown.settled : settled]
    del shown.code_blocks[shown.settled_blocks :]  # the old tail's
    if newly_settled:
        writer.insert_answer(cursor, shown, newly_settled, palette)
        cursor.setPosition(shown.frame.lastPosition())
        cursor.insertBlock(QtGui.QTextBlockFormat(), QtGui.QTextCharFormat())
        shown.settled, shown.settled_blocks = settled, len(shown.code_blocks)
        shown.tail_offset = cursor.position() - shown.frame.firstPosition()
    tail = shown.text[settled:]
    if tail.strip():
        writer.insert_answer(cursor, shown, tail, palette)
    cursor.endEditBlock()
