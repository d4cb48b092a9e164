"""Damage is found: at open by a bounded quick_check, or at the first read that meets it."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from app.core import dbhealth, paths
from app.core.errors import DatabaseDamagedError, DatabaseDamagedInUseError
from app.core.store import Store
from tests.core.store_helpers import (
    PAGE,
    all_texts,
    fill,
    garble,
    middle_offset,
)

BIG = {"conversations": 30, "messages": 40, "size": 400}  # about 1 MB


def _history(**sizes: int) -> dict[str, str]:
    store = Store()
    written = fill(store, sizes.get("conversations", 3), sizes.get("messages", 4), size=sizes.get("size", 40))
    store.close()
    return written


# -- found --------------------------------------------------------------------------------------


def test_garbage_over_one_page_is_found_at_open(parley_home: Path) -> None:
    """The bug report: 4 KiB of garbage at offset 4096 opened fine, then crashed on a raw DatabaseError."""
    _history()
    database = paths.database_path()
    garble(database, PAGE, PAGE)
    before = database.read_bytes()

    with pytest.raises(DatabaseDamagedError) as caught:
        Store()

    assert str(database) in caught.value.user_message()
    assert database.read_bytes() == before  # refused before anything wrote to it


def test_garbage_in_the_middle_of_a_big_history_is_found_at_open(parley_home: Path) -> None:
    _history(**BIG)
    database = paths.database_path()
    garble(database, middle_offset(database, 65536), 65536)

    with pytest.raises(DatabaseDamagedError):
        Store()


def test_damage_missed_at_open_is_reported_as_damage_at_the_first_read(
    parley_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _history(**BIG)
    garble(paths.database_path(), middle_offset(paths.database_path(), 65536), 65536)
    monkeypatch.setattr(dbhealth, "QUICK_CHECK_SECONDS", 0.0)  # a history too big to check at start

    opened: list[Store] = []
    with pytest.raises(DatabaseDamagedInUseError):
        opened.append(Store())  # settling interrupted answers may be the first read
        for conversation in opened[0].conversations():
            opened[0].messages(conversation.id)  # today: a raw sqlite3.DatabaseError
    for store in opened:
        store.close()


def test_a_big_history_is_not_held_up_by_the_check(
    parley_home: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    written = _history(**BIG)
    monkeypatch.setattr(dbhealth, "QUICK_CHECK_SECONDS", 0.0)

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
    result = dbhealth.quick_check(db, seconds=3, clock=lambda: float(next(ticks)))
    assert result.status == "not checked"
    assert dbhealth.quick_check(db).status == "ok"
    db.close()
