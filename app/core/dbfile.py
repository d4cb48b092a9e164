"""The history's SQLite file: opening it checked and upgraded, and setting it aside when damaged.

``open_database`` is the one way a connection to the history is made (by the store and by the
recovery path): the file is looked at read-only first (version, ``PRAGMA quick_check``), copied
before a migration, migrated by numbered scripts recorded in ``PRAGMA user_version``, and probed
for writing, so that a read-only folder is reported at start rather than at the first message.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from pathlib import Path

from app.core import backups, dbhealth, paths
from app.core.errors import BackupCheckFailedError, DatabaseDamagedError, DatabaseTooNewError

log = logging.getLogger("app.store")

MIGRATIONS: tuple[str, ...] = (
    # 1: conversations and messages.
    """
    CREATE TABLE conversations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        title TEXT NOT NULL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        model_name TEXT,
        system_prompt TEXT
    );
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
        content TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'complete',
        model_name TEXT,
        created_at REAL NOT NULL,
        n_tokens INTEGER,
        tokens_per_second REAL,
        ttft_seconds REAL
    );
    CREATE INDEX messages_by_conversation ON messages(conversation_id, id);
    CREATE INDEX conversations_by_update ON conversations(updated_at DESC);
    """,
    # 2: which instance writes a streaming answer (see app.core.instances), so that opening the
    # history settles only the answers of instances that are gone.
    """
    ALTER TABLE messages ADD COLUMN writer TEXT;
    CREATE INDEX messages_streaming ON messages(writer) WHERE status = 'streaming';
    """,
    # 3: a reasoning model's thinking, kept apart from its answer; and whether a conversation asks
    # the model to think ('on', 'off', or NULL for the model's own default).
    """
    ALTER TABLE messages ADD COLUMN reasoning TEXT;
    ALTER TABLE conversations ADD COLUMN thinking TEXT;
    """,
    # 4: the remote server that wrote an answer (its name and host, e.g. 'Lab box (gpu1:8000)'); NULL:
    # a model on this computer.
    """
    ALTER TABLE messages ADD COLUMN server TEXT;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


def backups_folder_for(database: Path) -> Path:
    """Where the copies of ``database`` go: a folder beside it, so two histories never share copies.

    For the user's own history this is ``paths.backups_dir()``.
    """
    return database.parent / paths.BACKUPS_FOLDER


def open_database(path: Path, backups_folder: Path) -> sqlite3.Connection:
    """Opens the history at ``path``: checked, copied if it is about to be migrated, upgraded."""
    checked = _inspect(path)
    try:
        db = sqlite3.connect(path, isolation_level=None)
    except sqlite3.Error as exc:
        raise dbhealth.storage_error(exc, path) from exc
    try:
        found = int(db.execute("PRAGMA user_version").fetchone()[0])
        if found > SCHEMA_VERSION:
            raise DatabaseTooNewError(path=path, found=found, known=SCHEMA_VERSION)
        if not checked:
            _raise_if_damaged(path, dbhealth.quick_check(db, seconds=dbhealth.QUICK_CHECK_SECONDS))
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA busy_timeout = 5000")
        db.execute("PRAGMA journal_mode = WAL")
        if 0 < found < SCHEMA_VERSION:
            try:
                backups.create_backup(db, path, backups_folder, "pre-migration")
            except BackupCheckFailedError as exc:
                # A copy is the pages as they are: if it fails its check, so does the history.
                raise DatabaseDamagedError(path=path, reason=exc.fields["reason"]) from exc
        migrate(db, found)
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("SELECT count(*) FROM conversations").fetchone()
        _probe_writable(db)
    except BaseException as exc:
        db.close()
        if isinstance(exc, sqlite3.Error):
            raise dbhealth.storage_error(exc, path) from exc
        raise
    db.row_factory = sqlite3.Row
    return db


def _inspect(path: Path) -> bool:
    """Reads the version and checks an existing file through a read-only connection.

    Nothing may change a file that is too new or damaged before it is refused or set aside: not
    WAL mode (it rewrites the header), and not the checkpoint SQLite runs when the last writable
    connection to a WAL database closes, which would fold the -wal into the damaged file.
    Returns False when the file could not be looked at read-only (the writer then checks it).
    """
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return True  # a new history: nothing to check
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    except (OSError, sqlite3.Error):
        return False
    try:
        found = int(db.execute("PRAGMA user_version").fetchone()[0])
        if found > SCHEMA_VERSION:
            raise DatabaseTooNewError(path=path, found=found, known=SCHEMA_VERSION)
        check = dbhealth.quick_check(db, seconds=dbhealth.QUICK_CHECK_SECONDS)
    except sqlite3.Error as exc:
        if dbhealth.is_damage(exc):
            raise DatabaseDamagedError(path=path, reason=exc) from exc
        # e.g. a hot rollback journal, which only a writer may roll back
        log.info("could not check %s read-only (%s); checking it while opening", path, exc)
        return False
    finally:
        db.close()
    _raise_if_damaged(path, check)
    return True


def _raise_if_damaged(path: Path, check: dbhealth.CheckResult) -> None:
    if check.damaged:
        raise DatabaseDamagedError(path=path, reason=check.detail)
    if check.status == "not checked":
        log.warning("%s was not checked at start (%s); damage will be caught when read", path, check.detail)


def read_only_guard(path: Path) -> sqlite3.Connection | None:
    """An open read-only connection to ``path``, while a damaged history's last writer closes.

    SQLite checkpoints (and then deletes) the -wal when the last connection closes; one more
    connection that cannot write keeps the damaged file and its -wal exactly as they were.
    """
    try:
        guard = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    except sqlite3.Error:
        return None
    try:
        guard.execute("PRAGMA user_version").fetchone()  # joins the WAL: the lock that counts
    except sqlite3.Error as exc:
        log.info("no read-only guard on %s: %s", path, exc)
    return guard


def set_aside(path: Path) -> Path:
    """Renames a database that cannot be used (and its WAL files) out of the way, keeping every byte.

    Returns the new name of the main file; its -wal and -shm keep their suffixes beside it.
    """
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    number = 1
    while any(Path(f"{target}{suffix}").exists() for suffix in ("", "-wal", "-shm")):
        number += 1  # never replace a file set aside earlier in the same second
        target = path.with_name(f"{path.name}.damaged-{stamp}-{number}")
    try:
        for suffix in ("", "-wal", "-shm"):
            source = Path(f"{path}{suffix}")
            if source.exists():
                os.replace(source, Path(f"{target}{suffix}"))
    except OSError as exc:
        raise dbhealth.os_storage_error(exc, path) from exc
    return target


def _probe_writable(db: sqlite3.Connection) -> None:
    """Raises SQLITE_READONLY now, at open, rather than at the user's first message."""
    db.execute("BEGIN IMMEDIATE")
    try:
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        db.execute(f"PRAGMA user_version = {version}")
    finally:
        rollback(db)


def rollback(db: sqlite3.Connection) -> None:
    try:
        db.execute("ROLLBACK")
    except sqlite3.Error as exc:
        log.warning("rollback failed: %s", exc)


def migrate(db: sqlite3.Connection, found: int) -> None:
    """Applies each migration after ``found`` as one script in its own transaction.

    ``executescript`` runs the script whole, so a migration may hold triggers with ``;`` inside
    ``BEGIN … END``. It commits any open transaction before it starts, so the script carries its
    own ``BEGIN IMMEDIATE`` … ``COMMIT``; on an error SQLite stops mid-script and we roll back.
    """
    for number in range(found + 1, len(MIGRATIONS) + 1):
        script = f"BEGIN IMMEDIATE;\n{MIGRATIONS[number - 1]}\n;\nPRAGMA user_version = {number};\nCOMMIT;"
        try:
            db.executescript(script)
        except BaseException:
            if db.in_transaction:
                rollback(db)
            raise
        log.info("migrated the history to schema %d", number)
