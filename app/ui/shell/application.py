"""The composition root: the QApplication, its language, the crash path, and the app's long-lived objects.

``run_gui`` (what ``python -m app`` calls) opens the settings and the history (``open_history``: a
damaged one is recovered under a progress dialog, a read-only one shown from a copy; a full disk or a
newer Parley's history stops the start with a message box and exit code 1), builds the ``Services``
(``build_services``, the background executor among them) and hands them to ``MainWindow``. SIGTERM
and SIGHUP close the window the normal way (``termination``) and the exit code is then 128 + the signal's number.
Only ``app.__main__``, tests and benches import this module.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from PySide6 import QtCore, QtWidgets

from app.core import logs, paths
from app.core.config.settings import SettingsStore
from app.core.documents.extract import read_document
from app.core.documents.library import Library
from app.core.engine.embedding import ChosenEmbedder, installed_embedders
from app.core.engine.remote.servers import RemoteServers
from app.core.engine.router import routing_factory
from app.core.errors import AppError, SettingsUnreadableError, StorageReadOnlyError
from app.core.history.recovery import RecoveryReport
from app.core.history.store import Store, open_store
from app.core.models.registry import ModelRegistry
from app.core.personas.book import PersonaBook
from app.core.session.service import EngineFactory, EngineService, local_engine_factory
from app.core.voice.service import VoiceService
from app.ui.common.background import BackgroundExecutor
from app.ui.common.i18n import error_text, install_translators, remove_translators, resolve_language
from app.ui.common.progress import RecoveryProgressDialog, run_on_worker
from app.ui.controllers.api_controller import ApiServerController
from app.ui.controllers.backup_controller import BackupController, recovery_notice
from app.ui.controllers.chat_controller import ChatController
from app.ui.controllers.conversation_controller import ConversationController
from app.ui.controllers.documents_controller import DocumentsController
from app.ui.controllers.download_controller import DownloadController
from app.ui.controllers.models_controller import ModelsController
from app.ui.controllers.remote_controller import RemoteModelsController
from app.ui.controllers.voice_controller import VoiceController
from app.ui.shell import single_instance
from app.ui.shell.appearance import Appearance
from app.ui.shell.crash import CrashHandler
from app.ui.shell.main_window import MainWindow
from app.ui.shell.services import Services
from app.ui.shell.single_instance import SingleInstance, bring_to_front
from app.ui.shell.termination import TerminationSignals

log = logging.getLogger("app.ui")


def build_services(
    store: Store,
    settings: SettingsStore,
    engine_factory: EngineFactory | None = None,
    *,
    backups: bool = True,
    appearance: Appearance | None = None,
    voice: VoiceService | None = None,
) -> Services:
    """Builds everything the window needs, on the GUI thread. The caller still owns (and closes) ``store``.

    ``backups`` is False for a temporary copy of a history that cannot be written. ``appearance`` is
    the one the start already applied (its dialogs come before the window); without it one is made.
    ``voice`` (tests: one with a null sink and no devices) defaults to the speakers and PortAudio's devices.
    """
    executor = BackgroundExecutor()
    servers = RemoteServers()
    registry = ModelRegistry(settings, servers)
    # One engine service for every client; each request goes to the local engine or its model's server.
    session = EngineService(routing_factory(engine_factory or local_engine_factory(settings), servers.connection))
    downloads = DownloadController(lambda: settings.current, executor)
    personas = PersonaBook(store)
    library = Library(paths.library_path())
    embedder = ChosenEmbedder(lambda: settings.current, registry)  # one embedding engine for turns and indexing
    chat = ChatController(store, settings, registry, session, personas=personas, library=library, embedder=embedder)
    models = ModelsController(store, settings, registry, session)
    history = BackupController(store, executor, answering=lambda: chat.is_busy, backups_enabled=backups)
    appearance = appearance or Appearance(settings)
    remote = RemoteModelsController(servers, registry, executor)
    api = ApiServerController(settings, registry, session, servers.keys)
    documents = DocumentsController(
        executor, read_document, library=library, embedder=embedder,
        embedding_model=lambda: settings.current.embedding_model, embedders=lambda: installed_embedders(registry),
    )  # fmt: skip
    chat.busy_changed.connect(documents.set_answering)  # indexing waits while an answer is written
    documents.index()  # folders whose files changed while Parley was closed are brought up to date
    remote.refresh()
    api.apply()  # starts the local API server when the settings say so (off by default)
    voice_controller = VoiceController(voice or VoiceService(), executor, downloads.hub_config)
    return Services(
        store, settings, registry, session, downloads, chat, models, history, appearance, remote, api, personas,
        executor, documents, voice_controller, ConversationController(voice_controller, executor),
    )


def startup_error_box(error: AppError) -> QtWidgets.QMessageBox:
    """The message box ``show_startup_error`` shows."""
    return QtWidgets.QMessageBox(
        QtWidgets.QMessageBox.Icon.Critical,
        QtCore.QCoreApplication.translate("Application", "Parley cannot start"),
        error_text(error),
        QtWidgets.QMessageBox.StandardButton.Ok,
    )


def show_startup_error(error: AppError) -> None:
    """Tells the user why Parley cannot start. A seam: tests replace it."""
    startup_error_box(error).exec()


@dataclass(frozen=True)
class OpenedHistory:
    """The history the window opens on, and what the window says about it first."""

    store: Store
    notice: str = ""  # a recovery happened: what came back, from when, where the damaged file is
    problem: AppError | None = None  # the history cannot be written: said as an error
    detail: str = ""  # what Parley does about ``problem``
    temporary: bool = False  # ``store`` is a copy outside the data folder: no backups of it


def open_history() -> OpenedHistory | None:
    """Opens the user's history for the window; None after a message box said why Parley cannot start.

    Decided: a damaged history is recovered without asking first. The one recovery path
    (``store.open_store``) loses nothing (the damaged file is kept aside byte for byte, the
    newest sound backup restored, what can still be read merged back), so a question could only
    offer a way to be locked out; the window opens with a notice that says what was done instead.

    A full disk or a history from a newer Parley is not damage and is never set aside or
    "fixed": a message box says what is wrong and the file stays as it is. A history that cannot
    be written (a read-only data folder or file) is copied to a temporary folder, and the window
    opens on the copy with an error banner that says so and where the copy is: the user can read
    everything and nothing they write is lost, though it is not added to their history.
    """
    try:
        store, report = _open_store_with_progress()
    except StorageReadOnlyError as err:
        log.error("the history cannot be written: %s", err)
        return _temporary_history(Store.default_path(), err)
    except AppError as err:
        log.error("cannot open the history: %s", err)
        show_startup_error(err)
        return None
    return OpenedHistory(store, recovery_notice(report) if report is not None else "")


def _open_store_with_progress(path: Path | None = None) -> tuple[Store, RecoveryReport | None]:
    """``open_store``; a recovery runs on a worker thread under the recovery progress dialog."""
    executor = BackgroundExecutor()
    dialog = RecoveryProgressDialog()
    try:
        return open_store(
            path,
            progress=executor.relay.sink(dialog.set_fraction),
            runner=partial(run_on_worker, dialog=dialog, executor=executor),
        )
    finally:
        executor.shutdown()
        dialog.deleteLater()


def _temporary_history(database: Path, problem: StorageReadOnlyError) -> OpenedHistory | None:
    """A copy of a history that cannot be written, opened in a temporary folder (recovered if damaged)."""
    try:
        folder = Path(tempfile.mkdtemp(prefix="parley-unsaved-"))
        copy = folder / database.name
        for suffix in ("", "-wal"):
            source = Path(f"{database}{suffix}")
            if source.is_file():
                shutil.copyfile(source, Path(f"{copy}{suffix}"))
        store, report = _open_store_with_progress(copy)
    except (OSError, AppError) as err:
        log.error("no temporary copy of the history could be opened either: %s", err)
        show_startup_error(problem)
        return None
    log.warning("working on a temporary copy of the history at %s", copy)
    detail = QtCore.QCoreApplication.translate(
        "Application", "Until it can, Parley works on a copy at {path}; what you write now is kept only there."
    ).format(path=copy)
    if report is not None:
        detail = f"{detail} {recovery_notice(report)}"
    return OpenedHistory(store, problem=problem, detail=detail, temporary=True)


def _ask_to_end_in_the_users_language(application: QtWidgets.QApplication) -> bool:
    """``single_instance.ask_to_end`` in the language of the settings (read only: the start opens them later)."""
    try:
        language = resolve_language(SettingsStore().current.language)
    except (AppError, OSError) as exc:  # the start that follows says so; this question is asked in the system's
        log.warning("the settings cannot be read for the language: %s", exc)
        language = resolve_language("")
    translators = install_translators(application, language)
    try:
        return single_instance.ask_to_end()
    finally:
        remove_translators(application, translators)


def run_gui(argv: list[str], engine_factory: EngineFactory | None = None) -> int:
    """Runs the window until it is closed; returns the process exit code."""
    existing = QtWidgets.QApplication.instance()
    application = existing if isinstance(existing, QtWidgets.QApplication) else QtWidgets.QApplication(argv)
    application.setApplicationName("Parley")
    application.setOrganizationName("")
    application.setOrganizationDomain("")

    logs.configure()
    instance = SingleInstance(paths.data_dir())
    if not instance.claim(ask=partial(_ask_to_end_in_the_users_language, application)):
        return 0  # the Parley already running on this data folder came to the front (or was left alone)
    crash_handler = CrashHandler(application)
    crash_handler.install()
    signals = TerminationSignals()
    signals.install()  # SIGTERM/SIGHUP close the window as its close button does
    translators: list[QtCore.QTranslator] = []
    try:
        try:
            settings = SettingsStore()
        except AppError as err:
            show_startup_error(err)
            return 1
        except OSError as exc:  # the settings' folder itself cannot be looked at
            show_startup_error(SettingsUnreadableError(path=paths.settings_path(), reason=exc.strerror or exc))
            return 1
        translators = install_translators(application, resolve_language(settings.current.language))
        # The theme too, before the history opens: its recovery progress and errors come before the window.
        appearance = Appearance(settings)
        history = open_history()
        if history is None:
            appearance.shutdown()
            return 1
        store = history.store
        try:
            services = build_services(
                store, settings, engine_factory, backups=not history.temporary, appearance=appearance
            )
            window = MainWindow(services)
            instance.raise_requested.connect(partial(bring_to_front, window))
            window.show()
            if engine_factory is None:  # Parley's own engine: its speed on this computer is measured once
                window.check_speed_if_needed()
            if history.problem is not None:
                window.banner.show_error(history.problem, detail=history.detail)
            elif history.notice:
                window.banner.show_notice(history.notice)
            services.history.start()
            code = application.exec()
            window.shutdown()
            # Deleted now, while its store is still open: a window left to the garbage collector
            # would still answer palette changes (in a test run that goes on) from a closed store.
            window.deleteLater()
            QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)
            return signals.exit_code(code)
        finally:
            store.close()
    finally:
        signals.uninstall()
        instance.close()
        crash_handler.uninstall()
        remove_translators(application, translators)
