"""Downloading models from the (fake) Hub: verified, resumable, and never half-installed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core import paths
from app.core.errors import (
    ChecksumMismatchError,
    DownloadInterruptedError,
    HubGatedRepoError,
    HubNotFoundError,
    HubUnreachableError,
    NotEnoughDiskSpaceError,
    StorageError,
    UnsafeFileNameError,
)
from app.core.models import installed
from app.core.models.downloads import (
    Download,
    DownloadProgress,
    DownloadRequest,
    DownloadResult,
    discard_partial,
    partial_downloads,
)
from app.core.models.gguf import read_gguf
from app.core.models.hub import HubConfig
from tests import ggufdata
from tests.fakehub import (
    GATED_FILE,
    GATED_REPO,
    KQUANTS_REPO,
    STARTER_FILE,
    STARTER_REPO,
    VALID_TOKEN,
    FakeFile,
    FakeHub,
    sha256,
)

ROOT = Path(__file__).resolve().parents[3]
STARTER = DownloadRequest(STARTER_REPO, (STARTER_FILE,))


def leftovers() -> list[str]:
    """Everything in the downloads and models folders."""
    return sorted(p.name for folder in (paths.downloads_dir(), paths.models_dir()) for p in folder.iterdir())


def part_file(name: str = STARTER_FILE) -> Path:
    return paths.downloads_dir() / f"{name}.part"


class Recorder:
    """Collects progress reports; ``started`` is set at the first one."""

    def __init__(self) -> None:
        self.reports: list[DownloadProgress] = []
        self.started = threading.Event()

    def __call__(self, progress: DownloadProgress) -> None:
        self.reports.append(progress)
        self.started.set()


class InThread:
    """Runs a download on a thread, as the window does."""

    def __init__(self, download: Download) -> None:
        self.result: DownloadResult | None = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, args=(download,))
        self._thread.start()

    def _work(self, download: Download) -> None:
        try:
            self.result = download.run()
        except BaseException as exc:
            self.error = exc

    def join(self) -> DownloadResult:
        self._thread.join(60)
        assert not self._thread.is_alive(), "the download did not stop"
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


@pytest.fixture
def throttled(fake_hub: FakeHub) -> Iterator[FakeHub]:
    fake_hub.faults.throttle_bps = 2_000_000
    yield fake_hub
    fake_hub.faults.throttle_bps = None


def test_download_is_verified_and_installed_with_provenance(hub_env: HubConfig, fake_hub: FakeHub) -> None:
    recorder = Recorder()
    result = Download(STARTER, config=hub_env, on_progress=recorder, progress_interval_s=0).run()

    expected = fake_hub.repos[STARTER_REPO]
    assert result.status == "installed"
    assert result.model_path == paths.models_dir() / STARTER_FILE
    assert sha256(result.model_path) == expected.files[STARTER_FILE].sha256
    assert fake_hub.ranges(STARTER_FILE) == [None]  # one request for the whole file
    assert leftovers() == [STARTER_FILE, "SmolLM2-135M-Instruct.Q4_1.parley.json"]

    entry = next(e for e in installed.installed_models() if e.source == "downloaded")
    assert entry.path == result.model_path
    assert entry.provenance is not None
    assert entry.provenance.repo == STARTER_REPO
    assert entry.provenance.revision == expected.commit
    assert entry.provenance.files == (STARTER_FILE,)
    assert entry.provenance.sha256 == (expected.files[STARTER_FILE].sha256,)
    assert entry.provenance.downloaded_at

    size = expected.files[STARTER_FILE].size
    done = [r.done_bytes for r in recorder.reports]
    assert done == sorted(done) and done[-1] == size
    assert all(r.total_bytes == size for r in recorder.reports)
    steps = [b - a for a, b in zip([0, *done], done, strict=False)]
    assert max(steps) <= 1024 * 1024  # fine-grained, not 10 MiB jumps
    assert recorder.reports[-1].verifying


def test_downloading_again_finds_it_installed(hub_env: HubConfig, fake_hub: FakeHub) -> None:
    Download(STARTER, config=hub_env).run()
    again = Download(STARTER, config=hub_env).run()
    assert again.status == "already_installed"
    assert fake_hub.ranges(STARTER_FILE) == [None]


def test_killed_mid_download_then_resumed_from_the_byte_where_it_stopped(
    hub_env: HubConfig, fake_hub: FakeHub, parley_home: Path
) -> None:
    fake_hub.faults.throttle_bps = 4_000_000
    env = {**os.environ, "HF_ENDPOINT": fake_hub.url, "PARLEY_HOME": str(parley_home)}
    child = subprocess.Popen(
        [sys.executable, "-m", "app.cli.models", "download", STARTER_REPO, STARTER_FILE],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        fake_hub.wait_until(lambda: fake_hub.bytes_sent >= 2_000_000, timeout=60)
        deadline = time.monotonic() + 60
        while not (part_file().exists() and part_file().stat().st_size > 1_000_000):  # written by the child
            assert time.monotonic() < deadline, "the child wrote nothing"
            time.sleep(0.02)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(60)
    assert child.returncode == -signal.SIGKILL
    kept = part_file().stat().st_size
    size = fake_hub.repos[STARTER_REPO].files[STARTER_FILE].size
    assert 0 < kept < size
    assert [p.done_bytes for p in partial_downloads()] == [kept]
    assert not (paths.models_dir() / STARTER_FILE).exists()

    fake_hub.faults.throttle_bps = None
    fake_hub.requests.clear()
    result = Download(STARTER, config=hub_env).run()

    assert fake_hub.ranges(STARTER_FILE) == [f"bytes={kept}-"]
    assert result.status == "installed"
    assert sha256(paths.models_dir() / STARTER_FILE) == fake_hub.repos[STARTER_REPO].files[STARTER_FILE].sha256
    assert partial_downloads() == []


def test_a_dropped_connection_resumes_from_the_byte_where_it_stopped(hub_env: HubConfig, fake_hub: FakeHub) -> None:
    fake_hub.faults.drop_at = 3_000_000
    result = Download(STARTER, config=hub_env, retry_wait_s=0.01).run()
    assert fake_hub.ranges(STARTER_FILE) == [None, "bytes=3000000-"]
    assert result.status == "installed"
    assert sha256(paths.models_dir() / STARTER_FILE) == fake_hub.repos[STARTER_REPO].files[STARTER_FILE].sha256


def test_when_the_network_stays_down_the_part_is_kept_for_later(hub_env: HubConfig, fake_hub: FakeHub) -> None:
    fake_hub.faults.drop_at = 1_000_000
    fake_hub.faults.offline_after_drop = True
    started = time.monotonic()
    with pytest.raises(DownloadInterruptedError) as caught:
        Download(STARTER, config=hub_env, retries=2, retry_wait_s=0.01).run()
    # Given up after its two quick retries; the ceiling is only "not the HTTP library's ~23 s of retrying".
    assert time.monotonic() - started < 20
    assert "resumes where it stopped" in caught.value.user_message()
    assert part_file().stat().st_size == 1_000_000
    assert not (paths.models_dir() / STARTER_FILE).exists()

    fake_hub.faults.offline = False
    fake_hub.requests.clear()
    assert Download(STARTER, config=hub_env).run().status == "installed"
    assert fake_hub.ranges(STARTER_FILE) == ["bytes=1000000-"]


def test_corrupt_bytes_are_rejected_and_deleted(hub_env: HubConfig, fake_hub: FakeHub) -> None:
    fake_hub.faults.corrupt = True
    with pytest.raises(ChecksumMismatchError) as caught:
        Download(STARTER, config=hub_env).run()
    assert "does not match the checksum" in caught.value.user_message()
    assert leftovers() == []
    assert [e.source for e in installed.installed_models()] == ["starter"]


def test_a_short_disk_is_refused_before_downloading(hub_env: HubConfig, fake_hub: FakeHub) -> None:
    download = Download(STARTER, config=hub_env, free_space=lambda path: 50_000_000)
    with pytest.raises(NotEnoughDiskSpaceError) as caught:
        download.run()
    message = caught.value.user_message()
    assert "50.0 MB is free" in message and "not enough free disk space" in message
    assert fake_hub.ranges(STARTER_FILE) == []
    assert leftovers() == []


def test_cancel_leaves_nothing_behind(hub_env: HubConfig, throttled: FakeHub) -> None:
    recorder = Recorder()
    download = Download(STARTER, config=hub_env, on_progress=recorder)
    running = InThread(download)
    assert recorder.started.wait(60)
    download.cancel()
    result = running.join()
    assert result.status == "cancelled"
    assert leftovers() == []
    assert partial_downloads() == []


def test_pause_then_resume(hub_env: HubConfig, throttled: FakeHub) -> None:
    recorder = Recorder()
    download = Download(STARTER, config=hub_env, on_progress=recorder)
    running = InThread(download)
    assert recorder.started.wait(60)
    download.pause()
    assert running.join().status == "paused"
    kept = part_file().stat().st_size
    assert kept > 0
    assert not (paths.models_dir() / STARTER_FILE).exists()
    [partial] = partial_downloads()
    assert (partial.repo, partial.file, partial.done_bytes) == (STARTER_REPO, STARTER_FILE, kept)
    middle = recorder.reports[-1]
    assert middle.speed_bps > 0 and middle.eta_s is not None and middle.eta_s > 0

    throttled.faults.throttle_bps = None
    throttled.requests.clear()
    assert download.run().status == "installed"
    assert throttled.ranges(STARTER_FILE) == [f"bytes={kept}-"]
    assert sha256(paths.models_dir() / STARTER_FILE) == throttled.repos[STARTER_REPO].files[STARTER_FILE].sha256


def test_a_server_that_ignores_range_gets_a_clean_restart(hub_env: HubConfig, throttled: FakeHub) -> None:
    recorder = Recorder()
    download = Download(STARTER, config=hub_env, on_progress=recorder)
    running = InThread(download)
    assert recorder.started.wait(60)
    download.pause()
    assert running.join().status == "paused"
    kept = part_file().stat().st_size
    throttled.faults.throttle_bps = None
    throttled.faults.ignore_range = True
    throttled.requests.clear()
    assert download.run().status == "installed"
    assert throttled.ranges(STARTER_FILE) == [f"bytes={kept}-"]  # asked to resume, was sent everything
    assert sha256(paths.models_dir() / STARTER_FILE) == throttled.repos[STARTER_REPO].files[STARTER_FILE].sha256


def test_one_model_downloads_once_at_a_time(hub_env: HubConfig, throttled: FakeHub) -> None:
    recorder = Recorder()
    first = Download(STARTER, config=hub_env, on_progress=recorder)
    running = InThread(first)
    assert recorder.started.wait(60)
    with pytest.raises(StorageError, match="another download"):
        Download(STARTER, config=hub_env).run()
    first.cancel()
    assert running.join().status == "cancelled"


def test_a_split_model_downloads_every_part_and_installs_as_one(hub_env: HubConfig, fake_hub: FakeHub) -> None:
    first = "tiny-BF16-00001-of-00002.gguf"
    result = Download(DownloadRequest(KQUANTS_REPO, (first,)), config=hub_env).run()
    assert result.status == "installed" and result.model_path == paths.models_dir() / first
    repo = fake_hub.repos[KQUANTS_REPO]
    for name in (first, "tiny-BF16-00002-of-00002.gguf"):
        assert sha256(paths.models_dir() / name) == repo.files[name].sha256
    [entry] = [e for e in installed.installed_models() if e.source == "downloaded"]
    assert entry.name == "tiny-BF16"
    assert len(entry.files) == 2
    assert entry.size_bytes == sum(repo.files[p.name].size for p in entry.files)
    assert entry.provenance is not None and len(entry.provenance.sha256) == 2
    assert read_gguf(entry.path).part_count == 2


def test_a_gated_repo_needs_a_token(hub_env: HubConfig, fake_hub: FakeHub) -> None:
    request = DownloadRequest(GATED_REPO, (GATED_FILE,))
    with pytest.raises(HubGatedRepoError, match="access token in Settings"):
        Download(request, config=hub_env).run()
    assert leftovers() == []
    with_token = HubConfig(hub_env.endpoint, VALID_TOKEN)
    assert Download(request, config=with_token).run().status == "installed"


def test_through_a_cdn_redirect_the_token_stays_with_the_hub(hub_env: HubConfig, fake_hub: FakeHub) -> None:
    fake_hub.redirect_to_cdn = True
    fake_hub.faults.drop_at = 10_000  # the resumed request goes to the CDN too
    config = HubConfig(hub_env.endpoint, VALID_TOKEN)
    assert Download(DownloadRequest(GATED_REPO, (GATED_FILE,)), config=config, retry_wait_s=0.01).run().status == (
        "installed"
    )
    heads = fake_hub.file_requests(GATED_FILE, "HEAD")  # asked again after the drop: CDN addresses expire
    cdn = [r for r in fake_hub.requests if r.path.startswith("/cdn/")]
    assert len(heads) == 2 and all(h.headers["authorization"] == f"Bearer {VALID_TOKEN}" for h in heads)
    assert [r.range for r in cdn] == [None, "bytes=10000-"]
    assert all("authorization" not in r.headers for r in cdn)
    assert sha256(paths.models_dir() / GATED_FILE) == fake_hub.repos[GATED_REPO].files[GATED_FILE].sha256


def test_a_small_file_kept_in_git_is_checked_against_its_git_hash(hub_env: HubConfig, fake_hub: FakeHub) -> None:
    good = ggufdata.tiny_model("In git")
    fake_hub.repos[KQUANTS_REPO].files["ingit-Q4_0.gguf"] = FakeFile.from_bytes(good, lfs=False)
    request = DownloadRequest(KQUANTS_REPO, ("ingit-Q4_0.gguf",))
    assert Download(request, config=hub_env).run().status == "installed"
    (paths.models_dir() / "ingit-Q4_0.gguf").unlink()
    (paths.models_dir() / "ingit-Q4_0.parley.json").unlink()
    fake_hub.faults.corrupt = True
    with pytest.raises(ChecksumMismatchError):
        Download(request, config=hub_env).run()


def test_offline_fails_fast(closed_port_endpoint: str) -> None:
    started = time.monotonic()
    with pytest.raises(HubUnreachableError, match="Installed models keep working"):
        Download(STARTER, config=HubConfig(closed_port_endpoint)).run()
    assert time.monotonic() - started < 20, "a refused connection is not retried for the HTTP library's ~23 s"
    assert leftovers() == []


@pytest.mark.parametrize(
    "name", ["../evil.gguf", "..\\evil.gguf", "C:evil.gguf", "/tmp/evil.gguf", "sub/../../evil.gguf", "evil.exe"]
)
def test_a_name_that_would_land_outside_the_models_folder_is_refused(
    hub_env: HubConfig, fake_hub: FakeHub, name: str
) -> None:
    with pytest.raises(UnsafeFileNameError, match="outside the models folder"):
        Download(DownloadRequest(STARTER_REPO, (name,)), config=hub_env).run()
    assert fake_hub.requests == []


def test_a_file_the_repo_does_not_have(hub_env: HubConfig) -> None:
    with pytest.raises(HubNotFoundError, match=r"nope\.gguf"):
        Download(DownloadRequest(STARTER_REPO, ("nope.gguf",)), config=hub_env).run()


def test_a_stopped_download_can_be_discarded(hub_env: HubConfig, throttled: FakeHub) -> None:
    first = "tiny-BF16-00001-of-00002.gguf"
    recorder = Recorder()
    download = Download(STARTER, config=hub_env, on_progress=recorder)
    running = InThread(download)
    assert recorder.started.wait(60)
    download.pause()
    assert running.join().status == "paused"
    assert partial_downloads() != []

    discard_partial(STARTER_FILE)
    discard_partial(first)  # nothing of it: nothing to do

    assert partial_downloads() == []
    assert leftovers() == []
