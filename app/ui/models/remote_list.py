"""The Models page's list of remote servers' models: beside the installed ones, marked with the server.

Hidden while no server offers a model. A double-click uses the model in the open conversation,
as the installed models' table does.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from app.core.models.installed import ModelEntry
from app.core.models.registry import REMOTE_SEPARATOR
from app.ui.chat.model_picker import remote_icon


class RemoteModelsList(QtWidgets.QWidget):
    """GUI thread only."""

    entry_activated = QtCore.Signal(object)  # ModelEntry: double-clicked

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("remoteModels")
        self.title = QtWidgets.QLabel(self.tr("On remote servers (conversations with these leave this computer)"), self)
        self.title.setObjectName("mutedLabel")
        self.list = QtWidgets.QListWidget(self)
        self.list.setAccessibleName(self.tr("Models on remote servers"))
        self.list.setMaximumHeight(96)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.list)
        self._entries: list[ModelEntry] = []
        self.list.itemDoubleClicked.connect(self._on_list_item_double_clicked)
        self.hide()

    def set_entries(self, entries: list[ModelEntry]) -> None:
        self._entries = list(entries)
        self.list.clear()
        for entry in entries:
            model_id, _, server = entry.name.rpartition(REMOTE_SEPARATOR)
            text = self.tr("{model} — on {server} ({host})").format(
                model=model_id, server=server, host=entry.server_host
            )
            self.list.addItem(QtWidgets.QListWidgetItem(remote_icon(self), text))
        self.setVisible(bool(entries))

    @QtCore.Slot(QtWidgets.QListWidgetItem)
    def _on_list_item_double_clicked(self, item: QtWidgets.QListWidgetItem) -> None:
        row = self.list.row(item)
        if 0 <= row < len(self._entries):
            self.entry_activated.emit(self._entries[row])
