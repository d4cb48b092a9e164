"""The crash path: an exception nobody expected is a bug; it is logged, reported locally and shown.

``CrashHandler.install`` takes over ``sys.excepthook`` and ``threading.excepthook``. Each traceback
is appended to ``crash.log`` in the log folder, and a crash report (``app.core.crashreport``: the
traceback, versions, OS and machine, no conversation text) is written beside it as its own file.
``show_dialog``, a method tests replace, shows the report with buttons to open its folder and to
copy it; nothing is sent anywhere. Exceptions from other threads are handed to the GUI thread
before anything is shown.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from functools import partial
from pathlib import Path
from types import TracebackType

import PySide6
from PySide6 import QtCore, QtGui, QtWidgets

from app.core import crashreport, logs
from app.core.logs import crash_log_path
from app.ui.common.relay import GuiRelay

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
        """Shows the crash report (``log_path``: its file) to the user; the app keeps running afterwards."""
        dialog = CrashDialog(details, log_path, QtWidgets.QApplication.activeWindow())
        try:
            dialog.exec()
        finally:
            dialog.deleteLater()

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

    def handle(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        """Logs one uncaught exception at once and shows it on the GUI thread; callable from any thread."""
        if issubclass(exc_type, KeyboardInterrupt):
            self._previous_hook(exc_type, exc, tb)
            return
        details = "".join(traceback.format_exception(exc_type, exc, tb))
        log.error("uncaught exception:\n%s", details)
        logs.write_crash_log(details)
        report = crashreport.build_report(
            crashreport.format_traceback(exc_type, exc, tb),
            {"Qt": f"{QtCore.qVersion()} (PySide6 {PySide6.__version__})"},
        )
        report_path = crashreport.write_report(report)
        self._relay.post(partial(self._show_crash, report, report_path))

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


class CrashDialog(QtWidgets.QDialog):
    """The report, read-only, with "Open folder" and "Copy report"; it stays open until closed."""

    def __init__(self, report: str, report_path: Path | None, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.report = report
        self.report_path = report_path
        self.setWindowTitle(self.tr("Parley hit a bug"))
        self.setMinimumSize(480, 320)
        self.resize(640, 460)
        layout = QtWidgets.QVBoxLayout(self)
        # A fixed minimum instead of the layout's: the report's lines change no window size hints.
        layout.setSizeConstraint(QtWidgets.QLayout.SizeConstraint.SetNoConstraint)
        headline = QtWidgets.QLabel(
            self.tr("Something inside Parley went wrong that should not have. Your conversations are saved.")
        )
        headline.setWordWrap(True)
        layout.addWidget(headline)
        where = (
            self.tr(
                "This report was saved on this computer as {path}. Nothing was sent anywhere; "
                "it holds no conversation text. Please include it in a bug report."
            ).format(path=report_path)
            if report_path is not None
            else self.tr("The report could not be saved; you can still copy it. Nothing was sent anywhere.")
        )
        self.where_label = QtWidgets.QLabel(where)
        self.where_label.setWordWrap(True)
        self.where_label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.where_label)
        self.text = QtWidgets.QPlainTextEdit(report)
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QtWidgets.QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont))
        layout.addWidget(self.text, 1)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Close)
        self.open_button = buttons.addButton(self.tr("Open folder"), QtWidgets.QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button = buttons.addButton(self.tr("Copy report"), QtWidgets.QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.setEnabled(report_path is not None)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def open_folder(self, folder: Path) -> bool:
        """Opens ``folder`` in the file manager. A seam: tests replace it."""
        return QtGui.QDesktopServices.openUrl(QtCore.QUrl.fromLocalFile(str(folder)))

    @QtCore.Slot()
    def _on_open_button_clicked(self) -> None:
        if self.report_path is not None:
            self.open_folder(self.report_path.parent)

    @QtCore.Slot()
    def _on_copy_button_clicked(self) -> None:
        QtGui.QGuiApplication.clipboard().setText(self.report)
        self.copy_button.setText(self.tr("Copied"))
