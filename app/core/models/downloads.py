"""Downloading a model from the Hub: resumable, verified, and atomic.

Bytes go to ``<downloads>/<name>.part`` beside a JSON sidecar, so a download resumes with a
``Range`` request after a pause, a dropped connection or a kill. The rule: a file reaches the models
folder (``os.replace``, with its provenance sidecar) only once its sha256 matches the Hub's; a
mismatch deletes it. ``Download.run()`` blocks (run it on a worker thread); ``pause``/``cancel`` work
from any thread between two network reads.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal, Protocol

from app.core import paths
from app.core.atomic import move_atomically
from app.core.errors import (
    AppError,
    ChecksumMismatchError,
    DownloadInterruptedError,
    HubError,
    HubFileNotFoundError,
    HubModelMovedError,
    HubUnreachableError,
    NotEnoughDiskSpaceError,
    StorageError,
)
from app.core.models import hub
from app.core.models import installed as catalog
from app.core.models.gguf import quantization_from_name, split_name, split_part_names
from app.core.models.hub import DEFAULT_ENDPOINT, HubConfig, HubFile, RemoteFile, TransferError
from app.core.models.installed import Provenance
from app.core.models.library import human_size, model_target, now_utc, safe_model_file_name

log = logging.getLogger("app.downloads")

try:
    import fcntl
except ImportError:  # Windows: no advisory lock; one download per file is then up to the caller
    fcntl = None  # type: ignore[assignment]

DownloadStatus = Literal["installed", "already_installed", "paused", "cancelled"]
DISK_MARGIN_BYTES = 32 * 1024 * 1024
PART_SUFFIX = ".part"
SIDECAR_SUFFIX = ".part.json"


def disk_free_bytes(path: Path) -> int:
    return shutil.disk_usage(path).free


@dataclass(frozen=True)
class DownloadRequest:
    repo: str
    files: tuple[str, ...]  # a file, or any part of a split model (every part is fetched)
    revision: str = "main"
    # A recommended model's quantization pattern (e.g. "Q4_K_M"): when the named file is gone from the
    # repo, its one file of that quantization is fetched instead; with none, the model was moved.
    quantization: str | None = None


@dataclass(frozen=True)
class DownloadProgress:
    file: str  # the part being fetched
    part: int  # 1-based
    part_count: int
    done_bytes: int  # every part together, including bytes from earlier sessions
    total_bytes: int
    speed_bps: float  # smoothed; 0 until measured
    eta_s: float | None
    verifying: bool = False


@dataclass(frozen=True)
class DownloadResult:
    status: DownloadStatus
    model_path: Path | None  # the installed model (its first part)
    provenance: Provenance | None


class ProgressCallback(Protocol):
    def __call__(self, progress: DownloadProgress) -> None: ...


class _StoppedError(Exception):
    pass


@dataclass
class _Part:
    hub_file: HubFile
    local_name: str

    @property
    def part_path(self) -> Path:
        return paths.downloads_dir() / (self.local_name + PART_SUFFIX)

    @property
    def sidecar_path(self) -> Path:
        return paths.downloads_dir() / (self.local_name + SIDECAR_SUFFIX)

    def move_to(self, destination: Path) -> None:
        """Puts the fetched file at ``destination`` and drops its sidecar; raises ``OSError``."""
        move_atomically(self.part_path, destination, prefix=".download-")
        self.sidecar_path.unlink(missing_ok=True)


class _Hasher:
    """sha256 for LFS files; git's ``blob <size>\\0`` sha1 for small files kept in git."""

    def __init__(self, hub_file: HubFile) -> None:
        self.expected = hub_file.sha256 or hub_file.blob_id
        self.digest = hashlib.sha256() if hub_file.sha256 else hashlib.sha1(f"blob {hub_file.size}\0".encode())

    def ok(self) -> bool:
        return self.expected is None or self.digest.hexdigest() == self.expected.lower()


class Download:
    def __init__(
        self,
        request: DownloadRequest,
        *,
        config: HubConfig | None = None,
        on_progress: ProgressCallback | None = None,
        free_space: Callable[[Path], int] = disk_free_bytes,
        retries: int = 3,
        retry_wait_s: float = 0.5,
        progress_interval_s: float = 0.1,
    ) -> None:
        self.request = request
        self.config = config or HubConfig.from_settings()
        self._on_progress = on_progress
        self._free_space = free_space
        self._retries = retries
        self._retry_wait_s = retry_wait_s
        self._interval = progress_interval_s
        self._stop = threading.Event()
        self._stop_kind: Literal["pause", "cancel"] | None = None
        self._lock = threading.Lock()
        self._speed = 0.0
        self._done_before = 0

    def pause(self) -> None:
        """Stops soon, keeping what arrived for the next ``run()``."""
        with self._lock:
            if self._stop_kind is None:
                self._stop_kind = "pause"
            self._stop.set()

    def cancel(self) -> None:
        """Stops soon and deletes what arrived; nothing of this download is left behind."""
        with self._lock:
            self._stop_kind = "cancel"
            self._stop.set()

    def _check_stop(self) -> None:
        if self._stop.is_set():
            raise _StoppedError

    def run(self) -> DownloadResult:
        """Downloads, verifies and installs the model; returns how it ended. Raises ``AppError``."""
        with self._lock:
            self._stop.clear()
            self._stop_kind = None
        for name in self.request.files:
            safe_model_file_name(name)  # refuse before any request
        listing = hub.list_gguf_files(self.request.repo, self.request.revision, config=self.config)
        parts = self._parts(listing)
        target = model_target(parts[0].hub_file.name)
        existing = catalog.read_provenance(target) if target.is_file() else None
        repairing = False
        if existing and existing.sha256 == tuple(p.hub_file.sha256 or "" for p in parts):
            damage = catalog.damage(target, existing)
            if not damage:
                return DownloadResult("already_installed", target, existing)
            log.warning("%s is installed but damaged (%s): downloading it again", target, damage)
            repairing = True
        # Asking for the first part now surfaces a gated repo or a missing file before anything is written.
        first = self._resolve(parts[0], listing.commit)
        with self._locked(parts):
            log.info("downloading %s from %s at %s", ", ".join(self.request.files), self.request.repo, listing.commit)
            try:
                if repairing:
                    for part in parts:
                        self._adopt_installed(part, listing.commit)
                result = self._run(listing.commit, parts, target, first)
            except _StoppedError:
                log.info("%s: %s", self.request.repo, "cancelled" if self._stop_kind == "cancel" else "paused")
                return self._stopped(parts)
            except AppError as err:
                log.warning("%s: %s", self.request.repo, err)
                self._discard([part for part in parts if _size(part.part_path) == 0])
                raise
            log.info("installed %s", target)
            return result

    def _parts(self, listing: hub.RepoFiles) -> list[_Part]:
        names = list(self.request.files)
        if len(names) == 1 and split_name(names[0]) is not None:
            names = split_part_names(names[0])
        for model in listing.models:
            if [part.name for part in model.parts] == names or (model.name == names[0] and len(names) == 1):
                return [_Part(part, model_target(part.name).name) for part in model.parts]
        if self.request.quantization is not None and names[0] not in listing.incomplete:
            return self._by_quantization(listing, self.request.quantization)
        missing = names[0] if names[0] not in listing.incomplete else f"every part of {names[0]}"
        raise HubFileNotFoundError(file=missing, repo=self.request.repo)

    def _by_quantization(self, listing: hub.RepoFiles, quantization: str) -> list[_Part]:
        """The repo's model of ``quantization`` (a catalog entry whose file was renamed), if exactly one."""
        matches = [model for model in listing.models if quantization_from_name(model.name) == quantization]
        if len(matches) != 1:
            log.info("%s: %s is gone and no one %s file took its place", self.request.repo, self.request.files[0],
                     quantization)  # fmt: skip
            raise HubModelMovedError()
        log.info("%s: %s is gone; its %s file now is %s", self.request.repo, self.request.files[0], quantization,
                 matches[0].name)
        return [_Part(part, model_target(part.name).name) for part in matches[0].parts]

    @contextlib.contextmanager
    def _locked(self, parts: list[_Part]) -> Iterator[None]:
        lock_path = paths.downloads_dir() / (parts[0].local_name + ".lock")
        with lock_path.open("a") as handle:
            if fcntl is not None:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError as exc:
                    raise StorageError(path=lock_path, reason="another download of this model is running") from exc
            try:
                yield
            finally:
                with contextlib.suppress(OSError):
                    lock_path.unlink()

    def _run(self, commit: str, parts: list[_Part], target: Path, first: RemoteFile) -> DownloadResult:
        self._fetch_all(parts, commit, first, name=parts[0].local_name)
        provenance = Provenance(
            repo=self.request.repo,
            revision=commit,
            files=tuple(part.hub_file.name for part in parts),
            sha256=tuple(part.hub_file.sha256 or "" for part in parts),
            downloaded_at=now_utc(),
            endpoint="" if self.config.endpoint == DEFAULT_ENDPOINT else self.config.endpoint,
            sizes=tuple(part.hub_file.size for part in parts),
        )
        self._install(parts, target, provenance)
        return DownloadResult("installed", target, provenance)

    def _fetch_all(self, parts: list[_Part], commit: str, first: RemoteFile, *, name: str) -> None:
        """Fetches and verifies every part (``first``: the first one's address) once the disk has room for them."""
        offsets = [self._resumable(part) for part in parts]
        total = sum(part.hub_file.size for part in parts)
        downloads = paths.downloads_dir()
        needed = total - sum(offsets) + DISK_MARGIN_BYTES
        free = self._free_space(downloads)
        if needed > free:
            raise NotEnoughDiskSpaceError(name=name, needed=human_size(needed), free=human_size(free), path=downloads)
        for part, offset in zip(parts, offsets, strict=True):
            self._prepare(part, offset, commit)
        done_parts = 0
        for index, (part, offset) in enumerate(zip(parts, offsets, strict=True), start=1):
            self._done_before = done_parts
            self._fetch(part, offset, commit, index, len(parts), total, first if index == 1 else None)
            done_parts += part.hub_file.size

    def _adopt_installed(self, part: _Part, commit: str) -> None:
        """Makes a cut-short installed file the partial download of ``part``, so only its end is fetched.

        Only for a model whose record names these very files (same sha256), and only when no partial
        download is waiting already; the sha256 check at the end still decides whether it is kept.
        """
        installed = model_target(part.hub_file.name)
        try:
            size = installed.stat().st_size
        except OSError:
            return
        if self._resumable(part) or size >= part.hub_file.size:
            return  # a longer file cannot be a beginning: it is fetched afresh and replaced
        try:
            os.replace(installed, part.part_path)
            part.sidecar_path.write_text(json.dumps({**self._wanted(part), "revision": commit}), encoding="utf-8")
        except OSError as exc:  # another file system, say: fetch it afresh instead
            log.info("could not reuse %s (%s): fetching it whole", installed, exc)

    def _wanted(self, part: _Part) -> dict[str, object]:
        return {
            "repo": self.request.repo,
            "file": part.hub_file.name,
            "size": part.hub_file.size,
            "sha256": part.hub_file.sha256,
        }

    def _resumable(self, part: _Part) -> int:
        """How much of ``part`` an earlier run left that can be trusted (0: start afresh)."""
        try:
            recorded = json.loads(part.sidecar_path.read_text(encoding="utf-8"))
            have = part.part_path.stat().st_size
        except (OSError, ValueError):
            return 0
        same = isinstance(recorded, dict) and all(recorded.get(k) == v for k, v in self._wanted(part).items())
        return have if same and have <= part.hub_file.size else 0

    def _prepare(self, part: _Part, offset: int, commit: str) -> None:
        if offset:
            return
        part.part_path.unlink(missing_ok=True)
        try:
            part.sidecar_path.write_text(json.dumps({**self._wanted(part), "revision": commit}), encoding="utf-8")
        except OSError as exc:
            raise StorageError(path=part.sidecar_path, reason=exc.strerror or str(exc)) from exc

    def _fetch(
        self, part: _Part, offset: int, commit: str, index: int, count: int, total: int, remote: RemoteFile | None
    ) -> None:
        size = part.hub_file.size
        hasher = self._hash_existing(part, offset)
        failures = 0
        last_sample = (time.monotonic(), offset)
        last_report = 0.0
        self._speed = 0.0
        with self._open_part(part) as out:
            while offset < size:
                self._check_stop()
                got_bytes = False
                try:
                    if remote is None or failures:
                        remote = self._resolve(part, commit)
                    with hub.open_stream(remote, offset, config=self.config) as stream:
                        if stream.start != offset:  # the server ignored the Range: start over
                            out.seek(0)
                            out.truncate()
                            offset, hasher = 0, _Hasher(part.hub_file)
                        for chunk in stream.chunks():
                            if offset + len(chunk) > size:
                                chunk = chunk[: size - offset]
                            _write_all(out, chunk)
                            hasher.digest.update(chunk)
                            offset += len(chunk)
                            got_bytes = True
                            now = time.monotonic()
                            if now - last_report >= self._interval or offset >= size:
                                last_sample = self._measure(last_sample, now, offset)
                                last_report = now
                                self._report(part, index, count, offset, total)
                            self._check_stop()
                            if offset >= size:
                                break
                    if offset < size:
                        raise TransferError("the server closed the connection early")
                except (TransferError, HubUnreachableError) as exc:
                    failures = 1 if got_bytes else failures + 1
                    if failures > self._retries:
                        reason = exc.fields.get("reason", str(exc)) if isinstance(exc, AppError) else str(exc)
                        raise DownloadInterruptedError(file=part.hub_file.name, reason=reason) from exc
                    if self._stop.wait(self._retry_wait_s * 2 ** (failures - 1)):
                        raise _StoppedError from exc
        self._report(part, index, count, offset, total, verifying=True)
        if not hasher.ok():
            part.part_path.unlink(missing_ok=True)
            part.sidecar_path.unlink(missing_ok=True)
            raise ChecksumMismatchError(file=part.hub_file.name)

    def _resolve(self, part: _Part, commit: str) -> RemoteFile:
        # Asked again on every attempt: a CDN address is signed and expires.
        remote = hub.resolve_file(self.request.repo, part.hub_file.name, commit, config=self.config)
        if remote.size != part.hub_file.size:
            raise HubError(reason=f"{part.hub_file.name} has a different size than the Hub's file list says")
        return remote

    @contextlib.contextmanager
    def _open_part(self, part: _Part) -> Iterator[IO[bytes]]:
        try:
            # Unbuffered: what was written is on disk (in the page cache) even if the app is killed.
            with part.part_path.open("ab", buffering=0) as out:
                yield out
        except OSError as exc:
            raise StorageError(path=part.part_path, reason=exc.strerror or str(exc)) from exc

    def _hash_existing(self, part: _Part, offset: int) -> _Hasher:
        hasher = _Hasher(part.hub_file)
        if offset:
            try:
                with part.part_path.open("rb") as handle:
                    left = offset
                    while left > 0:
                        self._check_stop()
                        block = handle.read(min(left, 4 * 1024 * 1024))
                        if not block:
                            break
                        hasher.digest.update(block)
                        left -= len(block)
            except OSError as exc:
                raise StorageError(path=part.part_path, reason=exc.strerror or str(exc)) from exc
        return hasher

    def _measure(self, last: tuple[float, int], now: float, offset: int) -> tuple[float, int]:
        then, was = last
        elapsed = now - then
        if elapsed <= 0:
            return last
        instant = (offset - was) / elapsed
        self._speed = instant if self._speed == 0 else 0.7 * self._speed + 0.3 * instant
        return now, offset

    def _report(self, part: _Part, index: int, count: int, offset: int, total: int, verifying: bool = False) -> None:
        if self._on_progress is None:
            return
        done = self._done_before + offset
        eta = (total - done) / self._speed if self._speed > 0 else None
        self._on_progress(DownloadProgress(part.hub_file.name, index, count, done, total, self._speed, eta, verifying))

    def _install(self, parts: list[_Part], target: Path, provenance: Provenance) -> None:
        catalog.write_provenance(target, provenance)
        try:
            # Later parts first: the model is listed once its first part is in place.
            for part in reversed(parts):
                part.move_to(model_target(part.hub_file.name))
        except OSError as exc:
            raise StorageError(path=target, reason=exc.strerror or str(exc)) from exc

    def _stopped(self, parts: list[_Part]) -> DownloadResult:
        """How a stopped run ends: a cancelled one leaves nothing behind, a paused one its parts to resume."""
        if self._stop_kind == "cancel":
            self._discard(parts)
            return DownloadResult("cancelled", None, None)
        return DownloadResult("paused", None, None)

    def _discard(self, parts: list[_Part]) -> None:
        for part in parts:
            part.part_path.unlink(missing_ok=True)
            part.sidecar_path.unlink(missing_ok=True)


def _write_all(out: IO[bytes], data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = out.write(view)
        view = view[written or 0 :]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


@dataclass(frozen=True)
class PartialDownload:
    repo: str
    file: str
    revision: str
    done_bytes: int
    total_bytes: int


def discard_partial(file: str) -> None:
    """Deletes what a stopped download of ``file`` left (every part of a split model); nothing if none.

    For a download that is not running: a running one is cancelled with ``Download.cancel()``.
    """
    for name in split_part_names(file):
        local = model_target(name).name
        try:
            (paths.downloads_dir() / (local + PART_SUFFIX)).unlink(missing_ok=True)
            (paths.downloads_dir() / (local + SIDECAR_SUFFIX)).unlink(missing_ok=True)
        except OSError as exc:
            raise StorageError(path=paths.downloads_dir() / local, reason=exc.strerror or str(exc)) from exc


def partial_downloads() -> list[PartialDownload]:
    """Downloads that stopped before the end (paused, interrupted, the app killed): resumable."""
    found = []
    for sidecar in sorted(paths.downloads_dir().glob("*" + SIDECAR_SUFFIX)):
        try:
            data: dict[str, Any] = json.loads(sidecar.read_text(encoding="utf-8"))
            part = sidecar.with_name(sidecar.name[: -len(SIDECAR_SUFFIX)] + PART_SUFFIX)
            done = part.stat().st_size if part.exists() else 0
            found.append(
                PartialDownload(
                    str(data["repo"]), str(data["file"]), str(data.get("revision", "")), done, int(data["size"])
                )
            )
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return found


@dataclass(frozen=True)
class NewerRevision:
    """An installed model whose file has changed on the Hub since it was downloaded."""

    model_path: Path
    repo: str
    file: str  # the first part, as installed
    installed_commit: str
    commit: str  # the repo's main branch now


def newer_revision(model_path: Path, *, config: HubConfig | None = None) -> NewerRevision | None:
    """Asks the Hub whether the same repo now publishes the same file with other bytes (a new sha256).

    None: not downloaded from the Hub, the file is gone from the repo, or it is unchanged. Nothing
    is fetched or replaced: an update is a download the user starts.
    """
    provenance = catalog.read_provenance(model_path)
    if provenance is None or not provenance.repo:
        return None
    listing = hub.list_gguf_files(provenance.repo, "main", config=config)
    for model in listing.models:
        if tuple(part.name for part in model.parts) == provenance.files:
            if tuple(part.sha256 or "" for part in model.parts) == provenance.sha256:
                return None
            return NewerRevision(model_path, provenance.repo, provenance.files[0], provenance.revision, listing.commit)
    return None
