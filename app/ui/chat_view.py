"""The conversation on screen: one read-only document, a block per message, answers in Markdown.

All messages live in one ``QTextDocument`` (one frame each), so long conversations and huge pastes
lay out once, text can be selected across messages, and scrolling is native. A streaming answer
collects its tokens in a buffer; a timer re-renders it at most once every ``RENDER_INTERVAL_MS``,
never once per token. The view keeps to the bottom while text arrives unless the user scrolled up. A reasoning model's
thinking is shown apart, above its answer, as a collapsed "Thinking…" line that opens on a click.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6 import QtCore, QtGui, QtWidgets

from app.core.store import Message
from app.ui import style

RENDER_INTERVAL_MS = 30
READABLE_WIDTH = 820  # the widest the text column gets, in pixels
_SIDE_MARGIN = 8  # pixels kept free beside the column, so bubbles never touch the scroll bar
_BOTTOM_SLACK = 8  # pixels from the bottom that still count as "at the bottom"
_MARKDOWN = (
    QtGui.QTextDocument.MarkdownFeature.MarkdownDialectGitHub | QtGui.QTextDocument.MarkdownFeature.MarkdownNoHTML
)


_THINKING_SCHEME = "parley-thinking"  # the link that opens and closes an answer's reasoning


@dataclass
class _Shown:
    message: Message
    frame: QtGui.QTextFrame
    text: str
    reasoning: str = ""


class ChatView(QtWidgets.QTextBrowser):
    """Shows one conversation. Everything here runs on the GUI thread."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chatView")
        self.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.setOpenLinks(False)
        self.setUndoRedoEnabled(False)
        self.document().setUndoRedoEnabled(False)
        self.document().setDocumentMargin(16)
        self._shown: dict[int, _Shown] = {}
        self._expanded: set[int] = set()  # answers whose reasoning is open
        self._dirty: set[int] = set()
        self.render_count = 0  # how many times a message was (re-)rendered; tests read it
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

    def show_conversation(self, messages: list[Message]) -> None:
        """Replaces what is shown with ``messages`` and scrolls to the last one."""
        self._render_timer.stop()
        self._dirty.clear()
        self._shown.clear()
        self.document().clear()
        self._column_margin = -1
        self._fit_column()
        self._follow_bottom = True
        for message in messages:
            self.add_message(message)
        self._scroll_to_bottom()

    def add_message(self, message: Message) -> None:
        if message.role == "system":
            return
        cursor = QtGui.QTextCursor(self.document())
        cursor.movePosition(QtGui.QTextCursor.MoveOperation.End)
        frame = cursor.insertFrame(self._frame_format(message))
        shown = _Shown(message, frame, message.content, message.reasoning or "")
        self._shown[message.id] = shown
        self._render(shown)

    def append_to_answer(self, message_id: int, text: str, reasoning: str = "") -> None:
        """Adds streamed ``text`` (and reasoning) to an answer; it appears with the next render tick."""
        shown = self._shown.get(message_id)
        if shown is None:
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
            return
        self._dirty.discard(message.id)
        shown.message = message
        shown.text = message.content
        shown.reasoning = message.reasoning or ""
        self._render(shown)

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
        return list(self._shown)

    def shown_text(self, message_id: int) -> str:
        """The plain text on screen for one message (its header line, then its body)."""
        frame = self._shown[message_id].frame
        cursor = QtGui.QTextCursor(self.document())
        cursor.setPosition(frame.firstPosition())
        cursor.setPosition(frame.lastPosition(), QtGui.QTextCursor.MoveMode.KeepAnchor)
        return cursor.selection().toPlainText()

    def is_following_bottom(self) -> bool:
        return self._follow_bottom

    # -- rendering ------------------------------------------------------------------------------

    def _frame_format(self, message: Message) -> QtGui.QTextFrameFormat:
        palette = self.palette()
        fmt = QtGui.QTextFrameFormat()
        fmt.setPadding(12)
        fmt.setBorder(0)
        fmt.setTopMargin(6)
        fmt.setBottomMargin(6)
        if message.role == "user":
            fmt.setBackground(style.user_bubble(palette))
            fmt.setLeftMargin(72)
        else:
            fmt.setBackground(style.answer_bubble(palette))
            fmt.setRightMargin(24)
        return fmt

    def _header(self, message: Message) -> str:
        if message.role == "user":
            return self.tr("You")
        name = message.model_name or self.tr("Assistant")
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
            cursor.beginEditBlock()
            cursor.setPosition(shown.frame.firstPosition())
            cursor.setPosition(shown.frame.lastPosition(), QtGui.QTextCursor.MoveMode.KeepAnchor)
            cursor.removeSelectedText()
            cursor.setBlockFormat(style.header_block_format())
            cursor.insertText(self._header(shown.message), style.header_char_format(palette, shown.message.status))
            cursor.insertBlock(QtGui.QTextBlockFormat(), QtGui.QTextCharFormat())
            if shown.reasoning and shown.message.role == "assistant":
                self._insert_thinking(cursor, shown, palette)
            body_start = cursor.position()
            if shown.message.role == "user":
                cursor.insertText(shown.text)
            elif shown.text:
                cursor.insertMarkdown(shown.text, _MARKDOWN)
            elif shown.message.status == "streaming":
                cursor.insertText("…", style.muted_char_format(palette))
            elif shown.message.status in ("failed", "stopped", "interrupted"):
                # Kept so the conversation shows the message got no answer; the banner said why.
                cursor.insertText(self.tr("No answer was written."), style.muted_char_format(palette))
            cursor.endEditBlock()
            if shown.message.role != "user" and shown.text:
                # A second edit: the tables the Markdown made exist only once the first one has ended.
                cursor.beginEditBlock()
                style.polish_answer(self.document(), shown.frame, body_start, palette)
                cursor.endEditBlock()
        finally:
            self._rendering = False
        if follow:
            self._scroll_to_bottom()
        else:
            bar.setValue(old_value)
        self._follow_bottom = follow

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
        # Answers are model output: they never make the window read files or the network.
        del kind, name
        return None

    # -- slots ----------------------------------------------------------------------------------

    @QtCore.Slot()
    def _on_render_timer_timeout(self) -> None:
        dirty, self._dirty = self._dirty, set()
        for message_id in dirty:
            shown = self._shown.get(message_id)
            if shown is not None:
                self._render(shown)

    @QtCore.Slot(int)
    def _on_scroll_bar_value_changed(self, value: int) -> None:
        if not self._rendering:
            self._follow_bottom = value >= self.verticalScrollBar().maximum() - _BOTTOM_SLACK

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
        elif url.scheme() in ("http", "https", "mailto"):
            QtGui.QDesktopServices.openUrl(url)
