"""The history database: real SQLite files under a temporary PARLEY_HOME."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.core import paths
from app.core.errors import DatabaseDamagedError, DatabaseTooNewError
from app.core.history.store import SCHEMA_VERSION, Store
from app.core.history.types import DEFAULT_TITLE


def test_history_survives_reopening(parley_home: Path) -> None:
    store = Store()
    first = store.create_conversation()
    store.add_message(first.id, "user", "Hello")
    store.add_message(first.id, "assistant", "Hi! **How** can I help?", model_name="SmolLM2")
    second = store.create_conversation("Recipes")
    store.add_message(second.id, "user", "Bread?")
    store.close()

    reopened = Store()
    assert reopened.path == parley_home / "parley.sqlite3"
    assert [c.title for c in reopened.conversations()] == ["Recipes", DEFAULT_TITLE]
    messages = reopened.messages(first.id)
    assert [(m.role, m.content, m.model_name) for m in messages] == [
        ("user", "Hello", None),
        ("assistant", "Hi! **How** can I help?", "SmolLM2"),
    ]
    reopened.close()


def test_conversations_are_listed_newest_activity_first() -> None:
    store = Store()
    old = store.create_conversation("old")
    store.create_conversation("new")
    store.add_message(old.id, "user", "bump")
    assert [c.title for c in store.conversations()] == ["old", "new"]


def test_rename_and_delete() -> None:
    store = Store()
    conversation = store.create_conversation()
    store.add_message(conversation.id, "user", "x")
    store.rename_conversation(conversation.id, "  Trip plans ")
    assert store.conversation(conversation.id).title == "Trip plans"
    store.delete_conversation(conversation.id)
    assert store.conversations() == []
    assert store.messages(conversation.id) == []


def test_database_uses_wal_and_records_its_schema_version() -> None:
    Store().close()
    db = sqlite3.connect(paths.database_path())
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_answers_left_streaming_reopen_as_interrupted() -> None:
    store = Store()
    conversation = store.create_conversation()
    answer = store.add_message(conversation.id, "assistant", "Half an ans", status="streaming")
    store.close()  # as if the app had been killed: nothing settled the status
    reopened = Store()
    message = reopened.message(answer.id)
    assert message.status == "interrupted"
    assert message.content == "Half an ans"


def test_a_database_from_a_newer_parley_is_refused_and_left_untouched() -> None:
    path = paths.database_path()
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE future (x)")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseTooNewError) as caught:
        Store()
    assert str(SCHEMA_VERSION + 1) in caught.value.user_message()
    assert path.read_bytes() == before
    assert not Path(str(path) + "-wal").exists()


def test_a_damaged_database_gives_a_clear_error_and_is_left_untouched() -> None:
    path = paths.database_path()
    path.write_bytes(b"this is not a database" * 100)
    before = path.read_bytes()
    with pytest.raises(DatabaseDamagedError) as caught:
        Store()
    assert str(path) in caught.value.user_message()
    assert path.read_bytes() == before


def test_a_huge_paste_is_stored_whole() -> None:
    store = Store()
    conversation = store.create_conversation()
    text = "lorem ipsum 你好 😀 " * 50_000
    message = store.add_message(conversation.id, "user", text)
    assert store.message(message.id).content == text


def test_an_answer_keeps_its_reasoning_apart_and_a_conversation_its_thinking_choice() -> None:
    store = Store()
    conversation = store.create_conversation()
    assert conversation.thinking is None
    answer = store.add_message(conversation.id, "assistant", "", status="streaming")
    store.update_message(answer.id, "Paris.", reasoning="The capital of France.")
    store.update_message(answer.id, "Paris.", status="complete")  # a later write without reasoning keeps it
    store.set_thinking(conversation.id, "off")
    store.close()
    again = Store()
    saved = again.message(answer.id)
    assert (saved.content, saved.reasoning) == ("Paris.", "The capital of France.")
    assert again.conversation(conversation.id).thinking == "off"
    again.close()
