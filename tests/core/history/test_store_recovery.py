"""Damage is found and recovered: the damaged file kept aside, the newest backup restored, the rest salvaged."""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

import pytest

from app.core import paths
from app.core.errors import DatabaseDamagedError, DatabaseDamagedInUseError
from app.core.history import health, recovery
from app.core.history.store import Store, open_store
from tests.core.store_helpers import (
    PAGE,
    all_texts,
    fill,
    garble,
    garble_messages,
    middle_offset,
    pages_of,
    snapshot_with_wal,
)

BIG = {"conversations": 30, "messages": 40, "size": 400}  # about 1 MB


def _files(path: Path) -> tuple[bytes, bytes]:
    """The bytes of a database and of its -wal (an empty -wal, which SQLite may create just by reading
    a WAL database, holds no data and counts as none)."""
    wal = Path(f"{path}-wal")
    return path.read_bytes(), wal.read_bytes() if wal.exists() else b""


def _kept_files(kept: Path) -> tuple[bytes, bytes]:
    return _files(kept)


def _history(**sizes: int) -> dict[str, str]:
    store = Store()
    written = fill(store, sizes.get("conversations", 3), sizes.get("messages", 4), size=sizes.get("size", 40))
    store.close()
    return written


# -- found --------------------------------------------------------------------------------------


def test_garbage_over_one_page_is_found_at_open() -> None:
    """The bug report: 4 KiB of garbage at offset 4096 opened fine, then crashed on a raw DatabaseError."""
    _history()
    database = paths.database_path()
    garble(database, PAGE, PAGE)
    before = database.read_bytes()

    with pytest.raises(DatabaseDamagedError) as caught:
        Store()

    assert str(database) in caught.value.user_message()
    assert database.read_bytes() == before  # refused before anything wrote to it


def test_garbage_in_the_middle_of_a_big_history_is_found_at_open() -> None:
    _history(**BIG)
    database = paths.database_path()
    garble(database, middle_offset(database, 65536), 65536)

    with pytest.raises(DatabaseDamagedError):
        Store()


def test_damage_missed_at_open_is_reported_as_damage_at_the_first_read(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    _history(**BIG)
    garble_messages(paths.database_path())
    monkeypatch.setattr(health, "QUICK_CHECK_SECONDS", 0.0)  # a history too big to check at start

    opened: list[Store] = []
    with pytest.raises(DatabaseDamagedInUseError):
        opened.append(Store())  # settling interrupted answers may be the first read
        for conversation in opened[0].conversations():
            opened[0].messages(conversation.id)  # today: a raw sqlite3.DatabaseError
    for store in opened:
        store.close()


def test_a_big_history_is_not_held_up_by_the_check(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    written = _history(**BIG)
    monkeypatch.setattr(health, "QUICK_CHECK_SECONDS", 0.0)

    with caplog.at_level(logging.WARNING, logger="app.store"):
        store = Store()

    assert "not checked" in caplog.text
    assert all_texts(store) == written
    store.close()


def test_the_check_gives_up_at_its_deadline(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "x.sqlite3")
    db.execute("CREATE TABLE t (x)")
    db.executemany("INSERT INTO t VALUES (?)", [("x" * 100,)] * 5000)
    ticks = iter(range(1_000_000))
    result = health.quick_check(db, seconds=3, clock=lambda: float(next(ticks)))
    assert result.status == "not checked"
    assert health.quick_check(db).status == "ok"
    db.close()


# -- recovered ----------------------------------------------------------------------------------


def test_one_bad_page_with_a_backup_brings_back_the_backup_and_everything_newer() -> None:
    store = Store()
    old = fill(store, 3, 4, tag="old")
    store.backup()
    new = fill(store, 2, 3, tag="new")
    store.close()
    database = paths.database_path()
    garble(database, PAGE, PAGE)  # page 2: the conversations table itself
    before = _files(database)

    recovered, report = open_store()

    assert report is not None
    assert _kept_files(report.damaged_path) == before  # the damaged file, byte for byte
    assert report.backup_path is not None and report.backup_created_at is not None
    texts = all_texts(recovered)
    assert {text: texts[text] for text in old} == old  # the backup, titles and all
    assert set(new) <= set(texts)  # newer messages, though their conversations' rows were on the bad page
    assert report.salvaged_messages == len(new)
    assert report.salvaged_conversations == 2
    recovered.close()


def test_a_bad_page_of_old_messages_loses_nothing_that_a_backup_and_the_wal_hold(parley_home: Path) -> None:
    store = Store()
    old = fill(store, 3, 30, size=300, tag="old")
    store.backup()
    store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the old rows now live in the main file only
    new = fill(store, 2, 3, tag="new")  # and the newest only in the -wal, as after a crash
    conversation = store.conversations()[0]
    answer = store.add_message(conversation.id, "assistant", "streamed so f", status="streaming")
    store.update_message(answer.id, "streamed so far")
    crash = parley_home / "crash"
    crash.mkdir()
    snapshot_with_wal(store, crash / "parley.sqlite3")
    store.close()
    database = paths.database_path()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    for suffix in ("", "-wal"):
        os.replace(crash / f"parley.sqlite3{suffix}", Path(f"{database}{suffix}"))
    first_leaf = pages_of(database, "messages")[0]
    garble(database, (first_leaf - 1) * PAGE, PAGE)
    before = _files(database)
    assert before[1]  # the newest rows are in the -wal

    recovered, report = open_store()

    assert report is not None
    assert _kept_files(report.damaged_path) == before
    assert all_texts(recovered) == {**old, **new, "streamed so far": conversation.title}
    assert recovered.message(answer.id).status == "interrupted"  # its writer is gone
    recovered.close()


def test_the_middle_of_a_big_history_with_a_backup() -> None:
    store = Store()
    old = fill(store, BIG["conversations"], BIG["messages"], size=BIG["size"], tag="old")
    store.backup()
    new = fill(store, 2, 4, tag="new")
    store.close()
    database = paths.database_path()
    garble(database, middle_offset(database, 65536), 65536)

    recovered, report = open_store()

    assert report is not None and report.backup_path is not None
    texts = all_texts(recovered)
    assert {text: texts[text] for text in old} == old
    assert {text: texts.get(text) for text in new} == new
    recovered.close()


def test_the_middle_of_a_big_history_without_a_backup_is_salvaged_into_a_new_one() -> None:
    written = _history(**BIG)
    database = paths.database_path()
    garble(database, middle_offset(database, 65536), 65536)
    before = _files(database)

    recovered, report = open_store()

    assert report is not None
    assert report.backup_path is None and report.backup_created_at is None
    assert _kept_files(report.damaged_path) == before
    texts = all_texts(recovered)
    assert texts.items() <= written.items()  # nothing made up from the garbage
    assert len(texts) == report.salvaged_messages
    assert len(texts) >= len(written) - 16 * 12  # at most what 16 pages held is lost
    assert report.salvaged_conversations == len(recovered.conversations())
    new = recovered.create_conversation("after")  # a working history
    recovered.add_message(new.id, "user", "hello")
    recovered.close()


def test_damage_found_while_open_goes_down_the_same_recovery_path(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store()
    old = fill(store, BIG["conversations"], BIG["messages"], size=BIG["size"])
    store.backup()
    store.close()
    database = paths.database_path()
    garble_messages(database)
    monkeypatch.setattr(health, "QUICK_CHECK_SECONDS", 0.0)
    store = Store()
    with pytest.raises(DatabaseDamagedInUseError):
        for conversation in store.conversations():
            store.messages(conversation.id)
    before = _files(database)

    report = store.recover_from_damage()

    assert _kept_files(report.damaged_path) == before
    assert report.backup_path is not None
    assert all_texts(store) == old  # the same store object goes on, on the recovered history
    conversation = store.conversations()[0]
    store.add_message(conversation.id, "user", "still here")
    store.close()


def test_setting_aside_twice_in_one_second_keeps_both_files(tmp_path: Path) -> None:
    from app.core.history.store import set_aside

    database = tmp_path / "parley.sqlite3"
    database.write_bytes(b"first")
    first = set_aside(database)
    database.write_bytes(b"second")
    second = set_aside(database)
    assert first != second
    assert (first.read_bytes(), second.read_bytes()) == (b"first", b"second")


def test_a_damaged_file_with_nothing_readable_gives_a_new_empty_history() -> None:
    database = paths.database_path()
    database.write_bytes(b"this is not a database" * 100)

    recovered, report = open_store()

    assert report is not None
    assert report.damaged_path.read_bytes() == b"this is not a database" * 100
    assert (report.salvaged_conversations, report.salvaged_messages) == (0, 0)
    assert recovered.conversations() == []
    recovered.close()


def test_a_recovery_that_fails_part_way_puts_the_damaged_file_back(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk while the backup is written back: the next start must find the history, not nothing."""
    from app.core.errors import DiskFullError
    from app.core.history import backups

    store = Store()
    fill(store, 3, 4)
    store.backup()
    store.close()
    database = paths.database_path()
    garble(database, PAGE, PAGE)
    before = _files(database)

    def no_room(backup: Path, target: Path) -> None:
        target.write_bytes(b"half a copy")  # what a write cut short leaves
        raise DiskFullError(path=target)

    with monkeypatch.context() as patch:
        patch.setattr(backups, "restore_file", no_room)
        with pytest.raises(DiskFullError):
            open_store()

    assert _files(database) == before  # back in its place, byte for byte
    assert list(database.parent.glob("parley.sqlite3.damaged-*")) == []
    recovered, report = open_store()  # with room again, the recovery runs
    assert report is not None and report.backup_path is not None
    recovered.close()


def test_salvage_keeps_an_answers_reasoning_and_a_conversations_thinking_choice() -> None:
    store = Store()
    conversation = store.create_conversation("thinking")
    store.set_thinking(conversation.id, "off")
    store.add_message(conversation.id, "user", "What is the capital of France?")
    answer = store.add_message(conversation.id, "assistant", "", status="streaming")
    store.update_message(answer.id, "Paris.", status="complete", reasoning="The capital of France.")
    fill(store, 30, 12)  # enough pages that one bad page leaves these rows readable
    store.close()
    database = paths.database_path()
    last_page = pages_of(database, "messages")[-1]  # the newest rows: not the ones above
    garble(database, (last_page - 1) * 4096, 4096)

    recovered, report = open_store()

    assert report is not None and report.backup_path is None and report.salvaged_messages > 2
    saved = recovered.message(answer.id)
    assert (saved.content, saved.reasoning) == ("Paris.", "The capital of France.")
    assert recovered.conversation(conversation.id).thinking == "off"
    recovered.close()


def test_the_users_own_personas_and_which_conversation_uses_them_survive_a_recovery() -> None:
    from dataclasses import replace

    from app.core.personas.book import PersonaBook

    store = Store()
    book = PersonaBook(store)
    pirate = book.create(replace(book.default(), id=None, builtin=None, name="Pirate", system_prompt="Arr.",
                                 uses_about_you=False, min_parameters=2_000_000_000))  # fmt: skip
    conversation = store.create_conversation("Sea", persona_id=pirate.id)
    store.add_message(conversation.id, "user", "Ahoy")
    store.add_message(conversation.id, "assistant", "Arr!", persona_id=pirate.id)
    fill(store, 30, 40, size=400)  # enough pages that the damage below leaves the personas readable
    store.close()
    garble_messages(paths.database_path())

    recovered, report = open_store()

    assert report is not None
    restored = PersonaBook(recovered)
    assert restored.find("Pirate").system_prompt == "Arr."
    assert not restored.find("Pirate").uses_about_you and restored.find("Pirate").min_parameters == 2_000_000_000
    assert recovered.conversation(conversation.id).persona_id == restored.find("Pirate").id
    recovered.close()


def test_recovery_tells_its_progress_in_rising_fractions_up_to_one() -> None:
    written = _history(**BIG)
    database = paths.database_path()
    garble(database, middle_offset(database, 65536), 65536)
    told: list[float] = []

    report = recovery.recover(database, progress=told.append)

    assert report.salvaged_messages >= len(written) - 16 * 12
    assert len(told) >= 10, told  # the reading and the merging are told as they go
    assert told == sorted(told) and len(set(told)) == len(told)
    assert 0.0 <= told[0] < 0.2 and told[-1] == 1.0
