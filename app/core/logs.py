"""The app's logs: ``parley.log`` in the log folder, rotated so it never grows without bound, and ``crash.log``.

Each subsystem logs under its own name (``app.store``, ``app.hub``, ``app.downloads``, ``app.engine``,
``app.worker``, ``app.ui``); all of them go to the one rotated file. The engine process sends its
records to the app, so one process writes the file.
"""

from __future__ import annotations

import logging
import logging.handlers
import time
from pathlib import Path

import app
from app.core import paths

LOG_NAME = "parley.log"
CRASH_LOG = "crash.log"
MAX_BYTES = 2 * 1024 * 1024
BACKUPS = 3


def configure(level: int = logging.INFO) -> None:
    """Sends the ``app`` loggers to the log file; safe to call more than once."""
    logger = logging.getLogger("app")
    target = paths.log_dir() / LOG_NAME
    for handler in logger.handlers:
        if isinstance(handler, logging.handlers.RotatingFileHandler) and handler.baseFilename == str(target):
            return
    handler = logging.handlers.RotatingFileHandler(target, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level)


def crash_log_path() -> Path:
    return paths.log_dir() / CRASH_LOG


def write_crash_log(details: str) -> Path | None:
    """Appends a traceback to the crash log; None when even that fails (the reason goes to the log)."""
    try:
        path = crash_log_path()
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {stamp} Parley {app.__version__}\n{details}\n")
        return path
    except OSError:
        logging.getLogger("app").exception("could not write the crash log")
        return None
