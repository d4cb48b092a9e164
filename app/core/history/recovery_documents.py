"""What a recovery salvages of the documents tables (migration 9): a user message's attachments and
documents block, an answer's citations and notes, and a conversation's "Use my library" choice.

``recovery`` reads these tables from the damaged file row by row, as it reads the others; this module
says which columns it reads, cleans each row (garbage read as a row is left out) and merges the rows
into the recovered history: each goes to its message or conversation under the id the merge gave it,
only where that message or conversation is there, and never over a row the backup already has.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

from app.core.documents.types import DocumentKind, ReadMode

Row = dict[str, Any]

_KINDS = frozenset(get_args(DocumentKind))
_MODES = frozenset(get_args(ReadMode))


@dataclass(frozen=True)
class DocumentsTable:
    name: str
    fields: tuple[str, ...]  # the columns read and written; the first names the row's owner
    owner: Literal["messages", "conversations"]
    clean: Callable[[Row], Row | None]  # the row with sane types, or None when it is beyond use
    read_share: float  # its part of the reading of a damaged file (the attachments carry the documents' text)


def _clean_attachment(row: Row) -> Row | None:
    texts = _json_texts(row.get("page_texts"))
    if texts is None or row.get("kind") not in _KINDS:
        return None
    if not _all_ids(row, "message_id") or not _all_counts(row, "position", "size", "pages"):
        return None
    if not _all_texts(row, "name", "path"):
        return None
    return {
        **row,
        "paged": 1 if row.get("paged") == 1 else 0,
        "mode": row["mode"] if row.get("mode") in _MODES else "whole",
        "used": _count_or_zero(row.get("used")),
        "total": _count_or_zero(row.get("total")),
    }


def _clean_block(row: Row) -> Row | None:
    block = row.get("block")
    return row if _all_ids(row, "message_id") and isinstance(block, str) and block else None


def _clean_citation(row: Row) -> Row | None:
    if not _all_ids(row, "answer_id", "number") or not _all_counts(row, "first_index", "last_index"):
        return None
    if not _all_texts(row, "name", "path", "text"):
        return None
    page = row.get("page")
    return {**row, "page": page if _is_count(page) else None}


def _clean_note(row: Row) -> Row | None:
    ok = _all_ids(row, "answer_id") and _all_counts(row, "position") and _all_texts(row, "note")
    return row if ok else None


def _clean_library_choice(row: Row) -> Row | None:
    folders = row.get("folders")
    if not _all_ids(row, "conversation_id") or row.get("enabled") not in (0, 1):
        return None
    if folders is not None and _json_texts(folders) is None:
        return None  # unreadable folders must not widen the choice to every folder
    return row


TABLES: tuple[DocumentsTable, ...] = (
    DocumentsTable(
        "message_attachments",
        ("message_id", "position", "name", "path", "size", "pages", "kind", "paged", "mode", "used", "total",
         "page_texts"),
        "messages", _clean_attachment, 0.15,
    ),
    DocumentsTable("message_documents", ("message_id", "block"), "messages", _clean_block, 0.03),
    DocumentsTable(
        "answer_citations",
        ("answer_id", "number", "name", "path", "page", "text", "first_index", "last_index"),
        "messages", _clean_citation, 0.03,
    ),
    DocumentsTable("answer_document_notes", ("answer_id", "position", "note"), "messages", _clean_note, 0.01),
    DocumentsTable(
        "conversation_library", ("conversation_id", "enabled", "folders"), "conversations", _clean_library_choice, 0.01
    ),
)  # fmt: skip
READ_SHARE = sum(table.read_share for table in TABLES)


def merge(
    db: sqlite3.Connection,
    salvaged: Mapping[str, list[Row]],
    ids: Mapping[str, Mapping[int, int]],
    progress: Callable[[float], None],
) -> int:
    """Adds the salvaged rows the recovered history lacks; returns how many were added.

    ``ids`` maps, for "messages" and "conversations", a salvaged row's id to the id the merge gave
    it. An id the merge did not see (its row unreadable) stays as it is where the recovered history
    has that row, unless the merge gave that id to another row.
    """
    total = sum(len(salvaged.get(table.name, ())) for table in TABLES)
    done = added = 0
    for table in TABLES:
        mapped = ids.get(table.owner, {})
        given = {new for old, new in mapped.items() if old != new}
        owner = table.fields[0]
        columns = ", ".join(table.fields)
        insert = f"INSERT OR IGNORE INTO {table.name} ({columns}) VALUES ({', '.join('?' for _ in table.fields)})"
        for row in salvaged.get(table.name, ()):
            done += 1
            progress(done / total)
            cleaned = table.clean({column: row.get(column) for column in table.fields})
            if cleaned is None or (cleaned[owner] not in mapped and cleaned[owner] in given):
                continue
            cleaned[owner] = mapped.get(cleaned[owner], cleaned[owner])
            if db.execute(f"SELECT 1 FROM {table.owner} WHERE id = ?", (cleaned[owner],)).fetchone() is None:
                continue  # its message or conversation was lost
            added += db.execute(insert, tuple(cleaned[column] for column in table.fields)).rowcount
    return added


def _json_texts(value: object) -> list[str] | None:
    if not isinstance(value, str):
        return None
    try:
        texts = json.loads(value)
    except ValueError:
        return None
    if not isinstance(texts, list) or not all(isinstance(text, str) for text in texts):
        return None
    return texts


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _count_or_zero(value: object) -> int:
    return value if isinstance(value, int) and _is_count(value) else 0


def _all_ids(row: Row, *columns: str) -> bool:
    return all(_is_count(row.get(column)) and row[column] > 0 for column in columns)


def _all_counts(row: Row, *columns: str) -> bool:
    return all(_is_count(row.get(column)) for column in columns)


def _all_texts(row: Row, *columns: str) -> bool:
    return all(isinstance(row.get(column), str) for column in columns)
