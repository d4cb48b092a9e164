"""Migrations run as whole scripts, each in its own transaction, on real SQLite files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.core import paths
from app.core.errors import DatabaseDamagedError, StorageError
from app.core.history import dbfile
from app.core.history.store import Store
from tests.core.store_helpers import make_version_1_history

AUDIT_MIGRATION = """
CREATE TABLE audit (message_id INTEGER, note TEXT);
-- Two statements inside the trigger body: splitting the script on ";" would cut it apart.
CREATE TRIGGER audit_new_message AFTER INSERT ON messages
BEGIN
    INSERT INTO audit (message_id, note) VALUES (new.id, 'added');
    INSERT INTO audit (message_id, note) VALUES (new.id, 'role ' || new.role);
END;
"""


def _with_migration(monkeypatch: pytest.MonkeyPatch, script: str) -> int:
    migrations = (*dbfile.MIGRATIONS, script)
    monkeypatch.setattr(dbfile, "MIGRATIONS", migrations)
    monkeypatch.setattr(dbfile, "SCHEMA_VERSION", len(migrations))
    return len(migrations)


def _version_and_tables(path: Path) -> tuple[int, set[str]]:
    db = sqlite3.connect(path)
    try:
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        names = {str(row[0]) for row in db.execute("SELECT name FROM sqlite_master")}
    finally:
        db.close()
    return version, names


def test_a_migration_with_a_multi_statement_trigger_applies_whole(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    Store().close()  # today's schema first, so only the new migration runs below
    number = _with_migration(monkeypatch, AUDIT_MIGRATION)

    opened = Store()
    conversation = opened.create_conversation()
    message = opened.add_message(conversation.id, "user", "Hello")
    opened.close()

    db = sqlite3.connect(paths.database_path())
    assert db.execute("PRAGMA user_version").fetchone()[0] == number
    assert db.execute("SELECT note FROM audit WHERE message_id = ? ORDER BY rowid", (message.id,)).fetchall() == [
        ("added",),
        ("role user",),
    ]
    db.close()


def test_a_failing_migration_leaves_the_version_and_the_schema_unchanged(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    Store().close()
    before = _version_and_tables(paths.database_path())
    _with_migration(monkeypatch, "CREATE TABLE half_done (x INTEGER);\nINSERT INTO no_such_table VALUES (1);")

    with pytest.raises(StorageError) as caught:
        Store()

    assert not isinstance(caught.value, DatabaseDamagedError)  # a failed migration is not damage
    assert _version_and_tables(paths.database_path()) == before
    assert "half_done" not in before[1]


def test_a_history_from_an_older_parley_is_upgraded_with_its_data() -> None:
    make_version_1_history(paths.database_path())

    opened = Store()

    assert [c.title for c in opened.conversations()] == ["From v1"]
    assert [m.content for m in opened.messages(1)] == ["hi"]
    opened.close()
    assert _version_and_tables(paths.database_path())[0] == dbfile.SCHEMA_VERSION
