"""How SQLite failures reach the user, and whether a database file is sound.

Two rules shared by every module that touches the history's SQLite files (store, backups,
recovery): which ``AppError`` a ``sqlite3.Error`` becomes, and the time-bounded
``PRAGMA quick_check``. A full disk, a read-only folder and a failing disk are told apart from
real damage, so that a full disk is never reported as a damaged history (which would send the
user's data down the recovery path for nothing).
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from app.core.errors import (
    AppError,
    DatabaseDamagedError,
    DatabaseDamagedInUseError,
    DiskFullError,
    StorageError,
    StorageReadOnlyError,
)

log = logging.getLogger("app.store")

# Primary result codes (https://www.sqlite.org/rescode.html); extended codes keep these in the low byte.
SQLITE_PERM = 3
SQLITE_READONLY = 8
SQLITE_INTERRUPT = 9
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26
# The file was renamed or deleted under an open connection (another instance set it aside):
# not a permission problem, so it must not read as "the folder is read-only".
SQLITE_READONLY_DBMOVED = SQLITE_READONLY | (4 << 8)

# Python 3.10 has no ``sqlite_errorcode``; there the message text (fixed by SQLite) is all we have.
_MESSAGE_CODES: tuple[tuple[str, int], ...] = (
    ("database or disk is full", SQLITE_FULL),
    ("disk i/o error", SQLITE_IOERR),
    ("readonly database", SQLITE_READONLY),
    ("unable to open database", SQLITE_CANTOPEN),
    ("malformed", SQLITE_CORRUPT),
    ("not a database", SQLITE_NOTADB),
    ("interrupted", SQLITE_INTERRUPT),
)

# An I/O error on a disk with less free space than this is most likely the disk filling up
# (some file systems report ENOSPC on fsync or through mmap as a plain I/O error).
NEARLY_FULL_BYTES = 4 * 1024 * 1024

QUICK_CHECK_SECONDS = 2.0
_PROGRESS_STEPS = 1000  # VM instructions between two looks at the clock


def error_code(exc: sqlite3.Error) -> int | None:
    """The extended SQLite result code of ``exc``, or its primary code guessed from the message."""
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code
    text = str(exc).lower()
    for fragment, guessed in _MESSAGE_CODES:
        if fragment in text:
            return guessed
    return None


def primary_code(exc: sqlite3.Error) -> int | None:
    code = error_code(exc)
    return None if code is None else code & 0xFF


def is_damage(exc: sqlite3.Error) -> bool:
    """True only for real corruption: the file is not (or no longer) a sound SQLite database."""
    return primary_code(exc) in (SQLITE_CORRUPT, SQLITE_NOTADB)


def storage_error(exc: sqlite3.Error, path: Path, *, in_use: bool = False) -> AppError:
    """The ``AppError`` for a SQLite failure on ``path`` (``in_use``: the database was already open)."""
    code = error_code(exc)
    primary = None if code is None else code & 0xFF
    if primary == SQLITE_FULL:
        return DiskFullError(path=path)
    if primary in (SQLITE_CORRUPT, SQLITE_NOTADB):
        return (DatabaseDamagedInUseError if in_use else DatabaseDamagedError)(path=path, reason=exc)
    if primary == SQLITE_READONLY and code != SQLITE_READONLY_DBMOVED:
        return StorageReadOnlyError(path=path)
    if primary == SQLITE_PERM or (primary == SQLITE_CANTOPEN and not _writable(path)):
        return StorageReadOnlyError(path=path)
    if primary == SQLITE_IOERR and _nearly_full(path):
        return DiskFullError(path=path)
    return StorageError(path=path, reason=exc)


def os_storage_error(exc: OSError, path: Path) -> AppError:
    """The ``AppError`` for a failed file operation next to the database (backups, setting aside)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFullError(path=path)
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return StorageReadOnlyError(path=path)
    return StorageError(path=path, reason=exc.strerror or exc)


def _existing(path: Path) -> Path:
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def _writable(path: Path) -> bool:
    folder = path if path.is_dir() else path.parent
    if path.exists() and not path.is_dir() and not os.access(path, os.W_OK):
        return False
    return os.access(_existing(folder), os.W_OK)


def _nearly_full(path: Path) -> bool:
    try:
        return shutil.disk_usage(_existing(path)).free < NEARLY_FULL_BYTES
    except OSError:
        return False


@dataclass(frozen=True)
class CheckResult:
    """The outcome of ``quick_check``; ``not checked`` means it ran out of time, not that it failed."""

    status: Literal["ok", "damaged", "not checked"]
    detail: str = ""

    @property
    def damaged(self) -> bool:
        return self.status == "damaged"


def quick_check(
    db: sqlite3.Connection, *, seconds: float = QUICK_CHECK_SECONDS, clock: Callable[[], float] = time.monotonic
) -> CheckResult:
    """Runs ``PRAGMA quick_check`` for at most about ``seconds``.

    A large history must not hold up the start: past the deadline SQLite is interrupted and the
    result is "not checked" (damage is then found at the first read that touches it). Errors other
    than damage (a full disk for the temporary b-trees, an unreadable file) are raised as they are.
    """
    deadline = clock() + seconds

    def past_deadline() -> int:
        return 1 if clock() >= deadline else 0

    db.set_progress_handler(past_deadline, _PROGRESS_STEPS)
    try:
        rows = db.execute("PRAGMA quick_check").fetchall()
    except sqlite3.Error as exc:
        if primary_code(exc) == SQLITE_INTERRUPT:
            return CheckResult("not checked", f"stopped after {seconds:g} s")
        if is_damage(exc):
            return CheckResult("damaged", str(exc))
        raise
    finally:
        db.set_progress_handler(None, 0)
    problems = [str(row[0]) for row in rows if row[0] != "ok"]
    if problems:
        return CheckResult("damaged", "; ".join(problems[:3]))
    return CheckResult("ok")
