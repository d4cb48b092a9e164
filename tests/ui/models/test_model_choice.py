"""Which model is the default: a file the user opened, only once it has loaded; a model that goes, said."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from PySide6 import QtCore
from pytestqt.qtbot import QtBot

from app.core.config import settings as settings_module
from app.core.history.store import Store
from app.core.models import installed, library
from app.ui.shell.main_window import MainWindow
from tests.ggufdata import tiny_model
from tests.ui.conftest import ANSWER_TIMEOUT_MS, send_and_wait

SECOND = "second-model"
STARTER = installed.STARTER_NAME


def open_file_in_picker(window: MainWindow, monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """The header's picker: "Open a GGUF file…", and the file dialog answers ``path``."""
    monkeypatch.setattr(window.model_picker, "choose_gguf_file", lambda: path)
    window.model_picker.activated.emit(window.model_picker.open_file_index())


def start_chatting(qtbot: QtBot, window: MainWindow) -> int:
    qtbot.mouseClick(window.welcome.start_button, QtCore.Qt.MouseButton.LeftButton)
    assert window.conversation_id is not None
    return window.conversation_id


def test_an_opened_file_becomes_the_default_only_once_it_has_loaded(
    qtbot: QtBot,
    window: MainWindow,
    store: Store,
    starter_model: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened = tmp_path / "opened-model.gguf"
    shutil.copyfile(starter_model, opened)
    conversation_id = start_chatting(qtbot, window)

    with qtbot.waitSignal(window.models.model_loaded, timeout=ANSWER_TIMEOUT_MS):
        open_file_in_picker(window, monkeypatch, opened)
        # The conversation uses it at once; new conversations do not yet.
        assert store.conversation(conversation_id).model_name == "opened-model"
        assert window.model_picker.currentText() == "opened-model"
        assert window.settings.current.model_name is None
        assert window.loading_indicator.isVisible()

    assert window.settings.current.model_name == "opened-model"
    assert settings_module.load().model_name == "opened-model"
    assert window.models.pending_default is None


def test_a_file_that_cannot_load_never_becomes_the_default(
    qtbot: QtBot, window: MainWindow, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "broken-model.gguf"
    broken.write_bytes(tiny_model("Broken"))  # a sound GGUF header over tensors llama.cpp cannot use
    monkeypatch.setattr(window.model_picker, "choose_gguf_file", lambda: broken)

    # From the welcome panel: "Open a GGUF file…" opens a conversation with it.
    with qtbot.waitSignal(window.models.model_switch_failed, timeout=ANSWER_TIMEOUT_MS):
        window.welcome.open_file_requested.emit()
        assert window.conversation_id is not None
        assert store.conversation(window.conversation_id).model_name == "broken-model"
        assert window.settings.current.model_name is None

    assert window.settings.current.model_name is None
    assert settings_module.load().model_name is None
    assert window.models.pending_default is None
    assert store.conversation(window.conversation_id).model_name is None  # back to the default
    assert window.model_picker.currentText() == STARTER
    assert window.banner.kind() == "error"
    assert window.banner.text().startswith("broken-model could not be loaded: ")
    assert "broken-model" in [entry.name for entry in window.registry.models()], "it stays listed"
    # New conversations, and this one, go on with the model that works.
    window.new_action.trigger()
    answer = send_and_wait(qtbot, window, "Say hello.")
    assert answer.status == "complete" and answer.model_name == STARTER


@pytest.fixture
def second_model(starter_model: Path, tmp_path: Path) -> Path:
    source = tmp_path / f"{SECOND}.gguf"
    shutil.copyfile(starter_model, source)
    return library.import_model(source, copy=True).model_path


def use_second(qtbot: QtBot, window: MainWindow) -> int:
    conversation_id = start_chatting(qtbot, window)
    QtCore.QCoreApplication.processEvents()
    with qtbot.waitSignal(window.models.model_loaded, timeout=ANSWER_TIMEOUT_MS):
        window.model_picker.activated.emit(window.model_picker.findText(SECOND))
    assert window.model_picker.currentText() == SECOND
    return conversation_id


def test_deleting_the_model_in_use_says_what_the_conversation_uses_now(
    qtbot: QtBot, window: MainWindow, second_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_second(qtbot, window)
    page = window.models_page
    qtbot.mouseClick(window.models_button, QtCore.Qt.MouseButton.LeftButton)
    page.table.select(second_model)
    monkeypatch.setattr(page, "confirm_delete", lambda entry: True)

    with qtbot.waitSignal(window.models.model_removed, timeout=ANSWER_TIMEOUT_MS):
        qtbot.mouseClick(page.delete_button, QtCore.Qt.MouseButton.LeftButton)

    assert not second_model.exists()
    assert not window.banner.isHidden() and window.banner.kind() == "info"
    assert window.banner.text() == f"{SECOND} is no longer on this computer; this conversation now uses {STARTER}."
    assert window.model_picker.currentText() == STARTER
    assert window.status_label.text() == STARTER
    qtbot.mouseClick(window.models_button, QtCore.Qt.MouseButton.LeftButton)  # back to the chat
    assert window.banner.isVisible()


def test_a_model_file_gone_from_the_disk_is_said_too(
    qtbot: QtBot, window: MainWindow, store: Store, second_model: Path
) -> None:
    conversation_id = use_second(qtbot, window)

    os.remove(second_model)  # another program, or the user in a file manager

    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=10_000)
    assert window.banner.text() == f"{SECOND} is no longer on this computer; this conversation now uses {STARTER}."
    assert window.model_picker.currentText() == STARTER
    assert [entry.name for entry in window.model_picker.entries()] == [STARTER]
    assert window.status_label.text() == STARTER
    answer = send_and_wait(qtbot, window, "Say hello.")
    assert answer.model_name == STARTER and store.conversation(conversation_id).model_name == SECOND


def test_a_file_used_where_it_lies_that_goes_away_is_said(
    qtbot: QtBot, window: MainWindow, starter_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lying = tmp_path / "lying-model.gguf"
    shutil.copyfile(starter_model, lying)
    start_chatting(qtbot, window)
    with qtbot.waitSignal(window.models.model_loaded, timeout=ANSWER_TIMEOUT_MS):
        open_file_in_picker(window, monkeypatch, lying)

    lying.unlink()

    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=10_000)
    assert window.banner.text() == f"lying-model is no longer on this computer; this conversation now uses {STARTER}."
    assert window.model_picker.currentText() == STARTER
