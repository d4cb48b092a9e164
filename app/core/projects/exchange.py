"""Projects in the history's JSON export (``app.core.history.exchange``): the projects, and which
project each conversation is in.

A project is known by its ``uuid`` (as a conversation is), its persona by name. The document's
top-level ``projects`` lists the projects of the conversations exported (all of them in a whole
export, empty ones too); a conversation names its project's uuid under ``project``. An older export
has neither key. An import adds the projects the history lacks (one already here, by uuid, is kept
as it is) and gives a new one whose name is taken a number after it.
"""

from __future__ import annotations

import sqlite3
import time
import uuid as uuid_module
from pathlib import Path
from typing import Any

from app.core.errors import HistoryFileError
from app.core.projects.store import PROJECT_COLUMNS, folders_json, project_from_row

_KEYS = ("uuid", "name", "instructions", "model_name", "folders", "archived", "created_at", "updated_at")


def project_uuid(db: sqlite3.Connection, project_id: int | None) -> str | None:
    """The uuid of a conversation's project (None outside one)."""
    if project_id is None:
        return None
    row = db.execute("SELECT uuid FROM projects WHERE id = ?", (project_id,)).fetchone()
    return str(row[0]) if row is not None else None


def projects_data(db: sqlite3.Connection, uuids: set[str] | None) -> list[dict[str, Any]]:
    """The projects whose uuids are given (None: every project), oldest first, as JSON data."""
    persona_names: dict[int, str] = {row[0]: row[1] for row in db.execute("SELECT id, name FROM personas")}
    found = [project_from_row(row) for row in db.execute(f"SELECT {PROJECT_COLUMNS} FROM projects")]
    chosen = [project for project in found if uuids is None or project.uuid in uuids]
    chosen.sort(key=lambda project: (project.created_at, project.uuid))
    data = []
    for project in chosen:
        item: dict[str, Any] = {key: getattr(project, key) for key in _KEYS}
        item["folders"] = list(project.folders)
        item["persona"] = persona_names.get(project.persona_id or -1)
        data.append(item)
    return data


def check_projects(document: dict[str, Any], path: Path) -> None:
    """``HistoryFileError`` unless the document's projects (if any) are objects with a uuid and a name."""
    items = document.get("projects", [])
    if not isinstance(items, list):
        raise HistoryFileError(path=path, reason="the projects are not a list")
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("uuid"), str) or not isinstance(item.get("name"), str):
            raise HistoryFileError(path=path, reason="a project has no uuid or no name")


def import_projects(
    db: sqlite3.Connection, document: dict[str, Any], personas: dict[str, int | None]
) -> dict[str, int]:
    """Adds the document's projects the history lacks, inside the caller's transaction; returns each
    project's id here by its uuid (those already here included)."""
    here = {str(row[0]): int(row[1]) for row in db.execute("SELECT uuid, id FROM projects")}
    names = {str(row[0]).casefold() for row in db.execute("SELECT name FROM projects")}
    for item in document.get("projects", []):
        uuid = str(item["uuid"]) or str(uuid_module.uuid4())
        if uuid in here:
            continue
        name = " ".join(str(item["name"]).split()) or "Imported project"
        number = 2
        unique = name
        while unique.casefold() in names:
            unique = f"{name} ({number})"
            number += 1
        names.add(unique.casefold())
        folders = item.get("folders")
        created_at = _number(item.get("created_at")) or time.time()
        updated_at = _number(item.get("updated_at")) or created_at
        cursor = db.execute(
            "INSERT INTO projects (uuid, name, instructions, persona_id, model_name, folders, archived, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                uuid,
                unique,
                item.get("instructions") if isinstance(item.get("instructions"), str) else "",
                personas.get(str(item.get("persona"))),
                item.get("model_name") if isinstance(item.get("model_name"), str) else None,
                folders_json(tuple(str(f) for f in folders) if isinstance(folders, list) else ()),
                1 if item.get("archived") is True else 0,
                created_at,
                updated_at,
            ),
        )
        here[uuid] = int(cursor.lastrowid or 0)
    return here


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
