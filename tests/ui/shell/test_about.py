"""Help → About Parley: the version, the llama.cpp build, Qt, the data folder, and Copy puts it all on the clipboard."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6 import QtCore, QtGui, QtWidgets
from pytestqt.qtbot import QtBot

from app import __version__, version
from app.core import paths
from app.ui.shell.about import AboutDialog
from app.ui.shell.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[3]


def _about_from_the_menu(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> AboutDialog:
    shown: list[AboutDialog] = []

    def run_dialog(dialog: QtWidgets.QDialog) -> None:
        assert isinstance(dialog, AboutDialog)
        shown.append(dialog)

    monkeypatch.setattr(window.window_actions, "run_dialog", run_dialog)
    help_menu = next(m for m in window.menuBar().findChildren(QtWidgets.QMenu) if "Help" in m.title())
    about = next(a for a in help_menu.actions() if a.objectName() == "aboutAction")
    about.trigger()
    assert len(shown) == 1
    return shown[0]


def test_the_about_box_names_the_version_the_build_and_the_data_folder(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = _about_from_the_menu(window, monkeypatch)
    text = dialog.text()
    assert text.splitlines()[0] == version.version_line()
    assert version.full_version().startswith(__version__)
    assert str(paths.data_dir()) in text
    assert "llama-cpp-python " in text and "Qt " in text and "PySide6 " in text
    assert "build" in text  # the capability sentence: "CPU-only build…" or "CUDA build: …"


def test_copy_puts_the_whole_text_on_the_clipboard(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = _about_from_the_menu(window, monkeypatch)
    QtGui.QGuiApplication.clipboard().setText("something else")
    qtbot.mouseClick(dialog.copy_button, QtCore.Qt.MouseButton.LeftButton)
    copied = QtGui.QGuiApplication.clipboard().text()
    assert copied == dialog.text()
    assert str(paths.data_dir()) in copied and version.full_version() in copied


def test_version_prints_the_about_box_line() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-m", "app", "--version"], capture_output=True, text=True, timeout=120, cwd=ROOT, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == version.version_line()


def _git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, check=True).stdout.strip()


def test_a_git_checkout_gives_the_commit_and_says_when_it_has_changes(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q")
    (tmp_path / "file.txt").write_text("one\n")
    _git(tmp_path, "add", "file.txt")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "one")
    commit = _git(tmp_path, "rev-parse", "--short=9", "HEAD")
    assert version.compute(tmp_path) == f"{__version__}+g{commit}"
    (tmp_path / "file.txt").write_text("two\n")
    assert version.compute(tmp_path) == f"{__version__}+g{commit}.dirty"


def test_a_folder_without_git_gives_the_base_version(tmp_path: Path) -> None:
    assert version.compute(tmp_path) == __version__


def test_a_build_file_is_what_a_bundle_reports(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    package = tmp_path / "fakebuild"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "_build_version.py").write_text('VERSION = "0.2.0+gabcdef123"\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(version, "BUILD_MODULE", "fakebuild._build_version")
    version.full_version.cache_clear()
    try:
        assert version.full_version() == "0.2.0+gabcdef123"
    finally:
        version.full_version.cache_clear()
