"""The window's chat flow as a user drives it, on the real engine and the starter model."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6 import QtCore
from pytestqt.qtbot import QtBot

from app.core.history.store import Store
from app.core.models import gpu
from app.ui.shell.main_window import MainWindow
from tests.ui.chat import screen
from tests.ui.conftest import (
    ANSWER_TIMEOUT_MS,
    TEST_SAMPLING,
    Engines,
    WindowFactory,
    send_and_wait,
    type_message,
)


def start_chatting(qtbot: QtBot, window: MainWindow) -> int:
    assert window.stack.currentWidget() is window.welcome
    qtbot.mouseClick(window.welcome.start_button, QtCore.Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.chat_view
    assert window.conversation_id is not None
    return window.conversation_id


def allow_long_answers(window: MainWindow) -> None:
    settings = window.settings.current
    window.settings.update(replace(settings, sampling=replace(TEST_SAMPLING, max_tokens=400)))


def start_long_answer(qtbot: QtBot, window: MainWindow, text: str) -> None:
    """Sends ``text`` and returns once the first tokens of the answer are on screen."""
    type_message(qtbot, window, text)
    with qtbot.waitSignal(window.controller.answer_progressed, timeout=ANSWER_TIMEOUT_MS):
        qtbot.keyClick(window.composer.edit, QtCore.Qt.Key.Key_Return)


def new_chat(qtbot: QtBot, window: MainWindow) -> int:
    qtbot.mouseClick(window.sidebar.new_button, QtCore.Qt.MouseButton.LeftButton)
    assert window.conversation_id is not None and screen.message_ids(window.chat_view) == []
    return window.conversation_id


def pick_file(window: MainWindow, monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """Chooses "Open a GGUF file…" in the model picker; the file dialog answers ``path``."""
    monkeypatch.setattr(window.model_picker, "choose_gguf_file", lambda: path)
    window.model_picker.activated.emit(window.model_picker.open_file_index())


def test_enter_sends_and_the_answer_streams_into_the_window(qtbot: QtBot, window: MainWindow, store: Store) -> None:
    conversation_id = start_chatting(qtbot, window)
    pieces: list[str] = []
    window.controller.answer_progressed.connect(lambda _id, text: pieces.append(text))

    answer = send_and_wait(qtbot, window, "Say hello to me.")

    assert len(pieces) >= 2, "the answer arrived in one piece instead of streaming"
    assert answer.status == "complete" and answer.content.strip()
    assert answer.model_name == "SmolLM2 135M (starter, offline)"
    assert answer.tokens_per_second and answer.ttft_seconds is not None
    user, saved = store.messages(conversation_id)
    assert (user.role, user.content) == ("user", "Say hello to me.")
    assert saved == answer
    shown = screen.text_of(window.chat_view, answer.id)
    assert shown.startswith("SmolLM2 135M (starter, offline)")
    assert answer.content.split()[0].strip("*_#`") in shown
    status = window.status_label.text()
    assert "SmolLM2 135M" in status and "tokens/s" in status and "first token" in status
    assert window.sidebar.titles() == ["Say hello to me."]
    assert window.title_label.text() == "Say hello to me."
    assert window.composer.text() == "" and not window.composer.stop_button.isEnabled()


def test_stop_keeps_the_partial_answer_marked_stopped(qtbot: QtBot, window: MainWindow, store: Store) -> None:
    start_chatting(qtbot, window)
    allow_long_answers(window)
    start_long_answer(qtbot, window, "Tell me a long story about a dragon.")

    # While the answer streams, Send waits but typing goes on.
    assert not window.composer.send_button.isEnabled() and window.composer.stop_button.isEnabled()
    qtbot.keyClicks(window.composer.edit, "next question")
    with qtbot.assertNotEmitted(window.controller.turn_started):
        qtbot.keyClick(window.composer.edit, QtCore.Qt.Key.Key_Return)
    assert window.composer.text() == "next question"

    late: list[str] = []
    with qtbot.waitSignal(window.controller.answer_finished, timeout=ANSWER_TIMEOUT_MS) as finished:
        qtbot.keyClick(window, QtCore.Qt.Key.Key_Escape)
        window.controller.answer_progressed.connect(lambda _id, text: late.append(text))
    stopped = finished.args[0]

    assert late == [], "text kept arriving after Stop"
    assert stopped.status == "stopped" and stopped.content.strip()
    assert store.message(stopped.id).content == stopped.content
    assert " · stopped" in screen.text_of(window.chat_view, stopped.id).splitlines()[0]
    assert window.composer.send_button.isEnabled()

    # The Stop button does the same, and the stopped answer does not block the next one.
    window.composer.set_text("")
    start_long_answer(qtbot, window, "Tell me another long story.")
    with qtbot.waitSignal(window.controller.answer_finished, timeout=ANSWER_TIMEOUT_MS) as finished:
        qtbot.mouseClick(window.composer.stop_button, QtCore.Qt.MouseButton.LeftButton)
    assert finished.args[0].status == "stopped"


def test_shift_enter_breaks_the_line_and_an_empty_message_is_not_sent(
    qtbot: QtBot, window: MainWindow, store: Store
) -> None:
    conversation_id = start_chatting(qtbot, window)
    edit = window.composer.edit

    qtbot.keyClicks(edit, "   ")
    assert not window.composer.send_button.isEnabled()
    with qtbot.assertNotEmitted(window.controller.turn_started):
        qtbot.keyClick(edit, QtCore.Qt.Key.Key_Return)
        qtbot.mouseClick(window.composer.send_button, QtCore.Qt.MouseButton.LeftButton)
    assert store.messages(conversation_id) == []

    window.composer.set_text("")
    with qtbot.assertNotEmitted(window.controller.turn_started):
        type_message(qtbot, window, "first line\nsecond line")
    assert window.composer.text() == "first line\nsecond line"
    assert window.composer.send_button.isEnabled()

    with qtbot.waitSignal(window.controller.answer_finished, timeout=ANSWER_TIMEOUT_MS):
        qtbot.keyClick(edit, QtCore.Qt.Key.Key_Return)
    assert store.messages(conversation_id)[0].content == "first line\nsecond line"


def test_conversations_switch_rename_delete_and_survive_a_restart(
    qtbot: QtBot, make_window: WindowFactory, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window()
    first = start_chatting(qtbot, window)
    send_and_wait(qtbot, window, "Say hello.")
    second = new_chat(qtbot, window)
    send_and_wait(qtbot, window, "What is the capital of France?")
    third = new_chat(qtbot, window)
    send_and_wait(qtbot, window, "Name a colour.")
    assert window.sidebar.ids() == [third, second, first]  # newest first

    # Switching shows each conversation's own history.
    window.sidebar.select(first)
    assert window.conversation_id == first
    assert screen.message_ids(window.chat_view) == [m.id for m in store.messages(first)]
    assert window.title_label.text() == "Say hello."
    window.sidebar.select(second)
    assert screen.message_ids(window.chat_view) == [m.id for m in store.messages(second)]
    assert "What is the capital of France?" in window.chat_view.toPlainText()

    # Rename through the rename question.
    window.sidebar.select(first)
    monkeypatch.setattr(window.sidebar, "ask_new_title", lambda current: "Greetings")
    window.sidebar.rename_action.trigger()
    assert store.conversation(first).title == "Greetings"
    assert window.title_label.text() == "Greetings"
    assert "Greetings" in window.sidebar.titles()

    # Delete takes the conversation off the list at once; Undo brings it back; it goes when Undo runs out.
    window.sidebar.select(third)
    window.sidebar.delete_action.trigger()
    assert window.sidebar.ids() == [second, first]
    assert window.sidebar.undo_delete() == third
    assert window.sidebar.ids() == [third, second, first]
    window.sidebar.select(third)
    window.sidebar.delete_action.trigger()
    assert window.sidebar.ids() == [second, first]
    assert window.conversation_id in (second, first)
    assert third in [c.id for c in store.conversations()]  # not yet: Undo is still offered
    window.sidebar.apply_pending_deletes()
    assert [c.id for c in store.conversations()] == [second, first]

    shown = {}
    for conversation_id in (second, first):
        window.sidebar.select(conversation_id)
        shown[conversation_id] = window.chat_view.toPlainText()
    saved = {c.id: (c.title, store.messages(c.id)) for c in store.conversations()}
    window.close()

    reopened = make_window()
    assert reopened.sidebar.titles() == window.sidebar.titles()
    assert {c.id: (c.title, store.messages(c.id)) for c in store.conversations()} == saved
    for conversation_id in (second, first):
        reopened.sidebar.select(conversation_id)
        assert reopened.chat_view.toPlainText() == shown[conversation_id]


def test_a_file_that_is_not_a_gguf_is_refused_when_it_is_opened(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    garbage = tmp_path / "garbage.gguf"
    garbage.write_bytes(b"GGUF" + os.urandom(4096))
    start_chatting(qtbot, window)
    pick_file(window, monkeypatch, garbage)

    assert window.banner.isVisible() and window.banner.kind() == "error"
    assert "garbage.gguf" in window.banner.text() and "not a usable GGUF" in window.banner.text()
    assert window.model_picker.currentText() == "SmolLM2 135M (starter, offline)"
    assert str(garbage.resolve()) not in window.settings.current.imported_models


def test_a_model_llama_cpp_cannot_load_shows_an_error_and_keeps_the_message(
    qtbot: QtBot, window: MainWindow, store: Store, starter_model: Path, tmp_path: Path
) -> None:
    # A well-formed GGUF header that names an architecture llama.cpp does not know: it passes the
    # check at import and fails only when llama.cpp loads it.
    broken = tmp_path / "broken-model.gguf"
    data = bytearray(starter_model.read_bytes())
    at = data.find(b"general.architecture")
    value = data.find(b"llama", at)
    data[value : value + 5] = b"llamb"
    broken.write_bytes(bytes(data))
    # A conversation whose model fails only now, on the way to an answer. (A file opened in the
    # picker is loaded at once, so a bad one never gets this far: tests/ui/models/test_model_choice.py.)
    conversation_id = start_chatting(qtbot, window)
    window.models.import_in_place(broken)
    store.set_conversation_model(conversation_id, "broken-model")
    window.show_conversation(conversation_id)
    assert window.model_picker.currentText() == "broken-model"
    assert str(broken.resolve()) in window.settings.current.imported_models

    type_message(qtbot, window, "Hello there")
    with qtbot.waitSignal(window.controller.error_reported, timeout=ANSWER_TIMEOUT_MS):
        qtbot.keyClick(window.composer.edit, QtCore.Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.controller.is_busy)

    assert window.banner.isVisible() and window.banner.kind() == "error"
    assert "broken-model.gguf" in window.banner.text()
    assert "unknown model architecture" in window.banner.text()  # llama.cpp's own reason
    assert window.loading_indicator.isHidden()
    messages = store.messages(conversation_id)
    # The user's message stays; the answer that never started is kept as failed, as `ask` keeps it.
    assert [(m.role, m.content, m.status) for m in messages] == [
        ("user", "Hello there", "complete"),
        ("assistant", "", "failed"),
    ]
    assert screen.message_ids(window.chat_view) == [m.id for m in messages]
    qtbot.mouseClick(window.banner.close_button, QtCore.Qt.MouseButton.LeftButton)
    assert not window.banner.isVisible()

    # The app keeps working: back to the starter model (Send waits while it loads), and the next message is answered.
    with qtbot.waitSignal(window.models.model_loaded, timeout=ANSWER_TIMEOUT_MS):
        window.model_picker.activated.emit(0)
    answer = send_and_wait(qtbot, window, "Say hello.")
    assert answer.status == "complete" and answer.model_name == "SmolLM2 135M (starter, offline)"


def test_a_model_without_a_chat_template_is_named_in_a_notice(
    qtbot: QtBot, window: MainWindow, starter_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same model with its template key renamed: llama.cpp finds no chat template in it.
    plain = tmp_path / "no-template.gguf"
    shutil.copyfile(starter_model, plain)
    data = bytearray(plain.read_bytes())
    at = data.find(b"tokenizer.chat_template")
    assert at > 0
    data[at : at + len(b"tokenizer.chat_template")] = b"tokenizer.chat_templatX"
    plain.write_bytes(bytes(data))
    start_chatting(qtbot, window)
    pick_file(window, monkeypatch, plain)

    type_message(qtbot, window, "Say hello.")
    with qtbot.waitSignal(window.models.notice_reported, timeout=ANSWER_TIMEOUT_MS):
        qtbot.keyClick(window.composer.edit, QtCore.Qt.Key.Key_Return)
    assert window.banner.kind() == "info" and "ChatML" in window.banner.text()
    assert "no-template" in window.banner.text()
    qtbot.waitUntil(lambda: not window.controller.is_busy, timeout=ANSWER_TIMEOUT_MS)


def test_a_crashed_engine_marks_the_answer_interrupted_and_the_next_message_works(
    qtbot: QtBot, window: MainWindow, store: Store, engines: Engines
) -> None:
    conversation_id = start_chatting(qtbot, window)
    allow_long_answers(window)
    start_long_answer(qtbot, window, "Tell me a long story about a dragon.")
    pid = engines.created[0].pid
    assert pid is not None

    with qtbot.waitSignal(window.controller.answer_finished, timeout=ANSWER_TIMEOUT_MS) as finished:
        os.kill(pid, signal.SIGKILL)
    interrupted = finished.args[0]

    assert interrupted.status == "interrupted"
    assert "stopped unexpectedly" in window.banner.text() and window.banner.kind() == "error"
    assert " · interrupted" in screen.text_of(window.chat_view, interrupted.id).splitlines()[0]
    answer = send_and_wait(qtbot, window, "Say hello.")
    assert answer.status == "complete"
    assert [m.status for m in store.messages(conversation_id)] == ["complete", "interrupted", "complete", "complete"]


def test_a_paste_too_long_for_the_context_is_refused_and_stays_in_the_message_box(
    qtbot: QtBot, window: MainWindow, store: Store
) -> None:
    conversation_id = start_chatting(qtbot, window)
    window.settings.update(replace(window.settings.current, n_ctx=512))
    paste = ("All work and no play makes Jack a dull boy. " * 2300)[:100_000]
    window.composer.set_text(paste)

    with qtbot.waitSignal(window.controller.turn_withdrawn, timeout=ANSWER_TIMEOUT_MS):
        qtbot.keyClick(window.composer.edit, QtCore.Qt.Key.Key_Return)

    assert window.banner.kind() == "error" and "too long" in window.banner.text()
    assert window.composer.text() == paste, "nothing the user wrote is lost"
    assert store.messages(conversation_id) == [], "and it is not kept in the history sent to the model"
    assert screen.message_ids(window.chat_view) == []


def test_the_status_line_names_the_processor_and_an_absent_gpu_is_explained(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    # This machine has no GPU. Pretend the installed llama.cpp was built for CUDA, as a user's
    # would be after following the README: the engine really loads on the CPU, and says so.
    monkeypatch.setattr(gpu, "installed_backends", lambda: frozenset({"cuda"}))
    start_chatting(qtbot, window)
    type_message(qtbot, window, "Say hello.")
    with qtbot.waitSignal(window.models.notice_reported, timeout=ANSWER_TIMEOUT_MS):
        qtbot.keyClick(window.composer.edit, QtCore.Qt.Key.Key_Return)
    assert window.banner.kind() == "info"
    assert "no usable GPU" in window.banner.text() and "CUDA" in window.banner.text()
    qtbot.waitUntil(lambda: not window.controller.is_busy, timeout=ANSWER_TIMEOUT_MS)
    assert "· CPU ·" in window.status_label.text() and "tokens/s" in window.status_label.text()


def test_a_model_loading_before_the_first_answer_is_shown(qtbot: QtBot, window: MainWindow) -> None:
    start_chatting(qtbot, window)
    type_message(qtbot, window, "Say hello.")
    with qtbot.waitSignal(window.controller.model_load_started, timeout=ANSWER_TIMEOUT_MS):
        qtbot.keyClick(window.composer.edit, QtCore.Qt.Key.Key_Return)
    assert not window.loading_indicator.isHidden()
    assert "SmolLM2 135M (starter, offline)" in window.loading_indicator.label.text()
    qtbot.waitUntil(lambda: not window.controller.is_busy, timeout=ANSWER_TIMEOUT_MS)
    assert window.loading_indicator.isHidden()


@pytest.fixture
def small_disk(parley_home: Path) -> Iterator[Path]:
    """PARLEY_HOME on its own 16 MB tmpfs, so a test can fill the disk for real (root only)."""
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(parley_home)], capture_output=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {result.stderr.decode().strip()}")
    try:
        yield parley_home
    finally:
        subprocess.run(["umount", "-l", str(parley_home)], check=False)


def fill_disk(folder: Path) -> Path:
    filler = folder / "filler"
    with filler.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass
    return filler


def test_a_full_disk_mid_answer_says_so_once_settles_the_answer_and_saves_it_when_space_returns(
    small_disk: Path, qtbot: QtBot, window: MainWindow, store: Store
) -> None:
    from app.core.errors import DiskFullError

    window.controller._save_timer.setInterval(200)
    conversation_id = start_chatting(qtbot, window)
    window.settings.update(replace(window.settings.current, sampling=replace(TEST_SAMPLING, max_tokens=160)))
    errors: list[object] = []
    window.controller.error_reported.connect(errors.append)
    start_long_answer(qtbot, window, "Tell me a long story about a dragon.")
    filler = fill_disk(small_disk)  # the disk is full from here on
    with qtbot.waitSignal(window.controller.answer_finished, timeout=ANSWER_TIMEOUT_MS) as finished:
        pass
    shown = finished.args[0]
    assert shown.status == "complete" and len(shown.content) > 100
    assert not window.controller.is_busy  # the window is idle and the answer settled on screen
    assert "writing" not in screen.text_of(window.chat_view, shown.id).splitlines()[0]
    assert [type(e) for e in errors] == [DiskFullError], "one message, not one per checkpoint"
    assert "full" in window.banner.text()

    with qtbot.waitSignal(window.controller.notice_reported, timeout=10_000):
        filler.unlink()  # space is back
    saved = store.message(shown.id)
    assert (saved.status, saved.content) == ("complete", shown.content)
    assert store.messages(conversation_id)[0].content == "Tell me a long story about a dragon."
