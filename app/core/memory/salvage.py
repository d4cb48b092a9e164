"""What a recovery salvages of the memories (migration 12) from a damaged history.

``app.core.history.recovery`` reads the ``memories`` table of the damaged file row by row with the
columns ``FIELDS``, as it reads the others, and calls ``merge``: each readable memory the recovered
history lacks (by normalised text) is added, pointing at its conversation and message under the ids
the merge gave them, or at none where those were lost. A retired memory stays retired.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from app.core.memory.facts import normalise

TABLE = "memories"
FIELDS = (
    "id", "text", "created_at", "updated_at", "conversation_id", "message_id", "added_by_user", "project_id",
    "confidence", "retired_at",
)  # fmt: skip


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _id(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def merge(db: sqlite3.Connection, rows: list[dict[str, Any]], ids: Mapping[str, Mapping[int, int]]) -> int:
    """Adds the salvaged memories the recovered history lacks, inside the caller's transaction; returns how many."""
    kept = {normalise(str(row[0])) for row in db.execute("SELECT text FROM memories")}
    added = 0
    for row in rows:
        text = row.get("text")
        created = _number(row.get("created_at"))
        if not isinstance(text, str) or not text.strip() or created is None or normalise(text) in kept:
            continue
        conversation = _id(row.get("conversation_id"))
        message = _id(row.get("message_id"))
        conversation = ids.get("conversations", {}).get(conversation, conversation) if conversation else None
        message = ids.get("messages", {}).get(message, message) if message else None
        if (
            conversation is not None
            and db.execute("SELECT 1 FROM conversations WHERE id = ?", (conversation,)).fetchone() is None
        ):
            conversation = None
        if message is not None and db.execute("SELECT 1 FROM messages WHERE id = ?", (message,)).fetchone() is None:
            message = None
        project = _id(row.get("project_id"))  # projects are merged first, under their own ids
        if project is not None and db.execute("SELECT 1 FROM projects WHERE id = ?", (project,)).fetchone() is None:
            project = None  # its project could not be read: the memory is kept, for every conversation
        db.execute(
            "INSERT INTO memories (text, created_at, updated_at, conversation_id, message_id, added_by_user, "
            "project_id, confidence, retired_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                text.strip(), created, _number(row.get("updated_at")) or created, conversation, message,
                1 if row.get("added_by_user") == 1 else 0, project, _number(row.get("confidence")),
                _number(row.get("retired_at")),
            ),
        )  # fmt: skip
        kept.add(normalise(text))
        added += 1
    return added
