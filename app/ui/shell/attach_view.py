"""Attached files on screen (paperclip, drop or paste to chips; a citation to its passage), and "Use my library".

The composer and drops on the chat name files; the documents controller reads them off the GUI
thread; a read file becomes a chip, a refused one's sentence goes to the window's error path (the
banner) and nothing else changes. The conversation reads each message's attachments and sources
from the store (``sources.documents_in``); a click on a source opens ``PassageDialog``. The header's
library switch shows the conversation's choice (``show_library_choice``) and stores the user's.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from app.core.documents.extract import SUPPORTED_SUFFIXES
from app.core.documents.types import Passage
from app.core.errors import AppError
from app.core.history.store import Store
from app.core.history.types import LibraryChoice
from app.ui.chat import sources
from app.ui.chat.attachments import DocumentDropFilter
from app.ui.chat.composer import Composer
from app.ui.chat.header import ChatHeader
from app.ui.chat.passage_dialog import PassageDialog
from app.ui.chat.view import ChatView
from app.ui.controllers.documents_controller import DocumentsController
from app.ui.shell.host import WindowHost


class AttachView(QtCore.QObject):
    """GUI thread only. ``dialog`` is the passage dialog on screen, if any."""

    def __init__(
        self,
        host: WindowHost,
        store: Store,
        documents: DocumentsController,
        *,
        chat_page: QtWidgets.QWidget,
        header: ChatHeader,
        chat_view: ChatView,
        composer: Composer,
        parent: QtCore.QObject,
    ) -> None:
        super().__init__(parent)
        self.host, self.store, self.documents = host, store, documents
        self.chat_view, self.composer = chat_view, composer
        self.dialog: PassageDialog | None = None
        composer.attach_suffixes = SUPPORTED_SUFFIXES
        # Files dropped on the conversation or the message box are attached (a .gguf is imported instead).
        self.drop_filter = DocumentDropFilter(self)
        for target in (chat_page, chat_view.viewport(), composer.edit.viewport()):
            target.setAcceptDrops(True)
            target.installEventFilter(self.drop_filter)
        chat_view.documents_of = sources.documents_in(store)
        self.drop_filter.files_dropped.connect(documents.attach)
        composer.attach_requested.connect(documents.attach)
        documents.attachment_read.connect(composer.add_attachment)
        documents.attachment_refused.connect(host.report_error)
        documents.reading_changed.connect(composer.set_reading)
        chat_view.passage_requested.connect(self._on_chat_view_passage_requested)
        self.library_switch = header.library_switch
        self.library_switch.choice_changed.connect(self._on_library_switch_choice_changed)
        documents.folders_changed.connect(self._on_documents_folders_changed)

    def show_library_choice(self, conversation_id: int) -> None:
        """The header shows the conversation's "Use my library" (off until the user turns it on)."""
        try:
            choice = self.store.library_choice(conversation_id)
        except AppError as err:
            self.host.report_error(err)
            return
        self.library_switch.set_choice(choice, [status.path for status in self.documents.folders()])

    @QtCore.Slot(object)
    def _on_library_switch_choice_changed(self, choice: LibraryChoice) -> None:
        conversation_id = self.host.conversation_id
        if conversation_id is None:
            return
        try:
            self.store.set_library_choice(conversation_id, choice)
        except AppError as err:
            self.host.report_error(err)

    @QtCore.Slot()
    def _on_documents_folders_changed(self) -> None:
        if self.host.conversation_id is not None:
            self.show_library_choice(self.host.conversation_id)

    @QtCore.Slot(int, object)
    def _on_chat_view_passage_requested(self, answer_id: int, passage: Passage) -> None:
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = PassageDialog(passage, sources.page_text(self.store, answer_id, passage), self.chat_view.window())
        self.dialog.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.finished.connect(self._on_dialog_finished)
        self.dialog.show()

    @QtCore.Slot()
    def _on_dialog_finished(self) -> None:
        self.dialog = None
