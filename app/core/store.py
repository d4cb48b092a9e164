"""The history repository: the only module that talks to SQLite.

Conversations and their messages live in one database under the data folder, in WAL mode,
upgraded by numbered migrations recorded in ``PRAGMA user_version``. A database written by a
newer Parley is refused and left untouched. Every write commits at once, so killing the app
loses nothing that was already handed to the store.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from app.core import paths
from app.core.errors import (
    ConversationNotFoundError,
    DatabaseDamagedError,
    DatabaseTooNewError,
    StorageError,
)

Role = Literal["system", "user", "assistant"]
# complete: a finished message; streaming: an answer being written; stopped: the user pressed
# Stop; interrupted: the app or engine died while it streamed; failed: generation raised.
MessageStatus = Literal["complete", "streaming", "stopped", "interrupted", "failed"]

DEFAULT_TITLE = "New conversation"

MIGRATIONS: tuple[str, ...] = (
    # 1: conversations and messages.
    """
    CREATE TABLE conversations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        title TEXT NOT NULL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        model_name TEXT,
        system_prompt TEXT
    );
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
        content TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'complete',
        model_name TEXT,
        created_at REAL NOT NULL,
        n_tokens INTEGER,
        tokens_per_second REAL,
        ttft_seconds REAL
    );
    CREATE INDEX messages_by_conversation ON messages(conversation_id, id);
    CREATE INDEX conversations_by_update ON conversations(updated_at DESC);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(frozen=True)
class Conversation:
    id: int
    title: str
    created_at: float
    updated_at: float
    model_name: str | None
    system_prompt: str | None


@dataclass(frozen=True)
class Message:
    id: int
    conversation_id: int
    role: Role
    content: str
    status: MessageStatus
    model_name: str | None
    created_at: float
    n_tokens: int | None = None
    tokens_per_second: float | None = None
    ttft_seconds: float | None = None


_CONVERSATION_COLUMNS = "id, title, created_at, updated_at, model_name, system_prompt"
_MESSAGE_COLUMNS = (
    "id, conversation_id, role, content, status, model_name, created_at, n_tokens, "
    "tokens_per_second, ttft_seconds"
)


class Store:
    """One open history database. Use it from one thread at a time."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or self.default_path()
        self._db = self._open(self.path)
        self.recover_interrupted()

    @staticmethod
    def default_path() -> Path:
        return paths.database_path()

    # -- opening -------------------------------------------------------------------------------

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(path, isolation_level=None)
        except sqlite3.Error as exc:
            raise StorageError(path=path, reason=exc) from exc
        try:
            # Read the version before anything writes to the file: WAL mode changes its header.
            found = int(db.execute("PRAGMA user_version").fetchone()[0])
            if found > SCHEMA_VERSION:
                db.close()
                raise DatabaseTooNewError(path=path, found=found, known=SCHEMA_VERSION)
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA busy_timeout = 5000")
            db.execute("PRAGMA journal_mode = WAL")
            _migrate(db, found)
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("SELECT count(*) FROM conversations").fetchone()
        except DatabaseTooNewError:
            raise
        except sqlite3.DatabaseError as exc:
            db.close()
            if "full" in str(exc).lower():
                raise StorageError(path=path, reason=exc) from exc
            raise DatabaseDamagedError(path=path, reason=exc) from exc
        db.row_factory = sqlite3.Row
        return db

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise StorageError(path=self.path, reason=exc) from exc

    def recover_interrupted(self) -> int:
        """Marks answers left streaming by a killed app as interrupted; returns how many."""
        with self._write() as db:
            cursor = db.execute("UPDATE messages SET status = 'interrupted' WHERE status = 'streaming'")
            return cursor.rowcount

    # -- conversations -------------------------------------------------------------------------

    def create_conversation(
        self, title: str = DEFAULT_TITLE, *, model_name: str | None = None, system_prompt: str | None = None
    ) -> Conversation:
        now = time.time()
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO conversations (title, created_at, updated_at, model_name, system_prompt) "
                "VALUES (?, ?, ?, ?, ?)",
                (title, now, now, model_name, system_prompt),
            )
            new_id = int(cursor.lastrowid or 0)
        return self.conversation(new_id)

    def conversations(self) -> list[Conversation]:
        """Every conversation, the most recently active first."""
        rows = self._db.execute(
            f"SELECT {_CONVERSATION_COLUMNS} FROM conversations ORDER BY updated_at DESC, id DESC"
        ).fetchall()
        return [Conversation(*row) for row in rows]

    def conversation(self, conversation_id: int) -> Conversation:
        row = self._db.execute(
            f"SELECT {_CONVERSATION_COLUMNS} FROM conversations WHERE id = ?", (conversation_id,)
        ).fetchone()
        if row is None:
            raise ConversationNotFoundError(id=conversation_id)
        return Conversation(*row)

    def rename_conversation(self, conversation_id: int, title: str) -> None:
        with self._write() as db:
            db.execute(
                "UPDATE conversations SET title = ? WHERE id = ?", (title.strip() or DEFAULT_TITLE, conversation_id)
            )

    def set_conversation_model(self, conversation_id: int, model_name: str | None) -> None:
        with self._write() as db:
            db.execute("UPDATE conversations SET model_name = ? WHERE id = ?", (model_name, conversation_id))

    def set_system_prompt(self, conversation_id: int, system_prompt: str | None) -> None:
        with self._write() as db:
            db.execute("UPDATE conversations SET system_prompt = ? WHERE id = ?", (system_prompt, conversation_id))

    def delete_conversation(self, conversation_id: int) -> None:
        with self._write() as db:
            db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))

    # -- messages ------------------------------------------------------------------------------

    def add_message(
        self,
        conversation_id: int,
        role: Role,
        content: str,
        *,
        status: MessageStatus = "complete",
        model_name: str | None = None,
    ) -> Message:
        """Appends a message and commits it before returning."""
        now = time.time()
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO messages (conversation_id, role, content, status, model_name, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (conversation_id, role, content, status, model_name, now),
            )
            db.execute("UPDATE conversations SET updated_at = ? WHERE id = ?", (now, conversation_id))
            new_id = int(cursor.lastrowid or 0)
        return self.message(new_id)

    def update_message(
        self,
        message_id: int,
        content: str,
        *,
        status: MessageStatus | None = None,
        n_tokens: int | None = None,
        tokens_per_second: float | None = None,
        ttft_seconds: float | None = None,
    ) -> None:
        with self._write() as db:
            db.execute(
                "UPDATE messages SET content = ?, status = COALESCE(?, status), "
                "n_tokens = COALESCE(?, n_tokens), tokens_per_second = COALESCE(?, tokens_per_second), "
                "ttft_seconds = COALESCE(?, ttft_seconds) WHERE id = ?",
                (content, status, n_tokens, tokens_per_second, ttft_seconds, message_id),
            )

    def delete_message(self, message_id: int) -> None:
        with self._write() as db:
            db.execute("DELETE FROM messages WHERE id = ?", (message_id,))

    def message(self, message_id: int) -> Message:
        row = self._db.execute(f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE id = ?", (message_id,)).fetchone()
        if row is None:
            raise LookupError(f"no message {message_id}")
        return Message(*row)

    def messages(self, conversation_id: int) -> list[Message]:
        rows = self._db.execute(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ? ORDER BY id", (conversation_id,)
        ).fetchall()
        return [Message(*row) for row in rows]


def set_aside(path: Path) -> Path:
    """Renames a database that cannot be opened (and its WAL files) out of the way, keeping every byte."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{path}{suffix}")
        if source.exists():
            os.replace(source, Path(f"{target}{suffix}"))
    return target


def _migrate(db: sqlite3.Connection, found: int) -> None:
    for number in range(found + 1, SCHEMA_VERSION + 1):
        db.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(MIGRATIONS[number - 1]):
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {number}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")


def _statements(script: str) -> list[str]:
    return [part.strip() for part in script.split(";") if part.strip()]
