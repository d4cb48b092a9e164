"""Backups of the history: checked copies made with SQLite's backup API, kept a few at a time."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from app.core import paths
from app.core.errors import BackupCheckFailedError
from app.core.history import backups, health
from app.core.history.store import SCHEMA_VERSION, Store
from tests.core.store_helpers import all_texts, fill, garble, garble_messages, make_version_1_history


def _day(day: int, hour: int = 12) -> float:
    return datetime(2025, 3, day, hour).timestamp()


def _texts_in(path: Path) -> set[str]:
    db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return {str(row[0]) for row in db.execute("SELECT content FROM messages")}
    finally:
        db.close()


def test_a_backup_is_a_checked_self_contained_copy() -> None:
    store = Store()
    written = fill(store, 2, 3)

    backup = store.backup()

    assert store.backups_folder == paths.backups_dir()
    assert backup.path.parent == paths.backups_dir()
    assert backup.kind == "daily"
    assert backup.size == backup.path.stat().st_size > 0
    assert abs(backup.created_at - datetime.now().timestamp()) < 60
    assert sorted(p.name for p in paths.backups_dir().iterdir()) == [backup.path.name]  # no temp, no -wal
    assert _texts_in(backup.path) == set(written)
    assert backups.check_backup(backup.path).status == "ok"
    assert store.backups() == [backup]
    store.close()


def test_the_daily_copy_is_made_once_a_day_by_the_newest_daily_copy_date() -> None:
    store = Store()
    fill(store, 1, 2)

    first = store.maybe_daily_backup(now=_day(3, 9))
    again_same_day = store.maybe_daily_backup(now=_day(3, 23))
    next_day = store.maybe_daily_backup(now=_day(4, 8))

    assert first is not None and again_same_day is None and next_day is not None
    assert [b.created_at for b in store.backups()] == [_day(4, 8), _day(3, 9)]
    store.close()


def test_seven_daily_and_three_pre_migration_copies_are_kept() -> None:
    store = Store()
    fill(store, 1, 1)
    for day in range(1, 11):
        backups.create_backup(store._db, store.path, store.backups_folder, "daily", now=_day(day))
        backups.create_backup(store._db, store.path, store.backups_folder, "pre-migration", now=_day(day, 6))
        backups.create_backup(store._db, store.path, store.backups_folder, "pre-restore", now=_day(day, 7))

    kept = store.backups()

    assert [b.created_at for b in kept if b.kind == "daily"] == [_day(d) for d in range(10, 3, -1)]
    assert [b.created_at for b in kept if b.kind == "pre-migration"] == [_day(d, 6) for d in (10, 9, 8)]
    assert [b.created_at for b in kept if b.kind == "pre-restore"] == [_day(d, 7) for d in (10, 9, 8)]
    assert len(list(store.backups_folder.iterdir())) == 13
    store.close()


def test_copies_of_another_history_are_not_listed(parley_home: Path) -> None:
    mine = Store()
    other = Store(parley_home / "other.sqlite3")
    mine.backup()
    other.backup()
    assert [b.path.name.split("-")[0] for b in mine.backups()] == ["parley"]
    assert [b.path.name.split("-")[0] for b in other.backups()] == ["other"]
    mine.close()
    other.close()


def test_a_copy_that_fails_its_check_is_deleted_and_reported(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store()
    fill(store, 30, 40, size=400)
    store.close()
    garble_messages(paths.database_path())
    monkeypatch.setattr(health, "QUICK_CHECK_SECONDS", 0.0)  # as if the start-up check had run out of time
    damaged = Store()

    with pytest.raises(BackupCheckFailedError) as caught:
        damaged.backup()

    assert str(damaged.path) in caught.value.user_message()
    assert list(damaged.backups_folder.iterdir()) == []  # neither the copy nor its temporary file is left
    damaged.close()


def test_a_migration_is_preceded_by_a_copy_of_the_old_history() -> None:
    make_version_1_history(paths.database_path())

    store = Store()

    (copy,) = store.backups()
    assert copy.kind == "pre-migration"
    assert backups.schema_version(copy.path) == 1
    assert _texts_in(copy.path) == {"hi"}
    store.close()


def test_a_new_history_gets_no_pre_migration_copy() -> None:
    store = Store()
    assert store.backups() == []
    store.close()
    Store().close()  # nor does reopening an up-to-date one
    assert list(paths.backups_dir().iterdir()) == []


def test_restoring_a_backup_replaces_the_history_and_keeps_a_pre_restore_copy() -> None:
    store = Store()
    before = fill(store, 2, 2, tag="kept")
    backup = store.backup()
    later = fill(store, 1, 2, tag="later")
    other_window = Store()  # another instance has the same history open

    pre_restore = store.restore_backup(backup)

    assert all_texts(store) == before
    assert all_texts(other_window) == before  # restored through SQLite, so it sees the change too
    assert pre_restore.kind == "pre-restore"
    assert _texts_in(pre_restore.path) == set(before) | set(later)
    conversation = store.conversations()[0]
    store.add_message(conversation.id, "user", "after the restore")  # still a working history
    assert any(m.content == "after the restore" for m in other_window.messages(conversation.id))
    other_window.close()
    store.close()


def test_restoring_an_old_schema_copy_upgrades_it() -> None:
    make_version_1_history(paths.database_path())
    store = Store()
    (old,) = store.backups()
    fill(store, 1, 1)

    store.restore_backup(old)

    assert [c.title for c in store.conversations()] == ["From v1"]
    version = store._db.execute("PRAGMA user_version").fetchone()[0]
    assert version == SCHEMA_VERSION
    store.close()


def test_a_damaged_backup_is_refused_and_the_history_left_alone() -> None:
    store = Store()
    written = fill(store, 3, 3)
    backup = store.backup()
    garble(backup.path, 4096, 4096)

    with pytest.raises(BackupCheckFailedError):
        store.restore_backup(backup)

    assert all_texts(store) == written
    store.close()


def test_the_newest_sound_backup_skips_damaged_copies() -> None:
    store = Store()
    fill(store, 3, 3)
    older = backups.create_backup(store._db, store.path, store.backups_folder, "daily", now=_day(1))
    newer = backups.create_backup(store._db, store.path, store.backups_folder, "pre-migration", now=_day(2))
    assert backups.newest_sound_backup(store.backups_folder, store.path, max_version=SCHEMA_VERSION) == newer

    garble(newer.path, 4096, 4096)

    assert backups.newest_sound_backup(store.backups_folder, store.path, max_version=SCHEMA_VERSION) == older
    assert backups.newest_sound_backup(store.backups_folder, store.path, max_version=0) is None
    store.close()


def test_the_daily_copy_can_be_made_on_another_thread_through_its_own_connection() -> None:
    """The window makes its daily copy off the GUI thread; the store's connection stays on its own."""
    import threading

    store = Store()
    written = fill(store, 2, 3)
    made: list[backups.Backup | None] = []
    failed: list[BaseException] = []

    def work() -> None:
        try:
            made.append(backups.daily_backup_of(store.path, store.backups_folder, now=_day(4)))
            made.append(backups.daily_backup_of(store.path, store.backups_folder, now=_day(4, 18)))
        except BaseException as exc:
            failed.append(exc)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(60)

    assert failed == []
    first, second = made
    assert first is not None and first.kind == "daily" and second is None  # once a day
    assert _texts_in(first.path) == set(written)
    assert store.backups() == [first]
    store.add_message(store.conversations()[0].id, "user", "the store goes on")  # its connection is untouched
    store.close()
