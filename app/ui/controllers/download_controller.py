"""The window's downloads: each ``app.core.models.downloads.Download`` a ``BackgroundOp``, told as Qt signals.

The manager owns the jobs (one per model; a split model is one job) and is used on the GUI thread.
Each run of a download is an op on the executor's long lane (``long_running``); its progress and
its end arrive on the GUI thread, where the public signals are emitted, so listeners may touch
widgets. The network is never waited on here: pause and cancel only set a flag the download checks
between reads, or take back a run still queued behind other downloads.

Downloads that stopped before the end in an earlier session (paused, interrupted, the app killed)
are found on disk when the manager starts and listed as paused, ready to resume from where they stopped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from PySide6 import QtCore

from app.core.config.settings import Settings
from app.core.errors import AppError
from app.core.models import downloads as core_downloads
from app.core.models.downloads import Download, DownloadProgress, DownloadRequest, DownloadResult, PartialDownload
from app.core.models.gguf import split_name, split_part_names
from app.core.models.hub import HubConfig
from app.ui.common.background import BackgroundExecutor, BackgroundOp

log = logging.getLogger("app.ui.downloads")

JobState = Literal["running", "pausing", "paused", "cancelling", "interrupted"]
# How long closing the window waits for running downloads to take note of the pause.
SHUTDOWN_WAIT_S = 2.0


def job_key(repo: str, file: str) -> str:
    """One key per model: a split model's parts all share the key of its first part."""
    return f"{repo}::{split_part_names(file)[0]}"


def model_label(file: str) -> str:
    """A name for a model being downloaded: the file's stem, or a split model's common stem."""
    split = split_name(file)
    return split.stem if split is not None else Path(file).stem


@dataclass
class DownloadJob:
    """One model being downloaded. GUI thread only."""

    key: str
    repo: str
    file: str  # the first part of a split model
    revision: str
    label: str
    state: JobState
    done_bytes: int = 0
    total_bytes: int = 0
    speed_bps: float = 0.0
    eta_s: float | None = None
    verifying: bool = False
    open_when_done: bool = False  # the window opens a chat with the model once it is installed
    endpoint: str = ""  # the Hub (or mirror) the download comes from, as of its last start
    download: Download | None = field(default=None, repr=False)
    run: BackgroundOp[DownloadResult] | None = field(default=None, repr=False)  # the download's current run

    @property
    def is_active(self) -> bool:
        """A run of its download is queued or running (maybe stopping)."""
        return self.state in ("running", "pausing", "cancelling")


class DownloadController(QtCore.QObject):
    """Starts, pauses, resumes and cancels downloads; its signals arrive on the GUI thread."""

    download_added = QtCore.Signal(str)  # a job appeared (started, or found unfinished on disk)
    download_started = QtCore.Signal(str)  # a job's download runs (first start or resume)
    download_progressed = QtCore.Signal(str, object)  # key, DownloadProgress
    download_paused = QtCore.Signal(str)  # stopped; what arrived is kept
    download_failed = QtCore.Signal(str, object)  # key, AppError
    download_finished = QtCore.Signal(str, object)  # key, DownloadResult (installed or already installed)
    download_cancelled = QtCore.Signal(str)  # stopped, and nothing of it is left
    download_removed = QtCore.Signal(str)  # the job is gone from the list
    download_updated = QtCore.Signal(str)  # any of the above happened to this job: views redraw it

    def __init__(
        self, settings: Callable[[], Settings], executor: BackgroundExecutor, parent: QtCore.QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self._executor = executor
        for news in (
            self.download_added,
            self.download_started,
            self.download_paused,
            self.download_cancelled,
            self.download_removed,
        ):
            news.connect(self.download_updated)
        for news_with_detail in (self.download_progressed, self.download_failed, self.download_finished):
            news_with_detail.connect(lambda key, _detail: self.download_updated.emit(key))
        # A seam: tests pretend the disk is full.
        self.free_space: Callable[[Path], int] = core_downloads.disk_free_bytes
        self._jobs: dict[str, DownloadJob] = {}
        self._closed = False
        self._restore()

    # -- queries --------------------------------------------------------------------------------

    def hub_config(self) -> HubConfig:
        return HubConfig.from_settings(self.settings())

    def jobs(self) -> list[DownloadJob]:
        return list(self._jobs.values())

    def job(self, key: str) -> DownloadJob | None:
        return self._jobs.get(key)

    # -- requests -------------------------------------------------------------------------------

    def start(
        self, repo: str, file: str, *, revision: str = "main", label: str | None = None, open_when_done: bool = False
    ) -> str:
        """Downloads ``file`` (any part of a split model) from ``repo``; resumes it if it was stopped."""
        key = job_key(repo, file)
        job = self._jobs.get(key)
        if job is None:
            first = split_part_names(file)[0]
            job = DownloadJob(key, repo, first, revision, label or model_label(first), "paused")
            self._jobs[key] = job
            self.download_added.emit(key)
        job.open_when_done = job.open_when_done or open_when_done
        if label:
            job.label = label
        self.resume(key)
        return key

    def resume(self, key: str) -> None:
        job = self._jobs.get(key)
        if job is None or job.is_active or self._closed:
            return
        job.state = "running"
        job.speed_bps, job.eta_s, job.verifying = 0.0, None, False
        config = self.hub_config()
        job.endpoint = config.endpoint
        # The run is built first: the download reports its progress through it.
        run: BackgroundOp[DownloadResult] = BackgroundOp(run=lambda: download.run())
        download = Download(
            DownloadRequest(job.repo, (job.file,), job.revision),
            config=config,
            on_progress=run.report,
            free_space=self.free_space,
        )
        job.download, job.run = download, run
        run.long_running().with_progress(lambda progress: self._progressed(job, run, progress))
        run.on_success(lambda result: self._run_ended(job, run, result, None))
        run.on_failure(lambda error: self._run_ended(job, run, None, error))
        run.on_end(lambda: self._run_ended_by_bug(job, run))
        run.start(self._executor)
        self.download_started.emit(key)

    def pause(self, key: str) -> None:
        """Stops the download soon; ``download_paused`` follows once it has."""
        job = self._jobs.get(key)
        if job is not None and job.state == "running" and job.download is not None:
            job.state = "pausing"
            job.download.pause()
            self._take_back_queued(job)

    def cancel(self, key: str) -> None:
        """Stops the download and deletes what arrived; ``download_cancelled`` follows."""
        job = self._jobs.get(key)
        if job is None or job.state == "cancelling":
            return
        if job.is_active and job.download is not None:
            job.state = "cancelling"
            job.download.cancel()
            self._take_back_queued(job)
            return
        try:
            core_downloads.discard_partial(job.file)
        except AppError as err:
            self.download_failed.emit(key, err)
            return
        self._remove(job, cancelled=True)

    def shutdown(self) -> None:
        """Pauses every running download (each resumes next time) and emits nothing more. Safe twice."""
        if self._closed:
            return
        self._closed = True
        running = [job for job in self._jobs.values() if job.is_active and job.download is not None]
        for job in running:
            assert job.download is not None
            job.download.pause()
            if job.run is not None:
                job.run.cancel()  # nothing more is told; a run still queued never starts
        # The pause takes effect between two reads; waiting a moment lets the runs close their files.
        deadline = time.monotonic() + SHUTDOWN_WAIT_S
        for job in running:
            if job.run is not None:
                job.run.wait(max(0.0, deadline - time.monotonic()))

    # -- the runs' news, on the GUI thread ------------------------------------------------------

    def _take_back_queued(self, job: DownloadJob) -> None:
        """A run still queued behind other downloads never starts: it ends here, as paused."""
        run = job.run
        if run is not None and run.take_back():
            self._run_ended(job, run, DownloadResult("paused", None, None), None)

    def _current(self, job: DownloadJob, run: BackgroundOp[DownloadResult]) -> bool:
        return not self._closed and self._jobs.get(job.key) is job and job.run is run

    def _progressed(self, job: DownloadJob, run: BackgroundOp[DownloadResult], progress: DownloadProgress) -> None:
        if not self._current(job, run):
            return
        job.done_bytes, job.total_bytes = progress.done_bytes, progress.total_bytes
        job.speed_bps, job.eta_s, job.verifying = progress.speed_bps, progress.eta_s, progress.verifying
        self.download_progressed.emit(job.key, progress)

    def _run_ended(
        self, job: DownloadJob, run: BackgroundOp[DownloadResult], result: DownloadResult | None, error: AppError | None
    ) -> None:
        if not self._current(job, run):
            return
        job.download, job.run = None, None
        if error is not None:
            self._ended_with_error(job, error)
        elif result is not None:
            self._ended(job, result)

    def _run_ended_by_bug(self, job: DownloadJob, run: BackgroundOp[DownloadResult]) -> None:
        """After every outcome: a run still current here raised a bug (the crash path has it); the job goes."""
        if self._current(job, run):
            job.download, job.run = None, None
            self._remove(job)

    def _ended(self, job: DownloadJob, result: DownloadResult) -> None:
        if result.status in ("installed", "already_installed"):
            job.done_bytes, job.verifying = job.total_bytes, False
            self.download_finished.emit(job.key, result)
            self._remove(job)
        elif result.status == "cancelled":
            self._remove(job, cancelled=True)
        elif job.state == "cancelling":  # it had paused before the cancel was seen
            job.state = "paused"
            self.cancel(job.key)
        else:
            job.state = "paused"
            job.speed_bps, job.eta_s = 0.0, None
            self.download_paused.emit(job.key)

    def _ended_with_error(self, job: DownloadJob, error: AppError) -> None:
        was_cancelling = job.state == "cancelling"
        kept = self._partial_bytes(job)
        if kept is None:
            self.download_failed.emit(job.key, error)
            self._remove(job)
            return
        # Interrupted with bytes kept on disk: the job stays, ready to resume.
        job.state = "interrupted"
        job.done_bytes = kept
        job.speed_bps, job.eta_s, job.verifying = 0.0, None, False
        self.download_failed.emit(job.key, error)
        if was_cancelling:
            self.cancel(job.key)

    def _remove(self, job: DownloadJob, *, cancelled: bool = False) -> None:
        self._jobs.pop(job.key, None)
        if cancelled:
            self.download_cancelled.emit(job.key)
        self.download_removed.emit(job.key)

    # -- unfinished downloads on disk -----------------------------------------------------------

    def _partial_bytes(self, job: DownloadJob) -> int | None:
        """The bytes of ``job`` kept on disk, or None when nothing of it is there."""
        parts = set(split_part_names(job.file))
        found = [p for p in core_downloads.partial_downloads() if p.repo == job.repo and p.file in parts]
        done = sum(p.done_bytes for p in found)
        return done if done > 0 else None

    def _restore(self) -> None:
        grouped: dict[str, list[PartialDownload]] = {}
        for partial in core_downloads.partial_downloads():
            grouped.setdefault(job_key(partial.repo, partial.file), []).append(partial)
        for key, parts in grouped.items():
            if sum(p.done_bytes for p in parts) == 0:
                continue  # nothing arrived: nothing worth resuming
            first = split_part_names(parts[0].file)[0]
            revision = parts[0].revision or "main"
            job = DownloadJob(key, parts[0].repo, first, revision, model_label(first), "paused")
            job.done_bytes = sum(p.done_bytes for p in parts)
            job.total_bytes = sum(p.total_bytes for p in parts)
            self._jobs[key] = job
            log.info("unfinished download found: %s (%d of %d bytes)", key, job.done_bytes, job.total_bytes)
