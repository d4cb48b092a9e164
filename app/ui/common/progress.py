"""The window's one recovery progress dialog, and the two ways a recovery runs under it.

``RecoveryProgressDialog`` is modal, has no cancel (a recovery stopped half-way would only put the
damaged file back) and says "Recovering your history… N %" and that the damaged file is kept aside.

- At start (``run_on_worker``) nothing else holds the history yet: the recovery runs on a worker
  thread of a ``BackgroundExecutor`` and its progress comes back through the executor's relay while
  a local event loop keeps the dialog responsive.
- While the window runs (``run_here``) the store's connection is closed for the whole recovery, and
  queued events (an answer being streamed) would write to it: the recovery runs on the GUI thread,
  and the dialog is repainted at each percent without running those events.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from PySide6 import QtCore, QtGui, QtWidgets

from app.ui.common.background import BackgroundExecutor, BackgroundOp

T = TypeVar("T")

SHOW_WAIT_S = 2.0  # how long the dialog is given to appear before a recovery on the GUI thread starts


class RecoveryProgressDialog(QtWidgets.QProgressDialog):
    """Shows a recovery's fraction done; it closes only through ``finish``."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._finished = False
        self.setWindowTitle(self.tr("Recovering your history"))
        self.setAccessibleName(self.tr("Recovering your history"))
        self.setWindowModality(QtCore.Qt.WindowModality.ApplicationModal)
        self.setCancelButton(None)  # type: ignore[arg-type]  # Qt's way to have none
        self.setRange(0, 100)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setMinimumDuration(0)
        self.setMinimumWidth(420)
        self._bar = self.findChild(QtWidgets.QProgressBar)
        self._label = self.findChild(QtWidgets.QLabel)
        if self._label is not None:
            self._label.setWordWrap(True)
        if self._bar is not None:
            self._bar.setTextVisible(False)  # the label says the percent
        self.set_fraction(0.0)
        self.resize(self.sizeHint())  # the wrapped label's height, which QProgressDialog's own size misses

    def percent(self) -> int:
        return self._bar.value() if self._bar is not None else 0

    def set_fraction(self, fraction: float) -> None:
        """Shows ``fraction`` (0 to 1) done and repaints at once (the GUI thread may be busy)."""
        percent = round(min(1.0, max(0.0, fraction)) * 100)
        self.setLabelText(
            self.tr("Recovering your history… {percent} %").format(percent=percent)
            + "\n\n"
            + self.tr("The damaged file is kept aside, unchanged; what it still holds is merged back.")
        )
        if self._bar is not None:  # QProgressDialog.setValue would run every queued event when modal
            self._bar.setValue(percent)
        if self.isVisible():
            self.repaint()

    def finish(self) -> None:
        self._finished = True
        self.close()

    def reject(self) -> None:
        """Esc does nothing: a recovery is not cancelled."""

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if self._finished:
            super().closeEvent(event)
        else:
            event.ignore()


def run_on_worker(job: Callable[[], T], dialog: RecoveryProgressDialog, executor: BackgroundExecutor) -> T:
    """Runs ``job`` on one of ``executor``'s threads while ``dialog`` shows; returns or raises what it did.

    The job's progress reaches ``dialog`` through ``executor.relay`` (``executor.relay.sink``).
    """
    outcome: list[tuple[T | None, BaseException | None]] = []

    def capture() -> None:
        try:
            outcome.append((job(), None))
        except BaseException as exc:  # raised again on the GUI thread, where the caller handles it
            outcome.append((None, exc))

    loop = QtCore.QEventLoop()
    dialog.show()
    BackgroundOp(run=capture).on_end(loop.quit).start(executor)
    loop.exec()  # the end arrives through the relay, so it cannot come before this loop runs
    dialog.finish()
    value, error = outcome[0]
    if error is not None:
        raise error
    return value  # type: ignore[return-value]  # job returned it


def run_here(job: Callable[[Callable[[float], None]], T], dialog: RecoveryProgressDialog) -> T:
    """Runs ``job(progress)`` on the GUI thread while ``dialog`` shows its progress; closes the dialog after."""
    dialog.show()
    deadline = time.monotonic() + SHOW_WAIT_S
    # Until the window system has shown it, the dialog cannot be repainted; the store is still open now.
    while not _exposed(dialog) and time.monotonic() < deadline:
        QtCore.QCoreApplication.processEvents(QtCore.QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents, 50)
    try:
        return job(dialog.set_fraction)
    finally:
        dialog.finish()


def _exposed(dialog: QtWidgets.QWidget) -> bool:
    handle = dialog.windowHandle()
    return handle is not None and handle.isExposed()
