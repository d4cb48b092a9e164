"""The history's documents: a user message's attachments and documents block, an answer's citations
and notes, and a conversation's library choice (the tables of migration 9).

Plain SQL over a connection the ``Store`` lends (``reading``/``writing``), so a turn's documents are
written in the same transaction as each other. A row goes with its message or conversation (the
tables cascade on delete). The documents block is read back with each message (``Message.documents``,
``DOCUMENTS_COLUMN``) so the history replays the exact prompt a turn sent.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import cast

from app.core.documents.types import Document, DocumentContext, DocumentKind, Passage, ReadMode
from app.core.history.types import LibraryChoice, StoredAttachment

# The block of a message, as a column of ``SELECT … FROM messages``.
DOCUMENTS_COLUMN = "COALESCE((SELECT block FROM message_documents WHERE message_id = messages.id), '')"

_ATTACHMENT_COLUMNS = "message_id, position, name, path, size, pages, kind, mode, used, total, page_texts, paged"
_CITATION_COLUMNS = "number, path, name, page, text, first_index, last_index"


def save_user_documents(
    db: sqlite3.Connection, message_id: int, documents: Sequence[Document], context: DocumentContext
) -> None:
    """Records the files attached to ``message_id`` (in order; how each went in from ``context``) and
    the block sent before its text. Documents ``context`` does not mention count as read whole."""
    uses = {use.path: use for use in context.attachments}
    for position, document in enumerate(documents):
        use = uses.get(document.path)
        mode: ReadMode = use.mode if use is not None else "whole"
        db.execute(
            f"INSERT INTO message_attachments ({_ATTACHMENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                message_id, position, document.name, document.path, document.size, document.page_count,
                document.kind, mode, use.used if use else 0, use.total if use else 0,
                json.dumps([page.text for page in document.pages], ensure_ascii=False), int(document.paged),
            ),
        )  # fmt: skip
    set_block(db, message_id, context.block)


def set_block(db: sqlite3.Connection, message_id: int, block: str) -> None:
    """Sets (or, when empty, clears) the documents block sent before ``message_id``'s text."""
    db.execute("DELETE FROM message_documents WHERE message_id = ?", (message_id,))
    if block:
        db.execute("INSERT INTO message_documents (message_id, block) VALUES (?, ?)", (message_id, block))


def save_answer_documents(
    db: sqlite3.Connection, answer_id: int, passages: Sequence[Passage], notes: Sequence[str]
) -> None:
    """Records the passages an answer was given (its numbered sources) and its documents notes."""
    for passage in passages:
        db.execute(
            f"INSERT INTO answer_citations (answer_id, {_CITATION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (answer_id, passage.number, passage.path, passage.name, passage.page, passage.text,
             passage.first_index, passage.last_index),
        )  # fmt: skip
    for position, note in enumerate(notes):
        db.execute(
            "INSERT INTO answer_document_notes (answer_id, position, note) VALUES (?, ?, ?)",
            (answer_id, position, note),
        )


def copy_answer_documents(db: sqlite3.Connection, source_id: int, target_id: int) -> None:
    """Gives a regenerated answer the sources and notes of the one it stands beside (the same block)."""
    db.execute(
        f"INSERT INTO answer_citations (answer_id, {_CITATION_COLUMNS}) "
        f"SELECT ?, {_CITATION_COLUMNS} FROM answer_citations WHERE answer_id = ?",
        (target_id, source_id),
    )
    db.execute(
        "INSERT INTO answer_document_notes (answer_id, position, note) "
        "SELECT ?, position, note FROM answer_document_notes WHERE answer_id = ?",
        (target_id, source_id),
    )


def attachments(db: sqlite3.Connection, message_id: int) -> list[StoredAttachment]:
    """The files attached to a user message, in the order they were attached."""
    rows = db.execute(
        f"SELECT {_ATTACHMENT_COLUMNS} FROM message_attachments WHERE message_id = ? ORDER BY position",
        (message_id,),
    ).fetchall()
    return [_attachment(row) for row in rows]


def _attachment(row: sqlite3.Row) -> StoredAttachment:
    return StoredAttachment(
        int(row[0]), int(row[1]), str(row[2]), str(row[3]), int(row[4]), int(row[5]),
        cast(DocumentKind, row[6]), cast(ReadMode, row[7]), int(row[8]), int(row[9]),
        tuple(str(text) for text in json.loads(row[10])), bool(row[11]),
    )  # fmt: skip


def citations(db: sqlite3.Connection, answer_id: int) -> list[Passage]:
    """The numbered sources an answer was given, by number."""
    rows = db.execute(
        f"SELECT {_CITATION_COLUMNS} FROM answer_citations WHERE answer_id = ? ORDER BY number", (answer_id,)
    ).fetchall()
    return [Passage(int(r[0]), str(r[1]), str(r[2]), r[3], str(r[4]), int(r[5]), int(r[6])) for r in rows]


def notes(db: sqlite3.Connection, answer_id: int) -> list[str]:
    """The answer's documents notes, in order."""
    rows = db.execute(
        "SELECT note FROM answer_document_notes WHERE answer_id = ? ORDER BY position", (answer_id,)
    ).fetchall()
    return [str(row[0]) for row in rows]


def library_choice(db: sqlite3.Connection, conversation_id: int) -> LibraryChoice | None:
    """The conversation's "Use my library" choice; None while the user never made one (off)."""
    row = db.execute(
        "SELECT enabled, folders FROM conversation_library WHERE conversation_id = ?", (conversation_id,)
    ).fetchone()
    if row is None:
        return None
    folders = tuple(str(folder) for folder in json.loads(row[1])) if row[1] is not None else None
    return LibraryChoice(bool(row[0]), folders)


def set_library_choice(db: sqlite3.Connection, conversation_id: int, choice: LibraryChoice) -> None:
    folders = json.dumps(list(choice.folders), ensure_ascii=False) if choice.folders is not None else None
    db.execute(
        "INSERT INTO conversation_library (conversation_id, enabled, folders) VALUES (?, ?, ?) "
        "ON CONFLICT (conversation_id) DO UPDATE SET enabled = excluded.enabled, folders = excluded.folders",
        (conversation_id, int(choice.enabled), folders),
    )
