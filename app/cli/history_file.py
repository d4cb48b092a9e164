"""The history as a command opens it, the way the window does: recovered when damaged, and backed up daily.

A damaged history goes down the store's one recovery path (``store.open_store``: the damaged file
kept aside, the newest sound backup restored, the rest salvaged) while ``RecoveryProgress`` tells how far
it is on stderr (one line updated in place on a terminal, a plain line every tenth otherwise); then one
line on stderr says what came back, in the window's words (``app.core.history.recovery_notice``).
Then the day's backup is taken when one is due, by the rule the window follows
(``backups.maybe_daily_backup``); a backup that fails is said on stderr and the command goes on, as
the window's banner does.
"""

from __future__ import annotations

import logging
from typing import TextIO

from app.core.errors import AppError
from app.core.history.recovery_notice import recovery_notice
from app.core.history.store import Store, open_store

log = logging.getLogger("app.cli")


class RecoveryProgress:
    """Prints a recovery's progress on ``err``; called from the recovering thread (this one)."""

    PLAIN_STEP = 10  # percent between two plain lines

    def __init__(self, err: TextIO) -> None:
        self._err = err
        self._terminal = _is_terminal(err)
        self._shown = -1

    def __call__(self, fraction: float) -> None:
        percent = round(min(1.0, max(0.0, fraction)) * 100)
        if percent <= self._shown:
            return
        if not self._terminal and self._shown >= 0 and percent < 100 and percent < self._shown + self.PLAIN_STEP:
            return
        self._shown = percent
        line = f"parley: Recovering the damaged history… {percent} %"
        if self._terminal:
            self._err.write(f"\r{line}" + ("\n" if percent == 100 else ""))
        else:
            self._err.write(f"{line}\n")
        self._err.flush()

    def end(self) -> None:
        """Ends an unfinished line on a terminal (a recovery that failed part-way)."""
        if self._terminal and 0 <= self._shown < 100:
            self._err.write("\n")
            self._err.flush()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream
        return False


def open_history(err: TextIO) -> Store:
    """The user's history, ready for a command; ``AppError`` when it cannot be opened (nor recovered)."""
    progress = RecoveryProgress(err)
    try:
        store, report = open_store(progress=progress)
    finally:
        progress.end()
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
