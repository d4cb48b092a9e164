"""The conversation on screen: one read-only document, a block per message, answers in Markdown.

All messages live in one ``QTextDocument`` (one frame each), so long conversations and huge pastes
lay out once, text can be selected across messages, and scrolling is native. A streaming answer
collects its tokens in a buffer; a timer re-renders it at most once every ``RENDER_INTERVAL_MS``,
never once per token. The view keeps to the bottom while text arrives unless the user scrolled up. A reasoning model's
thinking is shown apart, above its answer, as a collapsed "Thinking…" line that opens on a click.

Long conversations stay fast: only a page of messages (the newest, or those around a search
result) is laid out when a conversation opens, and older (or newer) pages are put in as the user
scrolls to the top (or bottom). Under each message a line of links: "‹ 2/3 ›" between its versions
(``app.core.history.tree``), Edit, Regenerate, Copy and Continue; the view only says what was asked
(``*_requested`` signals) and the window acts. What a message's text looks like is
``_insert_body``'s alone: an answer's Markdown becomes HTML in one place, ``app.ui.common.markdown_render``;
a code block's Copy link and the context menu's "Copy message" put text on the clipboard, and nothing
in an answer is ever fetched or read (``loadResource``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

from PySide6 import QtCore, QtGui, QtWidgets

from app.core.history.types import Message, Versions
from app.ui.chat import persona_marks
from app.ui.chat.stream_split import settled_length
from app.ui.common import markdown_render, style
from app.ui.common.i18n import model_label

RENDER_INTERVAL_MS = 30
READABLE_WIDTH = 820  # the widest the text column gets, in pixels
_SIDE_MARGIN = 8  # pixels kept free beside the column, so bubbles never touch the scroll bar
_BOTTOM_SLACK = 8  # pixels from the bottom that still count as "at the bottom"

_THINKING_SCHEME = "parley-thinking"  # the link that opens and closes an answer's reasoning
_ACTION_SCHEME = "parley-action"  # a message's links: parley-action:<verb>/<message id>
PAGE = 40  # messages laid out when a conversation opens
SCROLL_PAGE = 8  # messages put in at most at a time while scrolling
PAGE_BUDGET_S = 0.012  # ... and no more once this long was spent, so no one step stalls the window
# At most this many messages stay laid out: a page put in at one end drops as many from the other,
# since every page put in at the top makes Qt lay out again all that follows it.
MAX_LAID_OUT = 120
_PAGE_EDGE = 200  # pixels from the top (or bottom) where the next page is put in


@dataclass
class _Shown:
    message: Message
    frame: QtGui.QTextFrame
    text: str
    reasoning: str = ""
    has_controls: bool = False  # the last line is the message's links
    has_details: bool = False  # the line above the links (or the last one) is the answer's details
    marker_lines: int = 0  # lines above the header: a persona divider, where the model's memory begins
    # While it streams, an answer's settled Markdown (text[:settled]) is rendered once and only the
    # tail after it again; tail_offset is where the tail starts, counted from the frame's start.
    settled: int = 0
    tail_offset: int = -1  # -1: rendered whole
    tail_reasoning: str = ""  # the reasoning when the tail mode began (a change renders whole)
    code_blocks: list[str] = field(default_factory=list)  # the exact code of each code block, as Copy copies it
    settled_blocks: int = 0  # while it streams: how many of code_blocks are in the settled Markdown


class ChatView(QtWidgets.QTextBrowser):
    """Shows one conversation. Everything here runs on the GUI thread."""

    edit_requested = QtCore.Signal(int)  # a user message's id
    regenerate_requested = QtCore.Signal(int)  # an answer's id
    continue_requested = QtCore.Signal(int)  # an answer's id
    version_requested = QtCore.Signal(int)  # the id of the version to show instead
    copied = QtCore.Signal(int)  # a message's Markdown source went to the clipboard
    text_copied = QtCore.Signal(str)  # what a code block's Copy link or "Copy message" put on the clipboard

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chatView")
        self.setAccessibleName(self.tr("Conversation"))
        self.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.setOpenLinks(False)
        self.setUndoRedoEnabled(False)
        self.document().setUndoRedoEnabled(False)
        self.document().setDocumentMargin(16)
        self._shown: dict[int, _Shown] = {}
        self._all: list[Message] = []  # the conversation's branch; ``_shown`` holds the laid out part
        self._start = 0  # the laid out part is self._all[self._start:self._end]
        self._end = 0
        self._versions: dict[int, Versions] = {}
        self._bulk = False  # laying out a page: no scrolling per message
        self.memory_start: int | None = None  # the first message the model still remembers (a marker shows it)
        self.persona_names: dict[int, str] = {}  # persona id -> shown name, for dividers and details lines
        self._expanded: set[int] = set()  # answers whose reasoning is open
        self._dirty: set[int] = set()
        self.render_count = 0  # how many times a message was (re-)rendered; tests read it
        self.resource_requests = 0  # how often the document asked for an image or other resource; stays 0
        self._follow_bottom = True
        self._rendering = False
        self._column_margin = -1
        self._render_timer = QtCore.QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.setInterval(RENDER_INTERVAL_MS)
        self._render_timer.timeout.connect(self._on_render_timer_timeout)
        bar = self.verticalScrollBar()
        bar.valueChanged.connect(self._on_scroll_bar_value_changed)
        bar.rangeChanged.connect(self._on_scroll_bar_range_changed)
        self.anchorClicked.connect(self._on_self_anchor_clicked)

    # -- public ---------------------------------------------------------------------------------

    def show_conversation(
        self, messages: list[Message], versions: dict[int, Versions] | None = None, *, focus: int | None = None
    ) -> None:
        """Replaces what is shown with ``messages`` (a branch) and scrolls to the last one, or to ``focus``."""
        self._render_timer.stop()
        self._dirty.clear()
        self._shown.clear()
        self.document().clear()
        self._column_margin = -1
        self._fit_column()
        self._follow_bottom = True
        self._all = [message for message in messages if message.role != "system" or message.kind is not None]
        self._versions = versions or {}
        index = next((i for i, m in enumerate(self._all) if m.id == focus), None)
        if index is None:
            self._start = self._end = max(0, len(self._all) - PAGE)
            self._lay_out(self._all[self._start :])
            self._scroll_to_bottom()
        else:
            self._start = self._end = max(0, index - 3)
            self._lay_out(self._all[self._start : self._start + PAGE])
            self.scroll_to_message(self._all[index].id)

    def add_message(self, message: Message) -> None:
        """Adds a message at the end of the conversation (a new turn's)."""
        if message.role == "system" and message.kind is None:
            return
        if self._end < len(self._all):
            # The end is not laid out (a search result is on screen): show the newest page first.
            self.show_conversation(self._all, self._versions)
        self._all.append(message)
        self._lay_out([message])

    def scroll_to_message(self, message_id: int) -> None:
        """Scrolls so that the message is at the top of the view (a search result)."""
        shown = self._shown.get(message_id)
        if shown is None:
            return
        layout = self.document().documentLayout()
        top = int(layout.frameBoundingRect(shown.frame).top())
        self.verticalScrollBar().setValue(top)
        self._follow_bottom = self.verticalScrollBar().value() >= self.verticalScrollBar().maximum() - _BOTTOM_SLACK

    def laid_out_count(self) -> int:
        """How many messages are laid out now (the rest are paged in on scrolling)."""
        return len(self._shown)

    def _lay_out(self, messages: list[Message], *, at_start: bool = False, budget_s: float | None = None) -> int:
        """Lays out ``messages`` after (or, ``at_start``, the last of them before) those laid out;
        with ``budget_s``, stops once that long was spent. Returns how many it laid out.

        The whole page is one edit of the document, so Qt lays the document out once per page instead
        of once per message."""
        self._bulk = True
        document = self.document()
        palette = self.palette()
        started = time.perf_counter()
        done: list[tuple[_Shown, int]] = []
        edit = QtGui.QTextCursor(document)
        try:
            edit.beginEditBlock()
            for message in messages if not at_start else reversed(messages):
                cursor = QtGui.QTextCursor(document)
                if at_start:
                    cursor.setPosition(document.rootFrame().firstPosition())
                else:
                    cursor.movePosition(QtGui.QTextCursor.MoveOperation.End)
                frame = cursor.insertFrame(self._frame_format(message))
                shown = _Shown(message, frame, message.content, message.reasoning or "")
                self._shown[message.id] = shown
                self.render_count += 1
                done.append((shown, self._write(shown, palette)))
                if budget_s is not None and time.perf_counter() - started > budget_s:
                    break
            edit.endEditBlock()
            for shown, _ in done:
                if shown.tail_offset >= 0:
                    self._render_tail(shown, palette)
        finally:
            self._bulk = False
        if at_start:
            self._start -= len(done)
        else:
            self._end += len(done)
        return len(done)

    def _page_in_older(self) -> None:
        if self._start <= 0:
            return
        bar = self.verticalScrollBar()
        before_height, before_value = self.document().size().height(), bar.value()
        self._lay_out(self._all[max(0, self._start - SCROLL_PAGE) : self._start], at_start=True, budget_s=PAGE_BUDGET_S)
        grown = self.document().size().height() - before_height
        bar.setValue(before_value + int(grown))
        self._drop_far_end(at_start=False)

    def _page_in_newer(self) -> None:
        if self._end >= len(self._all):
            return
        self._lay_out(self._all[self._end : self._end + SCROLL_PAGE], budget_s=PAGE_BUDGET_S)
        bar = self.verticalScrollBar()
        before_height, before_value = self.document().size().height(), bar.value()
        if self._drop_far_end(at_start=True):
            shrunk = before_height - self.document().size().height()
            bar.setValue(before_value - int(shrunk))

    def _drop_far_end(self, *, at_start: bool) -> bool:
        """Takes laid out messages beyond ``MAX_LAID_OUT`` off the start (or the end) of the document;
        scrolling back there puts them in again. Returns whether any were taken off."""
        excess = len(self._shown) - MAX_LAID_OUT
        if excess <= 0:
            return False
        indexes = range(self._start, self._start + excess) if at_start else range(self._end - excess, self._end)
        dropped = [self._all[index] for index in indexes]
        keep = self._shown[self._all[self._start + excess].id].frame
        document = self.document()
        cursor = QtGui.QTextCursor(document)
        self._bulk = True
        try:
            if at_start:
                cursor.setPosition(document.rootFrame().firstPosition())
                cursor.setPosition(keep.firstPosition() - 1, QtGui.QTextCursor.MoveMode.KeepAnchor)
            else:
                cursor.setPosition(self._shown[dropped[0].id].frame.firstPosition() - 1)
                cursor.movePosition(QtGui.QTextCursor.MoveOperation.End, QtGui.QTextCursor.MoveMode.KeepAnchor)
            cursor.removeSelectedText()
        finally:
            self._bulk = False
        for index, message in zip(indexes, dropped, strict=True):
            shown = self._shown.pop(message.id)
            self._dirty.discard(message.id)
            # What streamed in so far stays, for when it is put in again.
            self._all[index] = replace(shown.message, content=shown.text, reasoning=shown.reasoning or None)
        if at_start:
            self._start += excess
        else:
            self._end -= excess
        return True

    def append_to_answer(self, message_id: int, text: str, reasoning: str = "") -> None:
        """Adds streamed ``text`` (and reasoning) to an answer; it appears with the next render tick."""
        shown = self._shown.get(message_id)
        if shown is None:
            self._update_unshown(message_id, text, reasoning)
            return
        shown.text += text
        shown.reasoning += reasoning
        self._dirty.add(message_id)
        if not self._render_timer.isActive():
            self._render_timer.start()

    def finish_answer(self, message: Message) -> None:
        """Shows the settled answer: its final text and, when it did not complete, a mark saying why."""
        shown = self._shown.get(message.id)
        if shown is None:
            self._all = [message if m.id == message.id else m for m in self._all]
            return
        self._dirty.discard(message.id)
        shown.message = message
        shown.text = message.content
        shown.reasoning = message.reasoning or ""
        self._render(shown)

    def _update_unshown(self, message_id: int, text: str, reasoning: str) -> None:
        """Streamed text for an answer not laid out now (the user scrolled far up): kept for later."""
        for index in range(len(self._all) - 1, -1, -1):
            message = self._all[index]
            if message.id == message_id:
                self._all[index] = replace(
                    message, content=message.content + text, reasoning=(message.reasoning or "") + reasoning or None
                )
                return

    def set_thinking_open(self, message_id: int, open_: bool) -> None:
        """Opens or closes an answer's reasoning (what a click on its "Thinking" line does)."""
        shown = self._shown.get(message_id)
        if shown is None:
            return
        if open_:
            self._expanded.add(message_id)
        else:
            self._expanded.discard(message_id)
        self._render(shown)

    def is_thinking_open(self, message_id: int) -> bool:
        return message_id in self._expanded

    def message_ids(self) -> list[int]:
        """The ids of the messages laid out, in the order shown."""
        return [message.id for message in self._all[self._start : self._end] if message.id in self._shown]

    def shown_text(self, message_id: int) -> str:
        """The plain text on screen for one message (its header line, then its body), without the lines
        around it: a divider or memory marker above, the details and links below."""
        shown = self._shown[message_id]
        lines = self._frame_text(message_id).split("\n")[shown.marker_lines :]
        end = len(lines) - int(shown.has_controls) - int(shown.has_details)
        return "\n".join(lines[:end])

    def marks_text(self, message_id: int) -> str:
        """The divider or memory marker shown above a message ("" when there is none)."""
        shown = self._shown[message_id]
        return "\n".join(self._frame_text(message_id).split("\n")[: shown.marker_lines])

    def _frame_text(self, message_id: int) -> str:
        frame = self._shown[message_id].frame
        cursor = QtGui.QTextCursor(self.document())
        cursor.setPosition(frame.firstPosition())
        cursor.setPosition(frame.lastPosition(), QtGui.QTextCursor.MoveMode.KeepAnchor)
        return cursor.selection().toPlainText()

    def is_following_bottom(self) -> bool:
        return self._follow_bottom

    def code_blocks(self, message_id: int) -> list[str]:
        """The exact code of each code block of an answer, as its Copy links copy it."""
        shown = self._shown.get(message_id)
        return list(shown.code_blocks) if shown is not None else []

    def copy_message(self, message_id: int, *, markdown: bool = False) -> None:
        """Puts one message on the clipboard: as the reader sees it, or its Markdown source."""
        shown = self._shown.get(message_id)
        if shown is None:
            return
        plain = markdown or shown.message.role == "user"
        self._copy(shown.text if plain else markdown_render.plain_text(shown.text))

    def last_answer_id(self) -> int | None:
        """The newest answer on screen, if any."""
        answers = [i for i in self.message_ids() if self._shown[i].message.role == "assistant"]
        return answers[-1] if answers else None

    def message_at(self, position: QtCore.QPoint) -> int | None:
        """The message under ``position`` (viewport coordinates), if any."""
        at = self.cursorForPosition(position).position()
        for message_id, shown in self._shown.items():
            if shown.frame.firstPosition() <= at <= shown.frame.lastPosition():
                return message_id
        return None

    def _copy(self, text: str) -> None:
        QtGui.QGuiApplication.clipboard().setText(text)
        self.text_copied.emit(text)

    # -- rendering ------------------------------------------------------------------------------

    def _frame_format(self, message: Message) -> QtGui.QTextFrameFormat:
        palette = self.palette()
        fmt = QtGui.QTextFrameFormat()
        fmt.setPadding(12)
        fmt.setBorder(0)
        fmt.setTopMargin(6)
        fmt.setBottomMargin(6)
        if message.kind is not None:  # a divider: no bubble
            fmt.setPadding(2)
        elif message.role == "user":
            fmt.setBackground(style.user_bubble(palette))
            fmt.setLeftMargin(72)
        else:
            fmt.setBackground(style.answer_bubble(palette))
            fmt.setRightMargin(24)
        return fmt

    def _header(self, message: Message) -> str:
        if message.role == "user":
            return self.tr("You")
        name = model_label(message.model_name) if message.model_name else self.tr("Assistant")
        if message.server:  # written on a remote server: the answer says where
            name = f"{name} · {message.server}"
        marks = {
            "streaming": self.tr("writing…"),
            "stopped": self.tr("stopped"),
            "interrupted": self.tr("interrupted"),
            "failed": self.tr("failed"),
        }
        mark = marks.get(message.status)
        return f"{name} · {mark}" if mark else name

    def _render(self, shown: _Shown) -> None:
        self.render_count += 1
        bar = self.verticalScrollBar()
        follow, old_value = self._follow_bottom, bar.value()
        self._rendering = True
        palette = self.palette()
        cursor = QtGui.QTextCursor(self.document())
        try:
            if self._streams_in_tail(shown):
                self._render_tail(shown, palette)
            else:
                cursor.beginEditBlock()
                self._write(shown, palette)
                cursor.endEditBlock()
                if shown.tail_offset >= 0:
                    self._render_tail(shown, palette)
        finally:
            self._rendering = False
        if self._bulk:
            return
        if follow:
            self._scroll_to_bottom()
        else:
            bar.setValue(old_value)
        self._follow_bottom = follow

    def _write(self, shown: _Shown, palette: QtGui.QPalette) -> int:
        """Writes a message's frame anew (inside the caller's edit); returns where its body starts,
        counted from the frame's start. A streaming answer's body is written as settled Markdown
        and a tail (``_render_tail``)."""
        cursor = QtGui.QTextCursor(self.document())
        cursor.setPosition(shown.frame.firstPosition())
        cursor.setPosition(shown.frame.lastPosition(), QtGui.QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        if shown.message.id == self.memory_start or shown.message.kind == "persona":
            # Personas (app.ui.chat.persona_marks): a divider for a persona change, a marker where the memory begins.
            persona_marks.insert_marker(cursor, shown.message, self.memory_start, self.persona_names)
        shown.has_controls = shown.has_details = False
        shown.marker_lines = int(shown.message.id == self.memory_start) + int(shown.message.kind == "persona")
        if shown.message.kind is not None:
            return cursor.position() - shown.frame.firstPosition()
        cursor.setBlockFormat(style.header_block_format())
        cursor.insertText(self._header(shown.message), style.header_char_format(palette, shown.message.status))
        cursor.insertBlock(QtGui.QTextBlockFormat(), QtGui.QTextCharFormat())
        if shown.reasoning and shown.message.role == "assistant":
            self._insert_thinking(cursor, shown, palette)
        body_offset = cursor.position() - shown.frame.firstPosition()
        shown.tail_offset, shown.settled, shown.settled_blocks = -1, 0, 0
        shown.code_blocks = []
        if shown.message.status == "streaming" and shown.message.role == "assistant" and shown.text:
            shown.tail_offset, shown.tail_reasoning = body_offset, shown.reasoning
            shown.has_controls = False
            return body_offset  # the body is the tail's: _render_tail writes it
        self._insert_body(cursor, shown, palette)
        shown.has_details = shown.message.role == "assistant" and shown.message.status != "streaming"
        if shown.has_details:
            persona_marks.insert_details(cursor, self, shown.message, self.persona_names, palette)
        self._insert_controls(cursor, shown, palette)
        return body_offset

    def _streams_in_tail(self, shown: _Shown) -> bool:
        return (
            shown.tail_offset >= 0
            and shown.message.status == "streaming"
            and shown.reasoning == shown.tail_reasoning
            and shown.frame.firstPosition() + shown.tail_offset <= shown.frame.lastPosition()
        )

    def _render_tail(self, shown: _Shown, palette: QtGui.QPalette) -> None:
        """Re-renders only what follows the settled Markdown of a streaming answer; what newly
        settled is rendered once more, for the last time, and the tail starts after it."""
        del palette
        document = self.document()
        cursor = QtGui.QTextCursor(document)
        cursor.beginEditBlock()
        start = shown.frame.firstPosition() + shown.tail_offset
        cursor.setPosition(start)
        cursor.setPosition(shown.frame.lastPosition(), QtGui.QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        settled = settled_length(shown.text, shown.settled)
        newly_settled = shown.text[shown.settled : settled]
        del shown.code_blocks[shown.settled_blocks :]  # the old tail's
        if newly_settled:
            self._insert_answer(cursor, shown, newly_settled)
            cursor.setPosition(shown.frame.lastPosition())
            cursor.insertBlock(QtGui.QTextBlockFormat(), QtGui.QTextCharFormat())
            shown.settled, shown.settled_blocks = settled, len(shown.code_blocks)
            shown.tail_offset = cursor.position() - shown.frame.firstPosition()
        tail = shown.text[settled:]
        if tail.strip():
            self._insert_answer(cursor, shown, tail)
        cursor.endEditBlock()

    def _insert_answer(self, cursor: QtGui.QTextCursor, shown: _Shown, source: str) -> None:
        """Answer Markdown, rendered (the one place message content becomes rich text); its code
        blocks join ``shown.code_blocks``, and their Copy links number on from those before."""
        rendered = markdown_render.render(
            source,
            style.markdown_colours(self.palette()),
            copy_href=f"{markdown_render.COPY_SCHEME}:{shown.message.id}/{len(shown.code_blocks)}+",
            copy_label=self.tr("Copy"),
            image_label=self.tr("Image"),
        )
        shown.code_blocks.extend(rendered.code_blocks)
        cursor.insertHtml(rendered.html)

    def _insert_body(self, cursor: QtGui.QTextCursor, shown: _Shown, palette: QtGui.QPalette) -> None:
        """A message's own text, as it looks on screen: the one place that decides it."""
        if shown.message.role == "user":
            cursor.insertText(shown.text)
        elif shown.text:
            self._insert_answer(cursor, shown, shown.text)
        elif shown.message.status == "streaming":
            cursor.insertText("…", style.muted_char_format(palette))
        elif shown.message.status in ("failed", "stopped", "interrupted"):
            # Kept so the conversation shows the message got no answer; the banner said why.
            cursor.insertText(self.tr("No answer was written."), style.muted_char_format(palette))

    def _insert_controls(self, cursor: QtGui.QTextCursor, shown: _Shown, palette: QtGui.QPalette) -> None:
        """The links under a message: its versions, Edit or Regenerate, Copy, and Continue."""
        message = shown.message
        shown.has_controls = message.status != "streaming"
        if not shown.has_controls:
            return
        links: list[tuple[str, str, str]] = []  # (label, verb, tooltip)
        versions = self._versions.get(message.id)
        if versions is not None:
            if versions.previous_id is not None:
                links.append(("‹", f"version/{versions.previous_id}", self.tr("Show the previous version")))
            links.append((f"{versions.index}/{versions.count}", "", ""))
            if versions.next_id is not None:
                links.append(("›", f"version/{versions.next_id}", self.tr("Show the next version")))
        if message.role == "user":
            links.append((self.tr("Edit"), f"edit/{message.id}", self.tr("Edit and send again as a new version")))
        else:
            tip = self.tr("Write a new version of this answer")
            links.append((self.tr("Regenerate"), f"regenerate/{message.id}", tip))
        links.append((self.tr("Copy"), f"copy/{message.id}", self.tr("Copy the message's Markdown source")))
        cut_short = message.status in ("stopped", "interrupted") or message.finish_reason == "length"
        if message.role == "assistant" and cut_short and shown.text:
            tip = self.tr("Go on from where the answer ended")
            links.append((self.tr("Continue"), f"continue/{message.id}", tip))
        cursor.insertBlock(style.header_block_format(), QtGui.QTextCharFormat())
        muted = style.muted_char_format(palette)
        for number, (label, verb, tooltip) in enumerate(links):
            if number:
                cursor.insertText("   ", muted)
            fmt = QtGui.QTextCharFormat(muted)
            if verb:
                fmt.setAnchor(True)
                fmt.setAnchorHref(f"{_ACTION_SCHEME}:{verb}")
                fmt.setToolTip(tooltip)
            cursor.insertText(label, fmt)

    def _insert_thinking(self, cursor: QtGui.QTextCursor, shown: _Shown, palette: QtGui.QPalette) -> None:
        """The reasoning's line (a link that opens or closes it) and, when open, the reasoning itself."""
        message_id = shown.message.id
        is_open = message_id in self._expanded
        if is_open:
            label = "▾ " + self.tr("Hide thinking")
        elif shown.message.status == "streaming" and not shown.text:
            label = "▸ " + self.tr("Thinking…")
        else:
            label = "▸ " + self.tr("Show thinking")
        link = style.muted_char_format(palette)
        link.setAnchor(True)
        link.setAnchorHref(f"{_THINKING_SCHEME}:{message_id}")
        link.setToolTip(self.tr("What the model thought before it answered"))
        cursor.insertText(label, link)
        if is_open:
            quote = style.muted_char_format(palette)
            quote.setFontItalic(True)
            cursor.insertBlock(QtGui.QTextBlockFormat(), quote)
            cursor.insertText(shown.reasoning.strip(), quote)
        cursor.insertBlock(QtGui.QTextBlockFormat(), QtGui.QTextCharFormat())

    def _scroll_to_bottom(self) -> None:
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())
        self._follow_bottom = True

    def _fit_column(self) -> None:
        """Keeps the text in a readable column centred in wide windows."""
        margin = max(_SIDE_MARGIN, (self.viewport().width() - READABLE_WIDTH) // 2)
        if margin == self._column_margin:
            return
        self._column_margin = margin
        root = self.document().rootFrame()
        fmt = root.frameFormat()
        fmt.setLeftMargin(margin)
        fmt.setRightMargin(margin)
        root.setFrameFormat(fmt)

    # -- Qt overrides ---------------------------------------------------------------------------

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        follow = self._follow_bottom
        self._fit_column()
        if follow:
            self._scroll_to_bottom()

    def loadResource(self, kind: int, name: QtCore.QUrl | str) -> object:  # noqa: N802 - Qt's name
        # Answers are model output: they never make the window read files or the network. The
        # renderer turns images into links, so this is only the second lock on the door.
        del kind, name
        self.resource_requests += 1
        return None

    def contextMenuEvent(self, event: QtGui.QContextMenuEvent) -> None:  # noqa: N802 - Qt's name
        menu = self.createStandardContextMenu(event.pos())
        message_id = self.message_at(event.pos())
        if message_id is not None:
            menu.addSeparator()
            copy_text = menu.addAction(self.tr("Copy message"))
            copy_text.triggered.connect(lambda: self.copy_message(message_id))
            copy_source = menu.addAction(self.tr("Copy message as Markdown"))
            copy_source.triggered.connect(lambda: self.copy_message(message_id, markdown=True))
        menu.exec(event.globalPos())
        menu.deleteLater()

    # -- slots ----------------------------------------------------------------------------------

    @QtCore.Slot()
    def _on_render_timer_timeout(self) -> None:
        dirty, self._dirty = self._dirty, set()
        started = time.perf_counter()
        for message_id in dirty:
            shown = self._shown.get(message_id)
            if shown is not None:
                self._render(shown)
        # A very long answer takes longer to render than a tick: the next render waits at least as long
        # again, so the window keeps at least half of its time for the user however long the answer gets.
        took_ms = int((time.perf_counter() - started) * 1000)
        self._render_timer.setInterval(max(RENDER_INTERVAL_MS, took_ms))

    def _copy_code_block(self, path: str) -> None:
        """``path`` is ``<message id>/<first block>+<index>``, as ``_insert_answer`` wrote it."""
        message_part, _, block_part = path.partition("/")
        shown = self._shown.get(int(message_part)) if message_part.isdigit() else None
        parts = block_part.split("+")
        if shown is None or not all(part.isdigit() for part in parts):
            return
        index = sum(int(part) for part in parts)
        if index < len(shown.code_blocks):
            self._copy(shown.code_blocks[index])

    @QtCore.Slot(int)
    def _on_scroll_bar_value_changed(self, value: int) -> None:
        if self._rendering or self._bulk:
            return
        bar = self.verticalScrollBar()
        self._follow_bottom = value >= bar.maximum() - _BOTTOM_SLACK and self._end >= len(self._all)
        if value <= _PAGE_EDGE and self._start > 0:
            self._page_in_older()
        elif value >= bar.maximum() - _PAGE_EDGE and self._end < len(self._all):
            self._page_in_newer()

    @QtCore.Slot(int, int)
    def _on_scroll_bar_range_changed(self, minimum: int, maximum: int) -> None:
        del minimum
        if self._follow_bottom and not self._rendering:
            self.verticalScrollBar().setValue(maximum)

    @QtCore.Slot(QtCore.QUrl)
    def _on_self_anchor_clicked(self, url: QtCore.QUrl) -> None:
        if url.scheme() == _THINKING_SCHEME:
            message_id = int(url.path()) if url.path().isdigit() else -1
            self.set_thinking_open(message_id, message_id not in self._expanded)
        elif url.scheme() == _ACTION_SCHEME:
            self._on_action(url.path())
        elif url.scheme() == markdown_render.COPY_SCHEME:
            self._copy_code_block(url.path())
        elif url.scheme() in ("http", "https", "mailto"):
            QtGui.QDesktopServices.openUrl(url)

    def _on_action(self, path: str) -> None:
        verb, _, number = path.partition("/")
        if not number.isdigit():
            return
        message_id = int(number)
        if verb == "version":
            self.version_requested.emit(message_id)
        elif verb == "edit":
            self.edit_requested.emit(message_id)
        elif verb == "regenerate":
            self.regenerate_requested.emit(message_id)
        elif verb == "continue":
            self.continue_requested.emit(message_id)
        elif verb == "copy" and message_id in self._shown:
            self._copy(self._shown[message_id].text)
            self.copied.emit(message_id)

    def click_action(self, verb: str, message_id: int) -> None:
        """What a click on one of a message's links does (tests and keyboard users)."""
        self._on_action(f"{verb}/{message_id}")

    def action_links(self, message_id: int) -> list[str]:
        """The links under a message as shown, e.g. ["‹", "2/3", "Regenerate", "Copy"]."""
        if not self._shown[message_id].has_controls:
            return []
        return self._frame_text(message_id).rpartition("\n")[2].split()
