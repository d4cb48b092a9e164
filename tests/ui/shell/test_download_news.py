"""What the window says around a finished download: no stale Hub error in the chat that "Chat now" opens,
and a status line that names the model once one is installed (not "No model is installed")."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6 import QtCore
from pytestqt.qtbot import QtBot

from app.core.models import installed
from app.core.models.hub import HubConfig
from app.core.models.recommended import RecommendedModel
from app.ui.shell.main_window import MainWindow
from tests.fakehub import FakeHub
from tests.ui.conftest import WindowFactory
from tests.ui.hub_helpers import DOWNLOAD_TIMEOUT_MS
from tests.ui.models.test_first_run import starter_from_the_hub


def _missing(model: RecommendedModel) -> RecommendedModel:
    return replace(model, id="missing", name="Missing", repo="nobody/nothing-here")


def test_chat_now_opens_a_chat_without_the_hub_error_from_before(
    qtbot: QtBot, window: MainWindow, fake_hub: FakeHub, hub_env: HubConfig
) -> None:
    model = starter_from_the_hub(fake_hub)
    # A download from the first screen that the Hub refuses: its error shows in the window's banner.
    window.welcome.recommended.set_models([_missing(model)])
    with qtbot.waitSignal(window.downloads.download_failed, timeout=DOWNLOAD_TIMEOUT_MS):
        qtbot.mouseClick(window.welcome.recommended.cards()[0].download_button, QtCore.Qt.MouseButton.LeftButton)
    assert "no repository" in window.banner.text()
    # Then one from the "Get models" page's list, which offers "Chat now" when it is done.
    qtbot.mouseClick(window.find_models_button, QtCore.Qt.MouseButton.LeftButton)
    page = window.find_models
    page.recommended.set_models([model])
    with qtbot.waitSignal(window.downloads.download_finished, timeout=DOWNLOAD_TIMEOUT_MS):
        qtbot.mouseClick(page.recommended.cards()[0].download_button, QtCore.Qt.MouseButton.LeftButton)
    assert page.banner.action_button.text() == "Chat now"

    qtbot.mouseClick(page.banner.action_button, QtCore.Qt.MouseButton.LeftButton)

    assert window.pages.currentWidget() is window.chat_page and window.conversation_id is not None
    assert window.banner.isHidden(), f"a stale banner: {window.banner.text()}"


def test_the_status_line_names_the_model_a_finished_download_installed(
    qtbot: QtBot, make_window: WindowFactory, fake_hub: FakeHub, hub_env: HubConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(installed, "starter_model_path", lambda: None)  # the default bundle: no model at all
    window = make_window()
    assert window.status.label.text() == "No model is installed"
    window.welcome.recommended.set_models([starter_from_the_hub(fake_hub)])
    qtbot.mouseClick(window.find_models_button, QtCore.Qt.MouseButton.LeftButton)
    page = window.find_models
    page.recommended.set_models([starter_from_the_hub(fake_hub)])
    with qtbot.waitSignal(window.downloads.download_finished, timeout=DOWNLOAD_TIMEOUT_MS):
        qtbot.mouseClick(page.recommended.cards()[0].download_button, QtCore.Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: window.status.label.text() != "No model is installed", timeout=10_000)
    assert "SmolLM2" in window.status.label.text()
