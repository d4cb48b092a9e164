"""The app's log file: ``parley.log`` in the log folder, rotated so it never grows without bound."""

from __future__ import annotations

import logging
import logging.handlers

from app.core import paths

LOG_NAME = "parley.log"
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
