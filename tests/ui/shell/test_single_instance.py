"""One window per data folder: a second launch brings the first window to the front and exits 0."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6 import QtCore, QtWidgets
from pytestqt.qtbot import QtBot

from app.core import paths
from app.ui.shell import application
from app.ui.shell.main_window import MainWindow
from app.ui.shell.single_instance import SingleInstance, server_name

LAUNCH_TIMEOUT_S = 120


def launch(home: Path) -> subprocess.CompletedProcess[str]:
    """``python -m app`` as a user's second double-click would start it, on ``home``."""
    env = {**os.environ, paths.HOME_ENV: str(home), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "app"], env=env, capture_output=True, text=True, timeout=LAUNCH_TIMEOUT_S,
        cwd=Path(__file__).resolve().parents[3],
    )


@pytest.fixture
def first(qapp: QtWidgets.QApplication) -> Iterator[SingleInstance]:
    del qapp
    instance = SingleInstance(paths.data_dir())
    assert instance.claim()
    yield instance
    instance.close()


def test_the_same_folder_spelled_twice_is_one_name_and_another_folder_is_another(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert server_name(tmp_path / "a") == server_name(tmp_path / "b" / ".." / "a")
    assert server_name(tmp_path / "a") != server_name(tmp_path / "b")


def test_a_second_launch_on_the_same_folder_hands_over_and_exits_0(
    qtbot: QtBot, first: SingleInstance, parley_home: Path
) -> None:
    with qtbot.waitSignal(first.raise_requested, timeout=10_000):
        second = launch(parley_home)
        assert second.returncode == 0, second.stderr
    # The second launch never opened the history: no window of its own, nothing written beside ours.
    assert not paths.database_path().exists()


def test_a_launch_with_another_parley_home_is_a_separate_instance(
    qtbot: QtBot, first: SingleInstance, tmp_path: Path
) -> None:
    raised: list[bool] = []
    first.raise_requested.connect(lambda: raised.append(True))
    other = SingleInstance(tmp_path / "another-home")
    try:
        assert other.claim()  # nobody listens on the other folder's name: this launch goes on
        assert other.listening
    finally:
        other.close()
    qtbot.wait(50)
    assert raised == []


def test_a_name_left_by_a_killed_parley_is_taken_over(qapp: QtWidgets.QApplication) -> None:
    del qapp
    instance = SingleInstance(paths.data_dir())
    stale = Path(QtCore.QDir.tempPath()) / instance.name
    leftover = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    leftover.bind(str(stale))  # what a killed Parley leaves: a socket file nobody listens on
    leftover.close()
    try:
        assert instance.claim()
        assert instance.listening
    finally:
        instance.close()
        stale.unlink(missing_ok=True)


@pytest.mark.usefixtures("app_name")
def test_two_launches_give_one_window_brought_to_the_front(
    qapp: QtWidgets.QApplication, qtbot: QtBot, parley_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(application, "show_startup_error", lambda error: pytest.fail(str(error)))
    seen: dict[str, object] = {}

    def look_and_close() -> None:
        window = next(w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
        try:
            window.showMinimized()
            second = launch(parley_home)
            seen["code"] = second.returncode
            qtbot.waitUntil(lambda: not window.isMinimized(), timeout=10_000)
            seen["windows"] = sum(isinstance(w, MainWindow) and w.isVisible() for w in qapp.topLevelWidgets())
        finally:
            window.close()

    QtCore.QTimer.singleShot(0, look_and_close)
    assert application.run_gui(["parley"]) == 0

    assert seen == {"code": 0, "windows": 1}


@pytest.fixture
def app_name(qapp: QtWidgets.QApplication) -> Iterator[None]:
    name = qapp.applicationName()
    yield
    qapp.setApplicationName(name)
