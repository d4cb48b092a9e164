"""Starting the window: the QApplication, its language, the crash path, the history, the main window.

``run_gui`` is what ``python -m app`` calls. A history database that cannot be opened (too new,
unwritable) is reported in a message box and left untouched; the app then exits with 1. A damaged
one can instead be kept aside, byte for byte, while Parley starts a new history.
"""

from __future__ import annotations

import logging

from PySide6 import QtCore, QtWidgets

from app.core import logs
from app.core import settings as settings_module
from app.core.errors import AppError, DatabaseDamagedError
from app.core.store import Store, set_aside
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


def ask_start_fresh_history(error: DatabaseDamagedError) -> bool:
    """Offers to keep the damaged history aside and start a new one. A seam: tests replace it."""
    translate = QtCore.QCoreApplication.translate
    box = QtWidgets.QMessageBox(
        QtWidgets.QMessageBox.Icon.Warning, translate("Application", "Parley"), error_text(error)
    )
    box.setInformativeText(
        translate(
            "Application",
            "Parley can keep the damaged file aside, unchanged, and start with a new, empty history.",
        )
    )
    fresh = box.addButton(
        translate("Application", "Keep it aside and start fresh"), QtWidgets.QMessageBox.ButtonRole.AcceptRole
    )
    box.addButton(translate("Application", "Quit"), QtWidgets.QMessageBox.ButtonRole.RejectRole)
    box.exec()
    return box.clickedButton() is fresh


def _open_store() -> tuple[Store | None, str]:
    """The history, or None after telling the user why not; plus a notice for the window."""
    try:
        return Store(), ""
    except DatabaseDamagedError as err:
        log.error("the history is damaged: %s", err)
        if not ask_start_fresh_history(err):
            return None, ""
        kept = set_aside(Store.default_path())
        log.warning("kept the damaged history at %s and started a new one", kept)
        notice = QtCore.QCoreApplication.translate(
            "Application", "The damaged history was kept, unchanged, at {path}. This is a new, empty history."
        ).format(path=kept)
        try:
            return Store(), notice
        except AppError as again:
            show_startup_error(again)
            return None, ""
    except AppError as err:
        log.error("cannot open the history: %s", err)
        show_startup_error(err)
        return None, ""


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
        store, notice = _open_store()
        if store is None:
            return 1
        try:
            window = MainWindow(store, settings, engine_factory)
            window.show()
            if notice:
                window.banner.show_notice(notice)
            code = application.exec()
            window.shutdown()
            return code
        finally:
            store.close()
    finally:
        crash_handler.uninstall()
        remove_translators(application, translators)
