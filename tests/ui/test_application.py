"""Starting the window: unreadable histories, the crash path, and the Chinese translation."""

from __future__ import annotations

import re
import sqlite3
import sys
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6 import QtCore, QtWidgets
from pytestqt.qtbot import QtBot

from app.core import paths
from app.core import settings as settings_module
from app.core.errors import AppError, DatabaseDamagedError, DatabaseTooNewError, ModelLoadError
from app.core.settings import Settings
from app.core.store import Store
from app.ui import application
from app.ui.crash import CrashHandler
from app.ui.i18n import error_text, install_translators, remove_translators, resolve_language, translations_dir
from app.ui.main_window import MainWindow


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
    parley_home: Path, startup_errors: list[AppError]
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
def test_a_damaged_history_is_left_untouched_when_the_user_quits(
    parley_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = paths.database_path()
    database.write_bytes(b"this is not a database" * 100)
    before = database.read_bytes()
    asked: list[AppError] = []
    monkeypatch.setattr(application, "ask_start_fresh_history", lambda err: asked.append(err) or False)

    assert application.run_gui(["parley"]) == 1

    assert database.read_bytes() == before
    assert len(asked) == 1 and isinstance(asked[0], DatabaseDamagedError)


@pytest.mark.usefixtures("app_name")
def test_a_damaged_history_can_be_kept_aside_while_parley_starts_fresh(
    qapp: QtWidgets.QApplication, parley_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = paths.database_path()
    database.write_bytes(b"this is not a database" * 100)
    before = database.read_bytes()
    monkeypatch.setattr(application, "ask_start_fresh_history", lambda err: True)
    notices: list[str] = []

    def close_soon() -> None:
        for widget in qapp.topLevelWidgets():
            if isinstance(widget, MainWindow):
                notices.append(widget.banner.text())
                widget.close()

    QtCore.QTimer.singleShot(200, close_soon)
    assert application.run_gui(["parley"]) == 0

    (kept,) = database.parent.glob("parley.sqlite3.damaged-*")
    assert kept.read_bytes() == before  # every byte of the old file is still there
    assert notices and str(kept) in notices[0]
    Store().close()  # the new history opens normally


@pytest.mark.usefixtures("app_name")
def test_the_window_opens_in_the_language_of_the_settings(
    qapp: QtWidgets.QApplication, parley_home: Path, startup_errors: list[AppError]
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
    assert seen["start"] == "开始与 SmolLM2 135M (starter, offline) 对话"
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
    qtbot: QtBot, parley_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = CrashHandler()
    shown: list[tuple[str, Path | None]] = []
    monkeypatch.setattr(handler, "show_dialog", lambda details, log_path: shown.append((details, log_path)))

    with qtbot.waitSignal(handler.crash_reported):
        _raise_and_handle(handler)

    log = paths.log_dir() / "crash.log"
    assert "ValueError: boom in a slot" in log.read_text(encoding="utf-8")
    assert len(shown) == 1
    details, log_path = shown[0]
    assert "Traceback" in details and "_raise_and_handle" in details
    assert log_path == log


def test_a_bug_in_another_thread_is_shown_on_the_gui_thread(
    qtbot: QtBot, qapp: QtWidgets.QApplication, parley_home: Path, monkeypatch: pytest.MonkeyPatch
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
