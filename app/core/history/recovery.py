"""The one recovery path for a damaged history, at start or while the app runs.

The damaged file is set aside byte for byte, the newest sound backup takes its place (none: a new
history), and what the damaged file still yields is salvaged row by row and merged back; a
``RecoveryReport`` says what happened. The rule: nothing is lost on the way. A recovery that fails
part-way puts the damaged file back unchanged, and the merge keeps rather than drops (a row missing
from the damaged file cannot be told from one lost to the damage). The documents tables (attachments,
citations, library choices) are salvaged by ``recovery_documents``, the projects by ``app.core.projects.salvage``,
the memories by ``app.core.memory.salvage``.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.errors import AppError
from app.core.history import backups, recovery_documents, tree
from app.core.history.dbfile import SCHEMA_VERSION, backups_folder_for, open_database, set_aside
from app.core.history.types import DEFAULT_TITLE, ROLES, STATUSES
from app.core.memory import salvage as memory_salvage
from app.core.projects import salvage as project_salvage

log = logging.getLogger("app.store")

CHUNK = 256  # ids read per query while salvaging
MAX_ID = 50_000_000  # a bound on ids taken from a damaged file, so garbage cannot make the scan endless

_CONVERSATION_FIELDS = (
    "id", "title", "created_at", "updated_at", "model_name", "system_prompt", "thinking", "uuid", "pinned",
    "title_set_by_user", "chosen_root_id", "persona_id", "memory_start", "overflow", "project_id",
)  # fmt: skip
_PERSONA_FIELDS = (
    "id", "builtin", "name", "icon", "description", "system_prompt", "sampling", "model_name", "n_ctx", "overflow",
    "target_language", "created_at", "updated_at", "uses_about_you", "min_parameters", "json_schema",
    "look_inside",
)  # fmt: skip
_MESSAGE_FIELDS = (
    "id", "conversation_id", "role", "content", "status", "model_name", "created_at", "n_tokens",
    "tokens_per_second", "ttft_seconds", "writer", "reasoning", "parent_id", "chosen_child_id", "finish_reason",
    "kind", "server", "persona_id", "speculation",
)  # fmt: skip
_MESSAGE_STATE = ("content", "status", "n_tokens", "tokens_per_second", "ttft_seconds", "reasoning", "chosen_child_id")

Row = dict[str, Any]
Progress = Callable[[float], None]  # told the fraction done (0 to 1), rising, from the recovering thread
# The share of the work each step takes, measured on a 150 MB history: reading the damaged file is most of it.
_READ_SHARE, _RESTORE_SHARE = 0.6, 0.1


def _no_progress(fraction: float) -> None:
    del fraction


@dataclass(frozen=True)
class RecoveryReport:
    damaged_path: Path  # where the damaged file was kept, unchanged (its -wal/-shm beside it)
    backup_path: Path | None  # the backup restored, or None when there was no sound one
    backup_created_at: float | None
    salvaged_conversations: int  # conversations taken from the damaged file: missing from the backup or newer
    salvaged_messages: int


@dataclass
class _Salvage:
    conversations: list[Row]
    messages: list[Row]
    sequences: dict[str, int]  # AUTOINCREMENT counters, so ids of the damaged file are never reused
    personas: list[Row] = field(default_factory=list)  # the user's own personas and their edits of the built-ins
    documents: dict[str, list[Row]] = field(default_factory=dict)  # by table (recovery_documents.TABLES)
    projects: list[Row] = field(default_factory=list)  # app.core.projects.salvage


def recover(path: Path, *, backups_folder: Path | None = None, progress: Progress | None = None) -> RecoveryReport:
    """Replaces the damaged history at ``path`` (closed by its store) with a recovered one.

    ``progress`` is told the fraction done as the work goes (a big history takes half a minute).
    """
    folder = backups_folder or backups_folder_for(path)
    told = _Rising(progress or _no_progress)
    kept = set_aside(path)
    log.warning("kept the damaged history at %s", kept)
    try:
        salvage = _salvage(kept, lambda part: told(part * _READ_SHARE))
        backup = backups.newest_sound_backup(folder, path, max_version=SCHEMA_VERSION)
        if backup is not None:
            backups.restore_file(backup.path, path)
        told(_READ_SHARE + _RESTORE_SHARE)
        db = open_database(path, folder)
        try:
            start = _READ_SHARE + _RESTORE_SHARE
            conversations, messages = _merge(db, salvage, lambda part: told(start + part * (1 - start)))
        finally:
            db.close()
    except (AppError, OSError, sqlite3.Error) as exc:
        log.error("recovering %s failed (%s); the damaged file goes back in its place", path, exc)
        _put_back(kept, path)
        raise
    report = RecoveryReport(
        kept,
        backup.path if backup else None,
        backup.created_at if backup else None,
        conversations,
        messages,
    )
    told(1.0)
    log.warning("recovered the history: %s", report)
    return report


class _Rising:
    """Passes fractions on only when they rise, at most once a percent."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._last = -1.0

    def __call__(self, fraction: float) -> None:
        fraction = min(1.0, max(0.0, fraction))
        if fraction >= self._last + 0.01 or (fraction == 1.0 and self._last < 1.0):
            self._last = fraction
            self._progress(fraction)


def _put_back(kept: Path, path: Path) -> None:
    """Undoes ``set_aside``: whatever was made at ``path`` goes, the damaged file comes back."""
    try:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        for suffix in ("", "-wal", "-shm"):
            source = Path(f"{kept}{suffix}")
            if source.exists():
                os.replace(source, Path(f"{path}{suffix}"))
    except OSError as exc:
        log.error("the damaged history stays at %s: %s", kept, exc)


# -- salvage -----------------------------------------------------------------------------------


def _salvage(kept: Path, progress: Progress) -> _Salvage:
    """Everything still readable in the damaged file; its bytes are never changed."""
    empty = _Salvage([], [], {})
    if not kept.exists():
        return empty
    with _damaged_copy(kept) as db:
        if db is None:
            return empty
        db.text_factory = _lenient_text  # one bad byte must not lose a whole message
        messages_end = 0.97 - recovery_documents.READ_SHARE
        conversations = _read_table(db, "conversations", _CONVERSATION_FIELDS, lambda part: progress(part * 0.05))
        messages = _read_table(db, "messages", _MESSAGE_FIELDS, _part(progress, 0.05, messages_end))
        sequences = _sequences(db)
        personas = _read_table(db, "personas", _PERSONA_FIELDS, _part(progress, messages_end, 0.97))
        documents: dict[str, list[Row]] = {}
        start = 0.97
        for table in recovery_documents.TABLES:
            end = start + table.read_share
            documents[table.name] = _read_table(db, table.name, table.fields, _part(progress, start, end))
            start = end
        projects = _read_table(db, "projects", project_salvage.FIELDS, _no_progress)
        documents[memory_salvage.TABLE] = _read_table(db, memory_salvage.TABLE, memory_salvage.FIELDS, _no_progress)
    log.info("salvaged %d conversations and %d messages from %s", len(conversations), len(messages), kept)
    return _Salvage(conversations, messages, sequences, personas, documents, projects)


def _part(progress: Progress, start: float, end: float) -> Progress:
    """``progress`` told of one step that runs from ``start`` to ``end`` of the whole."""
    return lambda part: progress(start + part * (end - start))


@contextmanager
def _damaged_copy(kept: Path) -> Iterator[sqlite3.Connection | None]:
    """A connection to a copy of the damaged file and its WAL (reading may write, and the WAL
    holds the newest rows); without room for a copy, the file itself, read-only, without its WAL."""
    try:
        work = Path(tempfile.mkdtemp(prefix=".parley-salvage-", dir=kept.parent))
    except OSError:
        work = None
    try:
        db: sqlite3.Connection | None = None
        if work is not None:
            try:
                copy = work / "damaged.sqlite3"
                shutil.copyfile(kept, copy)
                wal = Path(f"{kept}-wal")
                if wal.exists():
                    shutil.copyfile(wal, Path(f"{copy}-wal"))
                db = sqlite3.connect(copy, isolation_level=None)
            except (OSError, sqlite3.Error) as exc:
                log.warning("salvaging from %s without a copy: %s", kept, exc)
        if db is None:
            try:
                db = sqlite3.connect(f"{kept.resolve().as_uri()}?mode=ro&immutable=1", uri=True, isolation_level=None)
            except sqlite3.Error as exc:
                log.error("nothing can be salvaged from %s: %s", kept, exc)
        try:
            yield db
        finally:
            if db is not None:
                db.close()
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)


def _lenient_text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def _read_table(db: sqlite3.Connection, table: str, fields: tuple[str, ...], progress: Progress) -> list[Row]:
    try:
        present = {str(row[1]) for row in db.execute(f"PRAGMA table_info({table})")}
    except sqlite3.Error as exc:
        log.error("the layout of %s cannot be read: %s", table, exc)
        return []
    columns = [field for field in fields if field in present]
    if fields[0] not in columns:  # no such table (an older file), or not the table it was
        return []
    # By rowid: the id of the tables with one, the place in the file of the documents tables' rows.
    query = f"SELECT {', '.join(columns)} FROM {table} NOT INDEXED WHERE rowid >= ? AND rowid < ? ORDER BY rowid"
    rows: list[Row] = []
    unreadable = 0

    def read(low: int, high: int) -> None:
        nonlocal unreadable
        try:
            found = db.execute(query, (low, high)).fetchall()
        except sqlite3.Error:
            if high - low <= 1:
                unreadable += 1
                return
            middle = (low + high) // 2
            read(low, middle)
            read(middle, high)
            return
        rows.extend(dict(zip(columns, row, strict=True)) for row in found)

    upper = _upper_id(db, table)
    for low in range(1, upper + 1, CHUNK):
        read(low, min(low + CHUNK, upper + 1))
        progress(min(low + CHUNK, upper + 1) / (upper + 1))
    if unreadable:
        log.warning("%d ids of %s could not be read", unreadable, table)
    return rows


def _upper_id(db: sqlite3.Connection, table: str) -> int:
    """The largest rowid worth trying: any of three sources may sit on a damaged page."""
    candidates: list[int] = []
    for query, parameters in (
        (f"SELECT max(rowid) FROM {table}", ()),
        ("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)),
    ):
        try:
            row = db.execute(query, parameters).fetchone()
        except sqlite3.Error:
            continue
        if row is not None and isinstance(row[0], int):
            candidates.append(row[0])
    try:  # a plain scan yields rows up to the first bad page
        for (rowid,) in db.execute(f"SELECT rowid FROM {table} NOT INDEXED"):
            if isinstance(rowid, int):
                candidates.append(rowid)
    except sqlite3.Error:
        pass
    upper = max(candidates, default=0)
    if upper > MAX_ID:
        log.warning("ignoring ids of %s beyond %d (the damaged file claims %d)", table, MAX_ID, upper)
    return min(upper, MAX_ID)


def _sequences(db: sqlite3.Connection) -> dict[str, int]:
    try:
        rows = db.execute("SELECT name, seq FROM sqlite_sequence").fetchall()
    except sqlite3.Error:
        return {}
    return {str(name): int(seq) for name, seq in rows if isinstance(seq, int) and 0 < seq <= MAX_ID}


# -- merge -------------------------------------------------------------------------------------


def _merge(db: sqlite3.Connection, salvage: _Salvage, progress: Progress) -> tuple[int, int]:
    """Adds what the restored history lacks; returns (conversations, messages) taken from the salvage."""
    conversations = [row for row in map(_clean_conversation, salvage.conversations) if row is not None]
    messages = [row for row in map(_clean_message, salvage.messages) if row is not None]
    db.execute("BEGIN IMMEDIATE")
    try:
        _merge_personas(db, salvage.personas)
        personas = {int(row[0]) for row in db.execute("SELECT id FROM personas")}
        for row in (*conversations, *messages):  # a persona that could not be read: the default one
            if row["persona_id"] not in personas:
                row["persona_id"] = None
        projects = project_salvage.merge(db, salvage.projects)
        for row in conversations:  # a project that could not be read: the main list
            if row["project_id"] not in projects:
                row["project_id"] = None
        mapped, merged_conversations = _merge_conversations(db, conversations)
        merged_messages = 0
        message_ids: dict[int, int] = {}  # a salvaged message's id: the id it has now
        documents = sum(map(len, salvage.documents.values()))
        messages_share = (len(messages) + 1) / (len(messages) + documents + 1)
        for done, message in enumerate(messages, 1):
            if done % CHUNK == 0:
                progress(done / (len(messages) + 1) * messages_share)
            original = message["conversation_id"]
            if original not in mapped:
                mapped[original], created = _conversation_for_orphans(db, original, messages)
                merged_conversations += created
            message["conversation_id"] = mapped[original]
            added, message_ids[message["id"]] = _merge_message(db, message)
            merged_messages += added
        ids = {"messages": message_ids, "conversations": mapped}
        merged_documents = recovery_documents.merge(db, salvage.documents, ids, _part(progress, messages_share, 1.0))
        log.info("merged %d rows of the documents tables", merged_documents)
        merged_memories = memory_salvage.merge(db, salvage.documents.get(memory_salvage.TABLE, []), ids)
        log.info("merged %d memories", merged_memories)
        for name, seq in salvage.sequences.items():
            db.execute("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?", (seq, name))
        for conversation_id in {message["conversation_id"] for message in messages} | set(mapped.values()):
            tree.repair(db, conversation_id)  # links a bad page cut are mended
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return merged_conversations, merged_messages


def _merge_personas(db: sqlite3.Connection, rows: list[Row]) -> None:
    """Puts back the personas the restored history lacks (a built-in keeps the restored one's edits
    when both have it); a row that is not a persona any more is left out."""
    for row in rows:
        name, created = row.get("name"), row.get("created_at")
        if not isinstance(row.get("id"), int) or not isinstance(name, str) or not name.strip():
            continue
        if not isinstance(created, int | float):
            continue
        values = {column: row.get(column) for column in _PERSONA_FIELDS}
        for text in ("icon", "description", "system_prompt", "overflow", "target_language"):
            values[text] = values[text] if isinstance(values[text], str) else ""
        values["sampling"] = values["sampling"] if isinstance(values["sampling"], str) else "{}"
        values["n_ctx"] = values["n_ctx"] if isinstance(values["n_ctx"], int) else None
        minimum = values["min_parameters"]
        values["min_parameters"] = minimum if isinstance(minimum, int) and minimum > 0 else None
        uses = values["uses_about_you"]  # a file from before the column: the migration's rule
        values["uses_about_you"] = uses if uses in (0, 1) else int(values["builtin"] not in ("translator", "writer"))
        values["model_name"] = _text_or_none(values["model_name"])
        values["json_schema"] = _text_or_none(values["json_schema"])
        values["look_inside"] = 1 if values["look_inside"] == 1 else 0  # a file from before the column: off
        values["builtin"] = _text_or_none(values["builtin"])
        values["updated_at"] = _number(values["updated_at"], created)
        columns = ", ".join(_PERSONA_FIELDS)
        placeholders = ", ".join("?" for _ in _PERSONA_FIELDS)
        db.execute(
            f"INSERT OR IGNORE INTO personas ({columns}) VALUES ({placeholders})",
            tuple(values[column] for column in _PERSONA_FIELDS),
        )


def _merge_conversations(db: sqlite3.Connection, rows: list[Row]) -> tuple[dict[int, int], int]:
    mapped: dict[int, int] = {}
    merged = 0
    fields = _CONVERSATION_FIELDS[1:]
    columns = ", ".join(fields)
    placeholders = ", ".join("?" for _ in fields)
    assignments = ", ".join(f"{field} = ?" for field in fields)
    for row in rows:
        values = tuple(row[field] for field in fields)
        existing = db.execute("SELECT created_at, updated_at FROM conversations WHERE id = ?", (row["id"],)).fetchone()
        if existing is None:
            db.execute(f"INSERT INTO conversations (id, {columns}) VALUES (?, {placeholders})", (row["id"], *values))
            mapped[row["id"]] = row["id"]
        elif existing[0] == row["created_at"]:  # the same conversation (ids are never reused)
            mapped[row["id"]] = row["id"]
            if row["updated_at"] <= existing[1]:
                continue
            db.execute(f"UPDATE conversations SET {assignments} WHERE id = ?", (*values, row["id"]))
        else:  # another conversation holds that id: keep both (the copy gets its own uuid)
            values = tuple(None if field == "uuid" else row[field] for field in fields)
            cursor = db.execute(f"INSERT INTO conversations ({columns}) VALUES ({placeholders})", values)
            mapped[row["id"]] = int(cursor.lastrowid or 0)
        merged += 1
    return mapped, merged


def _conversation_for_orphans(db: sqlite3.Connection, original: int, messages: list[Row]) -> tuple[int, int]:
    """Where messages whose conversation row was lost go: the backup's row, or a new conversation."""
    if db.execute("SELECT 1 FROM conversations WHERE id = ?", (original,)).fetchone() is not None:
        return original, 0
    own = [message for message in messages if message["conversation_id"] == original]
    first_user = next((message["content"] for message in own if message["role"] == "user"), "")
    title = " ".join(str(first_user).split())[:48] or DEFAULT_TITLE
    created = min(message["created_at"] for message in own)
    updated = max(message["created_at"] for message in own)
    db.execute(
        "INSERT INTO conversations (id, title, created_at, updated_at) VALUES (?, ?, ?, ?)",
        (original, title, created, updated),
    )
    return original, 1


def _merge_message(db: sqlite3.Connection, row: Row) -> tuple[int, int]:
    """(1 if the salvaged message was added or brought up to date, 0 if the backup had it already;
    its id now: its own, or a new one when another message holds that id)."""
    existing = db.execute(
        f"SELECT conversation_id, created_at, {', '.join(_MESSAGE_STATE)} FROM messages WHERE id = ?", (row["id"],)
    ).fetchone()
    columns = _MESSAGE_FIELDS[1:]
    values = tuple(row[field] for field in columns)
    placeholders = ", ".join("?" for _ in columns)
    if existing is None:
        db.execute(f"INSERT INTO messages (id, {', '.join(columns)}) VALUES (?, {placeholders})", (row["id"], *values))
    elif (existing[0], existing[1]) == (row["conversation_id"], row["created_at"]):
        # The same message; an answer only changes while it streams, so the damaged file's is the newer.
        if tuple(existing)[2:] == tuple(row[field] for field in _MESSAGE_STATE):
            return 0, row["id"]
        assignments = ", ".join(f"{field} = ?" for field in _MESSAGE_STATE)
        db.execute(
            f"UPDATE messages SET {assignments} WHERE id = ?", (*(row[field] for field in _MESSAGE_STATE), row["id"])
        )
    else:
        cursor = db.execute(f"INSERT INTO messages ({', '.join(columns)}) VALUES ({placeholders})", values)
        return 1, int(cursor.lastrowid or 0)
    return 1, row["id"]


def _clean_conversation(row: Row) -> Row | None:
    """The salvaged row with sane types, or None when it is beyond use (garbage read as a row)."""
    if not isinstance(row.get("id"), int) or row["id"] <= 0:
        return None
    now = time.time()
    created = _number(row.get("created_at"), now)
    return {
        "id": row["id"],
        "title": row.get("title") if isinstance(row.get("title"), str) else DEFAULT_TITLE,
        "created_at": created,
        "updated_at": _number(row.get("updated_at"), created),
        "model_name": _text_or_none(row.get("model_name")),
        "system_prompt": _text_or_none(row.get("system_prompt")),
        "thinking": row.get("thinking") if row.get("thinking") in ("on", "off") else None,
        "uuid": _text_or_none(row.get("uuid")),
        "pinned": 1 if row.get("pinned") == 1 else 0,
        "title_set_by_user": 1 if row.get("title_set_by_user") == 1 else 0,
        "chosen_root_id": _id_or_none(row.get("chosen_root_id")),
        "persona_id": _id_or_none(row.get("persona_id")),
        "memory_start": _id_or_none(row.get("memory_start")),
        "overflow": row.get("overflow") if row.get("overflow") in ("drop_oldest", "stop") else None,
        "project_id": _id_or_none(row.get("project_id")),
    }


def _clean_message(row: Row) -> Row | None:
    if not isinstance(row.get("id"), int) or row["id"] <= 0 or not isinstance(row.get("conversation_id"), int):
        return None
    if row.get("role") not in ROLES:
        return None
    content = row.get("content")
    if isinstance(content, bytes):
        content = _lenient_text(content)
    status = row.get("status")
    n_tokens = row.get("n_tokens")
    return {
        "id": row["id"],
        "conversation_id": row["conversation_id"],
        "role": row["role"],
        "content": content if isinstance(content, str) else "",
        "status": status if status in STATUSES else "interrupted",
        "model_name": _text_or_none(row.get("model_name")),
        "created_at": _number(row.get("created_at"), time.time()),
        "n_tokens": n_tokens if isinstance(n_tokens, int) else None,
        "tokens_per_second": _number(row.get("tokens_per_second"), None),
        "ttft_seconds": _number(row.get("ttft_seconds"), None),
        "writer": _text_or_none(row.get("writer")),
        "reasoning": _text_or_none(row.get("reasoning")),
        "parent_id": _id_or_none(row.get("parent_id")),
        "chosen_child_id": _id_or_none(row.get("chosen_child_id")),
        "persona_id": _id_or_none(row.get("persona_id")),
        "finish_reason": _text_or_none(row.get("finish_reason")),
        "kind": _text_or_none(row.get("kind")),
        "server": _text_or_none(row.get("server")),
        "speculation": _text_or_none(row.get("speculation")),
    }


def _number(value: object, default: float | None) -> Any:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else default


def _id_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None
