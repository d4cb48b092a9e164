"""The conversation on screen: one read-only document, a block per message, answers in Markdown.

All messages live in one ``QTextDocument`` (one frame each, written by ``blocks``), so long
conversations and huge pastes lay out once, text can be selected across messages, and scrolling is
native. Only a page of a long conversation is laid out (``paging``), but the scroll bar spans all of
it: scrolling near the page's edge puts the next messages in, and a drag (or Home/End, Ctrl+Home/
Ctrl+End) beyond it lays out the page there instead. A streaming answer re-renders in batches, its
tail only (``streaming_tail``). The view keeps to the bottom while text arrives unless the user
scrolled up. Clicks on a message's links (``message_links``) only say what was asked
(``*_requested`` signals) and the window acts (a citation under an answer, ``sources``, asks for its
passage); Copy links and "Copy message" put text on the
clipboard (the link reads "Copied" for a moment and a screen reader is told), and nothing in an
answer is ever fetched or read (``loadResource``). A screen reader meets the messages and their links
as a list (``accessible``). An answer looked inside shows its tokens (``inside_render``); a click (or
Enter) on one offers to continue from there with another word the model considered.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6 import QtCore, QtGui, QtWidgets

from app.core.history.look_inside import LookInside
from app.core.history.types import Message, Versions
from app.ui.chat import accessible, inside_render, memory_marks, message_links, paging, sources, streaming_tail
from app.ui.chat.blocks import BlockWriter, ShownMessage
from app.ui.chat.paging import Pager
from app.ui.common import announce, markdown_render

READABLE_WIDTH = 820  # the widest the text column gets, in pixels
_SIDE_MARGIN = 8  # pixels kept free beside the column, so bubbles never touch the scroll bar
_BOTTOM_SLACK = 8  # pixels from the bottom that still count as "at the bottom"
_PAGE_EDGE = 200  # pixels from the top (or bottom) where the next page is put in
_COPIED_MS = 1500  # how long "Copied" shows after a Copy


class ChatView(QtWidgets.QTextBrowser):
    """Shows one conversation. Everything here runs on the GUI thread."""

    edit_requested = QtCore.Signal(int)  # a user message's id
    regenerate_requested = QtCore.Signal(int)  # an answer's id
    continue_requested = QtCore.Signal(int)  # an answer's id
    speak_requested = QtCore.Signal(int)  # an answer's id: its "Read aloud" link
    version_requested = QtCore.Signal(int)  # the id of the version to show instead
    copied = QtCore.Signal(int)  # a message's Markdown source went to the clipboard
    text_copied = QtCore.Signal(str)  # what a code block's Copy link or "Copy message" put on the clipboard
    memory_requested = QtCore.Signal(str, int)  # "show" or "undo", the answer id of a "Memory updated" line
    passage_requested = QtCore.Signal(int, object)  # an answer's id, the Passage of a citation clicked under it
    look_inside_requested = QtCore.Signal(int)  # an answer's id
    branch_requested = QtCore.Signal(int, str)  # an answer's id, the text its new version starts with
    thinking_branch_requested = QtCore.Signal(int, str)  # an answer's id, the thinking its new version starts with

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chatView")
        self.setAccessibleName(self.tr("Conversation"))
        accessible.install()  # a screen reader meets the messages and their links (app.ui.chat.accessible)
        self.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.setOpenLinks(False)
        self.setUndoRedoEnabled(False)
        self.document().setUndoRedoEnabled(False)
        self.document().setDocumentMargin(16)
        self._writer = BlockWriter(self.document())
        self._pages = Pager(self._writer, self.verticalScrollBar(), self)
        self._ticker = streaming_tail.RenderTicker(self._render_changed, self)
        self._follow_bottom = True
        self._rendering = False
        self._jumping = False
        self._column_margin = -1
        bar = self.verticalScrollBar()
        bar.valueChanged.connect(self._on_scroll_bar_value_changed)
        bar.rangeChanged.connect(self._on_scroll_bar_range_changed)
        self.anchorClicked.connect(self._on_self_anchor_clicked)
        self.highlighted.connect(self._on_self_highlighted)

    # -- what the persona controller sets ---------------------------------------------------------

    @property
    def memory_start(self) -> int | None:
        """The first message the model still remembers (a marker shows it)."""
        return self._writer.memory_start

    @memory_start.setter
    def memory_start(self, message_id: int | None) -> None:
        self._writer.memory_start = message_id

    @property
    def persona_names(self) -> dict[int, str]:
        """Persona id -> shown name, for dividers and details lines."""
        return self._writer.persona_names

    @persona_names.setter
    def persona_names(self, names: dict[int, str]) -> None:
        self._writer.persona_names = names

    @property
    def json_personas(self) -> set[int]:
        """Ids of the personas whose answers follow a JSON Schema: shown as formatted JSON with Copy."""
        return self._writer.json_personas

    @json_personas.setter
    def json_personas(self, ids: set[int]) -> None:
        self._writer.json_personas = ids

    @property
    def documents_of(self) -> Callable[[Message], sources.MessageDocuments]:
        """A message's attachments, or an answer's passages and notes (chips above, sources under)."""
        return self._writer.documents_of

    @documents_of.setter
    def documents_of(self, lookup: Callable[[Message], sources.MessageDocuments]) -> None:
        self._writer.documents_of = lookup

    @property
    def inside_personas(self) -> set[int]:
        """Ids of the personas that look inside every answer: their answers show their stored figures."""
        return self._writer.inside_personas

    @inside_personas.setter
    def inside_personas(self, ids: set[int]) -> None:
        self._writer.inside_personas = ids

    def set_inside_of(self, lookup: Callable[[Message], LookInside | None]) -> None:
        """How the view finds an answer's stored look-inside data."""
        self._writer.inside_of = lookup

    def set_memories_of(self, lookup: Callable[[Message], memory_marks.AnswerMemories]) -> None:
        """How the view finds an answer's memories (used, and saved after it)."""
        self._writer.memories_of = lookup

    # -- public ---------------------------------------------------------------------------------

    def show_conversation(
        self, messages: list[Message], versions: dict[int, Versions] | None = None, *, focus: int | None = None
    ) -> None:
        """Replaces what is shown with ``messages`` (a branch) and scrolls to the last one, or to ``focus``."""
        self._ticker.clear()
        self._follow_bottom = True
        shown = [message for message in messages if message.role != "system" or message.kind is not None]
        self._writer.versions = versions or {}
        index = next((i for i, m in enumerate(shown) if m.id == focus), None)
        self._jumping = True  # the bar moves while the document is rebuilt: no paging meanwhile
        try:
            self._clear_document()
            self._pages.reset(shown, index)
            self._place_cursor(None if index is None else shown[index].id)
        finally:
            self._jumping = False
        if index is None:
            self._scroll_to_bottom()
        else:
            self.scroll_to_message(shown[index].id)

    def add_message(self, message: Message) -> None:
        """Adds a message at the end of the conversation (a new turn's)."""
        if message.role == "system" and message.kind is None:
            return
        if self._pages.has_newer:
            # The end is not laid out (a search result is on screen): show the newest page first.
            self.show_conversation(self._pages.messages, self._writer.versions)
        self._pages.append(message)
        self._pages.lay_out([message])

    def scroll_to_message(self, message_id: int) -> None:
        """Scrolls so that the message is at the top of the view (a search result)."""
        shown = self._pages.shown.get(message_id)
        if shown is None:
            return
        layout = self.document().documentLayout()
        top = int(layout.frameBoundingRect(shown.frame).top())
        bar = self.verticalScrollBar()
        bar.setValue(top)
        self._follow_bottom = bar.value() >= bar.maximum() - _BOTTOM_SLACK

    def jump_to_start(self) -> None:
        """Shows the conversation's first message (Ctrl+Home), laying out the page there."""
        if self._pages.has_older:
            self._jump(0)
        self.verticalScrollBar().setValue(0)
        self._follow_bottom = not self._pages.has_newer and self.verticalScrollBar().maximum() == 0

    def jump_to_end(self) -> None:
        """Shows the conversation's last message (Ctrl+End), laying out the page there; new text is followed again."""
        if self._pages.has_newer:
            self._jump(None)
        self._scroll_to_bottom()

    def append_to_answer(self, message_id: int, text: str, reasoning: str = "") -> None:
        """Adds streamed ``text`` (and reasoning) to an answer; it appears with the next render tick."""
        shown = self._pages.shown.get(message_id)
        if shown is None:
            self._pages.update_unshown(message_id, text, reasoning)
            return
        shown.text += text
        shown.reasoning += reasoning
        self._ticker.mark(message_id)

    def finish_answer(self, message: Message) -> None:
        """Shows the settled answer: its final text and, when it did not complete, a mark saying why."""
        shown = self._pages.shown.get(message.id)
        if shown is None:
            self._pages.replace_unshown(message)
            return
        self._ticker.discard(message.id)
        if shown.text != message.content:  # continued: the tokens looked inside are not its tokens any more
            self._writer.looked_inside.pop(message.id, None)
        shown.message = message
        shown.text = message.content
        shown.reasoning = message.reasoning or ""
        self._render(shown)

    def set_thinking_open(self, message_id: int, open_: bool) -> None:
        """Opens or closes an answer's reasoning (what a click on its "Thinking" line does)."""
        shown = self._pages.shown.get(message_id)
        if shown is None:
            return
        if open_:
            self._writer.expanded.add(message_id)
        else:
            self._writer.expanded.discard(message_id)
        self._render(shown)

    def show_look_inside(self, message_id: int, data: LookInside | None) -> None:
        """Shows an answer token by token with its probabilities (``data``), or as written again (None)."""
        if data is None:
            self._writer.looked_inside.pop(message_id, None)
            self._writer.inside_hidden.add(message_id)  # hidden: not put back by itself
        else:
            self._writer.looked_inside[message_id] = data
            self._writer.inside_hidden.discard(message_id)
        shown = self._pages.shown.get(message_id)
        if shown is not None:
            self._render(shown)

    def branch_choices(self, message_id: int, index: int, thinking: bool = False) -> list[tuple[str, str]]:
        """What a click on an answer's token (with ``thinking``: its thinking's) offers: (label, the text or the
        thinking the new version starts with) each."""
        data = self._writer.looked_inside.get(message_id)
        if data is None:
            return []
        if not thinking:
            return inside_render.branch_choices(data, index) if index < len(data.tokens) else []
        shown = self._pages.shown.get(message_id)
        reasoning = shown.message.reasoning if shown is not None else None
        if not reasoning or index >= len(data.thinking):
            return []
        return inside_render.thinking_branch_choices(data, index, reasoning)

    def copy_message(self, message_id: int, *, markdown: bool = False) -> None:
        """Puts one message on the clipboard: as the reader sees it, or its Markdown source."""
        shown = self._pages.shown.get(message_id)
        if shown is None:
            return
        plain = markdown or shown.message.role == "user"
        self._copy(shown.text if plain else markdown_render.plain_text(shown.text))

    def message_markdown(self, message_id: int) -> str | None:
        """The Markdown source of a shown message (None when it is not shown)."""
        shown = self._pages.shown.get(message_id)
        return shown.text if shown is not None else None

    def last_answer_id(self) -> int | None:
        """The newest answer laid out, if any."""
        laid_out = self._pages.messages[self._pages.start : self._pages.end]
        answers = [m.id for m in laid_out if m.id in self._pages.shown and m.role == "assistant"]
        return answers[-1] if answers else None

    def shown_messages(self) -> list[ShownMessage]:
        """The laid-out messages, in reading order."""
        laid_out = self._pages.messages[self._pages.start : self._pages.end]
        return [self._pages.shown[m.id] for m in laid_out if m.id in self._pages.shown]

    def message_at(self, position: QtCore.QPoint) -> int | None:
        """The message under ``position`` (viewport coordinates), if any."""
        at = self.cursorForPosition(position).position()
        for message_id, shown in self._pages.shown.items():
            if shown.frame.firstPosition() <= at <= shown.frame.lastPosition():
                return message_id
        return None

    # -- rendering ------------------------------------------------------------------------------

    def _render(self, shown: ShownMessage) -> None:
        bar = self.verticalScrollBar()
        follow, old_value = self._follow_bottom, bar.value()
        self._rendering = True
        palette = self.palette()
        try:
            if streaming_tail.streams_in_tail(shown):
                streaming_tail.render_tail(self._writer, shown, palette)
            else:
                cursor = QtGui.QTextCursor(self.document())
                cursor.beginEditBlock()
                self._writer.write(shown, palette)
                cursor.endEditBlock()
                if shown.tail_offset >= 0:
                    streaming_tail.render_tail(self._writer, shown, palette)
        finally:
            self._rendering = False
        if self._pages.busy:
            return
        if follow:
            self._scroll_to_bottom()
        else:
            bar.setValue(old_value)
        self._follow_bottom = follow

    def _render_changed(self, message_ids: set[int]) -> None:
        """The render tick: the answers that got text since the last one."""
        for message_id in message_ids:
            shown = self._pages.shown.get(message_id)
            if shown is not None:
                self._render(shown)

    def _clear_document(self) -> None:
        self.document().clear()
        self._column_margin = -1
        self._fit_column()

    def _place_cursor(self, message_id: int | None) -> None:
        """Puts the (invisible) text cursor at a message's start (None: the end), where the view is:
        Qt scrolls to the cursor when the view is first shown, and the first laid out message may
        be far down the document."""
        cursor = QtGui.QTextCursor(self.document())
        shown = self._pages.shown.get(message_id) if message_id is not None else None
        if shown is None:
            cursor.movePosition(QtGui.QTextCursor.MoveOperation.End)
        else:
            cursor.setPosition(shown.frame.firstPosition())
        self.setTextCursor(cursor)

    def _jump(self, index: int | None) -> None:
        """Lays out the page around ``messages[index]`` (None: the last page) in place of the one shown."""
        self._jumping = True
        # The document is empty for a moment: a scroll bar hidden meanwhile would drop the user's drag.
        policy = self.verticalScrollBarPolicy()
        self.setVerticalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        try:
            self._pages.keep_streamed()
            self._clear_document()
            self._pages.reset(self._pages.messages, index, measure=False)
            messages = self._pages.messages
            self._place_cursor(None if index is None or not messages else messages[index].id)
        finally:
            self.setVerticalScrollBarPolicy(policy)
            self._jumping = False

    def _jump_to_value(self, value: int) -> None:
        """The scroll bar was moved (dragged) to ``value``, beyond the laid out page: the estimated
        message there is laid out, and shown as far into it as the bar is."""
        index, into = self._pages.index_at(value)
        self._jump(index)
        shown = self._pages.shown.get(self._pages.messages[index].id)
        bar = self.verticalScrollBar()
        if shown is None or value <= paging.MARGIN:
            target = value
        else:
            rect = self.document().documentLayout().frameBoundingRect(shown.frame)
            target = int(rect.top() + into * rect.height())
        self._jumping = True
        try:
            bar.setValue(target)
        finally:
            self._jumping = False
        self._follow_bottom = bar.value() >= bar.maximum() - _BOTTOM_SLACK and not self._pages.has_newer

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

    def _copy(self, text: str, *, message_id: int | None = None, href: str = "") -> None:
        """Puts ``text`` on the clipboard and says so to a screen reader; the Copy link clicked
        (``href`` in message ``message_id``) reads "Copied" for a moment."""
        QtGui.QGuiApplication.clipboard().setText(text)
        announce.announce(self, self.tr("Copied to the clipboard."))
        if message_id is not None:
            self._relabel_link(message_id, href, self.tr("Copied"), restore_after_ms=_COPIED_MS)
        self.text_copied.emit(text)

    def _relabel_link(self, message_id: int, href: str, label: str, *, restore_after_ms: int = 0) -> None:
        """Shows ``label`` as the text of the link to ``href`` (then, after ``restore_after_ms``, its own
        text again). Not in a streaming answer, whose tail is found by its offset in the frame."""
        shown = self._pages.shown.get(message_id)
        if shown is None or shown.message.status == "streaming":
            return
        cursor = message_links.find_link(self.document(), shown.frame, href)
        if cursor is None:
            return
        own = cursor.selectedText()
        self._rendering = True
        try:
            cursor.insertText(label, cursor.charFormat())
        finally:
            self._rendering = False
        if restore_after_ms:

            def restore() -> None:
                if self._pages.shown.get(message_id) is shown:  # still the same block on screen
                    self._relabel_link(message_id, href, own)

            QtCore.QTimer.singleShot(restore_after_ms, self, restore)

    def _copy_code_block(self, path: str) -> None:
        """``path`` is ``<message id>/<first block>+<index>``, as ``BlockWriter.insert_answer`` wrote it."""
        message_part, _, block_part = path.partition("/")
        shown = self._pages.shown.get(int(message_part)) if message_part.isdigit() else None
        parts = block_part.split("+")
        if shown is None or not all(part.isdigit() for part in parts):
            return
        index = sum(int(part) for part in parts)
        if index < len(shown.code_blocks):
            href = f"{markdown_render.COPY_SCHEME}:{path}"
            self._copy(shown.code_blocks[index], message_id=shown.message.id, href=href)

    # -- Qt overrides ---------------------------------------------------------------------------

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        follow = self._follow_bottom
        self._fit_column()
        if follow:
            self._scroll_to_bottom()

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:  # noqa: N802 - Qt's name
        key, modifiers = event.key(), event.modifiers()
        plain = modifiers & ~QtCore.Qt.KeyboardModifier.KeypadModifier in (
            QtCore.Qt.KeyboardModifier.NoModifier,
            QtCore.Qt.KeyboardModifier.ControlModifier,
        )
        if plain and key == QtCore.Qt.Key.Key_Home:
            self.jump_to_start()
        elif plain and key == QtCore.Qt.Key.Key_End:
            self.jump_to_end()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def loadResource(self, kind: int, name: QtCore.QUrl | str) -> object:  # noqa: N802 - Qt's name
        # Answers are model output: they never make the window read files or the network. The
        # renderer turns images into links, so this is only the second lock on the door.
        del kind, name
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

    @QtCore.Slot(int)
    def _on_scroll_bar_value_changed(self, value: int) -> None:
        if self._rendering or self._pages.busy or self._jumping:
            return
        pages, bar = self._pages, self.verticalScrollBar()
        self._follow_bottom = value >= bar.maximum() - _BOTTOM_SLACK and not pages.has_newer
        top, bottom, height = pages.content_top(), pages.content_bottom(), self.viewport().height()
        if (value + height < top and pages.has_older) or (value > bottom and pages.has_newer):
            self._jump_to_value(value)  # nothing laid out is in sight: a drag, or the bar's far end
        elif value <= top + _PAGE_EDGE and pages.has_older:
            pages.page_in_older()
        elif value + height >= bottom - _PAGE_EDGE and pages.has_newer:
            pages.page_in_newer()

    @QtCore.Slot(int, int)
    def _on_scroll_bar_range_changed(self, minimum: int, maximum: int) -> None:
        del minimum
        if self._follow_bottom and not self._rendering:
            self.verticalScrollBar().setValue(maximum)

    @QtCore.Slot(QtCore.QUrl)
    def _on_self_anchor_clicked(self, url: QtCore.QUrl) -> None:
        if url.scheme() == message_links.THINKING_SCHEME:
            message_id = message_links.parse_message_id(url.path())
            if message_id is not None:
                self.set_thinking_open(message_id, message_id not in self._writer.expanded)
        elif url.scheme() == message_links.ACTION_SCHEME:
            self._on_action(url.path())
        elif url.scheme() == sources.SOURCE_SCHEME:
            self._on_source(url.path())
        elif url.scheme() == memory_marks.MEMORY_SCHEME and (memory := memory_marks.parse(url.path())) is not None:
            self.memory_requested.emit(*memory)
        elif url.scheme() == markdown_render.COPY_SCHEME:
            self._copy_code_block(url.path())
        elif url.scheme() == inside_render.TOKEN_SCHEME:
            self._on_token(url.path())
        elif url.scheme() in ("http", "https", "mailto"):
            QtGui.QDesktopServices.openUrl(url)

    def _on_token(self, path: str) -> None:
        token = inside_render.parse_token(path)
        if token is None:
            return
        message_id, index, thinking = token
        choices = self.branch_choices(message_id, index, thinking)
        data = self._writer.looked_inside.get(message_id)
        tokens = (data.thinking if thinking else data.tokens) if data is not None else ()
        why = inside_render.branch_unavailable(tokens[index]) if index < len(tokens) else ""
        if not (choices or why):
            return
        menu = QtWidgets.QMenu(self)
        menu.setAccessibleName(QtCore.QCoreApplication.translate("ChatView", "Continue from this word"))
        if why:  # the branch is there, disabled, saying why
            menu.addAction(why).setEnabled(False)
        signal = self.thinking_branch_requested if thinking else self.branch_requested
        for label, prefix in choices:
            action = menu.addAction(label)
            action.triggered.connect(lambda _=False, p=prefix, m=message_id, s=signal: s.emit(m, p))
        menu.exec(self.viewport().mapToGlobal(self.cursorRect().bottomLeft()))
        menu.deleteLater()

    @QtCore.Slot(QtCore.QUrl)
    def _on_self_highlighted(self, url: QtCore.QUrl) -> None:
        """A token reached with Tab shows its tooltip, as hovering it does."""
        cursor = self.textCursor()
        if url.scheme() != inside_render.TOKEN_SCHEME or not cursor.hasSelection():
            return
        tooltip = cursor.charFormat().toolTip()
        if tooltip:
            QtWidgets.QToolTip.showText(self.viewport().mapToGlobal(self.cursorRect().bottomLeft()), tooltip, self)

    def _on_source(self, path: str) -> None:
        source = sources.parse_source(path)
        shown = self._pages.shown.get(source[0]) if source is not None else None
        if source is None or shown is None:
            return
        passages = self._writer.documents_of(shown.message).passages
        passage = next((p for p in passages if p.number == source[1]), None)
        if passage is not None:
            self.passage_requested.emit(source[0], passage)

    def _on_action(self, path: str) -> None:
        action = message_links.parse_action(path)
        if action is None:
            return
        verb, message_id = action
        if verb == "version":
            self.version_requested.emit(message_id)
        elif verb == "edit":
            self.edit_requested.emit(message_id)
        elif verb == "regenerate":
            self.regenerate_requested.emit(message_id)
        elif verb == "continue":
            self.continue_requested.emit(message_id)
        elif verb == "speak":
            self.speak_requested.emit(message_id)
        elif verb == "inside" and message_id in self._writer.looked_inside:
            self.show_look_inside(message_id, None)
        elif verb == "inside":
            self.look_inside_requested.emit(message_id)
        elif verb == "copy" and message_id in self._pages.shown:
            href = f"{message_links.ACTION_SCHEME}:{path}"
            self._copy(self._pages.shown[message_id].text, message_id=message_id, href=href)
            self.copied.emit(message_id)
