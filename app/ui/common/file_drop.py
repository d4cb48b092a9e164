"""One event filter for files dropped on widgets: it takes the drags whose files it wants and reports a drop."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6 import QtCore, QtGui

PickFiles = Callable[[QtCore.QMimeData], list[Path]]  # the files of a drag this filter takes; empty: not its


class FileDropFilter(QtCore.QObject):
    """Accepts drags carrying files that ``pick`` wants on the widgets it watches; ``files_dropped`` names them."""

    files_dropped = QtCore.Signal(object)  # list[Path]

    def __init__(self, pick: PickFiles, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._pick = pick

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:  # noqa: N802 - Qt's name
        del watched
        kind = event.type()
        if kind in (QtCore.QEvent.Type.DragEnter, QtCore.QEvent.Type.DragMove, QtCore.QEvent.Type.Drop):
            assert isinstance(event, QtGui.QDropEvent)
            files = self._pick(event.mimeData())
            if files:
                event.acceptProposedAction()
                if kind == QtCore.QEvent.Type.Drop:
                    self.files_dropped.emit(files)
                return True
        return False
