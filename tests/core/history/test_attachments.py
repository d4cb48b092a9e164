"""A message's attachments, block, citations and notes, and a conversation's library choice, on real SQLite."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from app.core import paths
from app.core.documents.types import AttachmentUse, Document, DocumentContext, Page, Passage
from app.core.errors import DatabaseTooNewError
from app.core.history import dbfile, exchange
from app.core.history.store import Store
from app.core.history.types import LibraryChoice

REPORT = Document(
    "/docs/report.pdf", "report.pdf", "pdf", 2048, (Page(1, "Intro."), Page(2, "Codename Zorblax.")), paged=True
)
NOTES = Document("/docs/notes.md", "notes.md", "markdown", 30, (Page(1, "Buy milk."),))
CONTEXT = DocumentContext(
    block="Documents:\n[1] report.pdf p. 2\nCodename Zorblax.",
    attachments=(
        AttachmentUse("/docs/report.pdf", "report.pdf", 2048, 2, "passages", used=1, total=2),
        AttachmentUse("/docs/notes.md", "notes.md", 30, 1, "whole"),
    ),
    passages=(Passage(1, "/docs/report.pdf", "report.pdf", 2, "Codename Zorblax.", 3, 4),),
    notes=("The folder /docs was still being indexed (1 of 2 files).",),
)


def _turn(store: Store) -> tuple[int, int, int]:
    conversation = store.create_conversation()
    user = store.add_message(conversation.id, "user", "What is the codename?")
    answer = store.add_message(conversation.id, "assistant", "Zorblax [1].")
    store.save_user_documents(user.id, (REPORT, NOTES), CONTEXT)
    store.save_answer_documents(answer.id, CONTEXT.passages, CONTEXT.notes)
    return conversation.id, user.id, answer.id


def _rows(table: str) -> int:
    db = sqlite3.connect(paths.database_path())
    try:
        return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        db.close()


def test_a_turns_documents_are_kept_with_its_messages() -> None:
    store = Store()
    conversation_id, user_id, answer_id = _turn(store)

    stored = store.attachments(user_id)
    assert [(a.name, a.mode, a.used, a.total, a.pages) for a in stored] == [
        ("report.pdf", "passages", 1, 2, 2),
        ("notes.md", "whole", 0, 0, 1),
    ]
    assert stored[0].document() == REPORT  # the text as read, even once the file is gone
    assert store.message(user_id).documents == CONTEXT.block
    assert store.messages(conversation_id)[0].documents == CONTEXT.block
    assert store.message(answer_id).documents == ""
    assert store.citations(answer_id) == list(CONTEXT.passages)
    assert store.document_notes(answer_id) == list(CONTEXT.notes)
    store.close()


def test_deleting_a_conversation_or_a_message_deletes_its_documents() -> None:
    store = Store()
    conversation_id, _, answer_id = _turn(store)
    other_id, other_user, _ = _turn(store)
    store.set_library_choice(conversation_id, LibraryChoice(True, ("/docs",)))

    store.delete_message(answer_id)
    assert store.citations(answer_id) == [] and store.document_notes(answer_id) == []
    store.delete_conversation(conversation_id)

    assert _rows("message_attachments") == 2 and _rows("message_documents") == 1
    assert _rows("answer_citations") == 1 and _rows("conversation_library") == 0
    assert len(store.attachments(other_user)) == 2
    store.delete_conversation(other_id)
    assert _rows("message_attachments") == _rows("answer_citations") == _rows("answer_document_notes") == 0
    store.close()


def test_the_library_is_off_until_the_user_turns_it_on() -> None:
    store = Store()
    conversation = store.create_conversation()
    assert store.library_choice(conversation.id) is None

    store.set_library_choice(conversation.id, LibraryChoice(True, ("/home/me/Papers", "/home/me/中文")))
    assert store.library_choice(conversation.id) == LibraryChoice(True, ("/home/me/Papers", "/home/me/中文"))
    store.set_library_choice(conversation.id, LibraryChoice(False))
    assert store.library_choice(conversation.id) == LibraryChoice(False, None)
    store.close()


def test_a_history_of_schema_8_is_upgraded_with_nothing_lost() -> None:
    db = sqlite3.connect(paths.database_path(), isolation_level=None)
    db.executescript(dbfile.MIGRATIONS[0])
    db.execute("INSERT INTO conversations (title, created_at, updated_at) VALUES ('Before documents', 1.0, 2.0)")
    db.execute(
        "INSERT INTO messages (conversation_id, role, content, status, created_at) "
        "VALUES (1, 'user', 'hello', 'complete', 1.5)"
    )
    for script in dbfile.MIGRATIONS[1:8]:  # the schema Parley had before documents, data and all
        db.executescript(script)
    db.execute("PRAGMA user_version = 8")
    db.close()

    upgraded = Store()
    assert [c.title for c in upgraded.conversations()] == ["Before documents"]
    [message] = upgraded.messages(1)
    assert (message.content, message.documents) == ("hello", "")
    assert upgraded.attachments(message.id) == [] and upgraded.library_choice(1) is None
    upgraded.close()
    assert len(list(upgraded.backups_folder.glob("*pre-migration*"))) == 1


def test_a_history_with_documents_is_refused_by_a_parley_without_them(monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store()
    _turn(store)
    store.close()
    monkeypatch.setattr(dbfile, "MIGRATIONS", dbfile.MIGRATIONS[:8])
    monkeypatch.setattr(dbfile, "SCHEMA_VERSION", 8)

    with pytest.raises(DatabaseTooNewError):
        Store()
    assert _rows("message_attachments") == 2


def test_an_export_carries_a_conversations_documents_into_another_history(tmp_path: Path) -> None:
    store = Store()
    conversation_id, _, _ = _turn(store)
    store.set_library_choice(conversation_id, LibraryChoice(True, ("/docs",)))
    exported = exchange.export_json(store)
    store.close()

    other = Store(tmp_path / "other.sqlite3")
    report = exchange.import_document(other, json.loads(exported), tmp_path / "export.json")
    assert (report.imported, report.messages) == (1, 2)
    [conversation] = other.conversations()
    user, answer = other.messages(conversation.id)
    assert [a.document() for a in other.attachments(user.id)] == [REPORT, NOTES]
    assert [(a.mode, a.used, a.total) for a in other.attachments(user.id)] == [("passages", 1, 2), ("whole", 0, 0)]
    assert user.documents == CONTEXT.block
    assert other.citations(answer.id) == list(CONTEXT.passages)
    assert other.document_notes(answer.id) == list(CONTEXT.notes)
    assert other.library_choice(conversation.id) == LibraryChoice(True, ("/docs",))
    assert exchange.export_json(other) == exported  # export → import → export: the same bytes
    other.close()


def test_an_export_from_before_documents_still_imports(tmp_path: Path) -> None:
    store = Store()
    _turn(store)
    document = json.loads(exchange.export_json(store))
    for message in document["conversations"][0]["messages"]:
        for key in ("documents", "attachments", "citations", "document_notes"):
            message.pop(key, None)

    report = exchange.import_document(store, document, tmp_path / "old.json", on_conflict="copy")

    assert report.imported == 1
    copy = next(c for c in store.conversations() if c.uuid != document["conversations"][0]["uuid"])
    user, answer = store.messages(copy.id)
    assert (user.content, user.documents, store.attachments(user.id), store.citations(answer.id)) == (
        "What is the codename?", "", [], []
    )
    store.close()


def test_the_markdown_export_names_the_attachments_and_the_sources() -> None:
    store = Store()
    conversation_id, _, _ = _turn(store)

    text = exchange.export_markdown(store, conversation_id)

    assert "_Attached: report.pdf, notes.md_\n\nWhat is the codename?" in text
    assert "Zorblax [1].\n\nSources:\n\n- [1] report.pdf p. 2\n" in text
    store.close()
