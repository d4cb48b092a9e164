"""Settings → Memory: what Parley remembers about the user, to search, edit, delete (one or all) and add
to, the switch that turns memory off, and which remote servers may be sent memories.

The list's changes are made at once (as the Data page's are); the switch and the servers are settings,
saved with the dialog (``apply``). A widget over the memory store the window hands it.
"""

from __future__ import annotations

import datetime
from dataclasses import replace

from PySide6 import QtCore, QtWidgets

from app.core.config.settings import Settings
from app.core.engine.remote.servers import RemoteServers
from app.core.errors import AppError
from app.core.memory.store import MemoryStore
from app.core.memory.types import Memory
from app.ui.common.i18n import error_text
from app.ui.common.narrow import WrappingCheckBox


class MemoryTab(QtWidgets.QWidget):
    """GUI thread only. A change the store refuses is said on the page (``error_label``)."""

    def __init__(
        self,
        memories: MemoryStore,
        settings: Settings,
        servers: RemoteServers | None = None,
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.memories = memories
        self._servers = servers
        self.enabled_check = WrappingCheckBox(self.tr("Remember facts about me across conversations"), self)
        self.enabled_check.setChecked(settings.memory_enabled)
        self.enabled_check.setAccessibleName(self.tr("Memory on"))
        note = QtWidgets.QLabel(
            self.tr(
                "Parley keeps short facts you state (\u201cI'm vegetarian\u201d) and adds them to later chats. "
                "Say \u201cremember that \u2026\u201d or \u201cforget that \u2026\u201d in a chat, or edit them here."
            ),
            self,
        )
        note.setWordWrap(True)
        note.setObjectName("mutedLabel")
        self.search_edit = QtWidgets.QLineEdit(self)
        self.search_edit.setPlaceholderText(self.tr("Search memories"))
        self.search_edit.setAccessibleName(self.tr("Search memories"))
        self.search_edit.setClearButtonEnabled(True)
        self.list = QtWidgets.QListWidget(self)
        self.list.setAccessibleName(self.tr("Memories"))
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.list.setSpacing(2)
        self.list.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.ExtendedSelection)
        self.empty_label = QtWidgets.QLabel(self.tr("Nothing remembered yet."), self)
        self.empty_label.setObjectName("mutedLabel")
        self.error_label = QtWidgets.QLabel(self)
        self.error_label.setObjectName("errorLabel")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.add_button = QtWidgets.QPushButton(self.tr("Add…"), self)
        self.edit_button = QtWidgets.QPushButton(self.tr("Edit…"), self)
        self.delete_button = QtWidgets.QPushButton(self.tr("Delete"), self)
        self.delete_all_button = QtWidgets.QPushButton(self.tr("Delete all…"), self)
        for button, name in (
            (self.add_button, self.tr("Add a memory")), (self.edit_button, self.tr("Edit the memory")),
            (self.delete_button, self.tr("Delete the chosen memories")),
            (self.delete_all_button, self.tr("Delete every memory")),
        ):  # fmt: skip
            button.setAccessibleName(name)
            button.setToolTip(name)
        buttons = QtWidgets.QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.delete_all_button)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.enabled_check)
        layout.addWidget(note)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)
        self.server_checks: dict[str, QtWidgets.QCheckBox] = {}
        for server in servers.servers() if servers is not None else []:
            check = WrappingCheckBox(self.tr("Send memories to %1").replace("%1", server.label), self)
            check.setChecked(server.send_memories)
            check.setToolTip(self.tr("Off: chats with this server's models get no memories"))
            self.server_checks[server.id] = check
            layout.addWidget(check)
        self.search_edit.textChanged.connect(self._on_search_edit_text_changed)
        self.list.itemSelectionChanged.connect(self._update_buttons)
        self.list.itemDoubleClicked.connect(self._on_edit_clicked)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.edit_button.clicked.connect(self._on_edit_clicked)
        self.delete_button.clicked.connect(self._on_delete_clicked)
        self.delete_all_button.clicked.connect(self._on_delete_all_clicked)
        self.refresh()

    # -- seams for tests ---------------------------------------------------------------------------

    def ask_text(self, title: str, text: str = "") -> str | None:
        """The memory's words, as the user types them; None when cancelled."""
        value, ok = QtWidgets.QInputDialog.getMultiLineText(
            self, title, self.tr("The fact, in a short sentence:"), text
        )
        return value.strip() if ok and value.strip() else None

    def confirm_delete_all(self, count: int) -> bool:
        answer = QtWidgets.QMessageBox.question(
            self, self.tr("Delete every memory?"),
            self.tr("All %1 memories will be deleted. This cannot be undone.").replace("%1", str(count)),
        )  # fmt: skip
        return answer == QtWidgets.QMessageBox.StandardButton.Yes

    # -- public ------------------------------------------------------------------------------------

    def refresh(self) -> None:
        try:
            shown = self.memories.listed(self.search_edit.text())
        except AppError as err:
            self._report(err)
            return
        self.list.clear()
        for memory in shown:
            item = QtWidgets.QListWidgetItem(self._label(memory))
            item.setData(QtCore.Qt.ItemDataRole.UserRole, memory.id)
            item.setToolTip(memory.text)
            self.list.addItem(item)
        self.empty_label.setVisible(not shown)
        self._update_buttons()

    def apply(self, values: Settings) -> Settings:
        """The dialog's values with this page's switch; the servers' choice is saved now."""
        if self._servers is not None:
            for server_id, check in self.server_checks.items():
                server = self._servers.get(server_id)
                if server is not None and server.send_memories != check.isChecked():
                    self._servers.allow_memories(server_id, check.isChecked())
        return replace(values, memory_enabled=self.enabled_check.isChecked())

    # -- private -----------------------------------------------------------------------------------

    def _report(self, error: AppError) -> None:
        self.error_label.setText(error_text(error))
        self.error_label.show()

    def _label(self, memory: Memory) -> str:
        when = datetime.datetime.fromtimestamp(memory.created_at).strftime("%Y-%m-%d")
        if memory.added_by_user:
            source = self.tr("added by you")
        elif memory.conversation_id is None:
            source = self.tr("from a conversation since deleted")
        else:
            source = self.tr("from a conversation")
        return f"{memory.text}\n{when} · {source}"

    def _chosen(self) -> list[int]:
        return [int(item.data(QtCore.Qt.ItemDataRole.UserRole)) for item in self.list.selectedItems()]

    @QtCore.Slot()
    def _update_buttons(self) -> None:
        chosen = len(self._chosen())
        self.edit_button.setEnabled(chosen == 1)
        self.delete_button.setEnabled(chosen > 0)
        self.delete_all_button.setEnabled(self.list.count() > 0 or bool(self.search_edit.text()))

    @QtCore.Slot(str)
    def _on_search_edit_text_changed(self, text: str) -> None:
        del text
        self.refresh()

    def _change(self, work: object) -> None:
        try:
            if callable(work):
                work()
        except AppError as err:
            self._report(err)
        self.refresh()

    @QtCore.Slot()
    def _on_add_clicked(self) -> None:
        text = self.ask_text(self.tr("Add a memory"))
        if text is not None:
            self._change(lambda: self.memories.add(text, added_by_user=True))

    @QtCore.Slot()
    def _on_edit_clicked(self) -> None:
        chosen = self._chosen()
        if len(chosen) != 1:
            return
        old = self.memories.get(chosen[0])
        text = self.ask_text(self.tr("Edit the memory"), old.text)
        if text is not None and text != old.text:
            self._change(lambda: self.memories.edit(old.id, text))

    @QtCore.Slot()
    def _on_delete_clicked(self) -> None:
        chosen = self._chosen()
        if chosen:
            self._change(lambda: self.memories.delete(chosen))

    @QtCore.Slot()
    def _on_delete_all_clicked(self) -> None:
        count = self.memories.count()
        if count and self.confirm_delete_all(count):
            self._change(self.memories.delete_all)
