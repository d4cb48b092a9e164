"""The app's logs: ``parley.log`` in the log folder, rotated so it never grows without bound, and ``crash.log``.

Each subsystem logs under its own name (``app.store``, ``app.hub``, ``app.downloads``, ``app.engine``,
``app.worker``, ``app.ui``); all of them go to the one rotated file. The engine process sends its
records to the app, so one process writes the file. Where the log folder cannot be written (a
read-only data folder), the records go to stderr instead, and the first one says so.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import time
from pathlib import Path
from typing import TextIO

from app import version
from app.core import paths

LOG_NAME = "parley.log"
CRASH_LOG = "crash.log"
MAX_BYTES = 2 * 1024 * 1024
BACKUPS = 3


_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is when a record comes (a test runner may swap it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def configure(level: int = logging.INFO) -> Path | None:
    """Sends the ``app`` loggers to the log file; safe to call more than once; never raises.

    Returns the log file, or None when it cannot be written: the records then go to stderr.
    """
    logger = logging.getLogger("app")
    logger.setLevel(level)
    target: Path | None = None
    try:
        target = paths.log_dir() / LOG_NAME
        for handler in logger.handlers:
            if isinstance(handler, logging.handlers.RotatingFileHandler) and handler.baseFilename == str(target):
                return target
        handler = logging.handlers.RotatingFileHandler(
            target, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
    except OSError as exc:
        if not any(isinstance(handler, StderrHandler) for handler in logger.handlers):
            fallback = StderrHandler()
            fallback.setFormatter(logging.Formatter(_FORMAT))
            logger.addHandler(fallback)
        logger.warning("cannot write the log file %s (%s); logging to stderr only", target or "", exc)
        return None
    handler.setFormatter(logging.Formatter(_FORMAT))
    logger.addHandler(handler)
    return target


def crash_log_path() -> Path:
    return paths.log_dir() / CRASH_LOG


def write_crash_log(details: str) -> Path | None:
    """Appends a traceback to the crash log; None when even that fails (the reason goes to the log)."""
    try:
        path = crash_log_path()
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {stamp} {version.version_line()}\n{details}\n")
        return path
    except OSError:
        logging.getLogger("app").exception("could not write the crash log")
        return None
