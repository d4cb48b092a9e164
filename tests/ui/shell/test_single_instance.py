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
from app.ui.shell import application, single_instance
from app.ui.shell.main_window import MainWindow
from app.ui.shell.single_instance import SingleInstance, server_name

LAUNCH_TIMEOUT_S = 120


def start(home: Path) -> subprocess.Popen[str]:
    """``python -m app`` as a user's second double-click would start it, on ``home``."""
    env = {**os.environ, paths.HOME_ENV: str(home), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.Popen(
        [sys.executable, "-m", "app"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=Path(__file__).resolve().parents[3],
    )


def launch(qtbot: QtBot, home: Path) -> subprocess.Popen[str]:
    """A second launch, run to its end while this process's event loop goes on (the first must answer it)."""
    process = start(home)
    try:
        qtbot.waitUntil(lambda: process.poll() is not None, timeout=LAUNCH_TIMEOUT_S * 1000)
    finally:
        if process.poll() is None:
            process.kill()
    return process


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
    with qtbot.waitSignal(first.raise_requested, timeout=60_000):
        second = launch(qtbot, parley_home)
        assert second.returncode == 0, second.communicate()[1]
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
            second = launch(qtbot, parley_home)
            seen["code"] = second.returncode
            qtbot.waitUntil(lambda: not window.isMinimized(), timeout=60_000)
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


# A first "instance" that holds the name but never answers: what a hung (or stopped) Parley looks like.
HUNG = """
import socket, sys, time
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(sys.argv[1])
server.listen(8)
print("ready", flush=True)
while True:
    time.sleep(1)
"""


@pytest.fixture
def hung(qapp: QtWidgets.QApplication) -> Iterator[subprocess.Popen[str]]:
    del qapp
    address = Path(QtCore.QDir.tempPath()) / server_name(paths.data_dir())
    address.unlink(missing_ok=True)
    process = subprocess.Popen([sys.executable, "-c", HUNG, str(address)], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    yield process
    if process.poll() is None:
        process.kill()
        process.wait(30)
    address.unlink(missing_ok=True)


def test_a_first_instance_that_does_not_answer_is_offered_to_be_ended_and_is(
    hung: subprocess.Popen[str]
) -> None:
    asked: list[bool] = []
    instance = SingleInstance(paths.data_dir())
    try:
        assert instance.claim(ask=lambda: asked.append(True) or True)
        assert asked == [True]
        assert hung.wait(60) is not None  # ended: SIGTERM
        assert instance.listening  # and this launch took its place
    finally:
        instance.close()


def test_cancel_leaves_the_first_instance_alone_and_this_launch_ends(hung: subprocess.Popen[str]) -> None:
    instance = SingleInstance(paths.data_dir())
    try:
        assert not instance.claim(ask=lambda: False)
        assert hung.poll() is None and not instance.listening
    finally:
        instance.close()


def test_the_not_responding_message_offers_end_and_cancel(qapp: QtWidgets.QApplication) -> None:
    del qapp
    box = single_instance.not_responding_box()
    try:
        names = [button.text() for button in box.buttons()]
        assert names == ["End it and open Parley", "Cancel"] or sorted(names) == ["Cancel", "End it and open Parley"]
        assert "not responding" in box.text()
    finally:
        box.deleteLater()
