"""Switching the model of a conversation mid-way, on the real engine: the old model really goes, the history stays."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6 import QtCore
from pytestqt.qtbot import QtBot

from app.core.config import settings as settings_module
from app.core.config.settings import Settings
from app.core.history.store import Store
from app.core.models import installed, library
from app.ui.shell.main_window import MainWindow
from tests.ui.chat import screen
from tests.ui.conftest import ANSWER_TIMEOUT_MS, WindowFactory, send_and_wait, type_message

SECOND = "second-model"


@pytest.fixture
def second_model(starter_model: Path, tmp_path: Path) -> Path:
    """The starter's bytes imported (copied) under another name: the same model, a different file."""
    source = tmp_path / f"{SECOND}.gguf"
    shutil.copyfile(starter_model, source)
    return library.import_model(source, copy=True).model_path


def mapped_files(pid: int) -> str:
    return Path(f"/proc/{pid}/maps").read_text()


def start_chatting(qtbot: QtBot, window: MainWindow) -> int:
    qtbot.mouseClick(window.welcome.start_button, QtCore.Qt.MouseButton.LeftButton)
    assert window.conversation_id is not None
    return window.conversation_id


def pick(window: MainWindow, name: str) -> None:
    """Chooses ``name`` in the chat header's model picker."""
    QtCore.QCoreApplication.processEvents()  # a file just put into the models folder is noticed
    index = window.model_picker.findText(name)
    assert index >= 0, f"{name} is not in the picker"
    window.model_picker.activated.emit(index)


def test_switching_mid_conversation_unloads_the_old_model_and_keeps_the_history(
    qtbot: QtBot, window: MainWindow, store: Store, starter_model: Path, second_model: Path
) -> None:
    conversation_id = start_chatting(qtbot, window)
    picker_enabled_while_answering: list[bool] = []
    window.controller.answer_progressed.connect(
        lambda *_: picker_enabled_while_answering.append(window.model_picker.isEnabled())
    )
    first = send_and_wait(qtbot, window, "Say hello.")
    assert first.model_name == installed.STARTER_NAME
    assert picker_enabled_while_answering and not any(picker_enabled_while_answering)
    pid = window.session.pid
    assert pid is not None
    old_file, new_file = os.path.realpath(starter_model), os.path.realpath(second_model)
    assert old_file in mapped_files(pid) and new_file not in mapped_files(pid)
    history = store.messages(conversation_id)
    type_message(qtbot, window, "What is the capital of France?")

    with qtbot.waitSignal(window.models.loading_changed):
        pick(window, SECOND)

    # While it loads: the header says so, Send waits (the typed text stays), the picker waits too.
    assert window.loading_indicator.isVisible()
    assert window.loading_indicator.label.text() == f"Loading {SECOND}…"
    assert not window.composer.send_button.isEnabled() and not window.model_picker.isEnabled()
    with qtbot.assertNotEmitted(window.controller.turn_started):
        qtbot.keyClick(window.composer.edit, QtCore.Qt.Key.Key_Return)
    assert window.composer.text() == "What is the capital of France?"

    qtbot.waitUntil(lambda: not window.loading_indicator.isVisible(), timeout=ANSWER_TIMEOUT_MS)
    assert window.composer.send_button.isEnabled() and window.model_picker.isEnabled()
    assert window.model_picker.currentText() == SECOND
    assert f"{SECOND} is loaded" in window.status_label.text()
    assert window.session.pid == pid, "the same engine process switched models"
    maps = mapped_files(pid)
    assert new_file in maps and old_file not in maps, "the old model is still mapped in the engine"
    assert store.conversation(conversation_id).model_name == SECOND
    assert store.messages(conversation_id) == history, "switching touched the conversation"
    assert screen.message_ids(window.chat_view) == [m.id for m in history]

    with qtbot.waitSignal(window.controller.answer_finished, timeout=ANSWER_TIMEOUT_MS) as finished:
        qtbot.keyClick(window.composer.edit, QtCore.Qt.Key.Key_Return)
    second = finished.args[0]

    assert second.status == "complete" and second.model_name == SECOND
    assert store.message(first.id).model_name == installed.STARTER_NAME
    assert screen.text_of(window.chat_view, first.id).splitlines()[0] == installed.STARTER_NAME
    assert screen.text_of(window.chat_view, second.id).splitlines()[0] == SECOND
    assert [m.id for m in store.messages(conversation_id)][:2] == [m.id for m in history]


def test_a_model_that_fails_to_load_leaves_the_previous_one_loaded_and_says_why(
    qtbot: QtBot, make_window: WindowFactory, store: Store, ui_settings: Settings, starter_model: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken-model.gguf"
    broken.write_bytes(b"GGUF" + b"\x07" * 4096)
    settings_module.save(replace(ui_settings, imported_models=(str(broken),)))
    window = make_window()
    conversation_id = start_chatting(qtbot, window)
    send_and_wait(qtbot, window, "Say hello.")
    pid = window.session.pid
    assert pid is not None

    with qtbot.waitSignal(window.models.model_switch_failed, timeout=ANSWER_TIMEOUT_MS) as failed:
        pick(window, "broken-model")
        assert window.loading_indicator.isVisible()

    assert failed.args[0].still_loaded.name == installed.STARTER_NAME
    assert not window.loading_indicator.isVisible() and window.model_picker.isEnabled()
    assert window.banner.isVisible() and window.banner.kind() == "error"
    text = window.banner.text()
    assert text.startswith("broken-model could not be loaded: ")
    assert text.endswith(f"The conversation goes on with {installed.STARTER_NAME}.")
    assert window.model_picker.currentText() == installed.STARTER_NAME
    assert store.conversation(conversation_id).model_name == installed.STARTER_NAME
    assert window.settings.current.model_name is None, "the default it had before is back"
    assert settings_module.load().model_name is None
    assert window.session.loaded_model is not None and window.session.loaded_model.name == installed.STARTER_NAME
    assert os.path.realpath(starter_model) in mapped_files(pid)

    # The previous model answers the next message.
    answer = send_and_wait(qtbot, window, "Say hello again.")
    assert answer.status == "complete" and answer.model_name == installed.STARTER_NAME
    assert [m.role for m in store.messages(conversation_id)] == ["user", "assistant", "user", "assistant"]
