"""What a recovery (``app.core.history.recovery``) salvages of the projects table (migration 10).

``recovery`` reads the table from the damaged file row by row, as it reads the others; this module
says which columns it reads, cleans each row (garbage read as a row is left out) and puts back the
projects the restored backup lacks under their own ids, so the salvaged conversations' ``project_id``
still points at them; one the backup already has keeps the backup's values.
"""

from __future__ import annotations

import json
import sqlite3
import time
from typing import Any

Row = dict[str, Any]

FIELDS = (
    "id", "uuid", "name", "instructions", "persona_id", "model_name", "folders", "archived", "created_at",
    "updated_at",
)  # fmt: skip


def clean(row: Row, personas: set[int]) -> Row | None:
    """The row with sane types, or None when it is beyond use; a persona that is gone becomes the default."""
    if not isinstance(row.get("id"), int) or row["id"] <= 0:
        return None
    name, uuid = row.get("name"), row.get("uuid")
    if not isinstance(name, str) or not name.strip() or not isinstance(uuid, str) or not uuid:
        return None
    created = _number(row.get("created_at")) or time.time()
    persona = row.get("persona_id")
    return {
        "id": row["id"],
        "uuid": uuid,
        "name": name,
        "instructions": row.get("instructions") if isinstance(row.get("instructions"), str) else "",
        "persona_id": persona if isinstance(persona, int) and persona in personas else None,
        "model_name": row.get("model_name") if isinstance(row.get("model_name"), str) else None,
        "folders": _folders(row.get("folders")),
        "archived": 1 if row.get("archived") == 1 else 0,
        "created_at": created,
        "updated_at": _number(row.get("updated_at")) or created,
    }


def merge(db: sqlite3.Connection, rows: list[Row]) -> set[int]:
    """Adds the salvaged projects the recovered history lacks; returns the ids of every project it has now."""
    personas = {int(row[0]) for row in db.execute("SELECT id FROM personas")}
    columns = ", ".join(FIELDS)
    insert = f"INSERT OR IGNORE INTO projects ({columns}) VALUES ({', '.join('?' for _ in FIELDS)})"
    for row in rows:
        cleaned = clean(row, personas)
        if cleaned is not None:
            db.execute(insert, tuple(cleaned[field] for field in FIELDS))
    return {int(row[0]) for row in db.execute("SELECT id FROM projects")}


def _folders(value: object) -> str:
    """The folders as JSON; unreadable ones become none (never every folder)."""
    try:
        folders = json.loads(value) if isinstance(value, str) else []
    except ValueError:
        folders = []
    if not isinstance(folders, list) or not all(isinstance(folder, str) for folder in folders):
        folders = []
    return json.dumps(folders, ensure_ascii=False)


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
