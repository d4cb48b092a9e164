"""The Models page finds a newer revision of a downloaded model on the Hub and updates it only when asked."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.core.models.downloads import Download, DownloadRequest, newer_revision
from app.core.models.hub import HubConfig
from tests import ggufdata
from tests.fakehub import STARTER_FILE, STARTER_REPO, FakeFile, FakeHub, sha256
from tests.ui.conftest import WindowFactory
from tests.ui.hub_helpers import DOWNLOAD_TIMEOUT_MS

NEW_COMMIT = "f" * 40


def test_a_newer_revision_is_offered_and_replaces_the_model_only_when_asked(
    qtbot: QtBot, make_window: WindowFactory, hub_env: HubConfig, fake_hub: FakeHub
) -> None:
    installed = Download(DownloadRequest(STARTER_REPO, (STARTER_FILE,)), config=hub_env).run().model_path
    assert installed is not None
    old_sha = sha256(installed)
    assert newer_revision(installed, config=hub_env) is None  # unchanged on the Hub

    repo = fake_hub.repos[STARTER_REPO]  # the publisher uploads a new revision of the same file
    repo.files[STARTER_FILE] = FakeFile.from_bytes(ggufdata.tiny_model("SmolLM2 v2"))
    repo.commit = NEW_COMMIT
    newer = newer_revision(installed, config=hub_env)
    assert newer is not None and (newer.repo, newer.file, newer.commit) == (STARTER_REPO, STARTER_FILE, NEW_COMMIT)

    window = make_window()
    page = window.models_page
    assert page.updates.button.text() == "Check for updates" and page.updates.button.isEnabled()
    with qtbot.waitSignal(page.updates.checked, timeout=DOWNLOAD_TIMEOUT_MS) as found:
        page.updates.button.click()
    assert [n.file for n in found.args[0]] == [STARTER_FILE]
    assert "A newer version is on the Hub for: " in page.banner.text()
    assert page.banner.action_button.text() == "Update" and not page.banner.action_button.isHidden()
    assert sha256(installed) == old_sha  # offered, not replaced

    with qtbot.waitSignal(window.downloads.download_finished, timeout=DOWNLOAD_TIMEOUT_MS):
        page.banner.action_button.click()
    assert sha256(installed) == repo.files[STARTER_FILE].sha256
    with qtbot.waitSignal(page.updates.checked, timeout=DOWNLOAD_TIMEOUT_MS):
        page.updates.button.click()
    assert page.banner.text() == "Every downloaded model is up to date."


def test_with_only_the_starter_the_check_says_there_is_nothing_to_check(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    page = make_window().models_page
    page.updates.button.click()
    assert page.banner.text() == "No model here was downloaded from the Hugging Face Hub."
