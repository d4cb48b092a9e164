"""The composition root: the QApplication, its language, the crash path, and the app's long-lived objects.

``run_gui`` is what ``python -m app`` calls. It builds the store, the settings, the engine service,
the model registry, the download manager and the window's controllers (``build_services``), and
hands them to ``MainWindow``; no widget builds a service. A history database that cannot be opened
(too new, unwritable) is reported in a message box and left untouched; the app then exits with 1. A
damaged one can instead be kept aside, byte for byte, while Parley starts a new history.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6 import QtCore, QtWidgets

from app.core import logs
from app.core.errors import AppError, DatabaseDamagedError
from app.core.registry import ModelRegistry
from app.core.session import EngineFactory, EngineService
from app.core.settings import SettingsStore
from app.core.store import Store, set_aside
from app.ui.chat_controller import ChatController
from app.ui.crash import CrashHandler
from app.ui.downloads import DownloadManager
from app.ui.history import HistoryController
from app.ui.i18n import error_text, install_translators, remove_translators, resolve_language
from app.ui.main_window import MainWindow
from app.ui.models_flow import ModelsController

log = logging.getLogger("app.ui")


def local_engine_factory() -> EngineFactory:
    """The default engine: llama.cpp in a child process."""
    # Imported here so that the window's modules load without the engine's dependencies.
    from app.core.engine.local import LocalEngine

    return LocalEngine


@dataclass(frozen=True)
class Services:
    """The long-lived objects the window works with; ``shutdown`` ends them in order."""

    store: Store
    settings: SettingsStore
    registry: ModelRegistry
    session: EngineService
    downloads: DownloadManager
    chat: ChatController
    models: ModelsController
    history: HistoryController

    def shutdown(self) -> None:
        """Settles a running answer, pauses the downloads and ends the engine. Safe to call twice."""
        self.history.shutdown()
        self.downloads.shutdown()
        self.models.shutdown()
        self.chat.shutdown()
        self.session.shutdown()


def build_services(
    store: Store, settings: SettingsStore, engine_factory: EngineFactory | None = None, *, backups: bool = True
) -> Services:
    """Builds everything the window needs, on the GUI thread. The caller still owns (and closes) ``store``.

    ``backups`` is False for a temporary copy of a history that cannot be written.
    """
    registry = ModelRegistry(settings)
    session = EngineService(engine_factory or local_engine_factory())
    downloads = DownloadManager(lambda: settings.current)
    chat = ChatController(store, settings, registry, session)
    models = ModelsController(store, settings, registry, session)
    history = HistoryController(store, answering=lambda: chat.is_busy, backups_enabled=backups)
    return Services(store, settings, registry, session, downloads, chat, models, history)


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
    crash_handler = CrashHandler(application)
    crash_handler.install()
    translators: list[QtCore.QTranslator] = []
    try:
        try:
            settings = SettingsStore()
        except AppError as err:
            show_startup_error(err)
            return 1
        translators = install_translators(application, resolve_language(settings.current.language))
        store, notice = _open_store()
        if store is None:
            return 1
        try:
            services = build_services(store, settings, engine_factory)
            window = MainWindow(services)
            window.show()
            if notice:
                window.banner.show_notice(notice)
            services.history.start()
            code = application.exec()
            window.shutdown()
            return code
        finally:
            store.close()
    finally:
        crash_handler.uninstall()
        remove_translators(application, translators)
