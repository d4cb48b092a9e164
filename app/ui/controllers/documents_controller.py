"""The window's side of documents: reading attached files off the GUI thread.

Each file the composer names is read on the window's ``BackgroundExecutor`` (``read``, the core's
``read_document``); what was read arrives as ``attachment_read`` and what was refused (scanned,
encrypted, empty, binary, too large, unreadable) as ``attachment_refused`` with its ``AppError``,
whose sentence the window shows. ``reading_changed`` says how many files are still being read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from PySide6 import QtCore

from app.core.documents.types import Document
from app.core.errors import AppError
from app.ui.common.background import BackgroundExecutor, BackgroundOp

log = logging.getLogger("app.ui.documents")

ReadDocument = Callable[[Path], Document]


class DocumentsController(QtCore.QObject):
    """GUI thread only; the reading itself runs on the executor's threads."""

    attachment_read = QtCore.Signal(object)  # Document
    attachment_refused = QtCore.Signal(object)  # AppError: its sentence says why the file was not attached
    reading_changed = QtCore.Signal(int)  # files still being read

    def __init__(self, executor: BackgroundExecutor, read: ReadDocument, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._executor = executor
        self._read = read
        self._reading: list[BackgroundOp[Document]] = []

    @property
    def reading(self) -> int:
        return len(self._reading)

    def attach(self, files: Sequence[Path]) -> None:
        """Reads each of ``files`` in the background; each ends as ``attachment_read`` or ``attachment_refused``."""
        for file in files:
            op: BackgroundOp[Document] = BackgroundOp(partial(self._read, file))
            op.on_success(self._on_read_success).on_failure(self._on_read_failure).on_end(partial(self._ended, op))
            self._reading.append(op)
            op.start(self._executor)
        self.reading_changed.emit(len(self._reading))

    def shutdown(self) -> None:
        for op in self._reading:
            op.cancel()
        self._reading.clear()

    def _ended(self, op: BackgroundOp[Document]) -> None:
        if op in self._reading:
            self._reading.remove(op)
        self.reading_changed.emit(len(self._reading))

    def _on_read_success(self, document: Document) -> None:
        self.attachment_read.emit(document)

    def _on_read_failure(self, error: AppError) -> None:
        log.info("a file was not attached: %s", error)
        self.attachment_refused.emit(error)
