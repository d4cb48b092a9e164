"""Downloading a speech model from the Hub: the model downloads' own machinery, for a folder of files.

A Whisper model is a folder (model.bin, config.json, the tokenizer, the vocabulary) and a Piper voice two files
(the .onnx and its .json), where a GGUF model is one file; so the listing and the installing are this module's,
while the fetching is ``app.core.models.downloads.Download``'s: resumable ``.part`` files with ``Range``, retries,
progress, pause and cancel, and every file checked against the Hub's sha256 (git's hash for a small file)
before it counts. The rule: the folder ``<models>/speech/<id>`` appears only with every file of it verified.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from app.core.atomic import write_json_atomically
from app.core.errors import AppError, HubFileNotFoundError, StorageError
from app.core.models import hub
from app.core.models.downloads import (
    Download,
    DownloadRequest,
    DownloadResult,
    ProgressCallback,
    _Part,
    _StoppedError,
    disk_free_bytes,
)
from app.core.models.hub import HubConfig
from app.core.models.library import now_utc
from app.core.voice import catalog

log = logging.getLogger("app.downloads")
PROVENANCE_FILE = "parley-download.json"


class SpeechDownload(Download):
    """One speech model's files; ``run`` blocks (a worker thread), ``pause``/``cancel`` from any thread."""

    def __init__(
        self,
        model: catalog.SpeechModel,
        *,
        config: HubConfig | None = None,
        on_progress: ProgressCallback | None = None,
        free_space: Callable[[Path], int] = disk_free_bytes,
        retry_wait_s: float = 0.5,
    ) -> None:
        request = DownloadRequest(model.repo, model.files)
        super().__init__(
            request, config=config, on_progress=on_progress, free_space=free_space, retry_wait_s=retry_wait_s
        )
        self.model = model

    def run(self) -> DownloadResult:
        """Downloads, verifies and installs every file; how it ended. Raises ``AppError``."""
        with self._lock:
            self._stop.clear()
            self._stop_kind = None
        folder = catalog.speech_dir() / self.model.id
        if catalog.model_dir(self.model) == folder:
            return DownloadResult("already_installed", folder, None)
        commit, files = hub.list_repo_files(self.model.repo, config=self.config)
        by_name = {file.name: file for file in files}
        parts = []
        for name in self.model.files:
            if name not in by_name:
                raise HubFileNotFoundError(file=name, repo=self.model.repo)
            parts.append(_Part(by_name[name], f"speech-{self.model.id}-{PurePosixPath(name).name}"))
        first = self._resolve(parts[0], commit)
        with self._locked(parts):
            log.info("downloading the speech model %s from %s at %s", self.model.id, self.model.repo, commit)
            try:
                self._fetch_all(parts, commit, first, name=self.model.name)
            except _StoppedError:
                return self._stopped(parts)
            except AppError as err:
                log.warning("%s: %s", self.model.repo, err)
                raise
            self._install_folder(parts, folder, commit)
        log.info("installed the speech model %s in %s", self.model.id, folder)
        return DownloadResult("installed", folder, None)

    def _install_folder(self, parts: list[_Part], folder: Path, commit: str) -> None:
        staging = folder.with_name(folder.name + ".installing")
        try:
            staging.mkdir(parents=True, exist_ok=True)
            for part in parts:
                part.move_to(staging / PurePosixPath(part.hub_file.name).name)
            write_json_atomically(staging / PROVENANCE_FILE, {
                "repo": self.model.repo, "revision": commit, "files": list(self.model.files),
                "sha256": [part.hub_file.sha256 or part.hub_file.blob_id or "" for part in parts],
                "downloaded_at": now_utc(),
            })  # fmt: skip
            if folder.exists():  # a damaged earlier install (a file missing): replaced whole
                shutil.rmtree(folder)
            os.replace(staging, folder)
        except OSError as exc:
            raise StorageError(path=folder, reason=exc.strerror or str(exc)) from exc


def provenance(folder: Path) -> dict[str, object] | None:
    """Where a downloaded speech model came from (repo, commit, sha256), or None for a packaged one."""
    try:
        data = json.loads((folder / PROVENANCE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
