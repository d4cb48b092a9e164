"""The memories in the history database (migration 12): adding, editing, retiring, deleting, searching,
what each answer used and saved, and which conversations are temporary.

A memory lives in the history file, so it is in its backups, its recovery and its export. A temporary
conversation is a row in ``temporary_conversations``: the history never lists it (``Store.conversations``),
and ``drop_temporary`` deletes it when it is left, or at the next start after a crash.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np

from app.core.documents.embedder import Vectors
from app.core.history.store import Store
from app.core.memory.types import Memory

AnswerRole = Literal["used", "saved", "retired", "forgotten"]

_COLUMNS = (
    "id, text, created_at, updated_at, conversation_id, message_id, added_by_user, project_id, confidence, "
    "retired_at, replaced_by"
)


def _memory(row: sqlite3.Row | tuple[object, ...]) -> Memory:
    return Memory(
        int(row[0]), str(row[1]), float(row[2]), float(row[3]),  # type: ignore[arg-type]
        row[4] if row[4] is None else int(row[4]),  # type: ignore[arg-type]
        row[5] if row[5] is None else int(row[5]),  # type: ignore[arg-type]
        bool(row[6]),
        row[7] if row[7] is None else int(row[7]),  # type: ignore[arg-type]
        row[8] if row[8] is None else float(row[8]),  # type: ignore[arg-type]
        row[9] if row[9] is None else float(row[9]),  # type: ignore[arg-type]
        row[10] if row[10] is None else int(row[10]),  # type: ignore[arg-type]
    )  # fmt: skip


def in_scope(project_id: int | None) -> tuple[str, tuple[object, ...]]:
    """The SQL condition (and its values) for the memories a conversation of ``project_id`` may use:
    those for everywhere, and those of its own project."""
    if project_id is None:
        return "project_id IS NULL", ()
    return "(project_id IS NULL OR project_id = ?)", (project_id,)


class MemoryStore:
    """The memories of one open history. Use it from the store's thread."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- reading -------------------------------------------------------------------------------

    def get(self, memory_id: int) -> Memory:
        with self.store.reading() as db:
            row = db.execute(f"SELECT {_COLUMNS} FROM memories WHERE id = ?", (memory_id,)).fetchone()
        if row is None:
            raise LookupError(f"no memory {memory_id}")
        return _memory(row)

    def active(self, project_id: int | None = None) -> list[Memory]:
        """The memories in use for a conversation of ``project_id`` (None: one in no project), oldest first."""
        where, values = in_scope(project_id)
        with self.store.reading() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM memories WHERE retired_at IS NULL AND {where} ORDER BY id", values
            ).fetchall()
        return [_memory(row) for row in rows]

    def listed(self, search: str = "") -> list[Memory]:
        """Every memory in use (all scopes), newest first; ``search`` keeps those whose text holds it."""
        with self.store.reading() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM memories WHERE retired_at IS NULL AND instr(lower(text), lower(?)) > 0 "
                "ORDER BY updated_at DESC, id DESC",
                (search.strip(),),
            ).fetchall()
        return [_memory(row) for row in rows]

    def count(self) -> int:
        with self.store.reading() as db:
            return int(db.execute("SELECT count(*) FROM memories WHERE retired_at IS NULL").fetchone()[0])

    # -- writing -------------------------------------------------------------------------------

    def add(
        self,
        text: str,
        *,
        conversation_id: int | None = None,
        message_id: int | None = None,
        added_by_user: bool = False,
        project_id: int | None = None,
        confidence: float | None = None,
        created_at: float | None = None,
    ) -> Memory:
        now = time.time() if created_at is None else created_at
        with self.store.writing() as db:
            cursor = db.execute(
                "INSERT INTO memories (text, created_at, updated_at, conversation_id, message_id, added_by_user, "
                "project_id, confidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (text.strip(), now, now, conversation_id, message_id, int(added_by_user), project_id, confidence),
            )
            memory_id = int(cursor.lastrowid or 0)
        return self.get(memory_id)

    def edit(self, memory_id: int, text: str) -> Memory:
        """Gives a memory new words (its meaning's vector is computed again when next needed)."""
        with self.store.writing() as db:
            db.execute(
                "UPDATE memories SET text = ?, updated_at = ?, vector = NULL, vector_model = NULL WHERE id = ?",
                (text.strip(), time.time(), memory_id),
            )
        return self.get(memory_id)

    def retire(self, memory_id: int, replaced_by: int | None) -> None:
        """A later fact contradicted it: kept (Undo puts it back) but never used or listed."""
        with self.store.writing() as db:
            db.execute(
                "UPDATE memories SET retired_at = ?, replaced_by = ? WHERE id = ?",
                (time.time(), replaced_by, memory_id),
            )

    def restore(self, memory_id: int) -> None:
        with self.store.writing() as db:
            db.execute("UPDATE memories SET retired_at = NULL, replaced_by = NULL WHERE id = ?", (memory_id,))

    def delete(self, memory_ids: Iterable[int]) -> None:
        with self.store.writing() as db:
            db.executemany("DELETE FROM memories WHERE id = ?", [(memory_id,) for memory_id in memory_ids])

    def delete_all(self) -> int:
        """Deletes every memory, retired ones too; returns how many were in use."""
        count = self.count()
        with self.store.writing() as db:
            db.execute("DELETE FROM memories")
        return count

    # -- answers -------------------------------------------------------------------------------

    def record(self, answer_id: int, role: AnswerRole, memories: Sequence[Memory]) -> None:
        """Notes what an answer used (its details line says so), or saved or retired (its "Memory updated")."""
        if not memories:
            return
        with self.store.writing() as db:
            db.executemany(
                "INSERT OR REPLACE INTO answer_memories (answer_id, memory_id, role, text) VALUES (?, ?, ?, ?)",
                [(answer_id, memory.id, role, memory.text) for memory in memories],
            )

    def of_answer(self, answer_id: int, role: AnswerRole) -> list[tuple[int, str]]:
        """``(memory id, its text then)`` of what ``answer_id`` used, saved or retired, in order."""
        with self.store.reading() as db:
            rows = db.execute(
                "SELECT memory_id, text FROM answer_memories WHERE answer_id = ? AND role = ? ORDER BY rowid",
                (answer_id, role),
            ).fetchall()
        return [(int(row[0]), str(row[1])) for row in rows]

    def forget_answer(self, answer_id: int, roles: Sequence[AnswerRole]) -> None:
        with self.store.writing() as db:
            db.executemany(
                "DELETE FROM answer_memories WHERE answer_id = ? AND role = ?", [(answer_id, role) for role in roles]
            )

    # -- meaning -------------------------------------------------------------------------------

    def vectors(self, model: str, memory_ids: Sequence[int]) -> dict[int, np.ndarray]:
        """The stored vectors by ``model`` of those memories that have one."""
        with self.store.reading() as db:
            rows = db.execute("SELECT id, vector FROM memories WHERE vector_model = ?", (model,)).fetchall()
        wanted = set(memory_ids)
        return {int(row[0]): np.frombuffer(row[1], dtype=np.float32) for row in rows if int(row[0]) in wanted}

    def save_vectors(self, model: str, memory_ids: Sequence[int], vectors: Vectors) -> None:
        with self.store.writing() as db:
            db.executemany(
                "UPDATE memories SET vector = ?, vector_model = ? WHERE id = ?",
                [
                    (vector.astype(np.float32).tobytes(), model, memory_id)
                    for memory_id, vector in zip(memory_ids, vectors, strict=True)
                ],
            )

    # -- temporary conversations -----------------------------------------------------------------

    def mark_temporary(self, conversation_id: int) -> None:
        with self.store.writing() as db:
            db.execute("INSERT OR IGNORE INTO temporary_conversations (conversation_id) VALUES (?)", (conversation_id,))

    def is_temporary(self, conversation_id: int) -> bool:
        with self.store.reading() as db:
            found = db.execute(
                "SELECT 1 FROM temporary_conversations WHERE conversation_id = ?", (conversation_id,)
            ).fetchone()
        return found is not None

    def drop_temporary(self, keep: int | None = None) -> int:
        """Deletes the temporary conversations (all but ``keep``, the one on screen); returns how many."""
        with self.store.writing() as db:
            rows = db.execute("SELECT conversation_id FROM temporary_conversations").fetchall()
            gone = [int(row[0]) for row in rows if int(row[0]) != keep]
            db.executemany("DELETE FROM conversations WHERE id = ?", [(conversation_id,) for conversation_id in gone])
        return len(gone)
