"""Memories in the history's JSON export (``app.core.history.exchange``), under the key ``memories``.

A memory names its conversation by the conversation's ``uuid`` and its message by the message's number
in the export, as the export itself does, so it finds its source again in another history; a project's
memory names its project by the project's ``uuid`` (under ``project``; none: everywhere). Only the
memories in use go (a retired one is history's, not the user's); an import skips a memory whose
normalised text is one already kept. Sorted by creation, so export → import → export gives the same bytes.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from app.core.memory.facts import normalise

_KEYS = ("text", "created_at", "updated_at", "added_by_user", "project", "confidence")


def export_memories(db: sqlite3.Connection) -> list[dict[str, Any]]:
    """The memories in use, as plain JSON data, oldest first."""
    rows = db.execute(
        "SELECT m.text, m.created_at, m.updated_at, m.added_by_user, p.uuid, m.confidence, c.uuid, "
        "m.message_id, m.conversation_id FROM memories m LEFT JOIN conversations c ON c.id = m.conversation_id "
        "LEFT JOIN projects p ON p.id = m.project_id "
        "WHERE m.retired_at IS NULL "
        "AND (m.conversation_id IS NULL "
        "OR m.conversation_id NOT IN (SELECT conversation_id FROM temporary_conversations)) "
        "ORDER BY m.created_at, m.id"
    ).fetchall()
    numbers: dict[int, dict[int, int]] = {}
    items: list[dict[str, Any]] = []
    for row in rows:
        item = dict(zip(_KEYS, (row[0], row[1], row[2], bool(row[3]), row[4], row[5]), strict=True))
        item["conversation"] = row[6]
        item["message"] = None
        if row[7] is not None and row[8] is not None:
            if row[8] not in numbers:
                ids = db.execute("SELECT id FROM messages WHERE conversation_id = ? ORDER BY id", (row[8],)).fetchall()
                numbers[row[8]] = {int(found[0]): index + 1 for index, found in enumerate(ids)}
            item["message"] = numbers[row[8]].get(int(row[7]))
        items.append(item)
    return items


def import_memories(db: sqlite3.Connection, items: object) -> int:
    """Adds the memories of an export inside the caller's transaction; returns how many were added.
    Entries that are not memories are left out; an export without the key has none."""
    if not isinstance(items, list):
        return 0
    kept = {normalise(str(row[0])) for row in db.execute("SELECT text FROM memories WHERE retired_at IS NULL")}
    added = 0
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("text"), str) or not item["text"].strip():
            continue
        if normalise(item["text"]) in kept:
            continue
        conversation_id = message_id = None
        if isinstance(item.get("conversation"), str):
            found = db.execute("SELECT id FROM conversations WHERE uuid = ?", (item["conversation"],)).fetchone()
            conversation_id = int(found[0]) if found is not None else None
        number = item.get("message")
        if conversation_id is not None and isinstance(number, int) and number > 0:
            found = db.execute(
                "SELECT id FROM messages WHERE conversation_id = ? ORDER BY id LIMIT 1 OFFSET ?",
                (conversation_id, number - 1),
            ).fetchone()
            message_id = int(found[0]) if found is not None else None
        project_id = None
        if isinstance(item.get("project"), str):  # the projects of the export are imported before the memories
            found = db.execute("SELECT id FROM projects WHERE uuid = ?", (item["project"],)).fetchone()
            project_id = int(found[0]) if found is not None else None
        created = _number(item.get("created_at"))
        db.execute(
            "INSERT INTO memories (text, created_at, updated_at, conversation_id, message_id, added_by_user, "
            "project_id, confidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                item["text"].strip(), created, _number(item.get("updated_at")) or created, conversation_id, message_id,
                int(item.get("added_by_user") is True),
                project_id,
                _number(item.get("confidence")) if item.get("confidence") is not None else None,
            ),
        )  # fmt: skip
        kept.add(normalise(item["text"]))
        added += 1
    return added


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0
