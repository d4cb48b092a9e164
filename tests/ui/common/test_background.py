"""The executor and ``BackgroundOp``: outcomes on the GUI thread, bugs to the crash path, lanes, shutdown."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6 import QtCore, QtWidgets
from pytestqt.qtbot import QtBot

from app.core import paths
from app.core.errors import AppError, HubUnreachableError
from app.ui.common.background import BackgroundExecutor, BackgroundOp
from app.ui.shell.crash import CrashHandler


@pytest.fixture
def executor() -> Iterator[BackgroundExecutor]:
    made = BackgroundExecutor(short_workers=2, long_workers=1)
    yield made
    made.shutdown()


def test_results_and_expected_errors_arrive_on_the_gui_thread(
    qtbot: QtBot, qapp: QtWidgets.QApplication, executor: BackgroundExecutor
) -> None:
    seen: list[tuple[str, object, QtCore.QThread]] = []
    workers: list[threading.Thread] = []

    def work() -> int:
        workers.append(threading.current_thread())
        return 42

    def fail() -> int:
        raise HubUnreachableError(reason="the connection was refused")

    def record(kind: str) -> BackgroundOp[int]:
        return BackgroundOp(run=work if kind == "ok" else fail).on_success(
            lambda value: seen.append(("success", value, QtCore.QThread.currentThread()))
        ).on_failure(lambda error: seen.append(("failure", error, QtCore.QThread.currentThread())))

    with qtbot.waitSignal(executor.op_ended):
        ok = record("ok").start(executor)
    with qtbot.waitSignal(executor.op_ended):
        failing = record("fail").start(executor)

    assert seen[0] == ("success", 42, qapp.thread())
    kind, error, thread = seen[1]
    assert kind == "failure" and isinstance(error, HubUnreachableError) and thread is qapp.thread()
    assert workers and workers[0] is not threading.main_thread()
    assert ok.ended and failing.ended


def test_a_bug_in_the_job_reaches_the_crash_path_not_the_failure_callback(
    qtbot: QtBot, executor: BackgroundExecutor, parley_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = CrashHandler()
    monkeypatch.setattr(handler, "show_dialog", lambda details, log_path: None)
    failures: list[AppError] = []
    ends: list[str] = []

    def broken() -> int:
        raise ZeroDivisionError("a bug in a job")

    handler.install()
    try:
        with qtbot.waitSignal(handler.crash_reported, check_params_cb=lambda details: "a bug in a job" in details):
            BackgroundOp(run=broken).on_success(lambda value: None).on_failure(failures.append).on_end(
                lambda: ends.append("end")
            ).start(executor)
    finally:
        handler.uninstall()
    assert failures == [] and ends == ["end"]  # on_end runs after a bug too, so owners can tidy up
    log = (paths.log_dir() / "crash.log").read_text(encoding="utf-8")
    assert "ZeroDivisionError: a bug in a job" in log and "broken" in log


def test_an_app_error_nobody_handles_is_a_bug(qtbot: QtBot) -> None:
    bugs: list[BaseException] = []
    executor = BackgroundExecutor(report_bug=bugs.append)

    def fail() -> None:
        raise HubUnreachableError(reason="refused")

    with qtbot.waitSignal(executor.op_ended):
        BackgroundOp(run=fail).on_success(lambda value: None).start(executor)
    executor.shutdown()
    assert [type(bug) for bug in bugs] == [HubUnreachableError]


def test_progress_arrives_on_the_gui_thread_in_order_before_the_result(
    qtbot: QtBot, qapp: QtWidgets.QApplication, executor: BackgroundExecutor
) -> None:
    seen: list[tuple[object, QtCore.QThread]] = []

    def count() -> str:
        for step in range(5):
            op.report(step)
        return "done"

    op: BackgroundOp[str] = BackgroundOp(run=count)
    op.with_progress(lambda step: seen.append((step, QtCore.QThread.currentThread())))
    op.on_success(lambda value: seen.append((value, QtCore.QThread.currentThread())))
    with qtbot.waitSignal(executor.op_ended):
        op.start(executor)
    assert seen == [(0, qapp.thread()), (1, qapp.thread()), (2, qapp.thread()), (3, qapp.thread()),
                    (4, qapp.thread()), ("done", qapp.thread())]


def test_long_jobs_never_hold_up_short_ones_and_wait_for_each_other(
    qtbot: QtBot, executor: BackgroundExecutor
) -> None:
    release = threading.Event()
    started: list[str] = []

    def download(name: str) -> str:
        started.append(name)
        release.wait(10)
        return name

    first = BackgroundOp(run=lambda: download("first")).long_running().start(executor)
    queued = BackgroundOp(run=lambda: download("queued")).long_running().start(executor)
    qtbot.waitUntil(lambda: started == ["first"])
    # The one long worker is busy: a short job still runs at once.
    short: list[str] = []
    with qtbot.waitSignal(executor.op_ended, check_params_cb=lambda op: op is not first):
        BackgroundOp(run=lambda: "short").on_success(short.append).start(executor)
    assert short == ["short"] and started == ["first"]
    # A queued long job can be taken back: it never runs. A running one cannot.
    assert not first.take_back()
    assert queued.take_back() and queued.ended
    release.set()
    assert first.wait(10)
    qtbot.waitUntil(lambda: first.ended)
    time.sleep(0.05)
    assert started == ["first"]


def test_a_cancelled_job_runs_to_its_end_but_delivers_nothing(qtbot: QtBot, executor: BackgroundExecutor) -> None:
    running = threading.Event()
    release = threading.Event()
    seen: list[object] = []

    def work() -> bool:
        running.set()
        return release.wait(10)

    op = BackgroundOp(run=work).on_success(seen.append).on_end(lambda: seen.append("end")).start(executor)
    assert running.wait(10)
    assert not op.cancel()  # already running: it is not taken back
    with qtbot.waitSignal(executor.op_ended, check_params_cb=lambda ended: ended is op):
        release.set()
    assert seen == [] and op.ended


def test_shutdown_waits_for_running_jobs_drops_queued_ones_and_delivers_nothing(qtbot: QtBot) -> None:
    executor = BackgroundExecutor(short_workers=1, long_workers=1)
    running = threading.Event()
    finished = threading.Event()
    ran: list[str] = []
    seen: list[object] = []

    def slow() -> str:
        running.set()
        time.sleep(0.3)
        finished.set()
        return "slow"

    BackgroundOp(run=slow).on_success(seen.append).start(executor)
    queued = BackgroundOp(run=lambda: ran.append("queued")).on_success(seen.append).start(executor)
    assert running.wait(10)
    executor.shutdown(wait_s=60)
    assert finished.is_set()  # the running job was waited for
    late = BackgroundOp(run=lambda: ran.append("late")).on_success(seen.append).start(executor)
    assert queued.ended and late.ended and late.wait(0)
    with qtbot.assertNotEmitted(executor.op_ended, wait=100):
        pass
    assert ran == [] and seen == []
    executor.shutdown()  # twice is fine


def test_shutdown_does_not_wait_past_its_limit() -> None:
    executor = BackgroundExecutor()
    running = threading.Event()
    release = threading.Event()
    done = threading.Event()

    def hung() -> None:
        running.set()
        release.wait(120)
        done.set()

    BackgroundOp(run=hung).start(executor)
    assert running.wait(60)
    started = time.monotonic()
    executor.shutdown(wait_s=0.2)
    # It returned on its own limit: the job it gave up on is still running.
    assert not done.is_set(), "shutdown waited for the hung job to end"
    assert time.monotonic() - started < 60
    release.set()
    assert done.wait(60)
