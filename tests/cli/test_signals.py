"""SIGTERM (a logout, ``kill``) ends ``ask``, ``serve`` and the window as a stop would: the answer being
written is saved as "stopped" with the text shown, and the status is 143 (128 + SIGTERM). Real processes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.cli.test_cli import ROOT, _env, stored_messages

LONG = "Write a very long story about a lighthouse keeper and the sea."
EXIT_SIGTERM = 128 + signal.SIGTERM


def _wait_for_line(stream: object, word: str) -> list[str]:
    lines: list[str] = []
    while not lines or word not in lines[-1]:
        line = stream.readline()  # type: ignore[attr-defined]
        assert line, "".join(lines)
        lines.append(line)
    return lines


def test_sigterm_stops_ask_and_keeps_the_answer_as_stopped(parley_home: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "ask", "--max-tokens", "2000", LONG],
        env=_env(parley_home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        shown = process.stdout.read(20)  # mid-answer
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == EXIT_SIGTERM, err
    assert "Stopped." in err and "Traceback" not in err
    (user, answer) = stored_messages(parley_home)
    assert user[2] == LONG
    role, status, content = answer
    assert (role, status) == ("assistant", "stopped")
    assert content.strip() and content.startswith(shown.strip())  # what was shown, kept
    del out


def test_sigterm_ends_serve_with_143(parley_home: Path, starter_model: Path) -> None:
    env = {**_env(parley_home)}
    env.pop("QT_QPA_PLATFORM", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", "0", "--model", str(starter_model)],
        stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )  # fmt: skip
    try:
        assert process.stderr is not None
        _wait_for_line(process.stderr, "serving")
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == EXIT_SIGTERM, err
    assert "stopped by SIGTERM" in err and "Traceback" not in err


# The window, started as ``python -m app`` starts it, with a driver that sends a long message and says
# when the answer streams; the signal itself comes from this test, from outside.
DRIVER = textwrap.dedent(
    """
    import sys
    from PySide6 import QtCore, QtWidgets
    from app.ui.shell import application
    from app.ui.shell.main_window import MainWindow

    qapp = QtWidgets.QApplication(sys.argv)

    def drive():
        window = next(w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow))
        window.welcome.start_button.click()
        said = []

        def on_progress(answer_id, text):
            if not said:
                said.append(answer_id)
                print("streaming", answer_id, flush=True)

        window.controller.answer_progressed.connect(on_progress)
        window.controller.send(window.conversation_id, sys.argv[1])

    QtCore.QTimer.singleShot(0, drive)
    sys.exit(application.run_gui(["parley"]))
    """
)


def test_sigterm_closes_the_window_and_keeps_the_answer_as_stopped(parley_home: Path) -> None:
    env = {**_env(parley_home), "QT_QPA_PLATFORM": "offscreen"}
    process = subprocess.Popen(
        [sys.executable, "-c", DRIVER, LONG], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=ROOT,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        _wait_for_line(process.stdout, "streaming")
        os.kill(process.pid, signal.SIGTERM)
        _, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == EXIT_SIGTERM, err
    assert "Traceback" not in err, err
    try:
        messages = stored_messages(parley_home)
    except sqlite3.OperationalError as exc:
        raise AssertionError(err) from exc
    role, status, content = messages[-1]
    assert (role, status) == ("assistant", "stopped")
    assert content.strip()
    # The history was closed the normal way: no write-ahead log left behind.
    assert not (parley_home / "parley.sqlite3-wal").exists() or (parley_home / "parley.sqlite3-wal").stat().st_size == 0
