"""``parley --self-test``: one line per check, exit 0 only when none failed, a missing model skipped, the user's data
untouched, and a bundle's unwanted contents named."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app import selftest
from app.core import paths

ROOT = Path(__file__).resolve().parents[1]
CHECKS = ("qt", "resources", "database", "language", "engine", "first-screen", "documents")
SOURCE_RESULTS = {**dict.fromkeys(CHECKS, "PASS"), "contents": "SKIP"}  # the source tree is no bundle


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
        if verdict in ("PASS", "FAIL", "SKIP"):
            found[name] = verdict
    return found


def test_every_check_passes_on_the_starter_and_the_users_folder_is_untouched(
    parley_home: Path, starter_model: Path
) -> None:
    result = self_test(parley_home)

    assert result.returncode == 0, result.stdout + result.stderr
    assert _lines(result.stdout) == SOURCE_RESULTS
    assert f"{starter_model.name} loaded" in result.stdout and "8 tokens generated" in result.stdout
    assert "source tree" in result.stdout
    assert list(parley_home.iterdir()) == []  # the database and the log went to a temporary folder


def test_a_model_that_cannot_load_fails_that_check_and_the_exit_code(parley_home: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\0" * 64)

    result = self_test(parley_home, "--model", str(broken))

    assert result.returncode == 1
    assert _lines(result.stdout) == {**SOURCE_RESULTS, "engine": "FAIL"}
    assert "FAIL engine: the model did not load" in result.stdout
    assert result.stdout.rstrip().endswith("failed: engine")


def test_a_missing_model_file_is_named(parley_home: Path, tmp_path: Path) -> None:
    result = self_test(parley_home, "--model", str(tmp_path / "nowhere.gguf"))
    assert result.returncode == 1
    assert f"FAIL engine: no model file at {tmp_path / 'nowhere.gguf'}" in result.stdout


def test_with_no_model_at_all_the_engine_check_is_skipped_and_the_run_passes(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selftest, "starter_path", lambda: None)  # a bundle built without the starter
    out = io.StringIO()

    assert selftest.run(None, out) == 0

    lines = out.getvalue().splitlines()
    assert "SKIP engine: no model to load: the starter is not installed (pass --model PATH to a .gguf)" in lines
    assert lines[-1] == f"self-test: {len(CHECKS) + 1} checks, skipped: engine, contents, the others passed"


def test_a_bundle_holding_dev_only_modules_or_gtk_is_named(tmp_path: Path) -> None:
    (tmp_path / "openai").mkdir()
    (tmp_path / "PySide6" / "Qt" / "plugins" / "platformthemes").mkdir(parents=True)
    (tmp_path / "PySide6" / "Qt" / "plugins" / "platformthemes" / "libqgtk3.so").write_bytes(b"")
    (tmp_path / "libgtk-3.so.0").write_bytes(b"")
    (tmp_path / "httpx").mkdir()  # a runtime dependency: wanted
    archive = {"app", "httpx", "_pytest.config", "llama_cpp", "llama_cpp.server.app", "fastapi"}

    found = selftest.unwanted_inside(tmp_path, archive)

    assert found == ["openai", "fastapi", "_pytest", "llama_cpp.server", "libgtk-3.so.0", "libqgtk3.so"]
    assert selftest.unwanted_inside(tmp_path / "httpx", {"app", "httpx", "llama_cpp"}) == []


def test_the_first_screen_check_passes_without_a_starter_because_it_offers_a_file(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.core.models import installed

    monkeypatch.setattr(installed, "starter_model_path", lambda: None)
    assert "it offers “Open a GGUF file…”" in selftest.check_first_screen()


def test_the_first_screen_check_fails_on_a_dead_end(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.core.models import installed
    from app.ui.models import welcome

    monkeypatch.setattr(installed, "starter_model_path", lambda: None)
    monkeypatch.setattr(welcome.WelcomePanel, "offers_open_file", lambda self: False)
    with pytest.raises(selftest.CheckError, match="neither explains why nor offers to open a file"):
        selftest.check_first_screen()


def test_the_documents_check_reads_back_a_docx_and_a_pdf(parley_home: Path) -> None:
    detail = selftest.check_documents()
    assert detail.startswith("a .docx (python-docx ") and ") and a .pdf (pypdf " in detail


def test_the_documents_check_fails_when_python_docx_lacks_its_template(
    parley_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import docx.api

    # A bundle that did not collect python-docx's data files: its default template is not there.
    monkeypatch.setattr(docx.api, "_default_docx_path", lambda: str(tmp_path / "templates" / "default.docx"))
    with pytest.raises(selftest.CheckError, match="python-docx has no default template"):
        selftest.check_documents()
