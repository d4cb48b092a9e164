"""The history as a command opens it, the way the window does: recovered when damaged, and backed up daily.

A damaged history goes down the store's one recovery path (``store.open_store``: the damaged file
kept aside, the newest sound backup restored, the rest salvaged), and one line on stderr says what
came back, in the window's words (``app.core.history.recovery_notice``). Then the day's backup is
taken when one is due, by the rule the window follows (``backups.maybe_daily_backup``); a backup that
fails is said on stderr and the command goes on, as the window's banner does.
"""

from __future__ import annotations

import logging
from typing import TextIO

from app.core.errors import AppError
from app.core.history.recovery_notice import recovery_notice
from app.core.history.store import Store, open_store

log = logging.getLogger("app.cli")


def open_history(err: TextIO) -> Store:
    """The user's history, ready for a command; ``AppError`` when it cannot be opened (nor recovered)."""
    store, report = open_store()
    if report is not None:
        print(f"parley: {recovery_notice(report)}", file=err)
    try:
        store.maybe_daily_backup()
    except AppError as exc:
        log.error("the daily backup failed: %s", exc)
        print(f"parley: {exc.user_message()}", file=err)
    except BaseException:
        store.close()
        raise
    return store
