"""Which Parley instances have a history open, so that one never settles another's live answer.

Each open ``Store`` holds an OS lock on ``<database>.instances/<id>.lock``; a streaming answer
records its writer's id. The rule: an answer is "interrupted" only when its writer's lock can be
taken, i.e. the writer is gone. A lock, not a heartbeat: the OS drops it the moment the process
dies, with no clock, timeout or periodic write (``flock``, per open file; ``msvcrt.locking`` on Windows).
The same locks serialise the schema step between processes (``schema_lock``) and mark a backup's
temporary file as being written (``try_lock``), so start-up clears only a dead writer's.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger("app.store")

_ID = re.compile(r"[0-9a-f]{32}")

if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _wait_lock(fd: int) -> None:
        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_LOCK, 1)  # retries for 10 s, then raises
                return
            except OSError:
                continue

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _wait_lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)


def try_lock(fd: int) -> bool:
    """Takes the OS lock on the open file ``fd`` if no other process holds it; dropped when ``fd`` closes."""
    return _try_lock(fd)


@contextmanager
def schema_lock(database: Path) -> Iterator[None]:
    """Holds ``<database>.schema.lock`` exclusively: one process at a time creates or migrates the history.

    A second process waits here, then finds the schema done. Without a usable lock file (a file
    system with no locks) it goes on unlocked, with a log line.
    """
    path = database.with_name(f"{database.name}.schema.lock")
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        log.warning("no schema lock at %s (%s): opening without it", path, exc)
        yield
        return
    try:
        try:
            _wait_lock(fd)
        except OSError as exc:
            log.warning("the file system refused the schema lock %s: %s", path, exc)
        yield
    finally:
        os.close(fd)  # closing drops the lock; the file stays, so every process locks the same one


def locks_folder(database: Path) -> Path:
    return database.with_name(f"{database.name}.instances")


class InstanceLock:
    """This instance's claim on a database, held from ``acquire`` until ``release``."""

    def __init__(self, database: Path) -> None:
        self.id = uuid.uuid4().hex
        self.folder = locks_folder(database)
        self.path = self.folder / f"{self.id}.lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        """Takes the lock; without it (a file system with no locks) others see this instance as gone."""
        for _attempt in range(3):
            try:
                self.folder.mkdir(exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                log.warning("no instance lock at %s (%s): others may settle this instance's answers", self.path, exc)
                return
            try:
                locked = _try_lock(fd) and _still_named(fd, self.path)
            except OSError as exc:
                os.close(fd)
                log.warning("the file system refused the instance lock %s: %s", self.path, exc)
                return
            if locked:
                self._fd = fd
                return
            # Another instance's sweep removed the file between our open and our lock: start again.
            os.close(fd)
        log.warning("could not hold the instance lock %s", self.path)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        if self._fd is None:
            return
        os.close(self._fd)  # closing drops the lock
        self._fd = None
        self.path.unlink(missing_ok=True)


def _still_named(fd: int, path: Path) -> bool:
    """True when ``path`` is still the file open as ``fd`` (a lock on an unlinked file is invisible)."""
    try:
        named = os.stat(path)
    except FileNotFoundError:
        return False
    opened = os.fstat(fd)
    return (named.st_dev, named.st_ino) == (opened.st_dev, opened.st_ino)


def is_alive(database: Path, instance_id: str | None) -> bool:
    """True while the instance ``instance_id`` still holds its lock on ``database``.

    A dead instance's lock file is removed on the way, so the folder does not fill up.
    """
    if instance_id is None or not _ID.fullmatch(instance_id):
        return False  # written before instances were tracked, or not an id we wrote
    path = locks_folder(database) / f"{instance_id}.lock"
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return False
    except OSError as exc:
        log.warning("cannot tell whether instance %s is alive (%s); assuming it is", instance_id, exc)
        return True
    try:
        if not _try_lock(fd):
            return True
    except OSError as exc:
        log.warning("cannot tell whether instance %s is alive (%s); assuming it is", instance_id, exc)
        return True
    finally:
        os.close(fd)
    path.unlink(missing_ok=True)
    return False


def sweep(database: Path) -> int:
    """Removes the lock files left by killed instances; returns how many."""
    folder = locks_folder(database)
    try:
        names = [entry.stem for entry in folder.iterdir() if entry.suffix == ".lock"]
    except OSError:
        return 0
    return sum(1 for name in names if not is_alive(database, name))
