"""Per-model settings from the Models page: the dialog, the template preview, and the reload that follows."""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtWidgets
from pytestqt.qtbot import QtBot

from app.core import paths
from app.core.config.model_settings import ModelSettings
from app.core.config.settings import Settings
from app.core.engine import gpu_plan, kv_state
from app.core.engine.builtin_templates import GEMMA_TEMPLATE
from app.core.engine.kv_state import SavedState, StateCache, StateKey
from app.core.engine.protocol import (
    AUTO_GPU_LAYERS,
    MAX_GPU_LAYERS,
    NO_GPU_LAYERS,
    BackendDevice,
    OffloadReport,
    gpu_layers_mode,
)
from app.ui.common import i18n
from app.ui.common.gpu_text import capability_sentence, offload_sentence
from app.ui.models.settings_dialog import ModelSettingsDialog
from app.ui.settings.data_tab import DataTab
from app.ui.shell.main_window import MainWindow
from tests.ui.conftest import send_and_wait
from tests.ui.models.test_model_manager import open_models_page

OWN = "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}{% endfor %}<|assistant|>"


def _dialog(qtbot: QtBot, current: ModelSettings | None = None) -> ModelSettingsDialog:
    dialog = ModelSettingsDialog("Tiny", current or ModelSettings(), Settings(), OWN)
    qtbot.addWidget(dialog)
    return dialog


def _save_enabled(dialog: ModelSettingsDialog) -> bool:
    return dialog.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Save).isEnabled()


def test_the_preview_follows_the_chosen_template(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    assert dialog.template_combo.currentData() == "own" and dialog.template_edit.isReadOnly()
    assert "<|user|>What is the capital of France?" in dialog.preview.toPlainText()
    dialog.template_combo.setCurrentIndex(dialog.template_combo.findText("Gemma"))
    assert dialog.template_edit.toPlainText() == GEMMA_TEMPLATE
    assert "<start_of_turn>user\nYou are a helpful assistant.\n\nWhat is the capital" in dialog.preview.toPlainText()
    values = dialog.values()
    assert values.chat_template == GEMMA_TEMPLATE and values.template_name == "gemma"


def test_an_invalid_template_shows_the_jinja_error_and_cannot_be_saved(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    dialog.template_combo.setCurrentIndex(dialog.template_combo.findData("custom"))
    dialog.template_edit.setPlainText("{% for message in messages %}{{ message['content'] }")
    assert not dialog.error_label.isHidden()
    assert "line 1" in dialog.error_label.text()
    assert not _save_enabled(dialog)
    dialog.template_edit.setPlainText("{% for m in messages %}{{ m['content'] }}{% endfor %}")
    assert dialog.error_label.isHidden() and _save_enabled(dialog)
    assert dialog.preview.toPlainText().startswith("You are a helpful assistant.What is the capital")


def test_editing_a_builtin_makes_it_custom_and_reset_goes_back_to_the_models_own(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot, ModelSettings(chat_template=GEMMA_TEMPLATE, template_name="gemma"))
    assert dialog.template_combo.currentData() == "gemma"
    dialog.template_edit.setPlainText(GEMMA_TEMPLATE + "{{ '' }}")
    assert dialog.template_combo.currentData() == "custom"
    qtbot.mouseClick(dialog.reset_button, QtCore.Qt.MouseButton.LeftButton)
    assert dialog.template_combo.currentData() == "own"
    assert dialog.values().chat_template is None and dialog.values().template_name is None


def test_load_settings_follow_the_global_ones_until_set(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    assert dialog.values() == ModelSettings()
    dialog.context_spin.setValue(2048)
    dialog.gpu_combo.setCurrentIndex(dialog.gpu_combo.findData("auto"))
    dialog.flash_combo.setCurrentIndex(dialog.flash_combo.findData(True))
    dialog.kv_combo.setCurrentIndex(dialog.kv_combo.findData("q8_0"))
    values = dialog.values()
    chosen = (values.n_ctx, values.n_gpu_layers, values.flash_attn, values.kv_type)
    assert chosen == (2048, AUTO_GPU_LAYERS, True, "q8_0")
    assert values.n_threads is None and values.n_batch is None
    dialog.gpu_combo.setCurrentIndex(dialog.gpu_combo.findData("number"))
    dialog.gpu_layers_spin.setValue(12)
    assert dialog.values().n_gpu_layers == 12


@pytest.mark.parametrize("layers", [AUTO_GPU_LAYERS, NO_GPU_LAYERS, 1, 12, MAX_GPU_LAYERS])
def test_the_gpu_layers_control_has_the_cores_range_and_meanings(qtbot: QtBot, layers: int) -> None:
    dialog = _dialog(qtbot, ModelSettings(n_gpu_layers=layers))
    spin = dialog.gpu_layers_spin
    assert (spin.minimum(), spin.maximum()) == (NO_GPU_LAYERS + 1, MAX_GPU_LAYERS)
    assert dialog.gpu_combo.currentData() == gpu_layers_mode(layers)
    assert spin.isEnabled() == (gpu_layers_mode(layers) == "number")
    assert dialog.values().n_gpu_layers == layers  # what was saved comes back unchanged


def test_saved_model_settings_reload_the_model_on_the_next_message(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    qtbot.mouseClick(window.welcome.start_button, QtCore.Qt.MouseButton.LeftButton)
    send_and_wait(qtbot, window, "Say hello.")
    assert window.models.last_loaded is not None and window.models.last_loaded.n_ctx == 4096
    page = open_models_page(qtbot, window)
    page.table.selectRow(0)
    # The model's details say where it runs, from the engine's load report.
    assert "running on CPU" in page.details.text()

    def fill(dialog: ModelSettingsDialog) -> bool:
        dialog.context_spin.setValue(2048)
        return True

    monkeypatch.setattr(page, "run_model_settings", fill)
    with qtbot.waitSignal(window.models.status_changed) as status:
        qtbot.mouseClick(page.settings_button, QtCore.Qt.MouseButton.LeftButton)
    assert "reloads with them on the next message" in status.args[0]
    entry = page.table.entries()[0]
    assert window.registry.model_settings.get(str(entry.path)).n_ctx == 2048
    window.show_page(window.chat_page)
    send_and_wait(qtbot, window, "And again.")
    assert window.models.last_loaded is not None and window.models.last_loaded.n_ctx == 2048


def test_the_offload_and_capability_sentences() -> None:
    report = OffloadReport(24, 33, int(5.1e9), 24, 8192)
    assert offload_sentence(report) == "24/33 layers on GPU · 5.1 GB VRAM"
    fell_back = OffloadReport(0, 33, 0, 0, 4096, failed_attempts=((8, 4096),), gpu_build=True)
    assert offload_sentence(fell_back).startswith("running on CPU: out of GPU memory at 8 layers")
    cpu = BackendDevice("CPU", "Xeon", "cpu", 1, 1)
    cap = gpu_plan.capability(["CPU"], [cpu], nvidia_present=True, platform="linux")
    assert capability_sentence(cap) == "CPU-only build: to use your NVIDIA GPU, run `make gpu-cuda`."


def test_the_data_tab_clears_the_saved_states(qtbot: QtBot, window: MainWindow) -> None:
    folder = paths.states_dir()
    StateCache(folder, background=False).remember(
        SavedState(StateKey("1", "m|1|1", 4096, 0), "text", (1,), bytes(5000))
    )
    tab = DataTab(window.history)
    qtbot.addWidget(tab)
    assert tab.state_cache.clear_button.isEnabled() and "KB" in tab.state_cache.size_label.text()
    with qtbot.waitSignal(tab.state_cache.cleared):
        qtbot.mouseClick(tab.state_cache.clear_button, QtCore.Qt.MouseButton.LeftButton)
    assert kv_state.folder_bytes(folder) == 0 and not tab.state_cache.clear_button.isEnabled()



def test_the_starter_s_settings_dialog_is_titled_in_the_window_language(
    qtbot: QtBot, window: MainWindow, qapp: QtWidgets.QApplication
) -> None:
    page = open_models_page(qtbot, window)
    starter = next(entry for entry in page.table.entries() if entry.source == "starter")
    translators = i18n.install_translators(qapp, "zh_CN")
    try:
        dialog = page.model_settings_dialog(starter)
        qtbot.addWidget(dialog)
        assert "SmolLM2 135M（入门，离线）" in dialog.windowTitle()
        assert "starter, offline" not in dialog.windowTitle()
    finally:
        i18n.remove_translators(qapp, translators)
