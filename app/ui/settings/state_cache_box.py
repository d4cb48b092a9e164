"""Settings → Data: the saved conversation states (the KV-state cache), their size, and "Clear".

The states are a cache: clearing them loses nothing but the time to read each conversation
again the next time it is opened. The engine stops using a state whose file is gone, so a clear
takes effect at once, memory included (``app.core.engine.kv_state``).
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtWidgets

from app.core import paths
from app.core.engine import kv_state
from app.core.models.library import human_size


class StateCacheBox(QtWidgets.QWidget):
    """Shows what the saved states take and clears them. GUI thread only."""

    cleared = QtCore.Signal(int)  # the bytes freed

    def __init__(self, folder: Path | None = None, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._folder = folder or paths.states_dir()
        title = QtWidgets.QLabel(self.tr("Saved conversation states"), self)
        title.setObjectName("sectionTitle")
        self.size_label = QtWidgets.QLabel(self)
        self.size_label.setObjectName("mutedLabel")
        self.size_label.setWordWrap(True)
        self.clear_button = QtWidgets.QPushButton(self.tr("Clear"), self)
        self.clear_button.setToolTip(self.tr("Long conversations then take longer to reopen, once"))
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.size_label, 1)
        row.addWidget(self.clear_button)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addLayout(row)
        self.clear_button.clicked.connect(self._on_clear_button_clicked)
        self.refresh()

    def refresh(self) -> None:
        used = kv_state.folder_bytes(self._folder) if self._folder.is_dir() else 0
        self.size_label.setText(
            self.tr("{size} on disk, so that long conversations reopen without reading them again.").format(
                size=human_size(used)
            )
        )
        self.clear_button.setEnabled(used > 0)

    def _on_clear_button_clicked(self) -> None:
        freed = kv_state.clear(self._folder) if self._folder.is_dir() else 0
        self.refresh()
        self.cleared.emit(freed)
