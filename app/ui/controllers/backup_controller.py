"""The window's care of the history file: daily backups, restoring one, and recovering from damage.

The ``Store`` (``app.core.history.store``) does the work; this controller decides when, keeps the GUI
thread free, and says what happened in sentences for the window (``notice_reported``; a recovery's
wording is the command line's too, ``app.core.history.recovery_notice``):

- Backups: one at start and then, checked hourly, one a day while Parley runs (whether one is due is
  ``backups.maybe_daily_backup``'s rule, which the command line follows too). They run on a
  worker thread (a ``BackgroundOp`` on the window's executor) through a SQLite connection of their own
  (``backups.daily_backup_of``): connections belong to the thread that made them, so the GUI
  thread's store connection is never touched from there.
- Restoring a backup (Settings → Data) runs on the GUI thread through the store, which first keeps
  a "pre-restore" copy of the history it replaces. It is refused while an answer is written.
- Damage found while Parley runs (``DatabaseDamagedInUseError`` from any store call) is recovered
  once per run through ``Store.recover_from_damage``: the damaged file is kept aside byte for byte,
  the newest sound backup restored, what can be read merged back, under the recovery progress
  dialog (``app.ui.common.progress``). A second damage in the same run
  is only reported: a disk that keeps damaging the file should not fill up with copies of it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6 import QtCore, QtWidgets

from app.core.errors import AppError, DatabaseDamagedInUseError, RestoreWhileAnsweringError
from app.core.history import backups
from app.core.history import recovery_notice as notice
from app.core.history.backups import Backup
from app.core.history.recovery import RecoveryReport
from app.core.history.store import Store
from app.ui.common.background import BackgroundExecutor, BackgroundOp
from app.ui.common.i18n import current_language
from app.ui.common.progress import RecoveryProgressDialog, run_here

log = logging.getLogger("app.ui")

BACKUP_CHECK_MS = 60 * 60 * 1000  # a day's backup is looked for every hour


def format_moment(seconds: float) -> str:
    """A date and time in the window's language, short form."""
    moment = QtCore.QDateTime.fromSecsSinceEpoch(int(seconds))
    return QtCore.QLocale(current_language()).toString(moment, QtCore.QLocale.FormatType.ShortFormat)


def recovery_notice(report: RecoveryReport) -> str:
    """What the recovery did (``app.core.history.recovery_notice``), in the window's language and date format."""
    return notice.recovery_notice(report, QtCore.QCoreApplication.translate, format_moment)


class BackupController(QtCore.QObject):
    """GUI thread only. ``start`` begins the backups; ``shutdown`` ends them."""

    notice_reported = QtCore.Signal(str)  # a translated sentence: a recovery or a restore happened
    error_reported = QtCore.Signal(object)  # AppError from a background backup
    history_replaced = QtCore.Signal()  # restored or recovered: whoever shows conversations reads them again
    history_lost = QtCore.Signal(object)  # AppError: recovery failed and the store is closed
    backups_changed = QtCore.Signal()

    def __init__(
        self,
        store: Store,
        executor: BackgroundExecutor,
        *,
        answering: Callable[[], bool] = lambda: False,
        backups_enabled: bool = True,
        parent: QtCore.QObject | None = None,
    ) -> None:
        """``answering`` says whether an answer is being written (no restore then);
        ``backups_enabled`` is False for a temporary copy of a history that cannot be written."""
        super().__init__(parent)
        self.store = store
        self.backups_enabled = backups_enabled
        self._answering = answering
        self._executor = executor
        self._backup: BackgroundOp[Backup | None] | None = None
        self._recovered = False
        self._timer = QtCore.QTimer(self)
        self._timer.setInterval(BACKUP_CHECK_MS)
        self._timer.timeout.connect(self._on_timer_timeout)

    @property
    def database_path(self) -> str:
        return str(self.store.path)

    @property
    def backups_folder(self) -> str:
        return str(self.store.backups_folder)

    def start(self) -> None:
        """Makes today's backup (off the GUI thread) and looks again every hour."""
        if not self.backups_enabled:
            return
        self._timer.start()
        self.backup_if_due()

    def shutdown(self) -> None:
        self._timer.stop()
        if self._backup is not None:
            self._backup.cancel()

    # -- backups --------------------------------------------------------------------------------

    def backup_if_due(self, *, now: float | None = None) -> BackgroundOp[Backup | None] | None:
        """Starts today's backup on a worker thread unless one runs; returns it (None: none started)."""
        if not self.backups_enabled or (self._backup is not None and not self._backup.ended):
            return None
        database, folder = self.store.path, self.store.backups_folder
        self._backup = (
            BackgroundOp(run=lambda: backups.daily_backup_of(database, folder, now=now))
            .on_success(self._on_backup_done)
            .on_failure(self._on_backup_failed)
            .start(self._executor)
        )
        return self._backup

    def backups(self) -> list[Backup]:
        return self.store.backups()

    def restore(self, backup: Backup) -> str:
        """Replaces the history with ``backup``; returns the notice that says so. ``AppError`` when refused."""
        if self._answering():
            raise RestoreWhileAnsweringError()
        try:
            before = self.store.restore_backup(backup)
        except DatabaseDamagedInUseError as err:
            self.error_reported.emit(err)  # the window recovers the history
            raise
        notice = QtCore.QCoreApplication.translate(
            "History",
            "The history from the backup of {date} is back. What it replaced is kept as a backup from {now}.",
        ).format(date=format_moment(backup.created_at), now=format_moment(before.created_at))
        log.info("restored the backup %s", backup.path)
        self.backups_changed.emit()
        self.history_replaced.emit()
        self.notice_reported.emit(notice)
        return notice

    # -- damage ---------------------------------------------------------------------------------

    def recover(self, error: DatabaseDamagedInUseError) -> bool:
        """Recovers the damaged history once per run; False when it was recovered before (then the
        caller shows ``error``). A recovery that fails closes the store: ``history_lost``."""
        if self._recovered:
            log.error("the history is damaged again: %s", error)
            return False
        self._recovered = True
        log.error("the history turned out damaged while open: %s", error)
        started = time.monotonic()
        try:
            report = run_here(self.store.recover_from_damage, RecoveryProgressDialog(self._dialog_parent()))
        except AppError as err:
            log.error("recovering the history failed: %s", err)
            self.history_lost.emit(err)
            return True
        log.warning("recovered the history in %.1f s", time.monotonic() - started)
        self.backups_changed.emit()
        self.history_replaced.emit()
        self.notice_reported.emit(recovery_notice(report))
        return True

    def _dialog_parent(self) -> QtWidgets.QWidget | None:
        window = QtWidgets.QApplication.activeWindow()
        return window if isinstance(window, QtWidgets.QWidget) else None

    # -- slots ----------------------------------------------------------------------------------

    def _on_backup_done(self, backup: Backup | None) -> None:
        if backup is not None:
            self.backups_changed.emit()

    def _on_backup_failed(self, error: AppError) -> None:
        log.error("the daily backup failed: %s", error)
        self.error_reported.emit(error)

    @QtCore.Slot()
    def _on_timer_timeout(self) -> None:
        self.backup_if_due()
