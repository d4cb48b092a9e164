"""The library: folders the user added, their files' chunks and vectors, in ``library.sqlite3``.

Everything here is derived data: it can be rebuilt from the folders at any time. So a damaged
library file is not repaired or restored from backups as the history is: it is set aside (every
byte kept, as the history's ``set_aside`` does), the folder list is read back from it if it still
can be, and the index is rebuilt by the next indexer run; ``damage`` holds the one sentence to show.

WAL, so the window can search while the indexer writes from its own thread; every call opens its
own short connection, and the indexer holds one for its run. Chunks sit in ``chunks`` with an FTS5
trigram index kept in step by triggers; vectors are float32 blobs beside them, tagged with the
embedding model's name (vectors of different models are never compared). Vector search is exact,
with NumPy over a matrix cached until the next write (``generation``).
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from app.core.documents.embedder import Embedder, Vectors
from app.core.documents.index import vector_ranking, vectors_from_blobs, word_ranking
from app.core.documents.retrieval import CANDIDATES, ScoredChunk, fuse
from app.core.documents.types import Chunk
from app.core.errors import LibraryDamagedError, LibraryFolderError, LibraryFolderNotFoundError
from app.core.history import health
from app.core.history.dbfile import set_aside

SCHEMA_VERSION = 1
BUSY_SECONDS = 30.0
FolderState = Literal["indexing", "ready", "needs embedder", "missing"]

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS folders (
    id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, added REAL NOT NULL,
    indexed INTEGER NOT NULL DEFAULT 0, files_total INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY, folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
    path TEXT NOT NULL UNIQUE, name TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL, pages INTEGER NOT NULL DEFAULT 0, done INTEGER NOT NULL DEFAULT 0, refusal TEXT);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    position INTEGER NOT NULL, page INTEGER, text TEXT NOT NULL, UNIQUE (file_id, position));
CREATE TABLE IF NOT EXISTS vectors (
    chunk_id INTEGER PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE,
    model TEXT NOT NULL, vector BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta VALUES ('generation', 0);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    text, content = 'chunks', content_rowid = 'id', tokenize = 'trigram');
CREATE TRIGGER IF NOT EXISTS chunks_added AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts(rowid, text) VALUES (new.id, new.text); END;
CREATE TRIGGER IF NOT EXISTS chunks_removed AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts(chunks_fts, rowid, text) VALUES ('delete', old.id, old.text); END;
PRAGMA user_version = {SCHEMA_VERSION};
"""


@dataclass(frozen=True)
class FolderStatus:
    path: str
    files: int  # documents found in it at the last scan
    indexed_files: int  # of those, read and chunked (or refused with a reason)
    pages: int
    chunks: int
    embedded_chunks: int  # chunks with a vector of ``embedding_model``
    state: FolderState
    embedding_model: str | None = None
    refused_files: int = 0


class Library:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.damage: LibraryDamagedError | None = None
        self._cache_lock = threading.Lock()
        self._cache: tuple[tuple[object, ...], list[int], Vectors] | None = None
        self._open()

    # --- the file -------------------------------------------------------------------------------

    def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with self.connect() as db:
                if self.path.stat().st_size and health.quick_check(db).damaged:
                    raise sqlite3.DatabaseError("database disk image is malformed")
                db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            if not health.is_damage(exc) and "malformed" not in str(exc):
                raise health.storage_error(exc, self.path) from exc
            self._rebuild()

    def _rebuild(self) -> None:
        folders = _readable_folders(self.path)
        aside = set_aside(self.path)
        self.damage = LibraryDamagedError(path=aside)
        with self.connect() as db:
            db.executescript(_SCHEMA)
            db.executemany(
                "INSERT OR IGNORE INTO folders(path, added) VALUES (?, ?)", [(f, time.time()) for f in folders]
            )

    @contextlib.contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection of its own (committed on leaving, rolled back on an error), for one thread."""
        db = sqlite3.connect(self.path, timeout=BUSY_SECONDS)
        try:
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA foreign_keys = ON")
            with db:
                yield db
        finally:
            db.close()

    # --- folders --------------------------------------------------------------------------------

    def add_folder(self, folder: str) -> str:
        """Adds ``folder`` (made absolute) for the indexer to read; returns the path as stored."""
        resolved = Path(folder).expanduser().resolve()
        if not resolved.is_dir():
            raise LibraryFolderError(path=resolved)
        with self.connect() as db:
            db.execute("INSERT OR IGNORE INTO folders(path, added) VALUES (?, ?)", (str(resolved), time.time()))
            bump_generation(db)
        return str(resolved)

    def remove_folder(self, folder: str) -> None:
        """Removes ``folder`` with its files, chunks and vectors."""
        with self.connect() as db:
            folder_id = self.folder_id(db, folder)
            db.execute("DELETE FROM folders WHERE id = ?", (folder_id,))
            bump_generation(db)

    def mark_for_reindex(self, folder: str | None = None) -> None:
        """The next indexer run re-reads every file of ``folder`` (None: of every folder)."""
        with self.connect() as db:
            ids = [self.folder_id(db, folder)] if folder else [row[0] for row in db.execute("SELECT id FROM folders")]
            for folder_id in ids:
                db.execute("UPDATE folders SET indexed = 0 WHERE id = ?", (folder_id,))
                db.execute("DELETE FROM files WHERE folder_id = ?", (folder_id,))
            bump_generation(db)

    def folder_id(self, db: sqlite3.Connection, folder: str) -> int:
        row = db.execute("SELECT id FROM folders WHERE path IN (?, ?)", (folder, _absolute(folder))).fetchone()
        if row is None:
            raise LibraryFolderNotFoundError(path=folder)
        return int(row[0])

    def folder_path(self, folder: str) -> str:
        """``folder`` as the library stores it (as given or made absolute); ``LibraryFolderNotFoundError`` if absent."""
        with self.connect() as db:
            folder_id = self.folder_id(db, folder)
            return str(db.execute("SELECT path FROM folders WHERE id = ?", (folder_id,)).fetchone()[0])

    def folder_paths(self) -> list[str]:
        with self.connect() as db:
            return [str(row[0]) for row in db.execute("SELECT path FROM folders ORDER BY path")]

    def folders(self, embedding_model: str | None = None) -> list[FolderStatus]:
        """Each folder's counts and state; ``embedding_model`` is the one chosen now (None: none is set)."""
        with self.connect() as db:
            rows = db.execute(
                """SELECT f.path, f.files_total, f.indexed,
                       (SELECT COUNT(*) FROM files WHERE folder_id = f.id AND done = 1),
                       (SELECT COUNT(*) FROM files WHERE folder_id = f.id AND refusal IS NOT NULL),
                       (SELECT COALESCE(SUM(pages), 0) FROM files WHERE folder_id = f.id),
                       (SELECT COUNT(*) FROM chunks JOIN files ON files.id = chunks.file_id WHERE folder_id = f.id),
                       (SELECT COUNT(*) FROM vectors JOIN chunks ON chunks.id = vectors.chunk_id
                            JOIN files ON files.id = chunks.file_id WHERE folder_id = f.id AND vectors.model = ?)
                   FROM folders f ORDER BY f.path""",
                (embedding_model or "",),
            ).fetchall()
        statuses: list[FolderStatus] = []
        for path, total, indexed, done, refused, pages, chunks, embedded in rows:
            state: FolderState
            if not Path(path).is_dir():
                state = "missing"
            elif not indexed:
                state = "indexing"
            elif embedding_model is None or embedded < chunks:
                state = "needs embedder" if embedding_model is None else "indexing"
            else:
                state = "ready"
            statuses.append(FolderStatus(path, total, done, pages, chunks, embedded, state, embedding_model, refused))
        return statuses

    # --- search ---------------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        embedder: Embedder | None,
        folders: Sequence[str] | None = None,
        limit: int = CANDIDATES,
    ) -> list[ScoredChunk]:
        """The chunks of ``folders`` (None: all) that best answer ``query``, best first: words and, with an
        ``embedder``, the chunks' stored vectors of that model, fused by reciprocal rank."""
        with self.connect() as db:
            folder_ids = self._folder_ids(db, folders)
            if not folder_ids:
                return []
            marks = ",".join("?" * len(folder_ids))
            among = (
                "rowid IN (SELECT chunks.id FROM chunks JOIN files ON files.id = chunks.file_id "
                f"WHERE files.folder_id IN ({marks}))"
            )
            rankings = [word_ranking(db, query, fts_table="chunks_fts", limit=limit, among=among, arguments=folder_ids)]
            if embedder is not None:
                ids, matrix = self._vectors(db, embedder.name, folder_ids)
                if ids:
                    query_vector = embedder.embed([query])[0]
                    rankings.append([ids[row] for row in vector_ranking(query_vector, matrix, limit=limit)])
            fused = fuse(rankings)[:limit]
            chunks = self._chunks(db, [chunk_id for chunk_id, _ in fused])
        return [ScoredChunk(chunks[chunk_id], score) for chunk_id, score in fused if chunk_id in chunks]

    def neighbours(self, chunk: Chunk, *, before: int = 1, after: int = 1) -> list[Chunk]:
        """``chunk`` with up to ``before`` and ``after`` chunks around it in its file, in reading order."""
        with self.connect() as db:
            rows = db.execute(
                """SELECT files.path, files.name, chunks.position, chunks.page, chunks.text FROM chunks
                   JOIN files ON files.id = chunks.file_id
                   WHERE files.path = ? AND chunks.position BETWEEN ? AND ? ORDER BY chunks.position""",
                (chunk.path, chunk.index - before, chunk.index + after),
            ).fetchall()
        return [Chunk(str(p), str(n), int(i), page, str(t)) for p, n, i, page, t in rows]

    def _folder_ids(self, db: sqlite3.Connection, folders: Sequence[str] | None) -> list[int]:
        if folders is None:
            return [int(row[0]) for row in db.execute("SELECT id FROM folders")]
        wanted = {*folders, *(_absolute(folder) for folder in folders)}
        return [int(i) for i, path in db.execute("SELECT id, path FROM folders") if path in wanted]

    def _vectors(self, db: sqlite3.Connection, model: str, folder_ids: list[int]) -> tuple[list[int], Vectors]:
        generation = int(db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])
        key: tuple[object, ...] = (generation, model, tuple(sorted(folder_ids)))
        with self._cache_lock:
            if self._cache is not None and self._cache[0] == key:
                return self._cache[1], self._cache[2]
        marks = ",".join("?" * len(folder_ids))
        rows = db.execute(
            f"""SELECT vectors.chunk_id, vectors.vector FROM vectors JOIN chunks ON chunks.id = vectors.chunk_id
                JOIN files ON files.id = chunks.file_id WHERE vectors.model = ? AND files.folder_id IN ({marks})""",
            (model, *folder_ids),
        ).fetchall()
        ids = [int(row[0]) for row in rows]
        dimensions = len(rows[0][1]) // 4 if rows else 0
        matrix = vectors_from_blobs([row[1] for row in rows], dimensions)
        with self._cache_lock:
            self._cache = (key, ids, matrix)
        return ids, matrix

    @staticmethod
    def _chunks(db: sqlite3.Connection, ids: list[int]) -> dict[int, Chunk]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = db.execute(
            f"""SELECT chunks.id, files.path, files.name, chunks.position, chunks.page, chunks.text FROM chunks
                JOIN files ON files.id = chunks.file_id WHERE chunks.id IN ({marks})""",
            ids,
        )
        return {int(i): Chunk(str(p), str(n), int(pos), page, str(t)) for i, p, n, pos, page, t in rows}


def bump_generation(db: sqlite3.Connection) -> None:
    """Marks a write that changes what a search finds (the cached vector matrix is then read again)."""
    db.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")


def _absolute(folder: str) -> str:
    return str(Path(folder).expanduser().resolve())


def _readable_folders(path: Path) -> list[str]:
    """The folder list of a damaged library, as far as it can still be read (often it can)."""
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return [str(row[0]) for row in db.execute("SELECT path FROM folders")]
        finally:
            db.close()
    except sqlite3.Error:
        return []
