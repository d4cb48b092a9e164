"""Downloads in the window, against the fake Hub: progress, pause and resume, cancel, and every way one can fail."""

from __future__ import annotations

import re
import time

import pytest
from PySide6 import QtCore
from pytestqt.qtbot import QtBot

from app.core import paths
from app.core.config.settings import Settings
from app.core.models import installed as catalog
from app.core.models.downloads import partial_downloads
from app.core.models.hub import HubConfig
from app.core.models.library import human_size
from app.ui.common.background import BackgroundExecutor
from app.ui.controllers.download_controller import DownloadController, job_key
from app.ui.shell.main_window import MainWindow
from tests.fakehub import KQUANTS_REPO, STARTER_FILE, STARTER_REPO, FakeHub, sha256
from tests.ui.conftest import WindowFactory
from tests.ui.hub_helpers import (
    DOWNLOAD_TIMEOUT_MS,
    FAST_BPS,
    leftovers,
    part_file,
    responds_while_the_hub_holds_on,
)

KEY = job_key(STARTER_REPO, STARTER_FILE)


def start_starter_download(qtbot: QtBot, window: MainWindow, *, at_least: int = 1_000_000) -> None:
    """Starts downloading the starter model and returns once ``at_least`` bytes and a speed are in."""
    with qtbot.waitSignal(window.downloads.download_started, timeout=DOWNLOAD_TIMEOUT_MS):
        window.downloads.start(STARTER_REPO, STARTER_FILE)
    wait_until_going(qtbot, window, at_least)


def wait_until_going(qtbot: QtBot, window: MainWindow, at_least: int) -> None:
    def going() -> bool:
        job = window.downloads.job(KEY)
        assert job is not None
        return job.done_bytes >= at_least and job.eta_s is not None

    qtbot.waitUntil(going, timeout=DOWNLOAD_TIMEOUT_MS)


def starter_size(fake_hub: FakeHub) -> int:
    return fake_hub.repos[STARTER_REPO].files[STARTER_FILE].size


@pytest.fixture
def throttled(fake_hub: FakeHub, hub_env: HubConfig) -> FakeHub:
    del hub_env  # required: the window's Hub is the fake one
    fake_hub.faults.throttle_bps = FAST_BPS
    return fake_hub


def test_progress_shows_bytes_speed_and_time_left_while_the_window_stays_responsive(
    qtbot: QtBot, make_window: WindowFactory, throttled: FakeHub
) -> None:
    window = make_window()
    assert window.downloads_panel.isHidden()
    # The window answers while the Hub holds the download's first request open (the figure: bench/ui_latency.py).
    responds_while_the_hub_holds_on(qtbot, throttled, lambda: window.downloads.start(STARTER_REPO, STARTER_FILE))
    wait_until_going(qtbot, window, 3_000_000)

    row = window.downloads_panel.row(KEY)
    assert row is not None and window.downloads_panel.isVisible()
    total = human_size(starter_size(throttled))
    assert re.fullmatch(rf"\d+(\.\d)? MB of {re.escape(total)}", row.bytes_label.text()), row.bytes_label.text()
    assert re.fullmatch(r"\d+(\.\d)? [KM]B/s · \d+ (s|min) left", row.detail_label.text()), row.detail_label.text()
    assert 0 < row.bar.value() < row.bar.maximum()
    assert row.name_label.text() == "SmolLM2-135M-Instruct.Q4_1"
    assert row.pause_button.text() == "Pause" and row.cancel_button.isEnabled()


def test_pause_then_resume_continues_from_the_byte_where_it_stopped(
    qtbot: QtBot, make_window: WindowFactory, throttled: FakeHub
) -> None:
    window = make_window()
    start_starter_download(qtbot, window)
    row = window.downloads_panel.row(KEY)
    assert row is not None

    with qtbot.waitSignal(window.downloads.download_paused, timeout=DOWNLOAD_TIMEOUT_MS):
        qtbot.mouseClick(row.pause_button, QtCore.Qt.MouseButton.LeftButton)
    kept = part_file(STARTER_FILE).stat().st_size
    assert 0 < kept < starter_size(throttled)
    assert row.pause_button.text() == "Resume" and row.detail_label.text() == "Paused"
    assert not (paths.models_dir() / STARTER_FILE).exists()

    installed_before = window.models_page.table.entries()
    throttled.faults.throttle_bps = None
    with qtbot.waitSignal(window.downloads.download_finished, timeout=DOWNLOAD_TIMEOUT_MS):
        qtbot.mouseClick(row.pause_button, QtCore.Qt.MouseButton.LeftButton)
    # Every view of the installed models follows at once: the Models page counts the new one too.
    assert len(window.models_page.table.entries()) == len(installed_before) + 1
    window.models_page.table.clearSelection()
    assert f"Installed models: {len(installed_before) + 1}," in window.models_page.details.text()

    assert throttled.ranges(STARTER_FILE) == [None, f"bytes={kept}-"]
    installed = paths.models_dir() / STARTER_FILE
    assert sha256(installed) == throttled.repos[STARTER_REPO].files[STARTER_FILE].sha256
    assert partial_downloads() == []
    assert window.downloads_panel.keys() == [] and window.downloads_panel.isHidden()
    assert "SmolLM2-135M-Instruct.Q4_1 is downloaded" in window.banner.text()
    assert "SmolLM2-135M-Instruct.Q4_1" in [entry.name for entry in window.model_picker.entries()]


def test_cancel_leaves_nothing_behind(qtbot: QtBot, make_window: WindowFactory, throttled: FakeHub) -> None:
    window = make_window()
    start_starter_download(qtbot, window)
    row = window.downloads_panel.row(KEY)
    assert row is not None

    with qtbot.waitSignal(window.downloads.download_cancelled, timeout=DOWNLOAD_TIMEOUT_MS):
        qtbot.mouseClick(row.cancel_button, QtCore.Qt.MouseButton.LeftButton)

    assert leftovers() == []
    assert partial_downloads() == []
    assert window.downloads.jobs() == [] and window.downloads_panel.isHidden()
    assert [entry.source for entry in catalog.installed_models()] == ["starter"]


def test_a_paused_download_can_be_cancelled_too(qtbot: QtBot, make_window: WindowFactory, throttled: FakeHub) -> None:
    window = make_window()
    start_starter_download(qtbot, window)
    with qtbot.waitSignal(window.downloads.download_paused, timeout=DOWNLOAD_TIMEOUT_MS):
        window.downloads.pause(KEY)
    assert part_file(STARTER_FILE).exists()
    row = window.downloads_panel.row(KEY)
    assert row is not None

    with qtbot.waitSignal(window.downloads.download_cancelled, timeout=DOWNLOAD_TIMEOUT_MS):
        qtbot.mouseClick(row.cancel_button, QtCore.Qt.MouseButton.LeftButton)
    assert leftovers() == []


def test_corrupt_bytes_are_reported_and_nothing_is_installed(
    qtbot: QtBot, make_window: WindowFactory, fake_hub: FakeHub, hub_env: HubConfig
) -> None:
    window = make_window()
    fake_hub.faults.corrupt = True
    with qtbot.waitSignal(window.downloads.download_failed, timeout=DOWNLOAD_TIMEOUT_MS):
        window.downloads.start(STARTER_REPO, STARTER_FILE)

    assert window.banner.isVisible() and window.banner.kind() == "error"
    assert "does not match the checksum published on the Hub, so it was deleted" in window.banner.text()
    assert leftovers() == []
    assert window.downloads.jobs() == [] and window.downloads_panel.isHidden()
    assert [entry.source for entry in catalog.installed_models()] == ["starter"]


def test_a_short_disk_is_refused_with_a_message(
    qtbot: QtBot, make_window: WindowFactory, fake_hub: FakeHub, hub_env: HubConfig
) -> None:
    window = make_window()
    window.downloads.free_space = lambda path: 50_000_000
    with qtbot.waitSignal(window.downloads.download_failed, timeout=DOWNLOAD_TIMEOUT_MS):
        window.downloads.start(STARTER_REPO, STARTER_FILE)

    text = window.banner.text()
    assert "not enough free disk space" in text and "only 50.0 MB is free" in text
    assert fake_hub.ranges(STARTER_FILE) == []  # not one byte was asked for
    assert leftovers() == []


def test_offline_is_reported_within_seconds(
    qtbot: QtBot, make_window: WindowFactory, closed_port_endpoint: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", closed_port_endpoint)
    window = make_window()
    started = time.monotonic()
    with qtbot.waitSignal(window.downloads.download_failed, timeout=60_000):
        window.downloads.start(STARTER_REPO, STARTER_FILE)

    # A refused connection is not retried for the HTTP library's ~23 s (generous for a loaded machine).
    assert time.monotonic() - started < 20
    assert "can't be reached" in window.banner.text() and "Installed models keep working" in window.banner.text()
    assert leftovers() == []


def test_a_download_stopped_by_closing_the_app_is_listed_at_startup_and_resumes(
    qtbot: QtBot, make_window: WindowFactory, throttled: FakeHub
) -> None:
    first = make_window()
    start_starter_download(qtbot, first)
    first.close()  # pauses the download; what arrived stays on disk
    kept = part_file(STARTER_FILE).stat().st_size
    assert [(p.repo, p.file, p.done_bytes) for p in partial_downloads()] == [(STARTER_REPO, STARTER_FILE, kept)]

    second = make_window()
    row = second.downloads_panel.row(KEY)
    assert row is not None and second.downloads_panel.isVisible()
    assert row.detail_label.text() == "Paused" and row.pause_button.text() == "Resume"
    assert row.bytes_label.text() == f"{human_size(kept)} of {human_size(starter_size(throttled))}"

    throttled.faults.throttle_bps = None
    throttled.requests.clear()
    with qtbot.waitSignal(second.downloads.download_finished, timeout=DOWNLOAD_TIMEOUT_MS):
        qtbot.mouseClick(row.pause_button, QtCore.Qt.MouseButton.LeftButton)

    assert throttled.ranges(STARTER_FILE) == [f"bytes={kept}-"]
    assert sha256(paths.models_dir() / STARTER_FILE) == throttled.repos[STARTER_REPO].files[STARTER_FILE].sha256
    assert partial_downloads() == []


def test_a_download_queued_behind_others_pauses_and_cancels_without_ever_starting(
    qtbot: QtBot, throttled: FakeHub
) -> None:
    executor = BackgroundExecutor(long_workers=1)
    manager = DownloadController(lambda: Settings(), executor)
    try:
        with qtbot.waitSignal(manager.download_progressed, timeout=DOWNLOAD_TIMEOUT_MS):
            first = manager.start(STARTER_REPO, STARTER_FILE)
        queued = manager.start(KQUANTS_REPO, "tiny-Q8_0.gguf")  # the one long worker is busy

        with qtbot.waitSignal(
            manager.download_paused, check_params_cb=lambda key: key == queued, timeout=DOWNLOAD_TIMEOUT_MS
        ):
            manager.pause(queued)
        paused = manager.job(queued)
        assert paused is not None and paused.state == "paused"
        manager.resume(queued)
        with qtbot.waitSignal(
            manager.download_cancelled, check_params_cb=lambda key: key == queued, timeout=DOWNLOAD_TIMEOUT_MS
        ):
            manager.cancel(queued)
        assert manager.job(queued) is None
        assert [request.path for request in throttled.requests if KQUANTS_REPO in request.path] == []
        job = manager.job(first)
        assert job is not None and job.state == "running"  # the running one went on meanwhile
    finally:
        manager.shutdown()
        executor.shutdown()
