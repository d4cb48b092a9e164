"""The main window's keyboard shortcuts and menus: what each key of ``app.ui.shell.shortcuts`` does in the window.

Every key of the table is bound here (Ctrl+F and Ctrl+K both search). A new feature's shortcut is
one more ``bind`` line here, and the Help → Keyboard shortcuts dialog lists it from then on.
The Help menu also holds About Parley (``app.ui.shell.about``).
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from app.ui.chat.composer import Composer
from app.ui.chat.header import ChatHeader
from app.ui.chat.page import ChatPage
from app.ui.chat.view import ChatView
from app.ui.controllers.chat_controller import ChatController
from app.ui.shell import shortcuts
from app.ui.shell.about import AboutDialog, about_facts
from app.ui.shell.host import WindowHost
from app.ui.shell.status_line import StatusLine
from app.ui.sidebar.panel import Sidebar


class WindowActions(QtCore.QObject):
    """Owns the window's shortcut actions and its menu bar. GUI thread only."""

    def __init__(
        self,
        window: QtWidgets.QMainWindow,
        host: WindowHost,
        controller: ChatController,
        *,
        sidebar: Sidebar,
        header: ChatHeader,
        chat_page: ChatPage,
        chat_view: ChatView,
        composer: Composer,
        status: StatusLine,
    ) -> None:
        super().__init__(window)
        self._window, self._host, self._status = window, host, status
        self._sidebar, self._header, self._chat_page, self._chat_view = sidebar, header, chat_page, chat_view
        bind = shortcuts.bind
        self.new_action = bind(window, "new_chat", host.new_conversation)
        self.temporary_action = bind(window, "new_temporary_chat", host.new_temporary_conversation)
        self.settings_action = bind(window, "settings", host.open_settings)
        self.settings_action.setMenuRole(QtGui.QAction.MenuRole.PreferencesRole)
        self.stop_action = bind(window, "stop", lambda: controller.stop())
        self.focus_input_action = bind(window, "focus_input", composer.focus_edit)
        self.copy_answer_action = bind(window, "copy_last_answer", self.copy_last_answer)
        self.previous_action = bind(window, "previous_conversation", lambda: self.step_conversation(-1))
        self.next_action = bind(window, "next_conversation", lambda: self.step_conversation(1))
        self.switch_model_action = bind(window, "switch_model", self.open_model_picker)
        self.shortcuts_action = bind(window, "shortcuts_help", self.show_shortcuts)
        self.search_action = bind(window, "search", sidebar.search.focus)
        self.search_action.setShortcuts([self.search_action.shortcut(), QtGui.QKeySequence("Ctrl+K")])
        self.regenerate_action = bind(window, "regenerate", self.regenerate_last_answer)
        chat_menu = window.menuBar().addMenu(self.tr("&Chat"))
        for action in (
            self.new_action,
            self.temporary_action,
            self.search_action,
            self.copy_answer_action,
            self.regenerate_action,
            self.stop_action,
            self.switch_model_action,
        ):
            chat_menu.addAction(action)
        chat_menu.addSeparator()
        chat_menu.addAction(self.settings_action)
        help_menu = window.menuBar().addMenu(self.tr("&Help"))
        help_menu.addAction(self.shortcuts_action)
        self.about_action = QtGui.QAction(self.tr("&About Parley"), window)
        self.about_action.setObjectName("aboutAction")
        self.about_action.setMenuRole(QtGui.QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(lambda _checked=False: self.show_about())
        help_menu.addSeparator()
        help_menu.addAction(self.about_action)

    def copy_last_answer(self) -> None:
        """Puts the open conversation's last answer on the clipboard, as the reader sees it."""
        answer = self._chat_view.last_answer_id()
        if answer is not None:
            self._chat_view.copy_message(answer)
            self._status.write(self.tr("The last answer is on the clipboard."))

    def regenerate_last_answer(self) -> None:
        """Writes the open conversation's last answer again, as a new version beside it (Ctrl+Shift+R)."""
        answer = self._chat_view.last_answer_id()
        if answer is not None:
            self._chat_view.regenerate_requested.emit(answer)

    def step_conversation(self, step: int) -> None:
        """Opens the conversation ``step`` places below (1) or above (-1) the open one in the sidebar."""
        ids = self._sidebar.ids()
        if not ids:
            return
        current = self._host.conversation_id
        here = ids.index(current) if current in ids else -1
        target = ids[max(0, min(len(ids) - 1, here + step))] if here >= 0 else ids[0]
        if target != current:
            self._sidebar.select(target)
        self._host.show_page(self._chat_page)

    def open_model_picker(self) -> None:
        """Opens the header's model list (Ctrl+Shift+M) while a conversation shows."""
        picker = self._header.model_picker
        if self._header.isVisible() and picker.isEnabled():
            self._host.show_page(self._chat_page)
            picker.setFocus(QtCore.Qt.FocusReason.ShortcutFocusReason)
            picker.showPopup()

    def show_shortcuts(self) -> None:
        """Help → Keyboard shortcuts."""
        dialog = shortcuts.ShortcutsDialog(shortcuts.bound(self._window), self._window)
        try:
            self.run_dialog(dialog)
        finally:
            dialog.deleteLater()

    def show_about(self) -> None:
        """Help → About Parley: the version, what it runs on, the data folder."""
        dialog = AboutDialog(about_facts(), self._window)
        try:
            self.run_dialog(dialog)
        finally:
            dialog.deleteLater()

    def run_dialog(self, dialog: QtWidgets.QDialog) -> None:
        """Shows a modal dialog until it is closed. A seam: tests replace it."""
        dialog.exec()
