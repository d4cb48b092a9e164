"""Starting the window: damaged, full and read-only histories, the crash path, and the Chinese translation."""

from __future__ import annotations

import logging
import re
import sqlite3
import sys
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6 import QtCore, QtWidgets
from pytestqt.qtbot import QtBot

from app.core import paths
from app.core.config import settings as settings_module
from app.core.config.settings import Settings
from app.core.errors import AppError, DatabaseTooNewError, DiskFullError, ModelLoadError, SettingsUnreadableError
from app.core.history import backups, dbfile, health
from app.core.history.store import Store
from app.ui.common import style
from app.ui.common.i18n import (
    error_text,
    install_translators,
    remove_translators,
    resolve_language,
    translations_dir,
)
from app.ui.shell import application
from app.ui.shell.crash import CrashHandler
from app.ui.shell.main_window import MainWindow
from tests.core.store_helpers import PAGE, all_texts, fill, garble, make_version_1_history


@pytest.fixture
def app_name(qapp: QtWidgets.QApplication) -> Iterator[None]:
    """run_gui names the application; the test's QApplication gets its own name back afterwards."""
    name = qapp.applicationName()
    yield
    qapp.setApplicationName(name)


@pytest.fixture
def startup_errors(monkeypatch: pytest.MonkeyPatch) -> list[AppError]:
    shown: list[AppError] = []
    monkeypatch.setattr(application, "show_startup_error", shown.append)
    return shown


@pytest.mark.usefixtures("app_name")
def test_a_history_from_a_newer_parley_is_refused_and_left_untouched(
    startup_errors: list[AppError]
) -> None:
    database = paths.database_path()
    with sqlite3.connect(database) as db:
        db.execute("PRAGMA user_version = 99")
    before = database.read_bytes()
    hooks = (sys.excepthook, threading.excepthook)

    assert application.run_gui(["parley"]) == 1

    assert database.read_bytes() == before
    assert len(startup_errors) == 1 and isinstance(startup_errors[0], DatabaseTooNewError)
    assert str(database) in error_text(startup_errors[0])
    assert (sys.excepthook, threading.excepthook) == hooks  # the crash path is taken down again


@pytest.mark.usefixtures("app_name")
def test_the_start_s_own_dialogs_come_in_the_user_s_theme(
    qapp: QtWidgets.QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings_module.save(Settings(theme="dark"))
    light = style.is_dark(qapp.palette())
    seen: list[bool] = []

    def open_history() -> None:  # what the recovery progress dialog or a startup error would be drawn with
        seen.append(style.is_dark(qapp.palette()))

    monkeypatch.setattr(application, "open_history", open_history)
    assert application.run_gui(["parley"]) == 1
    assert seen == [True]
    assert style.is_dark(qapp.palette()) == light  # the application's own look is put back


@pytest.fixture
def crashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Bugs that reached the crash dialog (none should): recorded instead of shown."""
    shown: list[str] = []
    monkeypatch.setattr(CrashHandler, "show_dialog", lambda self, details, log_path: shown.append(details))
    return shown


def run_and_look(qapp: QtWidgets.QApplication, look: Callable[[MainWindow], None]) -> int:
    """Runs the window; ``look`` sees it once it shows, then it is closed. Returns run_gui's exit code."""

    def look_and_close() -> None:
        window = next((w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()), None)
        if window is None:  # not yet: a damaged history is being recovered under its progress dialog
            QtCore.QTimer.singleShot(50, look_and_close)
            return
        try:
            look(window)
        finally:
            window.close()

    # Another test's window may still wait for its deletion: only a window this run made must be gone.
    # (Ids only, no references: holding one would keep it alive, and the run would never end.)
    before = {id(w) for w in qapp.topLevelWidgets() if isinstance(w, MainWindow)}
    QtCore.QTimer.singleShot(0, look_and_close)
    code = application.run_gui(["parley"])
    left = [w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow) and id(w) not in before]
    assert not left, "the window outlived run_gui"
    return code


def _set_aside(database: Path) -> list[Path]:
    """The damaged files kept aside beside ``database`` (their -wal and -shm not counted)."""
    found = database.parent.glob(f"{database.name}.damaged-*")
    return [path for path in found if not path.name.endswith(("-wal", "-shm"))]


def _seen(window: MainWindow) -> dict[str, object]:
    return {
        "banner": window.banner.text() if window.banner.isVisible() else "",
        "kind": window.banner.kind(),
        "texts": all_texts(window.store),
        "conversations": len(window.sidebar.ids()),
    }


@pytest.mark.usefixtures("app_name")
@pytest.mark.parametrize("with_backup", [True, False], ids=["with a backup", "without a backup"])
def test_garbage_over_one_page_is_recovered_at_start_and_the_window_says_how(
    qapp: QtWidgets.QApplication,
    startup_errors: list[AppError],
    crashes: list[str],
    with_backup: bool,
) -> None:
    store = Store()
    old = fill(store, 3, 4, tag="old")
    if with_backup:
        store.backup()
    new = fill(store, 2, 2, tag="new")
    store.close()
    database = paths.database_path()
    garble(database, PAGE, PAGE)  # page 2: the conversations table
    before = database.read_bytes()
    seen: dict[str, object] = {}

    assert run_and_look(qapp, lambda window: seen.update(_seen(window))) == 0

    assert startup_errors == [] and crashes == []
    (kept,) = _set_aside(database)
    assert kept.read_bytes() == before  # the damaged file, byte for byte
    banner = str(seen["banner"])
    assert seen["kind"] == "info" and f"The damaged file is kept, unchanged, at {kept}." in banner
    texts = seen["texts"]
    assert isinstance(texts, dict) and set(old) | set(new) <= set(texts)  # every message is there
    if with_backup:
        assert banner.startswith("Your history was damaged, so Parley restored the backup from ")
        assert {text: texts[text] for text in old} == old  # the backup's titles too
        assert "It read back from the damaged file: 4 messages in 2 conversations." in banner
    else:
        assert banner.startswith("Your history was damaged and there was no backup to restore")
        assert "It read back from the damaged file: 16 messages in" in banner
    assert seen["conversations"] == 5


def _wal_version_1_history(database: Path) -> None:
    make_version_1_history(database)
    with sqlite3.connect(database) as db:
        db.execute("PRAGMA journal_mode = WAL")  # as Parley left it: switching now would rewrite the header


@pytest.mark.usefixtures("app_name")
def test_a_full_disk_at_start_is_said_as_such_and_the_history_left_alone(
    startup_errors: list[AppError], crashes: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    database = paths.database_path()
    _wal_version_1_history(database)  # opening it needs room: the migration adds a column and an index
    before = database.read_bytes()
    real_connect = sqlite3.connect

    def no_room_to_grow(target: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        db = real_connect(target, *args, **kwargs)
        if Path(str(target)) == database:
            db.execute("PRAGMA max_page_count = {}".format(db.execute("PRAGMA page_count").fetchone()[0]))
        return db

    with monkeypatch.context() as patch:
        patch.setattr(sqlite3, "connect", no_room_to_grow)
        assert application.run_gui(["parley"]) == 1

    assert crashes == []
    assert len(startup_errors) == 1 and isinstance(startup_errors[0], DiskFullError)
    assert "full" in error_text(startup_errors[0]) and str(database) in error_text(startup_errors[0])
    assert database.read_bytes() == before
    assert _set_aside(database) == []  # never set aside
    opened = Store()  # with room again, it opens and nothing was lost
    assert [c.title for c in opened.conversations()] == ["From v1"]
    opened.close()


@pytest.mark.usefixtures("app_name")
def test_a_full_disk_while_a_damaged_history_is_recovered_leaves_it_in_place(
    startup_errors: list[AppError], crashes: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store()
    fill(store, 3, 4)
    store.backup()
    store.close()
    database = paths.database_path()
    garble(database, PAGE, PAGE)
    before = database.read_bytes()

    def no_room(backup: Path, target: Path) -> None:
        raise DiskFullError(path=target)

    with monkeypatch.context() as patch:
        patch.setattr(backups, "restore_file", no_room)
        assert application.run_gui(["parley"]) == 1

    assert crashes == []
    assert len(startup_errors) == 1 and isinstance(startup_errors[0], DiskFullError)
    assert database.read_bytes() == before  # in its place: the next start recovers it
    assert _set_aside(database) == []


@pytest.mark.usefixtures("app_name")
def test_a_read_only_data_folder_opens_the_window_on_a_copy_and_logs_to_stderr(
    qapp: QtWidgets.QApplication,
    parley_home: Path,
    startup_errors: list[AppError],
    crashes: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    store = Store()
    written = fill(store, 2, 2)
    store.close()
    database = paths.database_path()
    before = database.read_bytes()
    # What a read-only folder does, injected (the tests may run as root, whom permissions do not stop):
    # the log folder cannot be made, and SQLite refuses to write the history.
    (parley_home / "logs").write_text("not a folder")
    real_open = dbfile.open_database

    def read_only(path: Path, backups_folder: Path) -> sqlite3.Connection:
        if path.parent == parley_home:
            raise health.storage_error(sqlite3.OperationalError("attempt to write a readonly database"), path)
        return real_open(path, backups_folder)

    monkeypatch.setattr(dbfile, "open_database", read_only)
    logger = logging.getLogger("app")
    handlers = list(logger.handlers)
    seen: dict[str, object] = {}
    try:
        assert run_and_look(qapp, lambda window: seen.update(_seen(window), path=window.store.path)) == 0
    finally:
        logger.handlers = handlers

    assert startup_errors == [] and crashes == []
    banner = str(seen["banner"])
    copy = seen["path"]
    assert isinstance(copy, Path) and copy.parent != parley_home
    assert seen["kind"] == "error"
    assert banner.startswith(f"Parley cannot write to {database}: the folder or the file is read-only.")
    assert f"Parley works on a copy at {copy}; what you write now is kept only there." in banner
    assert seen["texts"] == written  # everything is there to read
    assert database.read_bytes() == before
    err = capfd.readouterr().err
    assert "logging to stderr only" in err and "Traceback" not in err


@pytest.mark.usefixtures("app_name")
def test_the_window_opens_in_the_language_of_the_settings(
    qapp: QtWidgets.QApplication, startup_errors: list[AppError]
) -> None:
    settings_module.save(Settings(language="zh_CN"))
    seen: dict[str, str] = {}

    def look_and_close() -> None:
        window = next(w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
        seen["start"] = window.welcome.start_button.text()
        seen["more"] = window.welcome.hub_button.text()
        seen["hub_enabled"] = str(window.welcome.hub_button.isEnabled())
        window.close()

    QtCore.QTimer.singleShot(0, look_and_close)
    assert application.run_gui(["parley"]) == 0

    assert startup_errors == []
    assert seen["start"] == "试用一个很小的离线演示模型（只能简单回答）"  # no English left in it
    assert seen["more"] == "在 Hub 上查找模型…" and seen["hub_enabled"] == "True"
    assert qapp.applicationName() == "Parley"
    # The translators go when the window does.
    assert QtCore.QCoreApplication.translate("Composer", "Send") == "Send"


def test_the_chinese_translation_loads_and_translates(qapp: QtWidgets.QApplication) -> None:
    translators = install_translators(qapp, "zh_CN")
    try:
        assert translators, "parley_zh_CN.qm did not load"
        assert QtCore.QCoreApplication.translate("Composer", "Send") == "发送"
        assert QtCore.QCoreApplication.translate("ChatView", "stopped") == "已停止"
        error = ModelLoadError(path="/models/x.gguf", reason="bad magic")
        assert error_text(error) == "无法加载模型文件 /models/x.gguf：bad magic"
    finally:
        remove_translators(qapp, translators)
    assert QtCore.QCoreApplication.translate("Composer", "Send") == "Send"
    assert error_text(error) == "The model file /models/x.gguf could not be loaded: bad magic"


def test_every_chinese_entry_is_finished_and_keeps_its_placeholders() -> None:
    root = ET.parse(translations_dir() / "parley_zh_CN.ts").getroot()
    messages = list(root.iter("message"))
    assert len(messages) > 50
    for message in messages:
        source = message.findtext("source") or ""
        translation = message.find("translation")
        assert translation is not None and translation.get("type") is None, source
        assert (translation.text or "").strip(), source
        assert sorted(re.findall(r"\{\w+\}", source)) == sorted(re.findall(r"\{\w+\}", translation.text or "")), source
    assert (translations_dir() / "parley_zh_CN.qm").stat().st_size > 0


@pytest.mark.parametrize(
    ("setting", "system", "expected"),
    [
        ("", "zh_CN", "zh_CN"),
        ("", "zh_TW", "zh_CN"),
        ("", "de_DE", "en"),
        ("en", "zh_CN", "en"),
        ("zh_CN", "en_US", "zh_CN"),
    ],
)
def test_the_language_follows_the_setting_then_the_system(setting: str, system: str, expected: str) -> None:
    assert resolve_language(setting, system) == expected


def _raise_and_handle(handler: CrashHandler) -> None:
    try:
        raise ValueError("boom in a slot")
    except ValueError:
        handler.handle(*sys.exc_info())  # type: ignore[arg-type]


def test_a_bug_is_logged_and_shown_with_its_traceback(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = CrashHandler()
    shown: list[tuple[str, Path | None]] = []
    monkeypatch.setattr(handler, "show_dialog", lambda details, log_path: shown.append((details, log_path)))

    with qtbot.waitSignal(handler.crash_reported):
        _raise_and_handle(handler)

    log = paths.log_dir() / "crash.log"
    assert "ValueError: boom in a slot" in log.read_text(encoding="utf-8")
    assert len(shown) == 1
    details, report_path = shown[0]
    assert "Traceback" in details and "_raise_and_handle" in details
    assert report_path is not None and report_path.parent == log.parent  # the report, beside crash.log
    assert report_path.read_text(encoding="utf-8") == details


def test_a_bug_in_another_thread_is_shown_on_the_gui_thread(
    qtbot: QtBot, qapp: QtWidgets.QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = CrashHandler()
    threads: list[QtCore.QThread] = []
    monkeypatch.setattr(
        handler, "show_dialog", lambda details, log_path: threads.append(QtCore.QThread.currentThread())
    )

    def fail() -> None:
        raise RuntimeError("boom in a thread")

    handler.install()
    try:
        with qtbot.waitSignal(handler.crash_reported, check_params_cb=lambda details: "boom in a thread" in details):
            worker = threading.Thread(target=fail)
            worker.start()
            worker.join()
    finally:
        handler.uninstall()
    assert threads == [qapp.thread()]
    assert "RuntimeError: boom in a thread" in (paths.log_dir() / "crash.log").read_text(encoding="utf-8")


@pytest.mark.usefixtures("app_name")
def test_an_unreadable_settings_file_is_a_message_not_a_crash(
    startup_errors: list[AppError], crashes: list[str]
) -> None:
    paths.settings_path().mkdir()  # a folder where the file should be: reading it fails
    assert application.run_gui(["parley"]) == 1
    assert len(startup_errors) == 1 and isinstance(startup_errors[0], SettingsUnreadableError)
    assert str(paths.settings_path()) in error_text(startup_errors[0])
    assert crashes == []
