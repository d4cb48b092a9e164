"""Checked copies of the history database: daily, before a migration, before a restore.

Copies use SQLite's online backup API into a temporary file, are made self-contained (no -wal) and
pass ``PRAGMA quick_check`` before they are renamed into place. The rule: a file with a backup's name
is always whole and was sound when written. Its writer holds an OS lock on the temporary file, so
``clear_stale_temps`` (at every open) removes only temporaries whose writer was killed. The newest
few of each kind are kept (``RETENTION``).
It knows files and connections, not the ``Store``.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal, get_args

from app.core.errors import BackupCheckFailedError
from app.core.history import health, instances

log = logging.getLogger("app.store")

BackupKind = Literal["daily", "pre-migration", "pre-restore"]
RETENTION: dict[BackupKind, int] = {"daily": 7, "pre-migration": 3, "pre-restore": 3}
# Copies are checked off the user's path (at a daily timer, before a migration), so a longer
# bound than the start-up check is fine; past it the copy is kept, unchecked, with a log line.
CHECK_SECONDS = 30.0
_STAMP = "%Y%m%d-%H%M%S-%f"
_NAME = re.compile(r"(?P<stem>.+)-(?P<kind>daily|pre-migration|pre-restore)-(?P<stamp>\d{8}-\d{6}-\d{6})\.sqlite3")
_KINDS: dict[str, BackupKind] = {kind: kind for kind in get_args(BackupKind)}
_TEMP_PREFIX = ".parley-backup-"
_STALE_TEMP_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Backup:
    path: Path
    kind: BackupKind
    created_at: float  # seconds since the epoch, from the name (a copied file keeps its meaning)
    size: int


def list_backups(folder: Path, database: Path) -> list[Backup]:
    """The copies of ``database`` in ``folder``, newest first."""
    found: list[Backup] = []
    try:
        entries = list(folder.iterdir())
    except FileNotFoundError:
        return []
    for entry in entries:
        match = _NAME.fullmatch(entry.name)
        if match is None or match["stem"] != database.stem:
            continue
        kind = _KINDS[match["kind"]]
        try:
            size = entry.stat().st_size
        except FileNotFoundError:
            continue  # pruned by another instance meanwhile
        created = datetime.strptime(match["stamp"], _STAMP).timestamp()
        found.append(Backup(entry, kind, created, size))
    found.sort(key=lambda backup: (backup.created_at, backup.path.name), reverse=True)
    return found


def create_backup(
    source: sqlite3.Connection, database: Path, folder: Path, kind: BackupKind, *, now: float | None = None
) -> Backup:
    """Copies the open database ``source`` (whose file is ``database``) into ``folder``, checked."""
    created = time.time() if now is None else now
    fd, temp = _locked_temp(folder)
    try:
        check = _copy_and_check(source, temp, database=database, folder=folder)
        if check.damaged:
            log.error("a %s copy of %s failed its check and was deleted: %s", kind, database, check.detail)
            raise BackupCheckFailedError(path=database, reason=check.detail)
        if check.status == "not checked":
            log.warning("the %s copy of %s was kept unchecked: %s", kind, database, check.detail)
        target, created_at = _free_name(folder, database, kind, created)
        try:
            _fsync(temp)
            os.replace(temp, target)
        except OSError as exc:
            raise health.os_storage_error(exc, folder) from exc
    finally:
        _remove(temp)
        os.close(fd)
    backup = Backup(target, kind, created_at, target.stat().st_size)
    log.info("backed up %s to %s", database, target)
    prune(folder, database)
    return backup


def maybe_daily_backup(
    source: sqlite3.Connection, database: Path, folder: Path, *, now: float | None = None
) -> Backup | None:
    """Makes today's daily copy unless the newest daily copy is already from today (local time)."""
    moment = time.time() if now is None else now
    today = datetime.fromtimestamp(moment).date()
    dailies = [backup for backup in list_backups(folder, database) if backup.kind == "daily"]
    if dailies and datetime.fromtimestamp(dailies[0].created_at).date() == today:
        return None
    return create_backup(source, database, folder, "daily", now=moment)


def daily_backup_of(database: Path, folder: Path, *, now: float | None = None) -> Backup | None:
    """``maybe_daily_backup`` through a connection of its own, for a thread that is not the store's.

    SQLite connections belong to the thread that made them, so a background backup opens the
    history itself, read-only (it never writes to the history), and closes it again.
    """
    try:
        source = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    except sqlite3.Error as exc:
        raise health.storage_error(exc, database, in_use=True) from exc
    try:
        source.execute("PRAGMA busy_timeout = 5000")
        return maybe_daily_backup(source, database, folder, now=now)
    except sqlite3.Error as exc:
        raise health.storage_error(exc, database, in_use=True) from exc
    finally:
        source.close()


def prune(folder: Path, database: Path) -> None:
    """Keeps the newest ``RETENTION[kind]`` copies of each kind; clears temp files left by a killed writer."""
    by_kind: dict[str, int] = {}
    for backup in list_backups(folder, database):
        by_kind[backup.kind] = by_kind.get(backup.kind, 0) + 1
        if by_kind[backup.kind] > RETENTION[backup.kind]:
            _remove(backup.path)
    clear_stale_temps(folder)


def check_backup(path: Path, *, seconds: float = CHECK_SECONDS) -> health.CheckResult:
    """Whether the copy at ``path`` is a sound Parley history; never changes the file."""
    try:
        db = _open_read_only(path)
    except sqlite3.Error as exc:
        return health.CheckResult("damaged", str(exc))
    try:
        result = health.quick_check(db, seconds=seconds)
        if not result.damaged:
            db.execute("SELECT count(*) FROM conversations").fetchone()
        return result
    except sqlite3.Error as exc:
        return health.CheckResult("damaged", str(exc))
    finally:
        db.close()


def schema_version(path: Path) -> int:
    """The migration number the copy at ``path`` was written with."""
    try:
        db = _open_read_only(path)
        try:
            return int(db.execute("PRAGMA user_version").fetchone()[0])
        finally:
            db.close()
    except sqlite3.Error as exc:
        raise BackupCheckFailedError(path=path, reason=exc) from exc


def newest_sound_backup(folder: Path, database: Path, *, max_version: int) -> Backup | None:
    """The newest copy of ``database`` that passes its check and that this Parley can open."""
    for backup in list_backups(folder, database):
        result = check_backup(backup.path)
        if result.damaged:
            log.warning("skipping the damaged backup %s: %s", backup.path, result.detail)
            continue
        try:
            version = schema_version(backup.path)
        except BackupCheckFailedError as exc:
            log.warning("skipping the unreadable backup %s: %s", backup.path, exc)
            continue
        if version > max_version:
            log.warning("skipping the backup %s: it was written by a newer Parley", backup.path)
            continue
        return backup
    return None


def restore_file(backup: Path, target: Path) -> None:
    """Writes a checked copy of ``backup`` at ``target`` (which must not be open): temp, check, rename."""
    fd, temp = _locked_temp(target.parent)
    try:
        try:
            source = _open_read_only(backup)
        except sqlite3.Error as exc:
            raise BackupCheckFailedError(path=backup, reason=exc) from exc
        try:
            check = _copy_and_check(source, temp, database=backup, folder=target.parent)
        finally:
            source.close()
        if check.damaged:
            raise BackupCheckFailedError(path=backup, reason=check.detail)
        try:
            _fsync(temp)
            os.replace(temp, target)
        except OSError as exc:
            raise health.os_storage_error(exc, target.parent) from exc
    finally:
        _remove(temp)
        os.close(fd)
    log.info("restored %s from %s", target, backup)


def copy_into(backup: Path, destination: sqlite3.Connection, database: Path) -> None:
    """Replaces the open database's content with ``backup``'s, in one SQLite transaction.

    Through SQLite rather than a file rename, so other connections (another instance) see the
    restored history instead of writing on into a file that was swapped away under them.
    """
    try:
        source = _open_read_only(backup)
    except sqlite3.Error as exc:
        raise BackupCheckFailedError(path=backup, reason=exc) from exc
    try:
        source.backup(destination)
    except sqlite3.Error as exc:
        if health.is_damage(exc):
            raise BackupCheckFailedError(path=backup, reason=exc) from exc
        raise health.storage_error(exc, database, in_use=True) from exc
    finally:
        source.close()


def _copy_and_check(source: sqlite3.Connection, temp: Path, *, database: Path, folder: Path) -> health.CheckResult:
    """Backs ``source`` up into the empty file ``temp`` as a rollback-journal database and checks it."""
    try:
        copy = sqlite3.connect(temp, isolation_level=None)
    except sqlite3.Error as exc:
        raise health.storage_error(exc, folder) from exc
    try:
        source.backup(copy)
        # The copy inherits WAL mode from a live history; a backup must be one file on its own.
        copy.execute("PRAGMA journal_mode = DELETE")
        return health.quick_check(copy, seconds=CHECK_SECONDS)
    except sqlite3.Error as exc:
        if health.is_damage(exc):
            # The copy is new, so damage can only have come from the database being copied.
            raise health.storage_error(exc, database, in_use=True) from exc
        raise health.storage_error(exc, folder) from exc
    finally:
        copy.close()


def _open_read_only(path: Path) -> sqlite3.Connection:
    # immutable: a backup never changes, so SQLite takes no locks and writes no -shm beside it.
    if not path.is_file():
        raise sqlite3.OperationalError(f"unable to open database file: {path} is missing")
    uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
    return sqlite3.connect(uri, uri=True, isolation_level=None)


def _free_name(folder: Path, database: Path, kind: BackupKind, created: float) -> tuple[Path, float]:
    """A backup name for ``created`` not yet taken, and the time that name stands for."""
    moment = datetime.fromtimestamp(created)
    while True:
        stamp = moment.strftime(_STAMP)
        target = folder / f"{database.stem}-{kind}-{stamp}.sqlite3"
        if not target.exists():
            return target, datetime.strptime(stamp, _STAMP).timestamp()
        moment += timedelta(microseconds=1)


def _locked_temp(folder: Path) -> tuple[int, Path]:
    """A new empty temporary file in ``folder``, open and locked (see ``clear_stale_temps``) until closed."""
    for _attempt in range(3):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=".tmp", dir=folder)
        except OSError as exc:
            raise health.os_storage_error(exc, folder) from exc
        # On Windows the lock would bar SQLite itself from the file: there, age alone tells.
        if sys.platform == "win32" or (instances.try_lock(fd) and _still_there(fd, Path(name))):
            return fd, Path(name)
        os.close(fd)  # another instance's sweep took it between mkstemp and the lock
    raise health.os_storage_error(OSError(f"could not hold a temporary file in {folder}"), folder)


def _still_there(fd: int, path: Path) -> bool:
    try:
        named = os.stat(path)
    except FileNotFoundError:
        return False
    opened = os.fstat(fd)
    return (named.st_dev, named.st_ino) == (opened.st_dev, opened.st_ino)


def clear_stale_temps(folder: Path) -> int:
    """Removes the temporary copies (and their journals) whose writer is gone; returns how many.

    A writer holds its temporary file's lock while it writes, so a temporary that can be locked
    was left by a killed process. One that is locked is being written by a live one: kept. Where
    locks cannot tell (Windows), a temporary older than a day is stale.
    """
    removed = 0
    try:
        entries = [entry for entry in folder.glob(f"{_TEMP_PREFIX}*") if entry.name.endswith(".tmp")]
    except OSError:
        return 0
    for entry in entries:
        if _writer_is_gone(entry):
            _remove(entry)
            removed += 1
    for journal in folder.glob(f"{_TEMP_PREFIX}*.tmp-journal"):
        if not Path(str(journal).removesuffix("-journal")).exists():  # its copy went without it
            _remove(journal)
    if removed:
        log.info("removed %d temporary copies left in %s by a Parley that was killed", removed, folder)
    return removed


def _writer_is_gone(entry: Path) -> bool:
    try:
        if sys.platform == "win32":
            return entry.stat().st_mtime < time.time() - _STALE_TEMP_SECONDS
        fd = os.open(entry, os.O_RDWR)
    except OSError:
        return False
    try:
        return instances.try_lock(fd)
    except OSError:
        return False
    finally:
        os.close(fd)


def _fsync(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def _remove(path: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        try:
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        except OSError as exc:
            log.warning("could not remove %s: %s", path, exc)
