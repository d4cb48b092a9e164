"""``parley models …`` as a user types it: output, one-line errors, exit codes, Ctrl+C."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from app.cli.models import run_models_command
from app.core import paths
from app.core.config import settings
from app.core.models import installed as catalog
from app.core.models.hub import HubConfig
from app.core.models.installed import STARTER_NAME
from tests import ggufdata
from tests.fakehub import (
    GATED_REPO,
    KQUANTS_REPO,
    NO_Q4KM_REPO,
    STARTER_FILE,
    STARTER_REPO,
    FakeHub,
    SilentEndpoint,
    sha256,
)

ROOT = Path(__file__).resolve().parents[2]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def run(*args: str, out: io.StringIO | None = None) -> tuple[int, str, str]:
    out = out if out is not None else io.StringIO()
    err = io.StringIO()
    code = run_models_command(list(args), out, err)
    return code, out.getvalue(), err.getvalue()


def test_list_shows_the_starter_model() -> None:
    code, out, _ = run("list")
    assert code == 0
    assert "SmolLM2 135M (starter, offline)" in out and "built in" in out


def test_search_lists_repos_with_downloads_and_likes(hub_env: HubConfig) -> None:
    code, out, _ = run("search", "tiny")
    assert code == 0
    assert f"{KQUANTS_REPO}  300 downloads  7 likes" in out
    code, out, _ = run("search", "nothing-like-this")
    assert code == 0 and "No GGUF models match" in out


def test_download_without_a_file_picks_q4_k_m_and_says_so(hub_env: HubConfig, fake_hub: FakeHub) -> None:
    code, out, err = run("download", KQUANTS_REPO)
    assert code == 0, err
    assert out.splitlines()[0] == "Downloading tiny-Q4_K_M.gguf, Q4_K_M, 20.8 KB"
    assert "verifying" in out  # the one progress line a non-terminal gets for so small a file
    assert f"Installed and verified: {paths.models_dir() / 'tiny-Q4_K_M.gguf'}" in out
    code, out, _ = run("list")
    commit = fake_hub.repos[KQUANTS_REPO].commit
    assert f"tiny-Q4_K_M  20.8 KB  from {KQUANTS_REPO} @ {commit[:7]}" in out


def test_download_without_q4_k_m_picks_the_smallest(hub_env: HubConfig) -> None:
    code, out, _ = run("download", NO_Q4KM_REPO)
    assert code == 0
    assert out.splitlines()[0].startswith("Downloading tiny-Q5_K_M.gguf (no Q4_K_M; the smallest file), Q5_K_M")


def test_progress_on_a_terminal_is_one_updating_line(hub_env: HubConfig) -> None:
    terminal = Terminal()
    code, out, _ = run("download", STARTER_REPO, STARTER_FILE, out=terminal)
    assert code == 0
    progress = out.split("\n")[0]
    assert progress.count("\r") >= 2
    assert "/ 98.4 MB" in progress and "%" in progress
    code, out, _ = run("download", STARTER_REPO, STARTER_FILE)
    assert code == 0 and "Already installed" in out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("download", GATED_REPO), "accept its licence on the Hugging Face Hub"),
        (("download", STARTER_REPO, "../../evil.gguf"), "outside the models folder"),
        (("download", "parley-test/no-such-repo"), "has no repository"),
        (("remove", "no-such-model"), "No model called"),
        (("import", "/no/such/file.gguf"), "does not exist"),
    ],
)
def test_errors_are_one_line_with_exit_status_2(hub_env: HubConfig, args: tuple[str, ...], needle: str) -> None:
    code, _, err = run(*args)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("parley: ") and needle in err


def test_usage_errors_exit_2() -> None:
    for args in ((), ("fly",), ("search",), ("import", "x.gguf", "--copy", "--in-place")):
        code, _, err = run(*args)
        assert code == 2 and err.startswith("parley models: "), args


def test_offline_is_one_clear_line(
    closed_port_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", closed_port_endpoint)
    code, _, err = run("search", "qwen")
    assert code == 2
    assert "can't be reached" in err and "Installed models keep working" in err


def test_import_in_place_then_remove_forgets_it(tmp_path: Path) -> None:
    model = tmp_path / "Mine-Q4_K_M.gguf"
    model.write_bytes(ggufdata.tiny_model())
    code, out, _ = run("import", str(model))
    assert code == 0 and "where it is" in out
    assert settings.load().imported_models == (str(model),)
    assert f"used from {model}" in run("list")[1]
    code, out, _ = run("remove", "Mine-Q4_K_M")
    assert code == 0 and "Forgot" in out
    assert settings.load().imported_models == ()
    assert model.exists()


def test_import_by_copy_then_remove_deletes_it(tmp_path: Path) -> None:
    model = tmp_path / "Copied.gguf"
    model.write_bytes(ggufdata.tiny_model())
    code, _, _ = run("import", str(model), "--copy")
    assert code == 0 and (paths.models_dir() / "Copied.gguf").exists()
    assert f"copied from {model}" in run("list")[1]
    code, out, _ = run("remove", "Copied")
    assert code == 0 and "Removed Copied" in out
    assert list(paths.models_dir().iterdir()) == []
    assert model.exists()


def test_importing_a_file_that_is_not_a_model_says_why(tmp_path: Path) -> None:
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"")
    code, _, err = run("import", str(bad), "--copy")
    assert code == 2 and "the file is empty" in err


def test_ctrl_c_pauses_and_the_same_command_resumes(hub_env: HubConfig, fake_hub: FakeHub, parley_home: Path) -> None:
    fake_hub.faults.throttle_bps = 1_000_000  # about 100 s for the file: Ctrl+C comes long before its end
    env = {**os.environ, "HF_ENDPOINT": fake_hub.url, "PARLEY_HOME": str(parley_home)}
    command = [sys.executable, "-m", "app.cli.models", "download", STARTER_REPO, STARTER_FILE]
    child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    part = paths.downloads_dir() / f"{STARTER_FILE}.part"
    try:
        fake_hub.wait_until(lambda: fake_hub.bytes_sent >= 1_000_000, timeout=60)
        deadline = time.monotonic() + 60
        while not (part.exists() and part.stat().st_size > 0):  # written by the child
            assert time.monotonic() < deadline
            time.sleep(0.02)
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=90)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 130, err
    assert "Paused. Run the same command again to resume." in err
    kept = part.stat().st_size
    assert "(paused)" in run("list")[1]

    fake_hub.faults.throttle_bps = None
    fake_hub.requests.clear()
    code, out, _ = run("download", STARTER_REPO, STARTER_FILE)
    assert code == 0 and "Installed and verified" in out
    assert fake_hub.ranges(STARTER_FILE) == [f"bytes={kept}-"]


# The child's Hub timeouts for the Ctrl+C tests: the connect timeout (half of this) is the shortest.
LONG_TIMEOUT_S = 400.0
LONG_HUB_TIMEOUT = {"PARLEY_HUB_TIMEOUT_S": str(LONG_TIMEOUT_S)}


def _interrupted_once_waiting(
    args: list[str], env: dict[str, str], wait_until_waiting: Callable[[], None]
) -> tuple[int, str, float]:
    """Runs ``parley models ARGS``, presses Ctrl+C once the Hub holds its request; status, stderr, time to end."""
    child = subprocess.Popen(
        [sys.executable, "-m", "app", "models", *args],
        cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        # Pressed while it waits for the first byte, however long starting Python took.
        wait_until_waiting()
        assert child.poll() is None, child.communicate()
        child.send_signal(signal.SIGINT)
        pressed = time.monotonic()
        _, err = child.communicate(timeout=90)
        return child.returncode, err, time.monotonic() - pressed
    finally:
        if child.poll() is None:
            child.kill()


@pytest.mark.parametrize("args", [["search", "qwen"], ["download", KQUANTS_REPO]], ids=["search", "listing"])
def test_ctrl_c_while_the_hub_is_silent_stops_at_once(
    parley_home: Path, silent_endpoint: SilentEndpoint, args: list[str]
) -> None:
    env = {**os.environ, "HF_ENDPOINT": silent_endpoint.url, "PARLEY_HOME": str(parley_home), **LONG_HUB_TIMEOUT}

    def connected() -> None:
        assert silent_endpoint.connected.wait(60), "the command never connected to the Hub"

    code, err, took = _interrupted_once_waiting(args, env, connected)
    assert code == 130, err
    assert err == "Stopped.\n" and "Traceback" not in err
    # Ended by the key, not by the connection giving up: the child's Hub timeouts are long (LONG_HUB_TIMEOUT),
    # so an answer before half the shortest of them is the key's doing, however loaded the machine.
    assert took < LONG_TIMEOUT_S / 2, f"Ctrl+C took {took:.1f} s: it waited for the connection's timeout"


def test_ctrl_c_while_a_download_waits_for_its_first_byte_stops_at_once(
    hub_env: HubConfig, fake_hub: FakeHub, parley_home: Path
) -> None:
    fake_hub.faults.stall = True
    env = {**os.environ, "HF_ENDPOINT": fake_hub.url, "PARLEY_HOME": str(parley_home), **LONG_HUB_TIMEOUT}

    def asked_for_the_file() -> None:  # the Hub read the request and holds it: the first byte never comes
        fake_hub.wait_until(lambda: bool(fake_hub.file_requests("tiny-Q4_K_M.gguf", "HEAD")), timeout=60)

    code, err, took = _interrupted_once_waiting(["download", KQUANTS_REPO, "tiny-Q4_K_M.gguf"], env, asked_for_the_file)
    assert code == 130, err
    assert err == "Stopped.\n" and "Traceback" not in err
    assert took < LONG_TIMEOUT_S / 2, f"Ctrl+C took {took:.1f} s: it waited for the connection's timeout"


def test_a_truncated_model_is_reported_by_verify_and_fetched_again(hub_env: HubConfig, fake_hub: FakeHub) -> None:
    name = "tiny-Q4_K_M.gguf"
    code, _, err = run("download", KQUANTS_REPO, name)
    assert code == 0, err
    installed = paths.models_dir() / name
    expected = fake_hub.repos[KQUANTS_REPO].files[name]
    assert run("verify") == (0, f"not checked  {STARTER_NAME}: nothing was recorded when it was installed\n"
                                 "OK  tiny-Q4_K_M\n", "")
    half = expected.size // 2
    with installed.open("r+b") as handle:
        handle.truncate(half)

    code, out, err = run("verify")
    assert code == 1
    assert f"DAMAGED  tiny-Q4_K_M: {name} has {half:,} bytes instead of {expected.size:,}." in out
    assert f"parley models download {KQUANTS_REPO} {name} --revision {fake_hub.repos[KQUANTS_REPO].commit}" in out
    assert err == "parley: damaged: 1 of 2\n"
    assert run("verify", "tiny-Q4_K_M")[0] == 1
    assert "(damaged: " in run("list")[1]

    fake_hub.requests.clear()
    code, out, err = run("download", KQUANTS_REPO, name)
    assert code == 0, err
    assert "Already installed" not in out
    assert out.startswith("The installed copy is damaged") and f"Installed and verified: {installed}" in out
    assert fake_hub.ranges(name) == [f"bytes={half}-"], "only the missing end was fetched"
    assert sha256(installed) == expected.sha256
    assert run("verify", "tiny-Q4_K_M") == (0, "OK  tiny-Q4_K_M\n", "")


def test_a_record_without_sizes_is_trusted_as_before_and_verify_checks_its_sha256(
    hub_env: HubConfig, fake_hub: FakeHub
) -> None:
    name = "tiny-Q4_K_M.gguf"
    assert run("download", KQUANTS_REPO, name)[0] == 0
    installed = paths.models_dir() / name
    sidecar = catalog.provenance_path(installed)
    record = json.loads(sidecar.read_text(encoding="utf-8"))
    del record["sizes"]  # as written before sizes were recorded
    sidecar.write_text(json.dumps(record), encoding="utf-8")
    with installed.open("r+b") as handle:
        handle.truncate(1000)

    code, out, _ = run("download", KQUANTS_REPO, name)
    assert code == 0 and "Already installed" in out
    code, out, _ = run("verify", "tiny-Q4_K_M")
    assert code == 1
    assert f"DAMAGED  tiny-Q4_K_M: {name} does not match the sha256 recorded when it was installed." in out
