"""The "Find models" page against the fake Hub: search, a repo's files, downloads, gated repos and offline."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from PySide6 import QtCore, QtWidgets
from pytestqt.qtbot import QtBot

from app.core import paths
from app.core.models import fit, hub
from app.core.models import installed as catalog
from app.core.models.fit import MachineProfile
from app.core.models.hub import HubConfig
from app.core.models.library import human_size
from app.ui.models.find import FindModelsPage
from app.ui.shell.main_window import MainWindow
from tests.fakehub import (
    FUTURE_ARCH,
    FUTURE_ARCH_REPO,
    GATED_FILE,
    GATED_REPO,
    KQUANTS_REPO,
    NO_Q4KM_REPO,
    RENAMED_REPO,
    FakeHub,
    sha256,
)
from tests.ui.hub_helpers import DOWNLOAD_TIMEOUT_MS, leftovers, responds_while_the_hub_holds_on

SPLIT_FIRST = "tiny-BF16-00001-of-00002.gguf"
SPLIT_SECOND = "tiny-BF16-00002-of-00002.gguf"


@pytest.fixture
def page(qtbot: QtBot, window: MainWindow, hub_env: HubConfig) -> FindModelsPage:
    qtbot.mouseClick(window.find_models_button, QtCore.Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.find_models
    return window.find_models


def search_requests(fake_hub: FakeHub) -> list[str]:
    return [r.query.get("search", [""])[0] for r in fake_hub.requests if r.path == "/api/models"]


def open_kquants(qtbot: QtBot, page: FindModelsPage) -> None:
    page.search("tiny")
    qtbot.waitUntil(lambda: KQUANTS_REPO in page.result_repos())
    item = page.results.topLevelItem(page.result_repos().index(KQUANTS_REPO))
    assert item is not None
    page.results.setCurrentItem(item)
    qtbot.waitUntil(lambda: page.file_names() != [])


def column(tree: QtWidgets.QTreeWidget, index: int) -> list[str]:
    items = (tree.topLevelItem(row) for row in range(tree.topLevelItemCount()))
    return [item.text(index) for item in items if item is not None]


def test_the_window_answers_while_the_hub_holds_a_search_open(
    qtbot: QtBot, page: FindModelsPage, fake_hub: FakeHub
) -> None:
    page.search_edit.setText("tiny")
    responds_while_the_hub_holds_on(
        qtbot, fake_hub, lambda: qtbot.keyClick(page.search_edit, QtCore.Qt.Key.Key_Return)
    )
    qtbot.waitUntil(lambda: page.result_repos() == [KQUANTS_REPO, NO_Q4KM_REPO], timeout=60_000)


def test_typing_searches_the_hub_and_shows_downloads_and_likes(
    qtbot: QtBot, page: FindModelsPage, fake_hub: FakeHub
) -> None:
    qtbot.keyClicks(page.search_edit, "tiny")
    qtbot.waitUntil(lambda: page.result_repos() != [])

    assert page.result_repos() == [KQUANTS_REPO, NO_Q4KM_REPO]  # most downloaded first
    assert column(page.results, 1) == ["300", "20"] and column(page.results, 2) == ["7", "1"]
    assert search_requests(fake_hub) == ["tiny"]  # one search for the whole word, not one per key
    assert page.status_label.text() == "GGUF repositories for “tiny”: 2"

    page.search_edit.clear()
    qtbot.keyClicks(page.search_edit, "no such model")
    qtbot.keyClick(page.search_edit, QtCore.Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.result_repos() == [])
    assert page.status_label.text().startswith("No GGUF models match “no such model”. Try a shorter name")


def test_a_repo_lists_every_gguf_model_k_quants_included_and_a_split_model_as_one(
    qtbot: QtBot, page: FindModelsPage, fake_hub: FakeHub
) -> None:
    open_kquants(qtbot, page)

    files = fake_hub.repos[KQUANTS_REPO].files
    assert page.file_names() == [
        "tiny-Q2_K.gguf", "tiny-IQ4_XS.gguf", "tiny-Q4_K_M.gguf", "tiny-Q8_0.gguf", "tiny-F16.gguf", SPLIT_FIRST
    ]
    assert column(page.files, 0)[-1] == "tiny-BF16 (2 parts)"
    assert column(page.files, 1) == ["Q2_K", "IQ4_XS", "Q4_K_M", "Q8_0", "F16", "BF16"]
    assert column(page.files, 2)[-1] == human_size(files[SPLIT_FIRST].size + files[SPLIT_SECOND].size)
    assert column(page.files, 2)[0] == human_size(files["tiny-Q2_K.gguf"].size)
    # The part without its sibling is not offered, and the page says why.
    assert "tiny-Q6_K-00001-of-00002.gguf" in page.repo_note.text() and page.repo_note.isVisible()
    assert all(page.download_button(name) is not None for name in page.file_names())
    assert page.repo_label.text() == KQUANTS_REPO


@pytest.mark.parametrize(
    "machine",
    [MachineProfile(ram_free_bytes=64 * 10**9), MachineProfile(ram_free_bytes=450 * 10**6),
     MachineProfile(ram_free_bytes=100 * 10**6), MachineProfile(ram_free_bytes=10**8, vram_free_bytes=8 * 10**9)],
)
def test_the_files_fit_badges_follow_the_machine_profile(
    qtbot: QtBot, window: MainWindow, page: FindModelsPage, fake_hub: FakeHub, machine: MachineProfile
) -> None:
    page.set_machine(machine)
    open_kquants(qtbot, page)

    listing_sizes = [int(sum(f.size for name, f in fake_hub.repos[KQUANTS_REPO].files.items()
                             if name.startswith(stem))) for stem in ("tiny-Q2_K", "tiny-F16", "tiny-BF16")]
    names = ["tiny-Q2_K.gguf", "tiny-F16.gguf", SPLIT_FIRST]
    for name, size in zip(names, listing_sizes, strict=True):
        badge = page.badge(name)
        assert badge is not None
        expected = fit.estimate_for_download(size, window.settings.current.n_ctx, machine).verdict
        assert badge.verdict() == expected
        assert badge.text() == {"fits": "Fits", "may_be_slow": "May be slow", "wont_fit": "Won't fit"}[expected]


def test_a_split_model_downloads_as_one_model(
    qtbot: QtBot, window: MainWindow, page: FindModelsPage, fake_hub: FakeHub
) -> None:
    open_kquants(qtbot, page)
    button = page.download_button(SPLIT_FIRST)
    assert button is not None and button.text() == "Download"

    with qtbot.waitSignal(window.downloads.download_finished, timeout=DOWNLOAD_TIMEOUT_MS):
        qtbot.mouseClick(button, QtCore.Qt.MouseButton.LeftButton)

    files = fake_hub.repos[KQUANTS_REPO].files
    for name in (SPLIT_FIRST, SPLIT_SECOND):
        assert sha256(paths.models_dir() / name) == files[name].sha256
    [downloaded] = [entry for entry in catalog.installed_models() if entry.source == "downloaded"]
    assert downloaded.name == "tiny-BF16" and len(downloaded.files) == 2
    qtbot.waitUntil(lambda: button.text() == "Installed")
    assert not button.isEnabled()
    assert page.banner.kind() == "info" and "tiny-BF16 is downloaded" in page.banner.text()
    assert "tiny-BF16" in [entry.name for entry in window.model_picker.entries()]


def test_a_gated_repo_without_a_token_says_to_add_one_in_settings(
    qtbot: QtBot, window: MainWindow, page: FindModelsPage, fake_hub: FakeHub
) -> None:
    page.open_repo(GATED_REPO)
    qtbot.waitUntil(lambda: page.file_names() == [GATED_FILE])
    assert "add an access token in Settings" in page.repo_note.text()

    button = page.download_button(GATED_FILE)
    assert button is not None
    with qtbot.waitSignal(window.downloads.download_failed, timeout=DOWNLOAD_TIMEOUT_MS):
        qtbot.mouseClick(button, QtCore.Qt.MouseButton.LeftButton)
    text = page.banner.text()
    assert page.banner.isVisible() and not window.banner.isVisible()
    assert text.startswith(f"{GATED_REPO} is gated") and "add an access token in Settings" in text
    assert leftovers() == []
    assert button.text() == "Download" and button.isEnabled()


def test_offline_is_explained_within_seconds(
    qtbot: QtBot, window: MainWindow, closed_port_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", closed_port_endpoint)
    window.show_find_models()
    page = window.find_models
    started = time.monotonic()
    page.search_edit.setText("qwen")
    qtbot.keyClick(page.search_edit, QtCore.Qt.Key.Key_Return)
    qtbot.waitUntil(page.banner.isVisible, timeout=60_000)

    # A refused connection is not retried for the HTTP library's ~23 s (generous for a loaded machine).
    assert time.monotonic() - started < 20
    assert "can't be reached" in page.banner.text() and "try again when you are online" in page.banner.text()
    assert page.status_label.text() == "The search did not work."

    page.banner.hide()
    page.open_repo(KQUANTS_REPO)
    qtbot.waitUntil(page.banner.isVisible, timeout=60_000)
    assert "can't be reached" in page.banner.text() and "can't be reached" in page.repo_note.text()


def test_a_stale_search_does_not_overwrite_a_newer_one(
    qtbot: QtBot, page: FindModelsPage, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = threading.Event()
    release = threading.Event()
    search_models = hub.search_models

    def slow_for_tiny(query: str, **kwargs: Any) -> list[hub.RepoSummary]:
        if query == "tiny":
            asked.set()
            release.wait(10)
        return search_models(query, **kwargs)

    monkeypatch.setattr(hub, "search_models", slow_for_tiny)
    page.search("tiny")
    tiny = page._search_op
    assert tiny is not None and asked.wait(10)  # it runs: the newer search cannot take it back, only ignore it
    page.search("gated")
    qtbot.waitUntil(lambda: page.result_repos() == [GATED_REPO])
    assert not tiny.ended
    release.set()
    qtbot.waitUntil(lambda: tiny.ended)  # the answer to "tiny" arrived, after the one to "gated"

    assert page.result_repos() == [GATED_REPO]
    assert column(page.results, 0) == [f"{GATED_REPO} (gated)"]


def test_a_damaged_copy_is_marked_and_offered_for_download_again(
    qtbot: QtBot, window: MainWindow, page: FindModelsPage, fake_hub: FakeHub
) -> None:
    name = "tiny-Q4_K_M.gguf"
    open_kquants(qtbot, page)
    button = page.download_button(name)
    assert button is not None
    with qtbot.waitSignal(window.downloads.download_finished, timeout=DOWNLOAD_TIMEOUT_MS):
        qtbot.mouseClick(button, QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: button.text() == "Installed")
    installed = paths.models_dir() / name
    with installed.open("r+b") as handle:  # cut short, as a crash mid-copy or a sync tool leaves it
        handle.truncate(installed.stat().st_size // 2)

    # The Models page says so, and Find models offers the download again instead of "Installed".
    window.registry.refresh()
    window.show_page(window.models_page)
    table = window.models_page.table
    names = [table.item(row, 0).text() for row in range(table.rowCount())]
    assert "tiny-Q4_K_M · damaged" in names
    window.show_page(page)
    again = page.download_button(name)
    assert again is not None and again.text() == "Download" and again.isEnabled()
    with qtbot.waitSignal(window.downloads.download_finished, timeout=DOWNLOAD_TIMEOUT_MS):
        qtbot.mouseClick(again, QtCore.Qt.MouseButton.LeftButton)
    assert sha256(installed) == fake_hub.repos[KQUANTS_REPO].files[name].sha256


def test_a_search_result_of_an_unknown_architecture_says_it_needs_a_newer_parley(
    qtbot: QtBot, page: FindModelsPage
) -> None:
    page.search("GGUF")
    qtbot.waitUntil(lambda: FUTURE_ARCH_REPO in page.result_repos(), timeout=60_000)
    rows = {page.results.topLevelItem(i).data(0, QtCore.Qt.ItemDataRole.UserRole): page.results.topLevelItem(i)
            for i in range(page.results.topLevelItemCount())}
    future = rows[FUTURE_ARCH_REPO]
    assert future.text(0) == f"{FUTURE_ARCH_REPO} — needs a newer Parley"
    assert f"“{FUTURE_ARCH}” is unknown to this version" in future.toolTip(0)
    assert rows[RENAMED_REPO].text(0) == RENAMED_REPO  # an architecture this llama.cpp knows: not marked
    page.results.setCurrentItem(future)
    qtbot.waitUntil(lambda: page.file_names() != [], timeout=60_000)
    button = page.download_button(page.file_names()[0])
    assert button is not None and not button.isEnabled() and button.text() == "Needs a newer Parley"
