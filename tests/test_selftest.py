"""``parley --self-test``: one line per check, exit 0 only when every check passed, the user's data untouched."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from app.core import paths

ROOT = Path(__file__).resolve().parents[1]
CHECKS = ("qt", "resources", "database", "engine")


def self_test(home: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, paths.HOME_ENV: str(home)}
    env.pop("QT_QPA_PLATFORM", None)  # the self-test picks offscreen itself: it runs with no screen
    return subprocess.run(
        [sys.executable, "-m", "app", "--self-test", *extra],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )


def _lines(output: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in output.splitlines():
        verdict, _, rest = line.partition(" ")
        name, _, _detail = rest.partition(":")
        if verdict in ("PASS", "FAIL"):
            found[name] = verdict
    return found


def test_every_check_passes_on_the_starter_and_the_users_folder_is_untouched(
    parley_home: Path, starter_model: Path
) -> None:
    result = self_test(parley_home)

    assert result.returncode == 0, result.stdout + result.stderr
    assert _lines(result.stdout) == dict.fromkeys(CHECKS, "PASS")
    assert f"{starter_model.name} loaded" in result.stdout and "8 tokens generated" in result.stdout
    assert "source tree" in result.stdout
    assert list(parley_home.iterdir()) == []  # the database and the log went to a temporary folder


def test_a_model_that_cannot_load_fails_that_check_and_the_exit_code(parley_home: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\0" * 64)

    result = self_test(parley_home, "--model", str(broken))

    assert result.returncode == 1
    assert _lines(result.stdout) == {"qt": "PASS", "resources": "PASS", "database": "PASS", "engine": "FAIL"}
    assert "FAIL engine: the model did not load" in result.stdout
    assert result.stdout.rstrip().endswith("failed: engine")


def test_a_missing_model_file_is_named(parley_home: Path, tmp_path: Path) -> None:
    result = self_test(parley_home, "--model", str(tmp_path / "nowhere.gguf"))
    assert result.returncode == 1
    assert f"FAIL engine: no model file at {tmp_path / 'nowhere.gguf'}" in result.stdout
