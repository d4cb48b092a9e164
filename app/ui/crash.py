"""The crash path: an exception nobody expected is a bug; it is logged and shown with its traceback.

``CrashHandler.install`` takes over ``sys.excepthook`` and ``threading.excepthook``. Each traceback
is appended to ``crash.log`` in the log folder and then shown by ``show_dialog``, a method tests
replace. Exceptions from other threads are handed to the GUI thread before anything is shown.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from functools import partial
from pathlib import Path
from types import TracebackType

from PySide6 import QtCore, QtWidgets

from app.core import logs
from app.core.logs import crash_log_path
from app.ui.relay import GuiRelay

log = logging.getLogger("app.ui.crash")

__all__ = ["CrashHandler", "crash_log_path"]


class CrashHandler(QtCore.QObject):
    """Catches uncaught exceptions from any thread and reports them on the GUI thread."""

    crash_reported = QtCore.Signal(str)  # the traceback, once logged; emitted on the GUI thread

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        self._installed = False
        self._showing = False
        self._relay = GuiRelay(self)

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
        log_path = logs.write_crash_log(details)
        self._relay.post(partial(self._show_crash, details, log_path))

    def _handle_thread(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        self.handle(args.exc_type, args.exc_value, args.exc_traceback)

    def _show_crash(self, details: str, log_path: Path | None) -> None:
        self.crash_reported.emit(details)
        if self._showing:
            return  # a crash while the dialog is open is logged, not stacked
        self._showing = True
        try:
            self.show_dialog(details, log_path)
        finally:
            self._showing = False
