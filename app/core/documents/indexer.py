"""Keeping the library's index in step with its folders, in a worker thread, with progress.

One run walks every folder (or the ones named): files gone from disk are dropped, new files are
read, a file whose size or modification time changed is hashed and re-read only when its sha256
changed too, and chunks that lack a vector of the current embedding model get one. Memory stays
bounded: a file is read a page at a time, chunks are written and embedded in batches of ``BATCH``,
and nothing of a file is kept once its batch is written.

``pause`` (set by the window while an answer is written) holds the run between two batches;
``cancel`` ends it there. A file cut off in the middle is read again by the next run, since it is
only marked done at its end. Progress is plain data, sent from the run's own thread.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from app.core.documents.chunking import CHUNK_TOKENS, OVERLAP_TOKENS, page_chunks
from app.core.documents.embedder import Embedder
from app.core.documents.extract import check_file, is_document, iter_pages
from app.core.documents.index import vector_blob
from app.core.documents.library import Library, bump_generation
from app.core.documents.types import Page
from app.core.errors import DocumentError, LibraryFolderNotFoundError

BATCH = 32  # chunks written (and embedded) together
_PAUSE_POLL_SECONDS = 0.1
_HASH_BLOCK = 1 << 20


@dataclass(frozen=True)
class IndexProgress:
    folder: str
    files_done: int
    files_total: int
    pages_done: int  # pages read in this run, in this folder
    seconds_left: float | None  # None until there is enough to tell
    file: str | None = None  # the file being read now


class _CancelledError(Exception):
    """Raised inside a run when ``cancel`` is set; ``run`` returns quietly."""


@dataclass
class _Run:
    progress: Callable[[IndexProgress], None]
    pause: threading.Event
    cancel: threading.Event
    folder: str = ""
    files_done: int = 0
    files_total: int = 0
    pages_done: int = 0
    bytes_total: int = 0
    bytes_done: float = 0.0
    page_bytes: float = 0.0  # the share of its file's bytes one page of the file being read stands for
    started: float = 0.0

    def report(self, file: str | None = None) -> None:
        self.progress(
            IndexProgress(self.folder, self.files_done, self.files_total, self.pages_done, self.seconds_left(), file)
        )

    def seconds_left(self) -> float | None:
        elapsed = time.monotonic() - self.started
        if self.bytes_done <= 0 or elapsed < 0.5:
            return None
        return max(0.0, elapsed / self.bytes_done * (self.bytes_total - self.bytes_done))

    def checkpoint(self) -> None:
        """Waits here while paused; raises ``_CancelledError`` once cancelled."""
        while self.pause.is_set() and not self.cancel.is_set():
            self.cancel.wait(_PAUSE_POLL_SECONDS)
        if self.cancel.is_set():
            raise _CancelledError


class Indexer:
    def __init__(
        self,
        library: Library,
        *,
        embedder: Embedder | None = None,
        folders: Sequence[str] | None = None,
        chunk_tokens: int = CHUNK_TOKENS,
        overlap_tokens: int = OVERLAP_TOKENS,
    ) -> None:
        self.library = library
        self.embedder = embedder
        self.folders = folders
        self.chunk_tokens = chunk_tokens
        self.overlap_tokens = overlap_tokens

    def run(
        self,
        *,
        progress: Callable[[IndexProgress], None],
        pause: threading.Event | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        """Brings every chosen folder up to date; returns early (and quietly) when ``cancel`` is set."""
        state = _Run(progress, pause or threading.Event(), cancel or threading.Event())
        folders = list(self.folders) if self.folders is not None else self.library.folder_paths()
        try:
            for folder in folders:
                try:
                    self._index_folder(folder, state)
                except (sqlite3.IntegrityError, LibraryFolderNotFoundError):
                    # The folder was removed while it was being indexed (its rows went with it): nothing to do.
                    if folder in self.library.folder_paths():
                        raise
        except _CancelledError:
            return

    def _index_folder(self, folder: str, state: _Run) -> None:
        with self.library.connect() as db:
            folder_id = self.library.folder_id(db, folder)
            folder_path = str(db.execute("SELECT path FROM folders WHERE id = ?", (folder_id,)).fetchone()[0])
            if not Path(folder_path).is_dir():
                return
            found = {str(path): path for path in _documents_in(Path(folder_path))}
            known = {
                str(p): (int(i), int(s), int(m), str(h), bool(d))
                for i, p, s, m, h, d in db.execute(
                    "SELECT id, path, size, mtime_ns, sha256, done FROM files WHERE folder_id = ?", (folder_id,)
                )
            }
            gone = [known[path][0] for path in known if path not in found]
            db.executemany("DELETE FROM files WHERE id = ?", [(file_id,) for file_id in gone])
            db.execute("UPDATE folders SET files_total = ? WHERE id = ?", (len(found), folder_id))
            bump_generation(db)
            db.commit()
            sizes = {path: _stat(found[path]) for path in found}
            state.folder, state.files_done, state.files_total, state.pages_done = folder_path, 0, len(found), 0
            state.bytes_total = sum(size for size, _ in sizes.values() if size is not None)
            state.bytes_done, state.started = 0.0, time.monotonic()
            state.report()
            for path_text in sorted(found):
                state.checkpoint()
                self._index_file(db, folder_id, found[path_text], sizes[path_text], known.get(path_text), state)
                state.files_done += 1
                state.report()
            db.execute("UPDATE folders SET indexed = 1 WHERE id = ?", (folder_id,))
            bump_generation(db)

    def _index_file(
        self,
        db: sqlite3.Connection,
        folder_id: int,
        path: Path,
        stat: tuple[int | None, int],
        known: tuple[int, int, int, str, bool] | None,
        state: _Run,
    ) -> None:
        size, mtime_ns = stat
        if size is None:  # vanished between the scan and now
            return
        if known is not None and known[4]:
            file_id, old_size, old_mtime, old_sha, _ = known
            unchanged = old_size == size and old_mtime == mtime_ns
            if not unchanged and _sha256(path) == old_sha:
                db.execute("UPDATE files SET size = ?, mtime_ns = ? WHERE id = ?", (size, mtime_ns, file_id))
                unchanged = True
            if unchanged:
                state.bytes_done += size
                self._embed_missing(db, file_id, state)
                return
        if known is not None:
            db.execute("DELETE FROM files WHERE id = ?", (known[0],))
        file_id = int(
            db.execute(
                "INSERT INTO files(folder_id, path, name, size, mtime_ns, sha256) VALUES (?, ?, ?, ?, ?, ?)",
                (folder_id, str(path), path.name, size, mtime_ns, _sha256(path)),
            ).lastrowid
            or 0
        )
        db.commit()
        state.report(path.name)
        start = state.bytes_done

        def counted(pages: int) -> None:
            state.page_bytes = size / max(1, pages)

        try:
            kind, _ = check_file(path)
            pages = self._write_chunks(db, file_id, iter_pages(path, kind, on_count=counted), state, kind == "pdf")
        except DocumentError as exc:
            db.execute("DELETE FROM chunks WHERE file_id = ?", (file_id,))
            db.execute("UPDATE files SET refusal = ?, done = 1 WHERE id = ?", (str(exc), file_id))
            pages = 0
        else:
            db.execute("UPDATE files SET pages = ?, done = 1 WHERE id = ?", (pages, file_id))
        state.bytes_done = start + size
        bump_generation(db)
        db.commit()

    def _write_chunks(
        self, db: sqlite3.Connection, file_id: int, pages: Iterator[Page], state: _Run, paged: bool
    ) -> int:
        position, count = 0, 0
        batch: list[tuple[int, int, int | None, str]] = []
        for page in pages:
            count += 1
            for text in page_chunks(page.text, self.chunk_tokens, self.overlap_tokens):
                batch.append((file_id, position, page.number if paged else None, text))
                position += 1
                if len(batch) >= BATCH:
                    self._write_batch(db, batch, state)
                    batch = []
            state.pages_done += 1
            state.bytes_done += state.page_bytes
            if state.pages_done % 10 == 0:
                state.report()
        if batch:
            self._write_batch(db, batch, state)
        return count

    def _write_batch(self, db: sqlite3.Connection, batch: list[tuple[int, int, int | None, str]], state: _Run) -> None:
        state.checkpoint()
        ids = []
        for row in batch:
            cursor = db.execute("INSERT INTO chunks(file_id, position, page, text) VALUES (?, ?, ?, ?)", row)
            ids.append(int(cursor.lastrowid or 0))
        if self.embedder is not None:
            self._store_vectors(db, ids, [row[3] for row in batch])
        db.commit()

    def _embed_missing(self, db: sqlite3.Connection, file_id: int, state: _Run) -> None:
        if self.embedder is None:
            return
        while True:
            rows = db.execute(
                """SELECT chunks.id, chunks.text FROM chunks LEFT JOIN vectors
                       ON vectors.chunk_id = chunks.id AND vectors.model = ?
                   WHERE chunks.file_id = ? AND vectors.chunk_id IS NULL ORDER BY chunks.id LIMIT ?""",
                (self.embedder.name, file_id, BATCH),
            ).fetchall()
            if not rows:
                return
            state.checkpoint()
            self._store_vectors(db, [int(row[0]) for row in rows], [str(row[1]) for row in rows])
            bump_generation(db)
            db.commit()

    def _store_vectors(self, db: sqlite3.Connection, ids: list[int], texts: list[str]) -> None:
        assert self.embedder is not None
        vectors = self.embedder.embed(texts)
        db.executemany(
            "INSERT OR REPLACE INTO vectors(chunk_id, model, vector) VALUES (?, ?, ?)",
            [
                (chunk_id, self.embedder.name, vector_blob(vector))
                for chunk_id, vector in zip(ids, vectors, strict=True)
            ],
        )


def _documents_in(folder: Path) -> Iterator[Path]:
    """The readable documents under ``folder``, hidden folders and files left out."""
    for root, folders, files in os.walk(folder):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in sorted(files):
            path = Path(root) / name
            if is_document(path) and path.is_file():
                yield path


def _stat(path: Path) -> tuple[int | None, int]:
    try:
        info = path.stat()
    except OSError:
        return None, 0
    return info.st_size, info.st_mtime_ns


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while block := handle.read(_HASH_BLOCK):
                digest.update(block)
    except OSError:
        return ""
    return digest.hexdigest()
