"""Settings → Model says which llama.cpp build Parley runs (as the About box does) and its backends."""

from __future__ import annotations

import importlib.metadata

import pytest
from pytestqt.qtbot import QtBot

from app.core.models import gguf, gpu
from app.ui.settings.dialog import SettingsDialog
from app.ui.shell.about import about_facts
from app.ui.shell.main_window import MainWindow
from tests.ui.settings.test_settings_dialog import answer_settings


def test_the_model_page_names_the_llama_cpp_build_and_backends(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = answer_settings(monkeypatch, lambda dialog: False)
    window.settings_action.trigger()
    qtbot.waitUntil(lambda: bool(shown))
    dialog: SettingsDialog = shown[0]
    line = dialog.llama_build_label.text()
    facts = about_facts()
    assert f"llama-cpp-python {importlib.metadata.version('llama-cpp-python')}" in line
    version = gguf.ggml_version()
    assert version is not None and f"ggml {version}" in line
    assert facts.llama_cpp in line  # the About box's own line
    assert dialog.backends_label.text().split(", ")[0] == "CPU"
    assert {name.lower() for name in dialog.backends_label.text().split(", ")[1:]} == gpu.build_backends()
