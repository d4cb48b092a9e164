"""A speech model downloads like any other model: progress, a resume from the byte where it stopped, sha256."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import ChecksumMismatchError
from app.core.models.hub import HubConfig
from app.core.voice import catalog
from app.core.voice.downloads import SpeechDownload, provenance
from app.core.voice.synthesis import PiperSynthesizer
from tests.core.voice.speech_models import installed_model
from tests.fakehub import FakeFile, FakeHub, sha256

REPO = "parley-test/piper-voices"
ONNX = "en/en_US/joe/medium/en_US-joe-medium.onnx"
CONFIG = ONNX + ".json"
# The packaged voice's own files, offered by the Hub-shaped server under the catalog's layout.
VOICE = catalog.SpeechModel("en_US-joe-medium", "piper", "Joe (US English)", "en", REPO, (ONNX, CONFIG), 63_000_000)


@pytest.fixture
def voice_repo(fake_hub: FakeHub) -> FakeHub:
    packaged = catalog.model_dir(installed_model("en_US-joe-medium"))
    assert packaged is not None
    files = {}
    for name in (ONNX, CONFIG):
        path = packaged / Path(name).name
        files[name] = FakeFile(path.stat().st_size, sha256(path), lfs=name == ONNX, path=path)
    fake_hub.add_repo(REPO, files)
    return fake_hub


def test_a_voice_is_downloaded_resumed_after_a_dropped_connection_verified_and_speaks(
    hub_env: HubConfig, voice_repo: FakeHub
) -> None:
    voice_repo.faults.drop_at = 10_000_000
    voice_repo.faults.only_file = ONNX
    reports = []
    result = SpeechDownload(VOICE, config=hub_env, on_progress=reports.append, retry_wait_s=0.01).run()

    folder = catalog.speech_dir() / VOICE.id
    assert (result.status, result.model_path) == ("installed", folder)
    assert voice_repo.ranges(ONNX) == [None, "bytes=10000000-"]
    assert sha256(folder / "en_US-joe-medium.onnx") == voice_repo.repos[REPO].files[ONNX].sha256
    assert catalog.model_dir(VOICE) == folder
    recorded = provenance(folder)
    assert recorded is not None and recorded["repo"] == REPO and recorded["revision"] == voice_repo.repos[REPO].commit
    total = sum(f.size for f in voice_repo.repos[REPO].files.values())
    assert reports[-1].done_bytes == total and reports[-1].verifying
    assert PiperSynthesizer(VOICE).synthesize("Downloaded.").duration_s > 0.3
    assert SpeechDownload(VOICE, config=hub_env).run().status == "already_installed"


def test_wrong_bytes_are_refused_and_nothing_is_installed(hub_env: HubConfig, voice_repo: FakeHub) -> None:
    voice_repo.faults.corrupt = True
    voice_repo.faults.only_file = ONNX
    with pytest.raises(ChecksumMismatchError):
        SpeechDownload(VOICE, config=hub_env).run()
    assert not (catalog.speech_dir() / VOICE.id).exists()
