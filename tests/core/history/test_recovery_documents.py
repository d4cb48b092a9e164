"""A recovered history keeps a turn's documents: a message's attachments and block, an answer's
citations and notes, and a conversation's "Use my library" choice, salvaged from the damaged file."""

from __future__ import annotations

import sqlite3

from app.core import paths
from app.core.documents.types import AttachmentUse, Document, DocumentContext, Page, Passage
from app.core.history.store import Store, open_store
from app.core.history.types import LibraryChoice
from tests.core.store_helpers import fill, garble_messages

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
LIBRARY = LibraryChoice(True, ("/docs",))
TABLES = ("message_attachments", "message_documents", "answer_citations", "answer_document_notes",
          "conversation_library")  # fmt: skip


def _turn(store: Store, question: str) -> tuple[int, int, int]:
    conversation = store.create_conversation(question)
    user = store.add_message(conversation.id, "user", question)
    answer = store.add_message(conversation.id, "assistant", "Zorblax [1].")
    store.save_user_documents(user.id, (REPORT, NOTES), CONTEXT)
    store.save_answer_documents(answer.id, CONTEXT.passages, CONTEXT.notes)
    store.set_library_choice(conversation.id, LIBRARY)
    return conversation.id, user.id, answer.id


def _assert_documents_kept(store: Store, turn: tuple[int, int, int]) -> None:
    conversation_id, user_id, answer_id = turn
    assert [attachment.document() for attachment in store.attachments(user_id)] == [REPORT, NOTES]
    assert [(a.mode, a.used, a.total) for a in store.attachments(user_id)] == [("passages", 1, 2), ("whole", 0, 0)]
    assert store.message(user_id).documents == CONTEXT.block
    assert store.citations(answer_id) == list(CONTEXT.passages)
    assert store.document_notes(answer_id) == list(CONTEXT.notes)
    assert store.library_choice(conversation_id) == LIBRARY


def _row_counts() -> dict[str, int]:
    db = sqlite3.connect(paths.database_path())
    try:
        return {table: int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]) for table in TABLES}
    finally:
        db.close()


def test_a_turns_documents_added_after_the_last_backup_survive_a_recovery() -> None:
    store = Store()
    old = _turn(store, "What was the old codename?")
    fill(store, 30, 40, size=400)  # enough pages that the damage below leaves the documents tables readable
    store.backup()
    new = _turn(store, "What is the codename?")
    store.close()
    garble_messages(paths.database_path())

    recovered, report = open_store()

    assert report is not None and report.backup_path is not None
    _assert_documents_kept(recovered, new)
    _assert_documents_kept(recovered, old)  # the backup's, not doubled by the damaged file's copy
    recovered.close()
    assert _row_counts() == {
        "message_attachments": 4, "message_documents": 2, "answer_citations": 2, "answer_document_notes": 2,
        "conversation_library": 2,
    }  # fmt: skip


def test_documents_follow_a_message_the_recovery_gives_a_new_id() -> None:
    store = Store()
    first = store.create_conversation("first")
    store.add_message(first.id, "user", "hello")
    fill(store, 30, 40, size=400)
    backup = store.backup()
    conversation_id, user_id, answer_id = _turn(store, "What is the codename?")
    store.close()
    # The backup holds other messages under the new turn's ids (a backup of another line of the history).
    copy = sqlite3.connect(backup.path, isolation_level=None)
    for taken in (user_id, answer_id):
        copy.execute(
            "INSERT INTO messages (id, conversation_id, role, content, status, created_at) "
            "VALUES (?, ?, 'user', 'someone else', 'complete', 1.0)",
            (taken, first.id),
        )
    copy.close()
    garble_messages(paths.database_path())

    recovered, report = open_store()

    assert report is not None and report.backup_path == backup.path
    moved = {message.role: message.id for message in recovered.messages(conversation_id)}
    assert set(moved) == {"user", "assistant"} and user_id not in moved.values()
    _assert_documents_kept(recovered, (conversation_id, moved["user"], moved["assistant"]))
    assert recovered.message(user_id).content == "someone else"
    assert recovered.attachments(user_id) == [] and recovered.message(user_id).documents == ""
    assert recovered.citations(answer_id) == [] and recovered.document_notes(answer_id) == []
    recovered.close()
