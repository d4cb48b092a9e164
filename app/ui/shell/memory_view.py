"""Memory on screen: each answer's memory lines, the "Memory updated" dialog and Undo, the temporary chat
(its mark in the header, starting one, and deleting it once left), and the note when a remote server
gets no memories.

A temporary conversation is an ordinary one marked in ``temporary_conversations``: it is never listed,
reads and writes no memory, and is deleted when the window shows another conversation or the welcome
page, or closes; one a crash left behind is deleted at the next start.
"""

from __future__ import annotations

import logging

from PySide6 import QtCore, QtWidgets

from app.core.errors import AppError
from app.core.history.store import Store
from app.core.memory import keeping
from app.core.memory.store import MemoryStore
from app.core.session.records import Turn
from app.ui.chat import memory_marks
from app.ui.chat.header import ChatHeader
from app.ui.chat.view import ChatView
from app.ui.controllers.chat_controller import ChatController
from app.ui.shell.host import WindowHost

log = logging.getLogger("app.ui.memory")


class MemoryView(QtCore.QObject):
    """GUI thread only."""

    def __init__(
        self,
        host: WindowHost,
        store: Store,
        controller: ChatController,
        *,
        header: ChatHeader,
        chat_view: ChatView,
        parent: QtCore.QObject,
    ) -> None:
        super().__init__(parent)
        self.host, self.store, self.controller, self.chat_view = host, store, controller, chat_view
        self.memories: MemoryStore = controller.memory.memories
        chat_view.set_memories_of(memory_marks.memories_in(self.memories))
        controller.memory_updated.connect(self._on_controller_memory_updated)
        controller.turn_started.connect(self._on_controller_turn_started)
        self._told_withheld: set[int] = set()  # conversations told that their server gets no memories
        chat_view.memory_requested.connect(self._on_chat_view_memory_requested)
        self.temporary_label = QtWidgets.QLabel(self.tr("Temporary chat"), header)
        self.temporary_label.setObjectName("temporaryMark")
        self.temporary_label.setToolTip(
            self.tr("Temporary chat: not kept in the history, and it neither uses nor changes your memories")
        )
        self.temporary_label.setStyleSheet(
            "QLabel#temporaryMark { border: 1px dashed palette(mid); padding: 2px 6px; }"
        )
        self.temporary_label.hide()
        header.title_row.insertWidget(1, self.temporary_label)  # beside the title
        try:
            dropped = self.memories.drop_temporary()
        except AppError as err:
            log.warning("temporary chats left by a crash could not be deleted: %s", err)
        else:
            if dropped:
                log.info("deleted %d temporary chats left from before", dropped)

    # -- temporary chats -------------------------------------------------------------------------

    def new_temporary(self) -> int | None:
        """Opens a new temporary chat; returns its id."""
        try:
            conversation_id = self.store.create_conversation().id
            self.memories.mark_temporary(conversation_id)
        except AppError as err:
            self.host.report_error(err)
            return None
        self.host.show_conversation(conversation_id)  # the window shows the mark (``show_for``)
        return conversation_id

    def is_temporary(self, conversation_id: int) -> bool:
        return self.memories.is_temporary(conversation_id)

    def show_for(self, conversation_id: int | None) -> None:
        """The header's mark for the conversation now on screen (None: none)."""
        try:
            temporary = conversation_id is not None and self.memories.is_temporary(conversation_id)
        except AppError:
            temporary = False
        self.temporary_label.setVisible(temporary)

    def leave(self, conversation_id: int | None) -> None:
        """The window leaves ``conversation_id``: a temporary one is deleted (unless it is still answering)."""
        if conversation_id is None or self.controller.active_conversation_id == conversation_id:
            return
        try:
            if self.memories.is_temporary(conversation_id):
                self.store.delete_conversation(conversation_id)
        except AppError as err:
            log.warning("a temporary chat could not be deleted: %s", err)

    # -- remote servers --------------------------------------------------------------------------

    @QtCore.Slot(object)
    def _on_controller_turn_started(self, turn: Turn) -> None:
        """Once per conversation: a remote server the user did not allow memories gets none, and the window says so."""
        memory = self.controller.memory
        if turn.conversation_id in self._told_withheld or memory.allowed_for_spec(turn.request.model):
            return
        try:
            if not memory.in_use(self.store.conversation(turn.conversation_id)) or not self.memories.count():
                return
        except AppError:
            return
        self._told_withheld.add(turn.conversation_id)
        self.controller.notice_reported.emit(
            self.tr("Your memories are not sent to this server. Settings → Memory can allow it.")
        )

    # -- "Memory updated" ------------------------------------------------------------------------

    @QtCore.Slot(int)
    def _on_controller_memory_updated(self, answer_id: int) -> None:
        self._show_again(answer_id)

    def _show_again(self, answer_id: int) -> None:
        try:
            message = self.store.message(answer_id)
        except (LookupError, AppError):
            return
        if message.conversation_id == self.host.conversation_id:
            self.chat_view.finish_answer(message)

    @QtCore.Slot(str, int)
    def _on_chat_view_memory_requested(self, verb: str, answer_id: int) -> None:
        try:
            if verb == "undo":
                keeping.undo(self.memories, keeping.saved_change(self.memories, answer_id))
                self._show_again(answer_id)
                return
            message = self.store.message(answer_id)
        except (LookupError, AppError) as err:
            if isinstance(err, AppError):
                self.host.report_error(err)
            return
        found = memory_marks.memories_in(self.memories)(message)
        self.show_saved(memory_marks.summary(found))

    def show_saved(self, text: str) -> None:
        """What the "Memory updated" line opens (a seam for tests)."""
        QtWidgets.QMessageBox.information(self.chat_view.window(), self.tr("Memory updated"), text)
