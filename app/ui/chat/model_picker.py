"""The model picker in the chat header: the installed models, the remote servers' models, and "Open a GGUF file…".

A remote model shows a network icon and its server's host, so a conversation that leaves the
computer is never a guess.

Picking a file goes through ``choose_gguf_file``, a method tests replace; the picker only reports
the path, and the window decides what to do with it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from app.core.models.installed import ModelEntry
from app.core.models.library import human_size
from app.core.models.registry import REMOTE_SEPARATOR
from app.ui.common.i18n import model_label

_OPEN_FILE = "\x00open"  # the item data of the "Open a GGUF file…" entry; no path looks like it
_PATH_ROLE = QtCore.Qt.ItemDataRole.UserRole


def remote_icon(widget: QtWidgets.QWidget) -> QtGui.QIcon:
    """The mark of a model on another computer."""
    return widget.style().standardIcon(QtWidgets.QStyle.StandardPixmap.SP_DriveNetIcon)


def remote_text(entry: ModelEntry) -> str:
    """A remote model as the picker shows it: its id and its server's host."""
    return f"{entry.name.rpartition(REMOTE_SEPARATOR)[0]} — {entry.server_host}"


class ModelPicker(QtWidgets.QComboBox):
    """A combo box of models. Emits the user's choice; never changes settings itself."""

    model_chosen = QtCore.Signal(object)  # ModelEntry
    file_opened = QtCore.Signal(object)  # Path of a .gguf file the user picked

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modelPicker")
        self.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.setToolTip(self.tr("The model that answers in this conversation"))
        self._entries: list[ModelEntry] = []
        self._shown = -1  # the index of the model in use, to go back to when opening a file is cancelled
        self.activated.connect(self._on_self_activated)

    # -- seam: tests replace this ---------------------------------------------------------------

    def choose_gguf_file(self) -> Path | None:
        """Asks for a .gguf file; None when the user cancels."""
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            self, self.tr("Open a GGUF model file"), str(Path.home()), self.tr("GGUF models (*.gguf)")
        )
        return Path(path) if path else None

    # -- public ---------------------------------------------------------------------------------

    def set_models(self, entries: list[ModelEntry], current: ModelEntry | None) -> None:
        """Shows ``entries`` with ``current`` selected; emits nothing."""
        self._entries = list(entries)
        self.blockSignals(True)
        try:
            self.clear()
            for entry in entries:
                if entry.source == "remote":
                    self.addItem(remote_icon(self), remote_text(entry), str(entry.path))
                    tip = self.tr("On {host}: this conversation leaves this computer").format(host=entry.server_host)
                else:
                    self.addItem(model_label(entry.name), str(entry.path))
                    tip = f"{entry.path}\n{human_size(entry.size_bytes)}"
                self.setItemData(self.count() - 1, tip, QtCore.Qt.ItemDataRole.ToolTipRole)
            self.insertSeparator(self.count())
            self.addItem(self.tr("Open a GGUF file…"), _OPEN_FILE)
            self._select(current)
        finally:
            self.blockSignals(False)

    def current_entry(self) -> ModelEntry | None:
        index = self.currentIndex()
        return self._entries[index] if 0 <= index < len(self._entries) else None

    def entries(self) -> list[ModelEntry]:
        return list(self._entries)

    def open_file_index(self) -> int:
        return self.findData(_OPEN_FILE, _PATH_ROLE)

    # -- internals ------------------------------------------------------------------------------

    def _select(self, entry: ModelEntry | None) -> None:
        index = self.findData(str(entry.path), _PATH_ROLE) if entry is not None else -1
        self.setCurrentIndex(index if index >= 0 else (0 if self._entries else -1))
        self._shown = self.currentIndex()

    @QtCore.Slot(int)
    def _on_self_activated(self, index: int) -> None:
        if self.itemData(index, _PATH_ROLE) == _OPEN_FILE:
            # Until the file is accepted, the picker keeps showing the model in use.
            self.blockSignals(True)
            self.setCurrentIndex(self._shown)
            self.blockSignals(False)
            path = self.choose_gguf_file()
            if path is not None:
                self.file_opened.emit(path)
            return
        if 0 <= index < len(self._entries):
            self.setCurrentIndex(index)
            self._shown = index
            self.model_chosen.emit(self._entries[index])


class LoadingIndicator(QtWidgets.QWidget):
    """ "Loading <model>…" and a busy bar, shown in the chat header while a chosen model loads."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("loadingIndicator")
        self.label = QtWidgets.QLabel(self)
        self.label.setObjectName("mutedLabel")
        self.bar = QtWidgets.QProgressBar(self)
        self.bar.setRange(0, 0)  # indeterminate: llama.cpp does not say how far a load has got
        self.bar.setTextVisible(False)
        self.bar.setFixedWidth(96)
        self.bar.setFixedHeight(8)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 8, 0)
        layout.setSpacing(8)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        self.hide()

    def start(self, model_name: str) -> None:
        self.label.setText(self.tr("Loading {model}…").format(model=model_name))
        self.show()

    def stop(self) -> None:
        self.hide()
