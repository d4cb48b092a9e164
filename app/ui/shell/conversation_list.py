"""The window's side of the conversation list: choosing, renaming, deleting and exporting from the sidebar,
search results, imported and restored histories, and the version arrows (‹ ›) of a message.
"""

from __future__ import annotations

from PySide6 import QtCore

from app.core.errors import AppError
from app.core.history.store import Store
from app.ui.chat.header import ChatHeader
from app.ui.chat.page import ChatPage
from app.ui.chat.view import ChatView
from app.ui.common.banner import Banner
from app.ui.controllers.backup_controller import BackupController
from app.ui.controllers.chat_controller import ChatController
from app.ui.controllers.exchange_controller import ExchangeController
from app.ui.shell.host import WindowHost
from app.ui.sidebar.panel import Sidebar, display_title


class ConversationList(QtCore.QObject):
    """GUI thread only. Owned by the window."""

    def __init__(
        self,
        host: WindowHost,
        store: Store,
        controller: ChatController,
        history: BackupController,
        exchange: ExchangeController,
        *,
        sidebar: Sidebar,
        header: ChatHeader,
        chat_page: ChatPage,
        chat_view: ChatView,
        banner: Banner,
        parent: QtCore.QObject,
    ) -> None:
        super().__init__(parent)
        self.host, self.store, self.controller, self.exchange = host, store, controller, exchange
        self.sidebar, self.header, self.chat_page, self.banner = sidebar, header, chat_page, banner
        sidebar.conversation_selected.connect(self._on_sidebar_conversation_selected)
        sidebar.new_conversation_requested.connect(self._on_sidebar_new_conversation_requested)
        sidebar.conversation_renamed.connect(self._on_sidebar_conversation_renamed)
        sidebar.conversation_deleted.connect(self._on_sidebar_conversation_deleted)
        sidebar.export_requested.connect(self._on_sidebar_export_requested)
        sidebar.search.result_opened.connect(self._on_search_result_opened)
        exchange.history_imported.connect(self._on_exchange_history_imported)
        history.history_replaced.connect(self._on_history_history_replaced)
        controller.conversations_changed.connect(self._on_controller_conversations_changed)
        chat_view.version_requested.connect(self._on_chat_view_version_requested)

    def _show_title(self) -> None:
        conversation = self.host.current_conversation()
        if conversation is not None:
            self.header.title_label.setText(display_title(conversation.title))

    @QtCore.Slot(int)
    def _on_sidebar_conversation_selected(self, conversation_id: int) -> None:
        if conversation_id != self.host.conversation_id:
            # From the keyboard in the list, focus stays there, so F2 and Del act on the conversation.
            self.host.show_conversation(conversation_id, focus_composer=not self.sidebar.list.hasFocus())
        self.host.show_page(self.chat_page)

    @QtCore.Slot()
    def _on_sidebar_new_conversation_requested(self) -> None:
        self.host.new_conversation()

    @QtCore.Slot(int)
    def _on_sidebar_conversation_renamed(self, conversation_id: int) -> None:
        if conversation_id == self.host.conversation_id:
            self._show_title()

    @QtCore.Slot(int)
    def _on_sidebar_conversation_deleted(self, conversation_id: int) -> None:
        if self.controller.active_conversation_id == conversation_id:
            self.controller.stop()
        if conversation_id != self.host.conversation_id:
            return
        following = self.sidebar.current_id()
        if following is None:
            self.host.show_welcome()
        else:
            self.host.show_conversation(following)

    @QtCore.Slot(int, str)
    def _on_sidebar_export_requested(self, conversation_id: int, fmt: str) -> None:
        try:
            notice = self.exchange.export_conversation(conversation_id, "md" if fmt == "md" else "json")
        except AppError as err:
            self.host.report_error(err)
            return
        if notice is not None:
            self.banner.show_notice(notice)

    @QtCore.Slot(int, int)
    def _on_search_result_opened(self, conversation_id: int, message_id: int) -> None:
        try:
            if message_id >= 0:
                self.store.show_message(message_id)  # a result in another version is put on screen
        except AppError as err:
            self.host.report_error(err)
            return
        self.host.show_conversation(conversation_id, focus=message_id if message_id >= 0 else None)
        self.host.show_page(self.chat_page)

    @QtCore.Slot(object)
    def _on_exchange_history_imported(self, report: object) -> None:
        del report
        if self.host.conversation_id is None:
            self.host.reload()  # the welcome panel gives way to the imported conversations
        else:
            self.sidebar.refresh()

    @QtCore.Slot()
    def _on_history_history_replaced(self) -> None:
        """Restored or recovered: the conversations are read again; the open one stays open if it is there."""
        current = self.host.conversation_id
        self.sidebar.refresh(select_id=current)
        if current is not None and current in self.sidebar.ids():
            self.host.show_conversation(current)
        else:
            self.host.reload()

    @QtCore.Slot()
    def _on_controller_conversations_changed(self) -> None:
        self.sidebar.refresh()
        self._show_title()

    @QtCore.Slot(int)
    def _on_chat_view_version_requested(self, message_id: int) -> None:
        conversation_id = self.host.conversation_id
        if self.controller.is_busy or conversation_id is None:
            return
        try:
            self.store.choose(message_id)
        except AppError as err:
            self.host.report_error(err)
            return
        self.host.show_conversation(conversation_id, focus=message_id)
