"""The Settings dialog: what it saves, and that the next answer follows it without a restart."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6 import QtCore, QtGui, QtWidgets
from pytestqt.qtbot import QtBot

from app.core import paths
from app.core.config import secrets
from app.core.config.settings import Settings
from app.core.engine.protocol import AUTO_GPU_LAYERS, MAX_GPU_LAYERS, GenerationRequest
from app.core.history.store import Store
from app.core.models import installed, library
from app.ui.common import i18n
from app.ui.common.gpu_text import capability_for, capability_sentence
from app.ui.settings.dialog import SettingsDialog
from app.ui.shell.main_window import MainWindow
from tests.ui.conftest import ANSWER_TIMEOUT_MS, Engines, send_and_wait, turn_request
from tests.ui.settings.categories import open_category, shown_category

PIRATE = "You are a pirate. Answer every question like a pirate would."
SECOND = "second-model"


def answer_settings(monkeypatch: pytest.MonkeyPatch, fill: Callable[[SettingsDialog], bool]) -> list[SettingsDialog]:
    """The dialog, instead of blocking, is filled in by ``fill``, which says whether the user saved."""
    shown: list[SettingsDialog] = []

    def run(dialog: SettingsDialog) -> bool:
        shown.append(dialog)
        return fill(dialog)

    monkeypatch.setattr(SettingsDialog, "run", run)
    return shown


def saved_settings() -> dict[str, object]:
    data: dict[str, object] = json.loads(paths.settings_path().read_text(encoding="utf-8"))
    return data


def test_settings_are_saved_and_the_next_answer_follows_them_without_a_restart(
    qtbot: QtBot, window: MainWindow, store: Store, monkeypatch: pytest.MonkeyPatch, engines: Engines
) -> None:
    qtbot.mouseClick(window.welcome.start_button, QtCore.Qt.MouseButton.LeftButton)
    first = send_and_wait(qtbot, window, "Say hello.")
    requests: list[GenerationRequest] = []
    engine = engines.created[0]
    generate = engine.generate

    def record(request: GenerationRequest) -> None:
        requests.append(request)
        generate(request)

    monkeypatch.setattr(engine, "generate", record)

    def fill(dialog: SettingsDialog) -> bool:
        # After a load the dialog says what this build and machine can do, in the engine's own words.
        assert dialog.gpu_note.text() == capability_sentence(capability_for(window.models.last_loaded))
        assert "build" in dialog.gpu_note.text()
        assert dialog.token_edit.echoMode() == QtWidgets.QLineEdit.EchoMode.Password
        assert dialog.endpoint_edit.placeholderText() == "https://hf-mirror.com"
        dialog.endpoint_edit.setText(" https://hf-mirror.com/ ")
        dialog.token_edit.setText("hf_secret_token")
        assert not hasattr(dialog, "prompt_edit"), "the system prompt lives in the personas now"
        dialog.about_edit.setPlainText(PIRATE)
        dialog.about_check.setChecked(True)
        dialog.overflow_combo.setCurrentIndex(dialog.overflow_combo.findData("stop"))
        dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("zh_CN"))
        return True

    shown = answer_settings(monkeypatch, fill)
    assert window.settings_action.shortcut() == QtGui.QKeySequence("Ctrl+,")
    window.settings_action.trigger()
    assert len(shown) == 1

    saved = saved_settings()
    assert saved["hub_endpoint"] == "https://hf-mirror.com" and saved["hub_token"] == ""
    assert secrets.hub_token() == "hf_secret_token", "the token goes to the key store, not settings.json"
    assert "hf_secret_token" not in paths.settings_path().read_text(encoding="utf-8")
    assert saved["about_you"] == PIRATE and saved["about_you_enabled"] is True and saved["language"] == "zh_CN"
    assert saved["overflow"] == "stop"
    assert window.settings.current.hub_endpoint == "https://hf-mirror.com"

    answer = send_and_wait(qtbot, window, "Where is the treasure?")

    turn = turn_request(requests, "Where is the treasure?")
    system = turn.messages[0]
    assert system.role == "system" and system.content.endswith(PIRATE), "About you reaches the model"
    assert turn.overflow == "stop"
    assert answer.status == "complete"
    assert store.message(first.id).content, "the earlier answer is kept"

    # Cancelling changes nothing.
    def cancel(dialog: SettingsDialog) -> bool:
        dialog.about_edit.setPlainText("ignored")
        return False

    answer_settings(monkeypatch, cancel)
    window.settings_button.click()
    assert saved_settings()["about_you"] == PIRATE


def test_a_new_default_model_moves_an_empty_conversation_but_not_one_that_has_answers(
    qtbot: QtBot,
    window: MainWindow,
    store: Store,
    starter_model: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = tmp_path / f"{SECOND}.gguf"
    shutil.copyfile(starter_model, source)
    library.import_model(source, copy=True)
    # A file put into the models folder while Parley runs is listed without a restart.
    qtbot.waitUntil(lambda: SECOND in [entry.name for entry in window.registry.models()])
    qtbot.mouseClick(window.welcome.start_button, QtCore.Qt.MouseButton.LeftButton)
    empty = window.conversation_id
    assert empty is not None

    def choose(name: str, switch: bool | None) -> Callable[[SettingsDialog], bool]:
        def fill(dialog: SettingsDialog) -> bool:
            dialog.model_combo.setCurrentIndex(dialog.model_combo.findText(name))
            if switch is not None:
                dialog.switch_check.setChecked(switch)
            return True

        return fill

    # The empty conversation follows the default: the box is ticked, and the new model loads at once.
    shown = answer_settings(monkeypatch, choose(SECOND, None))
    with qtbot.waitSignal(window.models.loading_changed):
        window.settings_action.trigger()
    assert shown[0].switch_check.isChecked()
    qtbot.waitUntil(lambda: not window.loading_indicator.isVisible(), timeout=ANSWER_TIMEOUT_MS)
    assert window.settings.current.model_name == SECOND
    assert store.conversation(empty).model_name == SECOND
    assert window.model_picker.currentText() == SECOND
    answer = send_and_wait(qtbot, window, "Say hello.")
    assert answer.model_name == SECOND

    # A conversation with answers keeps its model; only new conversations get the new default.
    shown = answer_settings(monkeypatch, choose(installed.STARTER_NAME, None))
    with qtbot.assertNotEmitted(window.models.loading_changed):
        window.settings_action.trigger()
    assert not shown[0].switch_check.isChecked()
    assert window.settings.current.model_name == installed.STARTER_NAME
    assert store.conversation(empty).model_name == SECOND
    assert window.model_picker.currentText() == SECOND

    # Unless the user ticks the box.
    answer_settings(monkeypatch, choose(installed.STARTER_NAME, True))
    with qtbot.waitSignal(window.models.model_loaded, timeout=ANSWER_TIMEOUT_MS):
        window.settings_action.trigger()
    assert store.conversation(empty).model_name == installed.STARTER_NAME
    assert window.model_picker.currentText() == installed.STARTER_NAME


@pytest.mark.parametrize("layers", [AUTO_GPU_LAYERS, 0, MAX_GPU_LAYERS])
def test_the_gpu_layers_box_has_the_cores_range(qtbot: QtBot, ui_settings: Settings, layers: int) -> None:
    dialog = SettingsDialog(
        replace(ui_settings, n_gpu_layers=layers), [], default=None, current=None, follows_default=False,
        gpu_offload=None, parent=None,
    )
    qtbot.addWidget(dialog)
    assert (dialog.gpu_spin.minimum(), dialog.gpu_spin.maximum()) == (AUTO_GPU_LAYERS, MAX_GPU_LAYERS)
    assert dialog.gpu_spin.specialValueText() == "Auto" and dialog.gpu_spin.value() == layers
    assert dialog.values().n_gpu_layers == layers


def test_an_endpoint_that_is_not_a_web_address_is_refused(qtbot: QtBot, ui_settings: Settings) -> None:
    dialog = SettingsDialog(
        ui_settings, [], default=None, current=None, follows_default=False, gpu_offload=None, parent=None
    )
    qtbot.addWidget(dialog)
    assert dialog.gpu_note.text() == "Whether this build can use the GPU is known once a model has loaded."
    assert dialog.switch_check.isHidden(), "without an open conversation there is nothing to switch"

    dialog.endpoint_edit.setText("hf-mirror")
    dialog.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Save).click()

    assert dialog.result() != QtWidgets.QDialog.DialogCode.Accepted
    assert not dialog.error_label.isHidden() and "web address" in dialog.error_label.text()
    assert shown_category(dialog) == "Hugging Face Hub"  # the page with the mistake comes to the front

    dialog.endpoint_edit.setText("")
    dialog.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Save).click()
    assert dialog.result() == QtWidgets.QDialog.DialogCode.Accepted
    assert dialog.values().hub_endpoint == ""
    assert dialog.values().model_name is None


def test_every_category_is_named_in_full_and_the_dialog_fits_a_small_screen(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fill(dialog: SettingsDialog) -> bool:
        names = [dialog.pages.tabText(i) for i in range(dialog.pages.count())]
        assert names[:4] == ["General", "Model", "Hugging Face Hub", "Appearance"] and names[-1] == "Data"
        assert "Remote servers" in names and "Local API server" in names  # the window's own pages
        least = dialog.minimumSizeHint()
        assert least.width() <= 780 and least.height() <= 560, least  # an 800×600 screen, less its frame
        dialog.resize(least)
        categories = dialog.pages.list
        for row in range(categories.count()):
            item = categories.item(row)
            needed = categories.fontMetrics().horizontalAdvance(item.text())
            assert categories.visualItemRect(item).width() >= needed, item.text()
        api = open_category(dialog, "Local API server")
        assert shown_category(dialog) == "Local API server" and dialog.pages.currentWidget() is api
        return False

    shown = answer_settings(monkeypatch, fill)
    window.settings_action.trigger()
    assert len(shown) == 1


def test_the_default_model_list_names_the_starter_in_the_window_language(
    qtbot: QtBot, qapp: QtWidgets.QApplication, ui_settings: Settings, starter_model: Path
) -> None:
    starter = next(entry for entry in installed.installed_models() if entry.source == "starter")
    translators = i18n.install_translators(qapp, "zh_CN")
    try:
        dialog = SettingsDialog(
            ui_settings, [starter], default=starter, current=None, follows_default=False, gpu_offload=None,
            parent=None,
        )
        qtbot.addWidget(dialog)
        assert dialog.model_combo.currentText() == "SmolLM2 135M（入门，离线）"
        assert dialog.model_combo.currentData() == installed.STARTER_NAME  # saved under its own name
    finally:
        i18n.remove_translators(qapp, translators)
