"""The window and the command line run a turn the same way: the same scenario ends with the same stored messages.

Each scenario runs once in the real window and once as ``python -m app ask`` in a child process, on
one history, with the same settings (greedy sampling), and the two conversations are compared.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from PySide6 import QtCore
from pytestqt.qtbot import QtBot

from app.core.history.store import Store
from app.core.history.types import Message
from app.ui.shell.main_window import MainWindow
from tests.ui.conftest import ANSWER_TIMEOUT_MS, TEST_SAMPLING, send_and_wait, type_message

ROOT = Path(__file__).resolve().parents[3]
COUNT = "Count from one to two hundred, one number per line."
Stored = list[tuple[str, str, str]]  # (role, status, content)


def stored(store: Store, conversation_id: int) -> Stored:
    return [(m.role, m.status, m.content) for m in store.messages(conversation_id)]


def newest_conversation(store: Store) -> int:
    return max(c.id for c in store.conversations())


def ask(home: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PARLEY_HOME": str(home), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "app", "ask", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def engine_child(pid: int) -> int:
    """The engine process the command line started."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        if children:
            return int(children[-1])
        time.sleep(0.05)
    raise AssertionError("the command line started no engine process")


def ask_and_wait(
    home: Path, *args: str, after_first_output: signal.Signals | None = None, kill_engine: bool = False
) -> int:
    """Runs ``ask`` to its end; optionally sends Ctrl+C to it, or kills its engine, once the answer streams."""
    process = ask(home, *args)
    assert process.stdout is not None
    if after_first_output is not None or kill_engine:
        process.stdout.read(1)  # the answer has started
        if kill_engine:
            os.kill(engine_child(process.pid), signal.SIGKILL)
        else:
            assert after_first_output is not None
            process.send_signal(after_first_output)
    process.communicate(timeout=120)
    return process.returncode


def start_chatting(qtbot: QtBot, window: MainWindow) -> int:
    qtbot.mouseClick(window.welcome.start_button, QtCore.Qt.MouseButton.LeftButton)
    assert window.conversation_id is not None
    return window.conversation_id


def window_answer(qtbot: QtBot, window: MainWindow, text: str) -> Message:
    return send_and_wait(qtbot, window, text)


def test_a_complete_answer_is_stored_the_same(
    qtbot: QtBot, window: MainWindow, store: Store, parley_home: Path
) -> None:
    in_window = start_chatting(qtbot, window)
    assert window_answer(qtbot, window, "Say hello.").status == "complete"
    assert ask_and_wait(parley_home, "Say hello.") == 0
    from_cli = newest_conversation(store)
    assert from_cli != in_window
    assert stored(store, in_window) == stored(store, from_cli)
    assert stored(store, in_window)[1][2].strip(), "greedy sampling gives the same, non-empty answer"


def test_a_stopped_answer_keeps_what_was_shown_in_both(
    qtbot: QtBot, window: MainWindow, store: Store, parley_home: Path
) -> None:
    window.settings.update(replace(window.settings.current, sampling=replace(TEST_SAMPLING, max_tokens=400)))
    in_window = start_chatting(qtbot, window)
    type_message(qtbot, window, COUNT)
    with qtbot.waitSignal(window.controller.answer_progressed, timeout=ANSWER_TIMEOUT_MS):
        qtbot.keyClick(window.composer.edit, QtCore.Qt.Key.Key_Return)
    with qtbot.waitSignal(window.controller.answer_finished, timeout=ANSWER_TIMEOUT_MS):
        qtbot.mouseClick(window.composer.stop_button, QtCore.Qt.MouseButton.LeftButton)
    assert ask_and_wait(parley_home, COUNT, after_first_output=signal.SIGINT) == 130
    from_cli = newest_conversation(store)

    window_rows, cli_rows = stored(store, in_window), stored(store, from_cli)
    assert [row[:2] for row in window_rows] == [row[:2] for row in cli_rows] == [
        ("user", "complete"),
        ("assistant", "stopped"),
    ]
    # Both kept a beginning of the same greedy answer: what each showed when it was stopped.
    shorter, longer = sorted((window_rows[1][2], cli_rows[1][2]), key=len)
    assert shorter and longer.startswith(shorter)


def test_a_model_that_does_not_load_fails_the_answer_the_same(
    qtbot: QtBot, window: MainWindow, store: Store, parley_home: Path, tmp_path: Path, starter_model: Path
) -> None:
    # A well-formed GGUF that names an architecture llama.cpp does not know: it fails only at load.
    broken = tmp_path / "broken.gguf"
    data = bytearray(starter_model.read_bytes())
    value = data.find(b"llama", data.find(b"general.architecture"))
    data[value : value + 5] = b"llamb"
    broken.write_bytes(bytes(data))
    in_window = start_chatting(qtbot, window)
    window.models.choose_model(in_window, window.models.import_in_place(broken))
    type_message(qtbot, window, "Hello there")
    with qtbot.waitSignal(window.controller.answer_finished, timeout=ANSWER_TIMEOUT_MS):
        qtbot.keyClick(window.composer.edit, QtCore.Qt.Key.Key_Return)
    assert window.banner.kind() == "error" and "broken.gguf" in window.banner.text()
    assert ask_and_wait(parley_home, "--model", str(broken), "Hello there") == 2
    from_cli = newest_conversation(store)
    assert stored(store, in_window) == stored(store, from_cli) == [
        ("user", "complete", "Hello there"),
        ("assistant", "failed", ""),
    ]


def test_an_engine_crash_interrupts_the_answer_the_same(
    qtbot: QtBot, window: MainWindow, store: Store, parley_home: Path
) -> None:
    window.settings.update(replace(window.settings.current, sampling=replace(TEST_SAMPLING, max_tokens=400)))
    in_window = start_chatting(qtbot, window)
    type_message(qtbot, window, COUNT)
    with qtbot.waitSignal(window.controller.answer_progressed, timeout=ANSWER_TIMEOUT_MS):
        qtbot.keyClick(window.composer.edit, QtCore.Qt.Key.Key_Return)
    pid = window.session.pid
    assert pid is not None
    with qtbot.waitSignal(window.controller.answer_finished, timeout=ANSWER_TIMEOUT_MS):
        os.kill(pid, signal.SIGKILL)
    assert "stopped unexpectedly" in window.banner.text()
    assert ask_and_wait(parley_home, COUNT, kill_engine=True) == 1
    from_cli = newest_conversation(store)
    window_rows, cli_rows = stored(store, in_window), stored(store, from_cli)
    assert [row[:2] for row in window_rows] == [row[:2] for row in cli_rows] == [
        ("user", "complete"),
        ("assistant", "interrupted"),
    ]


def test_a_message_too_long_for_the_context_fails_the_same(
    qtbot: QtBot, window: MainWindow, store: Store, parley_home: Path
) -> None:
    window.settings.update(replace(window.settings.current, n_ctx=512))
    long_text = " ".join(f"Sentence {i} says nothing at all." for i in range(200))
    in_window = start_chatting(qtbot, window)
    window.composer.set_text(long_text)
    with qtbot.waitSignal(window.controller.turn_withdrawn, timeout=ANSWER_TIMEOUT_MS):
        qtbot.keyClick(window.composer.edit, QtCore.Qt.Key.Key_Return)
    assert "too long" in window.banner.text() and window.composer.text() == long_text
    assert ask_and_wait(parley_home, long_text) == 1
    from_cli = newest_conversation(store)
    # Taken back out in both: a message that cannot fit never poisons the later turns' history.
    assert stored(store, in_window) == stored(store, from_cli) == []
