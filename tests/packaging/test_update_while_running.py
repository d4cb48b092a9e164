"""The real bundle (dist/Parley) updated while it runs: a Parley started from an install_desktop.sh install
answers its next message after another build is installed over it, and the next launch runs that build.

The running instance is driven through its local API server (Settings → Local API server, on a free
port): a chat completion goes through the running process's session and engine, as a message typed in
the window does, and its first one after the update makes the process read its own executable again
(the frozen modules it had not imported yet) and start the engine process. The other build is the
same bundle with its executable's ``.comment`` section lengthened (objcopy, which PyInstaller needs on
Linux too): a different file whose archive lies at other offsets, so an update that rewrote the running
version's files would make that first message fail as users saw it ("zlib.error: Error -3 … incorrect
header check") instead of being answered.

Skipped where there is no bundle (a plain pytest run); ``make test`` builds it before pytest.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.config.settings import Settings, save

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "dist" / "Parley"
SCRIPT = ROOT / "packaging" / "install_desktop.sh"
START_CEILING_S = 180.0  # a loaded 2-core machine: start, the history's migrations, the API listening
ANSWER_CEILING_S = 300.0  # the engine process starting and loading the model, then 8 tokens

pytestmark = [
    pytest.mark.skipif(
        not (BUNDLE / "parley").is_file(), reason="no dist/Parley: `make package` (or `make test`) builds it"
    ),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="install_desktop.sh is the Linux install"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def install(env: dict[str, str], bundle: Path) -> Path:
    """Runs the real install script on ``bundle``; the version folder ``current`` points at afterwards."""
    done = subprocess.run(["bash", str(SCRIPT), str(bundle)], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return (Path(env["PARLEY_LIB_DIR"]) / "current").resolve()


def another_build(tmp_path: Path) -> Path:
    """A copy of the bundle whose executable differs from the original and holds its archive elsewhere."""
    objcopy = shutil.which("objcopy")
    if objcopy is None:
        pytest.skip("objcopy (binutils) is needed to make the second build")
    folder = tmp_path / "next" / "Parley"
    shutil.copytree(BUNDLE, folder, symlinks=True)
    comment = tmp_path / "comment"
    executable = folder / "parley"
    subprocess.run([objcopy, f"--dump-section=.comment={comment}", str(executable)], check=True, timeout=60)
    comment.write_bytes(comment.read_bytes() + b"Parley: the build an update installs\0")
    rebuilt = tmp_path / "parley-next"
    subprocess.run(
        [objcopy, f"--update-section=.comment={comment}", str(executable), str(rebuilt)], check=True, timeout=60
    )
    shutil.copymode(executable, rebuilt)
    rebuilt.replace(executable)
    assert executable.read_bytes() != (BUNDLE / "parley").read_bytes()
    return folder


def request(url: str, body: dict[str, object] | None = None, timeout: float = 10.0) -> dict[str, object]:
    data = None if body is None else json.dumps(body).encode()
    call = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(call, timeout=timeout) as response:
        answer: dict[str, object] = json.loads(response.read())
    return answer


def served_model(base: str, running: subprocess.Popen[bytes], log: Path) -> str:
    """Waits until the running instance's API lists a model; that model's id."""
    deadline = time.monotonic() + START_CEILING_S
    while time.monotonic() < deadline:
        assert running.poll() is None, f"Parley exited with {running.returncode}:\n{log.read_text()}"
        with contextlib.suppress(OSError, ValueError):
            listed = request(f"{base}/models")["data"]
            if isinstance(listed, list) and listed:
                return str(listed[0]["id"])
        time.sleep(0.5)
    raise AssertionError(f"the API did not answer within {START_CEILING_S} s:\n{log.read_text()}")


def answer(base: str, model: str) -> str:
    body = {"model": model, "messages": [{"role": "user", "content": "Say hello."}], "max_tokens": 8}
    try:
        reply = request(f"{base}/chat/completions", body, timeout=ANSWER_CEILING_S)
    except urllib.error.HTTPError as err:
        raise AssertionError(f"the message was not answered: {err.code} {err.read().decode(errors='replace')}") from err
    choices = reply["choices"]
    assert isinstance(choices, list)
    return str(choices[0]["message"]["content"])


def children(pid: int) -> list[int]:
    """The processes ``pid`` started, from any of its threads."""
    return [
        int(child) for task in Path(f"/proc/{pid}/task").iterdir() for child in (task / "children").read_text().split()
    ]


def executable_of(pid: int) -> Path:
    return Path(os.readlink(f"/proc/{pid}/exe"))


@contextlib.contextmanager
def started(command: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Parley started as the menu entry starts it; ended with SIGTERM (as a logout does) on the way out."""
    with log.open("wb") as out:
        running = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield running
        running.send_signal(signal.SIGTERM)
        assert running.wait(timeout=120) == 128 + signal.SIGTERM, log.read_text()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(running.pid, signal.SIGKILL)
        running.wait()


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Path]:
    """``tmp_path``, with the bundle's three copies (about 0.7 GB) removed afterwards; the logs stay."""
    yield tmp_path
    for copy in (tmp_path / "next", tmp_path / "user" / "lib"):
        shutil.rmtree(copy, ignore_errors=True)


def test_a_running_parley_answers_after_an_update_and_the_next_launch_runs_the_new_build(
    scratch: Path, starter_model: Path
) -> None:
    tmp_path = scratch
    home = tmp_path / "home"
    (home / "models").mkdir(parents=True)
    (home / "models" / starter_model.name).symlink_to(starter_model)
    port = free_port()
    save(Settings(api_enabled=True, api_port=port), home / "settings.json")
    base = f"http://127.0.0.1:{port}/v1"
    env = {
        **os.environ,
        "HOME": str(tmp_path / "user"),
        "XDG_DATA_HOME": str(tmp_path / "user" / "share"),
        "PARLEY_LIB_DIR": str(tmp_path / "user" / "lib" / "parley"),
        "PARLEY_HOME": str(home),
        "QT_QPA_PLATFORM": "offscreen",
    }
    first = install(env, BUNDLE)
    entry = (Path(env["XDG_DATA_HOME"]) / "applications" / "parley.desktop").read_text()
    command = shlex.split(next(line for line in entry.splitlines() if line.startswith("Exec="))[len("Exec=") :])

    with started(command, env, tmp_path / "first.log") as running:
        model = served_model(base, running, tmp_path / "first.log")
        assert executable_of(running.pid).parent == first

        second = install(env, another_build(tmp_path))
        assert second != first and second.parent == first.parent

        assert answer(base, model).strip()
        assert running.poll() is None
        # The engine process it started after the update is its own build's, not the new one's.
        assert {executable_of(child).parent for child in children(running.pid)} == {first}
        assert first.is_dir()
    assert not list((home / "logs").glob("crash-*")), "the running instance wrote a crash report"

    with started(command, env, tmp_path / "second.log") as relaunched:
        model = served_model(base, relaunched, tmp_path / "second.log")
        assert executable_of(relaunched.pid) == second / "parley"
        assert answer(base, model).strip()
    assert not list((home / "logs").glob("crash-*"))
