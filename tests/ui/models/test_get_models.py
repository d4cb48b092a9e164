"""The "Get models" page: the recommended list before a search, a clean slate per search, and the Hub mirror."""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtWidgets
from pytestqt.qtbot import QtBot

from app.core.models import hub
from app.core.models.hub import HubConfig
from app.core.models.recommended import load_recommended
from app.ui.common import i18n
from app.ui.models.find import FindModelsPage
from app.ui.shell.main_window import MainWindow
from tests.fakehub import KQUANTS_REPO, FakeHub
from tests.ui.models.test_find_models import open_kquants, search_requests


@pytest.fixture
def page(qtbot: QtBot, window: MainWindow) -> FindModelsPage:
    qtbot.mouseClick(window.find_models_button, QtCore.Qt.MouseButton.LeftButton)
    assert window.find_models_button.text() == "Get models"
    return window.find_models


def test_the_recommended_models_show_before_any_search(
    qtbot: QtBot, page: FindModelsPage, hub_env: HubConfig
) -> None:
    assert page.shows_recommended() and page.recommended.isVisible()
    assert [card.model.id for card in page.recommended.cards()] == [model.id for model in load_recommended()]
    page.search("tiny")
    assert not page.shows_recommended()
    qtbot.waitUntil(lambda: page.result_repos() != [])
    page.search_edit.clear()
    page.search("")
    assert page.shows_recommended()


def test_a_new_search_leaves_nothing_of_the_repo_opened_before(
    qtbot: QtBot, page: FindModelsPage, fake_hub: FakeHub, hub_env: HubConfig
) -> None:
    open_kquants(qtbot, page)
    assert page.file_names() and page.download_button("tiny-Q2_K.gguf") is not None
    page.banner.show_notice("An error from before")
    page.search("llama")
    assert page.file_names() == [] and page.files.topLevelItemCount() == 0
    assert page.download_button("tiny-Q2_K.gguf") is None
    assert page.repo_note.isHidden() and page.banner.isHidden()
    assert page.repo_label.text() == "Select a repository to see its models"


def test_an_unreachable_hub_offers_the_mirror_which_is_checked_then_used(
    qtbot: QtBot,
    page: FindModelsPage,
    window: MainWindow,
    fake_hub: FakeHub,
    closed_port_endpoint: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", closed_port_endpoint)  # huggingface.co, as seen from where it is blocked
    monkeypatch.setattr(hub, "SUGGESTED_MIRROR", fake_hub.url)  # the suite's Hub stands in for the mirror
    page.search("tiny")
    qtbot.waitUntil(lambda: page.banner.isVisible())
    action = page.banner.action_button
    assert action.isVisible() and action.text() == "Use 127.0.0.1"
    assert "can't be reached" in page.banner.text() and "may work instead" in page.banner.text()
    assert search_requests(fake_hub) == []

    qtbot.mouseClick(action, QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: KQUANTS_REPO in page.result_repos(), timeout=10_000)
    assert search_requests(fake_hub) == ["gguf", "tiny"]  # checked first, then the search again
    assert window.settings.current.hub_endpoint == fake_hub.url
    assert "now uses the mirror" in page.banner.text()
    assert page.banner.kind() == "info"


def test_a_mirror_that_cannot_be_reached_either_changes_nothing(
    qtbot: QtBot,
    page: FindModelsPage,
    window: MainWindow,
    closed_port_endpoint: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", closed_port_endpoint)
    monkeypatch.setattr(hub, "SUGGESTED_MIRROR", closed_port_endpoint.replace("127.0.0.1", "localhost"))
    page.search("tiny")
    qtbot.waitUntil(lambda: page.banner.action_button.isVisible())
    qtbot.mouseClick(page.banner.action_button, QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "cannot be reached either" in page.banner.text(), timeout=10_000)
    assert window.settings.current.hub_endpoint == ""
    assert page.banner.kind() == "error"


def test_the_chinese_interface_names_the_mirror_first(
    qtbot: QtBot,
    qapp: QtWidgets.QApplication,
    page: FindModelsPage,
    closed_port_endpoint: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", closed_port_endpoint)
    translators = i18n.install_translators(qapp, "zh_CN")
    try:
        page.search("tiny")
        qtbot.waitUntil(lambda: page.banner.isVisible())
        text = page.banner.text()
        assert text.startswith("试试镜像 hf-mirror.com") and "连接被拒绝" in text  # no English left in it
        assert page.banner.action_button.text() == "使用 hf-mirror.com"
    finally:
        i18n.remove_translators(qapp, translators)


def test_settings_fill_in_the_mirror_in_one_click(qtbot: QtBot, window: MainWindow) -> None:
    from app.core.config.settings import Settings
    from app.ui.settings.dialog import SettingsDialog

    dialog = SettingsDialog(
        Settings(), [], default=None, current=None, follows_default=False, gpu_offload=None, parent=window
    )
    qtbot.mouseClick(dialog.mirror_button, QtCore.Qt.MouseButton.LeftButton)
    assert dialog.values().hub_endpoint == "https://hf-mirror.com"


def test_a_first_screen_download_that_cannot_reach_the_hub_goes_on_from_the_mirror(
    qtbot: QtBot,
    window: MainWindow,
    fake_hub: FakeHub,
    closed_port_endpoint: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.ui.hub_helpers import DOWNLOAD_TIMEOUT_MS
    from tests.ui.models.test_first_run import starter_from_the_hub

    monkeypatch.setenv("HF_ENDPOINT", closed_port_endpoint)
    monkeypatch.setattr(hub, "SUGGESTED_MIRROR", fake_hub.url)
    model = starter_from_the_hub(fake_hub)
    window.welcome.recommended.set_models([model])
    with qtbot.waitSignal(window.downloads.download_failed, timeout=DOWNLOAD_TIMEOUT_MS):
        qtbot.mouseClick(window.welcome.recommended.cards()[0].download_button, QtCore.Qt.MouseButton.LeftButton)
    action = window.banner.action_button
    assert window.banner.isVisible() and action.isVisible() and action.text() == "Use 127.0.0.1"
    endpoints: list[str] = []

    def started(key: str) -> None:
        job = window.downloads.job(key)
        endpoints.append(job.endpoint if job is not None else "")

    window.downloads.download_started.connect(started)
    with qtbot.waitSignal(window.downloads.download_finished, timeout=DOWNLOAD_TIMEOUT_MS):
        qtbot.mouseClick(action, QtCore.Qt.MouseButton.LeftButton)
    assert endpoints[0] == fake_hub.url  # the download says which endpoint it uses
    assert window.settings.current.hub_endpoint == fake_hub.url
