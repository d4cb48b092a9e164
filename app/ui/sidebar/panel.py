"""The sidebar: search, then the list of conversations (pinned first, then newest), with New,
rename, pin and delete.

Renaming asks for a title (``ask_new_title``, which tests replace). Deleting asks nothing: the
conversation leaves the list at once and a line with Undo stays for ``UNDO_MS``; the delete is
applied when that runs out or the window closes (``apply_pending_deletes``). At its foot, the
page buttons the window adds (``add_page_button``; ``page_tab`` is what a screen reader hears of them).
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from app.core.errors import AppError
from app.core.history.store import Store
from app.core.history.types import DEFAULT_TITLE
from app.core.session import records
from app.ui.sidebar import page_tab
from app.ui.sidebar.search import SearchBox

_ID_ROLE = QtCore.Qt.ItemDataRole.UserRole
UNDO_MS = 6000
PIN_MARK = "★ "


def display_title(title: str) -> str:
    """A conversation's title for the screen: the store's untitled placeholder is shown translated."""
    return QtCore.QCoreApplication.translate("Sidebar", "New conversation") if title == DEFAULT_TITLE else title


class Sidebar(QtWidgets.QFrame):
    """Shows and edits the store's conversations. GUI thread only."""

    conversation_selected = QtCore.Signal(int)
    new_conversation_requested = QtCore.Signal()
    conversation_renamed = QtCore.Signal(int)
    conversation_deleted = QtCore.Signal(int)
    error_reported = QtCore.Signal(object)  # AppError
    export_requested = QtCore.Signal(int, str)  # a conversation's id, "md" or "json"

    def __init__(self, store: Store, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        self._store = store

        self.new_button = QtWidgets.QPushButton(self.tr("New chat"), self)
        self.new_button.setObjectName("newChatButton")
        self.new_button.setToolTip(self.tr("Start a new conversation (Ctrl+N)"))
        # Beside it, a new conversation with another persona (the window fills its menu).
        self.persona_button = QtWidgets.QToolButton(self)
        self.persona_button.setObjectName("newChatPersonaButton")
        self.persona_button.setText("▾")  # a split button's arrow: the menu names the personas
        self.persona_button.setToolTip(self.tr("Start a new conversation with a persona"))
        self.persona_button.setAccessibleName(self.tr("Start a new conversation with a persona"))
        self.persona_button.setPopupMode(QtWidgets.QToolButton.ToolButtonPopupMode.InstantPopup)
        self.persona_button.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0px; }")
        self.list = QtWidgets.QListWidget(self)
        self.list.setObjectName("conversationList")
        self.list.setAccessibleName(self.tr("Conversations"))
        self.list.setTextElideMode(QtCore.Qt.TextElideMode.ElideRight)
        self.list.setContextMenuPolicy(QtCore.Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.rename_action = QtGui.QAction(self.tr("Rename…"), self)
        self.rename_action.setShortcut(QtGui.QKeySequence(QtCore.Qt.Key.Key_F2))
        self.rename_action.setShortcutContext(QtCore.Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.delete_action = QtGui.QAction(self.tr("Delete…"), self)
        self.delete_action.setShortcut(QtGui.QKeySequence(QtGui.QKeySequence.StandardKey.Delete))
        self.delete_action.setShortcutContext(QtCore.Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.pin_action = QtGui.QAction(self.tr("Pin to top"), self)
        self.export_markdown_action = QtGui.QAction(self.tr("Export as Markdown…"), self)
        self.export_json_action = QtGui.QAction(self.tr("Export as JSON…"), self)
        self.list.addAction(self.rename_action)
        self.list.addAction(self.delete_action)
        self.search = SearchBox(store, self)
        self.undo_bar = QtWidgets.QFrame(self)
        self.undo_bar.setObjectName("undoBar")
        self.undo_label = QtWidgets.QLabel(self.undo_bar)
        self.undo_label.setWordWrap(True)
        self.undo_button = QtWidgets.QPushButton(self.tr("Undo"), self.undo_bar)
        undo_layout = QtWidgets.QHBoxLayout(self.undo_bar)
        undo_layout.setContentsMargins(6, 4, 6, 4)
        undo_layout.addWidget(self.undo_label, 1)
        undo_layout.addWidget(self.undo_button)
        self.undo_bar.hide()
        self._pending_deletes: list[int] = []
        self._undo_timer = QtCore.QTimer(self)
        self._undo_timer.setSingleShot(True)
        self._undo_timer.setInterval(UNDO_MS)

        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(8, 10, 8, 8)
        layout.setSpacing(8)
        new_row = QtWidgets.QHBoxLayout()
        new_row.setSpacing(4)
        new_row.addWidget(self.new_button, 1)
        new_row.addWidget(self.persona_button)
        layout.addLayout(new_row)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.undo_bar)
        self.footer = QtWidgets.QVBoxLayout()  # the window's page buttons (add_page_button)
        self.footer.setSpacing(4)
        layout.addLayout(self.footer)

        self.new_button.clicked.connect(self._on_new_button_clicked)
        self.list.currentItemChanged.connect(self._on_list_current_item_changed)
        self.list.itemClicked.connect(self._on_list_item_clicked)
        self.list.customContextMenuRequested.connect(self._on_list_custom_context_menu_requested)
        self.rename_action.triggered.connect(self._on_rename_action_triggered)
        self.delete_action.triggered.connect(self._on_delete_action_triggered)
        self.pin_action.triggered.connect(self._on_pin_action_triggered)
        self.export_markdown_action.triggered.connect(lambda: self._request_export("md"))
        self.export_json_action.triggered.connect(lambda: self._request_export("json"))
        self.undo_button.clicked.connect(self._on_undo_button_clicked)
        self._undo_timer.timeout.connect(self._on_undo_timer_timeout)
        self.search.searching_changed.connect(self._on_search_searching_changed)
        self.search.dismissed.connect(self.list.setFocus)

    # -- seams: tests replace these -------------------------------------------------------------

    def ask_new_title(self, current: str) -> str | None:
        """Asks for a new title; None when the user cancels."""
        dialog = self.rename_dialog(current)
        try:
            accepted = dialog.exec() == QtWidgets.QDialog.DialogCode.Accepted
            return dialog.textValue() if accepted else None
        finally:
            dialog.deleteLater()

    def rename_dialog(self, current: str) -> QtWidgets.QInputDialog:
        """The question ``ask_new_title`` shows, wide enough that the window manager shows its whole title."""
        dialog = QtWidgets.QInputDialog(self)
        dialog.setObjectName("renameDialog")
        dialog.setWindowTitle(self.tr("Rename conversation"))
        dialog.setLabelText(self.tr("Title:"))
        dialog.setTextValue(current)
        # The title bar's buttons and margins take room the dialog's own layout knows nothing of.
        title_font = QtGui.QFont(dialog.font())
        title_font.setBold(True)  # title bars often are
        title_width = QtGui.QFontMetrics(title_font).horizontalAdvance(dialog.windowTitle())
        # The dialog's layout fixes its size from its contents: the text field is what can be made wider.
        edit = dialog.findChild(QtWidgets.QLineEdit)
        if edit is not None:
            edit.setMinimumWidth(max(340, title_width + 150))
        return dialog

    # -- public ---------------------------------------------------------------------------------

    def refresh(self, select_id: int | None = None) -> None:
        """Reloads the list from the store; keeps (or moves to ``select_id``) the selection, silently."""
        keep = select_id if select_id is not None else self.current_id()
        self.list.blockSignals(True)
        try:
            self.list.clear()
            for conversation in self._store.conversations():
                if conversation.id in self._pending_deletes:
                    continue
                title = display_title(conversation.title)
                item = QtWidgets.QListWidgetItem(PIN_MARK + title if conversation.pinned else title)
                item.setData(_ID_ROLE, conversation.id)
                item.setToolTip(title)
                self.list.addItem(item)
                if conversation.id == keep:
                    self.list.setCurrentItem(item)
        finally:
            self.list.blockSignals(False)

    def add_page_button(self, text: str, tooltip: str) -> QtWidgets.QPushButton:
        """A checkable button at the foot of the sidebar; the window says what it opens."""
        button = QtWidgets.QPushButton(text, self)
        button.setObjectName(page_tab.OBJECT_NAME)
        page_tab.install()  # a screen reader hears a page tab, not a check box
        button.setCheckable(True)
        button.setToolTip(tooltip)
        self.footer.addWidget(button)
        return button

    def add_status_widget(self, widget: QtWidgets.QWidget) -> None:
        """Puts ``widget`` (the downloads, say) below the list, above the page buttons."""
        layout = self.layout()
        assert isinstance(layout, QtWidgets.QBoxLayout)
        layout.insertWidget(layout.indexOf(self.footer), widget)

    def current_id(self) -> int | None:
        item = self.list.currentItem()
        return int(item.data(_ID_ROLE)) if item is not None else None

    def ids(self) -> list[int]:
        return [int(self.list.item(row).data(_ID_ROLE)) for row in range(self.list.count())]

    def titles(self) -> list[str]:
        return [self.list.item(row).text().removeprefix(PIN_MARK) for row in range(self.list.count())]

    def select(self, conversation_id: int) -> None:
        """Selects a conversation; emits conversation_selected when the selection changes."""
        for row in range(self.list.count()):
            if self.list.item(row).data(_ID_ROLE) == conversation_id:
                self.list.setCurrentRow(row)
                return

    def rename(self, conversation_id: int) -> None:
        try:
            current = self._store.conversation(conversation_id).title
            title = self.ask_new_title(current)
            if title is None or not title.strip() or title.strip() == current:
                return
            self._store.rename_conversation(conversation_id, title)
        except AppError as err:
            self.error_reported.emit(err)
            return
        self.refresh()
        self.conversation_renamed.emit(conversation_id)

    def toggle_pin(self, conversation_id: int) -> None:
        try:
            self._store.set_pinned(conversation_id, not self._store.conversation(conversation_id).pinned)
        except AppError as err:
            self.error_reported.emit(err)
            return
        self.refresh()

    def delete(self, conversation_id: int) -> None:
        """Takes the conversation off the list at once; it is deleted when Undo runs out (or at close)."""
        try:
            title = self._store.conversation(conversation_id).title
        except AppError as err:
            self.error_reported.emit(err)
            return
        self.apply_pending_deletes()  # one Undo at a time: an earlier delete is final now
        self._pending_deletes.append(conversation_id)
        self.search.hidden_ids.add(conversation_id)
        self.undo_label.setText(self.tr("Deleted “{title}”.").format(title=display_title(title)))
        self.undo_bar.show()
        self._undo_timer.start()
        row = self.ids().index(conversation_id) if conversation_id in self.ids() else 0
        self.refresh()
        self.list.blockSignals(True)
        self.list.setCurrentRow(min(row, self.list.count() - 1))
        self.list.blockSignals(False)
        self.conversation_deleted.emit(conversation_id)

    def undo_delete(self) -> int | None:
        """Brings back the conversation deleted last; returns its id."""
        self._undo_timer.stop()
        self.undo_bar.hide()
        if not self._pending_deletes:
            return None
        conversation_id = self._pending_deletes.pop()
        self.search.hidden_ids.discard(conversation_id)
        self.refresh(select_id=conversation_id)
        self.conversation_selected.emit(conversation_id)
        return conversation_id

    def apply_pending_deletes(self) -> None:
        """Deletes for good what is waiting for Undo to run out (the window calls this when it closes)."""
        self._undo_timer.stop()
        self.undo_bar.hide()
        while self._pending_deletes:
            conversation_id = self._pending_deletes.pop()
            try:
                records.delete_conversation(self._store, conversation_id)
            except AppError as err:
                self.error_reported.emit(err)

    def pending_deletes(self) -> list[int]:
        return list(self._pending_deletes)

    # -- slots ----------------------------------------------------------------------------------

    @QtCore.Slot()
    def _on_new_button_clicked(self) -> None:
        self.new_conversation_requested.emit()

    @QtCore.Slot(QtWidgets.QListWidgetItem, QtWidgets.QListWidgetItem)
    def _on_list_current_item_changed(
        self, current: QtWidgets.QListWidgetItem | None, previous: QtWidgets.QListWidgetItem | None
    ) -> None:
        del previous
        if current is not None:
            self.conversation_selected.emit(int(current.data(_ID_ROLE)))

    @QtCore.Slot(QtWidgets.QListWidgetItem)
    def _on_list_item_clicked(self, item: QtWidgets.QListWidgetItem) -> None:
        # A click on the conversation already selected still means "show it" (from another page).
        self.conversation_selected.emit(int(item.data(_ID_ROLE)))

    @QtCore.Slot(QtCore.QPoint)
    def _on_list_custom_context_menu_requested(self, position: QtCore.QPoint) -> None:
        if self.list.itemAt(position) is None:
            return
        menu = QtWidgets.QMenu(self)
        item = self.list.itemAt(position)
        pinned = item is not None and item.text().startswith(PIN_MARK)
        self.pin_action.setText(self.tr("Unpin") if pinned else self.tr("Pin to top"))
        menu.addAction(self.pin_action)
        menu.addAction(self.rename_action)
        menu.addAction(self.delete_action)
        menu.addSeparator()
        menu.addAction(self.export_markdown_action)
        menu.addAction(self.export_json_action)
        menu.exec(self.list.viewport().mapToGlobal(position))

    @QtCore.Slot()
    def _on_rename_action_triggered(self) -> None:
        current = self.current_id()
        if current is not None:
            self.rename(current)

    @QtCore.Slot()
    def _on_delete_action_triggered(self) -> None:
        current = self.current_id()
        if current is not None:
            self.delete(current)

    @QtCore.Slot()
    def _on_pin_action_triggered(self) -> None:
        current = self.current_id()
        if current is not None:
            self.toggle_pin(current)

    def _request_export(self, fmt: str) -> None:
        current = self.current_id()
        if current is not None:
            self.export_requested.emit(current, fmt)

    @QtCore.Slot()
    def _on_undo_button_clicked(self) -> None:
        self.undo_delete()

    @QtCore.Slot()
    def _on_undo_timer_timeout(self) -> None:
        self.apply_pending_deletes()

    @QtCore.Slot(bool)
    def _on_search_searching_changed(self, searching: bool) -> None:
        self.list.setVisible(not searching)
