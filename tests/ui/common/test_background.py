"""Blocking calls off the GUI thread: outcomes come back on the GUI thread; a bug is not swallowed."""

from __future__ import annotations

import threading

from PySide6 import QtCore, QtWidgets
from pytestqt.qtbot import QtBot

from app.core.errors import AppError, HubUnreachableError
from app.ui.common.background import BackgroundRunner


def test_results_and_expected_errors_arrive_on_the_gui_thread(qtbot: QtBot, qapp: QtWidgets.QApplication) -> None:
    runner = BackgroundRunner()
    seen: list[tuple[object, QtCore.QThread]] = []

    def record(value: object) -> None:
        seen.append((value, QtCore.QThread.currentThread()))

    workers: list[threading.Thread] = []

    def work() -> int:
        workers.append(threading.current_thread())
        return 42

    def fail() -> int:
        raise HubUnreachableError(reason="the connection was refused")

    with qtbot.waitSignal(runner.call_ended):
        runner.run(work, record, record)
    with qtbot.waitSignal(runner.call_ended):
        runner.run(fail, record, record)

    assert seen[0] == (42, qapp.thread())
    error, thread = seen[1]
    assert isinstance(error, AppError) and thread is qapp.thread()
    assert workers and workers[0] is not threading.main_thread()


def test_a_bug_in_the_call_is_raised_on_the_gui_thread(qtbot: QtBot) -> None:
    runner = BackgroundRunner()

    def broken() -> None:
        raise ZeroDivisionError("a bug")

    with qtbot.captureExceptions() as exceptions, qtbot.waitSignal(runner.call_ended):
        runner.run(broken, lambda value: None, lambda error: None)
    assert [type(exc) for _, exc, _ in exceptions] == [ZeroDivisionError]


def test_forgotten_calls_and_calls_ending_after_close_are_dropped(qtbot: QtBot) -> None:
    runner = BackgroundRunner()
    seen: list[object] = []
    release = threading.Event()
    with qtbot.waitSignal(runner.call_ended):
        token = runner.run(lambda: release.wait(10), seen.append, seen.append)
        runner.forget(token)
        release.set()
    assert seen == [] and not runner.is_pending(token)

    blocked = threading.Event()
    finished = threading.Event()

    def slow() -> None:
        blocked.wait(10)
        finished.set()

    runner.run(slow, seen.append, seen.append)
    runner.close()
    blocked.set()
    assert finished.wait(10)
    with qtbot.assertNotEmitted(runner.call_ended, wait=50):
        pass
    assert seen == []
