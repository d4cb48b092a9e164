"""SQLite failures reach the user as the right AppError: a full disk, a read-only folder, damage."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.core import paths
from app.core.errors import (
    DatabaseDamagedError,
    DatabaseDamagedInUseError,
    DiskFullError,
    StorageError,
    StorageReadOnlyError,
)
from app.core.history import health
from app.core.history.store import Store
from tests.core.store_helpers import all_texts, fill, make_version_1_history

REPO = Path(__file__).resolve().parents[3]


def _connect_wrapped(
    monkeypatch: pytest.MonkeyPatch, target: Path, adjust: Callable[[sqlite3.Connection], None]
) -> None:
    """Every connection SQLite opens on ``target`` gets ``adjust`` first: a failure injected for real."""
    real_connect = sqlite3.connect

    def connect(database: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        db = real_connect(database, *args, **kwargs)
        if Path(str(database)) == target:
            adjust(db)
        return db

    monkeypatch.setattr(sqlite3, "connect", connect)


def _no_room_to_grow(db: sqlite3.Connection) -> None:
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {max(pages, 1)}")


def test_a_full_disk_while_writing_is_reported_as_full_and_loses_nothing() -> None:
    store = Store()
    written = fill(store, 2, 4)
    conversation = store.conversations()[0]
    store._db.execute("PRAGMA max_page_count = {}".format(store._db.execute("PRAGMA page_count").fetchone()[0]))

    with pytest.raises(DiskFullError) as caught:
        store.add_message(conversation.id, "user", "a long paste " * 50_000)

    assert str(store.path) in caught.value.user_message()
    assert "full" in caught.value.user_message()
    assert all_texts(store) == written  # the failed write left nothing half-done
    store._db.execute("PRAGMA max_page_count = 1073741823")
    store.add_message(conversation.id, "user", "after freeing space")  # and the store goes on working
    store.close()


def test_a_full_disk_at_open_is_reported_as_full_not_as_damage(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    database = paths.database_path()
    make_version_1_history(database)  # opening it needs room: the migration adds a column and an index
    with monkeypatch.context() as patch:
        _connect_wrapped(patch, database, _no_room_to_grow)
        with pytest.raises(DiskFullError) as caught:
            Store()

    assert not isinstance(caught.value, DatabaseDamagedError)
    assert str(database) in caught.value.user_message()
    opened = Store()  # with room again, it opens and nothing was lost
    assert [c.title for c in opened.conversations()] == ["From v1"]
    opened.close()


def test_a_read_only_history_is_reported_as_read_only_at_open(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    database = paths.database_path()
    store = Store()
    fill(store, 1, 2)
    store.close()
    before = database.read_bytes()
    real_connect = sqlite3.connect

    def connect_read_only(target: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        if Path(str(target)) == database:  # what SQLite does with a file it may not write
            kwargs["uri"] = True
            return real_connect(f"{database.as_uri()}?mode=ro", *args, **kwargs)
        return real_connect(target, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(sqlite3, "connect", connect_read_only)
        with pytest.raises(StorageReadOnlyError) as caught:
            Store()

    assert str(database) in caught.value.user_message()
    assert "read-only" in caught.value.user_message()
    assert database.read_bytes() == before


def test_writes_refused_at_runtime_are_reported_as_read_only() -> None:
    store = Store()
    conversation = store.create_conversation()
    store._db.execute("PRAGMA query_only = ON")  # SQLite now answers every write with SQLITE_READONLY

    with pytest.raises(StorageReadOnlyError):
        store.add_message(conversation.id, "user", "Hello")
    with pytest.raises(StorageReadOnlyError):
        store.rename_conversation(conversation.id, "Renamed")
    assert store.conversation(conversation.id).title != "Renamed"
    store.close()


@pytest.mark.skipif(sys.platform == "win32" or not hasattr(os, "geteuid"), reason="POSIX permissions")
def test_a_read_only_folder_for_real(tmp_path: Path) -> None:
    """The data folder and file belong to someone else: checked by an unprivileged process."""
    if os.geteuid() != 0:
        pytest.skip("needs root to run the check as another user")
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("setpriv is not installed")
    folder = Path(tempfile.mkdtemp(prefix="parley-ro-"))  # outside pytest's private (0700) tmp folder
    try:
        store = Store(folder / "parley.sqlite3")
        fill(store, 1, 2)
        store.close()
        (folder / "backups").mkdir()  # so that SQLite, not the backups folder, meets the permissions
        os.chmod(folder, 0o755)  # root's folder: others may read, not write
        script = textwrap.dedent(
            f"""
            import sys
            from pathlib import Path
            sys.path.insert(0, {str(REPO)!r})
            from app.core.errors import StorageReadOnlyError
            from app.core.history.store import Store
            try:
                Store(Path({str(folder / "parley.sqlite3")!r}))
            except StorageReadOnlyError as error:
                print("read-only:", error)
            """
        )
        env = {**os.environ, "PARLEY_HOME": str(folder)}
        done = subprocess.run(
            [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c", script],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
            cwd="/",
        )
        if done.returncode != 0 and "/app/core/" not in done.stderr:  # it never reached Parley's code
            pytest.skip(f"the unprivileged user cannot run this Python: {done.stderr[-300:]}")
        assert "read-only:" in done.stdout, done.stdout + done.stderr
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_the_error_code_is_read_from_the_exception_and_from_its_text(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "x.sqlite3")
    db.execute("CREATE TABLE t (x)")
    db.execute("PRAGMA query_only = ON")
    with pytest.raises(sqlite3.Error) as caught:
        db.execute("INSERT INTO t VALUES (1)")
    assert health.primary_code(caught.value) == health.SQLITE_READONLY
    # Python 3.10 has no sqlite_errorcode: the fixed message texts stand in for it.
    for text, error in (
        ("database or disk is full", DiskFullError),
        ("attempt to write a readonly database", StorageReadOnlyError),
        ("database disk image is malformed", DatabaseDamagedError),
        ("file is not a database", DatabaseDamagedError),
        ("database is locked", StorageError),
    ):
        mapped = health.storage_error(sqlite3.OperationalError(text), tmp_path / "x.sqlite3")
        assert type(mapped) is error, text
    in_use = health.storage_error(sqlite3.DatabaseError("database disk image is malformed"), tmp_path, in_use=True)
    assert isinstance(in_use, DatabaseDamagedInUseError)


def test_a_busy_database_is_not_reported_as_damage() -> None:
    store = Store()
    store.create_conversation()
    blocker = sqlite3.connect(paths.database_path(), isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another instance in the middle of a long write
    store._db.execute("PRAGMA busy_timeout = 50")
    try:
        with pytest.raises(StorageError) as caught:
            store.create_conversation()
        assert not isinstance(caught.value, DatabaseDamagedError)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
        store.close()
