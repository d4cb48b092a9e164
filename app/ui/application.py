"""Starting the window: the QApplication, its language, the crash path, the history, the main window.

``run_gui`` is what ``python -m app`` calls. A history database that cannot be opened (too new,
damaged, unwritable) is reported in a message box and left untouched; the app then exits with 1.
"""

from __future__ import annotations

import logging

from PySide6 import QtCore, QtWidgets

from app.core import logs
from app.core import settings as settings_module
from app.core.errors import AppError
from app.core.store import Store
from app.ui.crash import CrashHandler
from app.ui.engine_bridge import EngineFactory
from app.ui.i18n import error_text, install_translators, remove_translators, resolve_language
from app.ui.main_window import MainWindow

log = logging.getLogger("app.ui")


def show_startup_error(error: AppError) -> None:
    """Tells the user why Parley cannot start. A seam: tests replace it."""
    QtWidgets.QMessageBox.critical(
        None, QtCore.QCoreApplication.translate("Application", "Parley cannot start"), error_text(error)
    )


def run_gui(argv: list[str], engine_factory: EngineFactory | None = None) -> int:
    """Runs the window until it is closed; returns the process exit code."""
    existing = QtWidgets.QApplication.instance()
    application = existing if isinstance(existing, QtWidgets.QApplication) else QtWidgets.QApplication(argv)
    application.setApplicationName("Parley")
    application.setOrganizationName("")
    application.setOrganizationDomain("")

    logs.configure()
    settings = settings_module.load()
    translators = install_translators(application, resolve_language(settings.language))
    crash_handler = CrashHandler(application)
    crash_handler.install()
    try:
        try:
            store = Store()
        except AppError as err:
            log.error("cannot open the history: %s", err)
            show_startup_error(err)
            return 1
        try:
            window = MainWindow(store, settings, engine_factory)
            window.show()
            code = application.exec()
            window.shutdown()
            return code
        finally:
            store.close()
    finally:
        crash_handler.uninstall()
        remove_translators(application, translators)
