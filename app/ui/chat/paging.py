"""Paging a long conversation: which of its messages are laid out, the room kept for the others, putting in more.

Only a page of messages (the newest, or those around a search result) is laid out when a conversation
opens; older (or newer) pages are put in as the user scrolls to the top (or bottom), and at most
``MAX_LAID_OUT`` stay laid out: a page put in at one end drops as many from the other. The messages
not laid out keep their estimated height as the document's top and bottom margin, so the scroll bar
spans the whole conversation; ``index_at`` says which message an estimated position falls in, for a
jump (a drag of the scroll bar, Ctrl+Home) to lay out the page there.
"""

from __future__ import annotations

import bisect
import itertools
import time
from dataclasses import replace

from PySide6 import QtGui, QtWidgets

from app.core.history.types import Message
from app.ui.chat import streaming_tail
from app.ui.chat.blocks import BlockWriter, ShownMessage

PAGE = 40  # messages laid out when a conversation opens
SCROLL_PAGE = 8  # messages put in at most at a time while scrolling
PAGE_BUDGET_S = 0.012  # ... and no more once this long was spent, so no one step stalls the window
# At most this many messages stay laid out, since every page put in at the top makes Qt lay out
# again all that follows it.
MAX_LAID_OUT = 120
MARGIN = 16  # the document's own margin, above the first message and below the last
_LINE_CHARACTERS = 80  # about how many characters a line of the column holds, for the estimate


def estimated_lines(message: Message) -> float:
    """About how many lines ``message`` takes on screen (its header, body and links); the pager
    turns lines into pixels by what the laid out messages measure."""
    if message.kind is not None:
        return 1.5  # a divider: one line, no bubble
    lines = 3.0  # header, links, the bubble's padding
    for line in message.content.split("\n"):
        lines += 0.5 if not line.strip() else -(-len(line) // _LINE_CHARACTERS)
    return lines


class Pager:
    """The conversation's branch (``messages``) and its laid out part, ``messages[start:end]`` (``shown``)."""

    def __init__(self, writer: BlockWriter, bar: QtWidgets.QScrollBar, widget: QtWidgets.QWidget) -> None:
        self._writer = writer
        self._bar = bar
        self._widget = widget  # whose palette the messages are written in
        self.messages: list[Message] = []
        self.shown: dict[int, ShownMessage] = {}
        self.start = 0
        self.end = 0
        self.busy = False  # laying out or dropping a page: the view neither scrolls nor pages meanwhile
        self._lines: list[float] = [0.0]  # estimated_lines summed: _lines[i] for messages[:i]
        self.pixels_per_line = 20.0  # measured on the page laid out when the conversation opened

    def append(self, message: Message) -> None:
        """A new message at the end of the branch (not laid out yet)."""
        self.messages.append(message)
        self._lines.append(self._lines[-1] + estimated_lines(message))

    def estimated_height(self, begin: int, end: int) -> float:
        """About how many pixels ``messages[begin:end]`` take when laid out."""
        return (self._lines[end] - self._lines[begin]) * self.pixels_per_line

    def content_top(self) -> float:
        """Where the first laid out message begins, in document pixels (the room for the older ones above)."""
        return self._writer.document.rootFrame().frameFormat().topMargin()

    def content_bottom(self) -> float:
        """Where the last laid out message ends, in document pixels."""
        document = self._writer.document
        return document.size().height() - document.rootFrame().frameFormat().bottomMargin()

    def index_at(self, y: float) -> tuple[int, float]:
        """The message at estimated document height ``y`` and how far into it (0 to 1) ``y`` is."""
        if not self.messages:
            return 0, 0.0
        lines = max(0.0, y - MARGIN) / self.pixels_per_line
        index = min(len(self.messages) - 1, max(0, bisect.bisect_right(self._lines, lines) - 1))
        own = self._lines[index + 1] - self._lines[index]
        return index, min(1.0, (lines - self._lines[index]) / own) if own > 0 else 0.0

    def keep_streamed(self) -> None:
        """Before the document is cleared for a jump: what streamed into laid out messages stays."""
        for index in range(self.start, self.end):
            shown = self.shown.get(self.messages[index].id)
            if shown is not None:
                self.messages[index] = replace(shown.message, content=shown.text, reasoning=shown.reasoning or None)
        self.shown.clear()

    def _fit_margins(self, start: int | None = None, end: int | None = None) -> None:
        """The document's top and bottom margins keep the estimated room of the messages not laid out
        (those before ``start`` and from ``end`` on, by default the pager's). Called inside the
        page's edit, so Qt lays the document out once for both."""
        start = self.start if start is None else start
        end = self.end if end is None else end
        root = self._writer.document.rootFrame()
        fmt = root.frameFormat()
        top = MARGIN + round(self.estimated_height(0, start))
        bottom = MARGIN + round(self.estimated_height(end, len(self.messages)))
        if fmt.topMargin() != top or fmt.bottomMargin() != bottom:
            fmt.setTopMargin(top)
            fmt.setBottomMargin(bottom)
            root.setFrameFormat(fmt)

    @property
    def has_older(self) -> bool:
        return self.start > 0

    @property
    def has_newer(self) -> bool:
        return self.end < len(self.messages)

    def reset(self, messages: list[Message], index: int | None, *, measure: bool = True) -> None:
        """Into an empty document: lays out the branch's last page, or (``index``) the page from just
        above that message. ``measure`` takes the pixels a line of the estimate is worth from it
        (a new conversation); a jump within the same one keeps them, so the scroll bar stays put."""
        self.shown.clear()
        if messages is not self.messages or len(self._lines) != len(messages) + 1:
            self.messages = messages
            self._lines = [0.0, *itertools.accumulate(estimated_lines(message) for message in messages)]
        if index is None:
            self.start = self.end = max(0, len(messages) - PAGE)
        else:
            self.start = self.end = max(0, min(index - 3, len(messages) - PAGE))
        self.lay_out(messages[self.start : self.start + PAGE], fit=False)
        if measure and self.end > self.start:
            laid_out = self._writer.document.size().height() - self.content_top()
            laid_out -= self._writer.document.rootFrame().frameFormat().bottomMargin()
            lines = self._lines[self.end] - self._lines[self.start]
            self.pixels_per_line = max(4.0, laid_out / lines) if lines > 0 else self.pixels_per_line
        self._fit_margins()

    def lay_out(
        self, messages: list[Message], *, at_start: bool = False, budget_s: float | None = None, fit: bool = True
    ) -> int:
        """Lays out ``messages`` after (or, ``at_start``, the last of them before) those laid out;
        with ``budget_s``, stops once that long was spent. Returns how many it laid out.

        The whole page is one edit of the document, so Qt lays the document out once per page instead
        of once per message."""
        self.busy = True
        document = self._writer.document
        palette = self._widget.palette()
        started = time.perf_counter()
        done: list[ShownMessage] = []
        edit = QtGui.QTextCursor(document)
        try:
            edit.beginEditBlock()
            for message in messages if not at_start else reversed(messages):
                cursor = QtGui.QTextCursor(document)
                if at_start:
                    cursor.setPosition(document.rootFrame().firstPosition())
                else:
                    cursor.movePosition(QtGui.QTextCursor.MoveOperation.End)
                frame = cursor.insertFrame(self._writer.frame_format(message, palette))
                shown = ShownMessage(message, frame, message.content, message.reasoning or "")
                self.shown[message.id] = shown
                self._writer.write(shown, palette)
                done.append(shown)
                if budget_s is not None and time.perf_counter() - started > budget_s:
                    break
            if fit:
                start, end = (self.start - len(done), self.end) if at_start else (self.start, self.end + len(done))
                self._fit_margins(start, end)
            edit.endEditBlock()
            for shown in done:
                if shown.tail_offset >= 0:
                    streaming_tail.render_tail(self._writer, shown, palette)
        finally:
            self.busy = False
        if at_start:
            self.start -= len(done)
        else:
            self.end += len(done)
        return len(done)

    def page_in_older(self) -> None:
        if self.start <= 0:
            return
        bar, document = self._bar, self._writer.document
        before_height, before_value = document.size().height(), bar.value()
        older = self.messages[max(0, self.start - SCROLL_PAGE) : self.start]
        self.lay_out(older, at_start=True, budget_s=PAGE_BUDGET_S)
        grown = document.size().height() - before_height
        bar.setValue(before_value + int(grown))
        self._drop_far_end(at_start=False)

    def page_in_newer(self) -> None:
        if self.end >= len(self.messages):
            return
        self.lay_out(self.messages[self.end : self.end + SCROLL_PAGE], budget_s=PAGE_BUDGET_S)
        bar, document = self._bar, self._writer.document
        before_height, before_value = document.size().height(), bar.value()
        if self._drop_far_end(at_start=True):
            shrunk = before_height - document.size().height()
            bar.setValue(before_value - int(shrunk))

    def _drop_far_end(self, *, at_start: bool) -> bool:
        """Takes laid out messages beyond ``MAX_LAID_OUT`` off the start (or the end) of the document;
        scrolling back there puts them in again. Returns whether any were taken off."""
        excess = len(self.shown) - MAX_LAID_OUT
        if excess <= 0:
            return False
        indexes = range(self.start, self.start + excess) if at_start else range(self.end - excess, self.end)
        dropped = [self.messages[index] for index in indexes]
        keep = self.shown[self.messages[self.start + excess].id].frame
        document = self._writer.document
        cursor = QtGui.QTextCursor(document)
        self.busy = True
        try:
            cursor.beginEditBlock()
            if at_start:
                cursor.setPosition(document.rootFrame().firstPosition())
                cursor.setPosition(keep.firstPosition() - 1, QtGui.QTextCursor.MoveMode.KeepAnchor)
                self._fit_margins(self.start + excess, self.end)
            else:
                cursor.setPosition(self.shown[dropped[0].id].frame.firstPosition() - 1)
                cursor.movePosition(QtGui.QTextCursor.MoveOperation.End, QtGui.QTextCursor.MoveMode.KeepAnchor)
                self._fit_margins(self.start, self.end - excess)
            cursor.removeSelectedText()
            cursor.endEditBlock()
        finally:
            self.busy = False
        for index, message in zip(indexes, dropped, strict=True):
            shown = self.shown.pop(message.id)
            # What streamed in so far stays, for when it is put in again.
            self.messages[index] = replace(shown.message, content=shown.text, reasoning=shown.reasoning or None)
        if at_start:
            self.start += excess
        else:
            self.end -= excess
        return True

    def update_unshown(self, message_id: int, text: str, reasoning: str) -> None:
        """Streamed text for an answer not laid out now (the user scrolled far up): kept for later."""
        for index in range(len(self.messages) - 1, -1, -1):
            message = self.messages[index]
            if message.id == message_id:
                self.messages[index] = replace(
                    message, content=message.content + text, reasoning=(message.reasoning or "") + reasoning or None
                )
                return

    def replace_unshown(self, message: Message) -> None:
        """The settled version of a message not laid out now."""
        for index, old in enumerate(self.messages):
            if old.id == message.id:
                self.messages[index] = message
