"""The crash path: an exception nobody expected is a bug; it is logged and shown with its traceback.

``CrashHandler.install`` takes over ``sys.excepthook`` and ``threading.excepthook``. Each traceback
is appended to ``crash.log`` in the log folder and then shown by ``show_dialog``, a method tests
replace. Exceptions from other threads are handed to the GUI thread before anything is shown.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
import traceback
from pathlib import Path
from types import TracebackType

from PySide6 import QtCore, QtWidgets

import app
from app.core import paths

log = logging.getLogger("app.ui.crash")

CRASH_LOG = "crash.log"


def crash_log_path() -> Path:
    return paths.log_dir() / CRASH_LOG


class CrashHandler(QtCore.QObject):
    """Catches uncaught exceptions from any thread and reports them on the GUI thread."""

    crash_reported = QtCore.Signal(str)  # the traceback, once logged; emitted on the GUI thread

    _crash_arrived = QtCore.Signal(str, str)  # details, crash log path ("" when it could not be written)

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        self._installed = False
        self._showing = False
        self._crash_arrived.connect(self._on_self_crash_arrived, QtCore.Qt.ConnectionType.QueuedConnection)

    # -- seam: tests replace this ---------------------------------------------------------------

    def show_dialog(self, details: str, log_path: Path | None) -> None:
        """Shows the traceback to the user; the app keeps running afterwards."""
        box = QtWidgets.QMessageBox(QtWidgets.QApplication.activeWindow())
        box.setIcon(QtWidgets.QMessageBox.Icon.Critical)
        box.setWindowTitle(self.tr("Parley hit a bug"))
        box.setText(self.tr("Something inside Parley went wrong that should not have. Your conversations are saved."))
        if log_path is not None:
            box.setInformativeText(
                self.tr("The details below were also written to {path}. Please include them in a bug report.").format(
                    path=log_path
                )
            )
        box.setDetailedText(details)
        box.exec()

    # -- installing -----------------------------------------------------------------------------

    def install(self) -> None:
        if self._installed:
            return
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        sys.excepthook = self.handle
        threading.excepthook = self._handle_thread
        self._installed = True

    def uninstall(self) -> None:
        if not self._installed:
            return
        sys.excepthook = self._previous_hook
        threading.excepthook = self._previous_thread_hook
        self._installed = False

    # -- handling -------------------------------------------------------------------------------

    def handle(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        """Logs one uncaught exception at once and shows it on the GUI thread; callable from any thread."""
        if issubclass(exc_type, KeyboardInterrupt):
            self._previous_hook(exc_type, exc, tb)
            return
        details = "".join(traceback.format_exception(exc_type, exc, tb))
        log.error("uncaught exception:\n%s", details)
        log_path = self.write_log(details)
        self._crash_arrived.emit(details, str(log_path) if log_path else "")

    def _handle_thread(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        self.handle(args.exc_type, args.exc_value, args.exc_traceback)

    @staticmethod
    def write_log(details: str) -> Path | None:
        """Appends the traceback to the crash log; None when even that fails."""
        try:
            path = crash_log_path()
            stamp = time.strftime("%Y-%m-%d %H:%M:%S")
            with path.open("a", encoding="utf-8") as handle:
                handle.write(f"--- {stamp} Parley {app.__version__}\n{details}\n")
            return path
        except OSError:
            log.exception("could not write the crash log")
            return None

    @QtCore.Slot(str, str)
    def _on_self_crash_arrived(self, details: str, log_path: str) -> None:
        self.crash_reported.emit(details)
        if self._showing:
            return  # a crash while the dialog is open is logged, not stacked
        self._showing = True
        try:
            self.show_dialog(details, Path(log_path) if log_path else None)
        finally:
            self._showing = False
