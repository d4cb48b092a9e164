"""The window's side of documents: reading attached files, and the library's folders and their indexing.

Each file the composer names is read on the window's ``BackgroundExecutor`` (``read``, the core's
``read_document``); what was read arrives as ``attachment_read`` and what was refused (scanned,
encrypted, empty, binary, too large, unreadable) as ``attachment_refused`` with its ``AppError``,
whose sentence the window shows. ``reading_changed`` says how many files are still being read.

The controller owns the ``Library`` and runs its ``Indexer`` on the executor's long lane, one run at
a time (a change while it runs asks for another run after it). ``set_answering`` pauses indexing
while an answer is being written, so the model has the computer; progress arrives as
``index_progressed`` on the GUI thread. A file changed, added or removed in a folder starts another
run by itself (``FolderWatch``), as do Parley's start and "Index again". The embedder (the Settings choice, shared
with the chat's turns) is asked for on the worker at each run, and closed at shutdown.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from PySide6 import QtCore

from app.core.documents.indexer import Indexer, IndexProgress
from app.core.documents.library import FolderStatus, Library
from app.core.documents.types import Document
from app.core.engine.embedding import ChosenEmbedder
from app.core.errors import AppError
from app.core.models.installed import ModelEntry
from app.ui.common.background import BackgroundExecutor, BackgroundOp
from app.ui.controllers.folder_watch import FolderWatch

log = logging.getLogger("app.ui.documents")

ReadDocument = Callable[[Path], Document]


class DocumentsController(QtCore.QObject):
    """GUI thread only; the reading itself runs on the executor's threads."""

    attachment_read = QtCore.Signal(object)  # Document
    attachment_refused = QtCore.Signal(object)  # AppError: its sentence says why the file was not attached
    reading_changed = QtCore.Signal(int)  # files still being read
    folders_changed = QtCore.Signal()  # a folder was added or removed, or an indexing run ended
    index_progressed = QtCore.Signal(object)  # IndexProgress
    indexing_changed = QtCore.Signal(bool)  # a run started (True) or ended
    paused_changed = QtCore.Signal(bool)  # indexing waits while an answer is written
    error_reported = QtCore.Signal(object)  # AppError of a library change or run
    embedders_found = QtCore.Signal(object)  # list[ModelEntry]: the installed models that embed

    def __init__(
        self,
        executor: BackgroundExecutor,
        read: ReadDocument,
        parent: QtCore.QObject | None = None,
        *,
        library: Library | None = None,
        embedder: ChosenEmbedder | None = None,
        embedding_model: Callable[[], str | None] = lambda: None,
        embedders: Callable[[], list[ModelEntry]] = list,
    ) -> None:
        super().__init__(parent)
        self._executor = executor
        self._read = read
        self._reading: list[BackgroundOp[Document]] = []
        self.library = library
        self._embedder = embedder  # shared with the chat's turns; this controller closes it at the end
        self._embedding_model = embedding_model
        self._find_embedders = embedders  # the installed embedding models (reads GGUF headers: a worker's job)
        self._run: BackgroundOp[None] | None = None
        self._again = False  # a change came while a run was going: run once more after it
        self._pause = threading.Event()
        self._cancel = threading.Event()
        self.last_progress: IndexProgress | None = None
        self.watch = FolderWatch(executor, self)  # a change on disk indexes again, after a quiet moment
        self.watch.changed.connect(self.index)

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

    def find_embedders(self) -> None:
        """Looks for the installed embedding models off the GUI thread (their headers are read);
        ``embedders_found`` names them."""
        op: BackgroundOp[list[ModelEntry]] = BackgroundOp(self._find_embedders)
        op.on_success(self.embedders_found.emit).start(self._executor)

    # -- the library ----------------------------------------------------------------------------

    def embedding_model(self) -> str | None:
        """The embedding model the settings choose now (None: words only)."""
        return self._embedding_model()

    @property
    def indexing(self) -> bool:
        return self._run is not None

    @property
    def paused(self) -> bool:
        return self._pause.is_set()

    def folders(self) -> list[FolderStatus]:
        """Each library folder's counts and state (a quick read of the library's own file)."""
        if self.library is None:
            return []
        try:
            return self.library.folders(self._embedding_model())
        except AppError as err:
            self.error_reported.emit(err)
            return []

    def add_folder(self, folder: str) -> None:
        """Adds ``folder`` and indexes it in the background."""
        self._change(lambda library: library.add_folder(folder))

    def remove_folder(self, folder: str) -> None:
        """Removes ``folder`` with its chunks and vectors; a run on it stops first."""
        self._change(lambda library: library.remove_folder(folder), stop=True)

    def reindex(self, folder: str | None = None) -> None:
        """Reads every file of ``folder`` (None: of every folder) again."""
        self._change(lambda library: library.mark_for_reindex(folder), stop=True)

    def index(self) -> None:
        """Brings every folder up to date in the background (files changed, added or gone)."""
        if self.library is None:
            return
        if self._run is not None:
            self._again = True
            return
        library = self.library
        self._cancel = threading.Event()
        cancel = self._cancel

        def run() -> None:
            embedder = self._embedder() if self._embedder is not None else None
            Indexer(library, embedder=embedder).run(progress=op.report, pause=self._pause, cancel=cancel)

        op: BackgroundOp[None] = BackgroundOp(run).long_running()
        op.with_progress(self._on_run_progress).on_failure(self.error_reported.emit).on_end(self._on_run_ended)
        self._run = op
        self.indexing_changed.emit(True)
        op.start(self._executor)

    def set_answering(self, answering: bool) -> None:
        """While an answer is written, indexing waits (the model gets the computer)."""
        if answering == self._pause.is_set():
            return
        if answering:
            self._pause.set()
        else:
            self._pause.clear()
        self.paused_changed.emit(answering)

    def shutdown(self) -> None:
        for op in self._reading:
            op.cancel()
        self._reading.clear()
        self._cancel.set()
        if self._run is not None:
            self._run.cancel()
            self._run = None
        self.watch.close()
        if self._embedder is not None:
            self._embedder.close()

    def _change(self, change: Callable[[Library], object], *, stop: bool = False) -> None:
        """Runs ``change`` on the library off the GUI thread, then indexes; ``stop`` ends a run first."""
        if self.library is None:
            return
        library = self.library
        if stop:
            self._cancel.set()
        op: BackgroundOp[object] = BackgroundOp(partial(change, library))
        op.on_success(self._on_change_success).on_failure(self.error_reported.emit)
        op.start(self._executor)

    def _on_change_success(self, result: object) -> None:
        del result
        self.folders_changed.emit()
        self.index()

    def _on_run_progress(self, progress: IndexProgress) -> None:
        self.last_progress = progress
        self.index_progressed.emit(progress)

    def _on_run_ended(self) -> None:
        self._run = None
        self.last_progress = None
        self.indexing_changed.emit(False)
        self.folders_changed.emit()
        self.watch.watch([folder.path for folder in self.folders()])  # subfolders may have come or gone
        if self._again:
            self._again = False
            self.index()

    def _ended(self, op: BackgroundOp[Document]) -> None:
        if op in self._reading:
            self._reading.remove(op)
        self.reading_changed.emit(len(self._reading))

    def _on_read_success(self, document: Document) -> None:
        self.attachment_read.emit(document)

    def _on_read_failure(self, error: AppError) -> None:
        log.info("a file was not attached: %s", error)
        self.attachment_refused.emit(error)
