"""The main window without answers: what it shows for a stored history, its theme, and a store that fails."""

from __future__ import annotations

import pytest
from PySide6 import QtGui, QtWidgets
from pytestqt.qtbot import QtBot

from app.core.errors import DatabaseDamagedInUseError, StorageError
from app.core.history.store import Store
from app.core.history.types import Message
from tests.ui.chat import screen
from tests.ui.conftest import WindowFactory


def test_the_window_opens_on_the_newest_conversation_and_marks_an_interrupted_answer(
    qtbot: QtBot, store: Store, make_window: WindowFactory
) -> None:
    old = store.create_conversation("Old one")
    store.add_message(old.id, "user", "Hi")
    newer = store.create_conversation("Newer one")
    store.add_message(newer.id, "user", "Tell me a story")
    # An answer left streaming by an app that is gone (its store was closed without settling it).
    gone = Store(store.path)
    gone.add_message(newer.id, "assistant", "Once upon", status="streaming", model_name="Some model")
    gone.close()
    store.recover_interrupted()

    window = make_window()

    assert window.sidebar.titles() == ["Newer one", "Old one"]
    assert window.conversation_id == newer.id and window.title_label.text() == "Newer one"
    answer = store.messages(newer.id)[1]
    assert screen.text_of(window.chat_view, answer.id).splitlines()[:2] == ["Some model · interrupted", "Once upon"]


def test_the_bubbles_follow_a_dark_palette(
    qtbot: QtBot, qapp: QtWidgets.QApplication, store: Store, make_window: WindowFactory
) -> None:
    conversation = store.create_conversation("Colours")
    store.add_message(conversation.id, "user", "Hi")
    window = make_window()
    light = window.chat_view.document().rootFrame().childFrames()[0].frameFormat().background().color()
    original = qapp.palette()
    dark = QtGui.QPalette(original)
    dark.setColor(QtGui.QPalette.ColorRole.Base, QtGui.QColor(30, 30, 30))
    dark.setColor(QtGui.QPalette.ColorRole.Window, QtGui.QColor(40, 40, 40))
    dark.setColor(QtGui.QPalette.ColorRole.Text, QtGui.QColor(230, 230, 230))
    try:
        qapp.setPalette(dark)
        qtbot.waitUntil(
            lambda: window.chat_view.document().rootFrame().childFrames()[0].frameFormat().background().color()
            != light
        )
        bubble = window.chat_view.document().rootFrame().childFrames()[0].frameFormat().background().color()
        assert light.lightness() > 200 and bubble.lightness() < 80
    finally:
        qapp.setPalette(original)


def test_the_window_owns_its_controllers_so_qt_deletes_them_on_the_gui_thread(make_window: WindowFactory) -> None:
    # Unowned, a controller died on whichever thread dropped it last (the engine's reader thread),
    # and its file watcher then corrupted the heap ("Socket notifiers cannot be enabled or disabled
    # from another thread"), aborting a later test.
    window = make_window()
    for controller in (window.controller, window.models, window.downloads):
        assert controller.parent() is window
        assert controller.thread() is window.thread()


def test_edit_says_when_the_store_fails_and_recovers_a_damaged_history(
    qtbot: QtBot, store: Store, make_window: WindowFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    conversation = store.create_conversation("Edits")
    message = store.add_message(conversation.id, "user", "Hi")
    window = make_window()

    def refuse(message_id: int) -> Message:
        raise StorageError(path=store.path, reason="the disk went away")

    monkeypatch.setattr(window.store, "message", refuse)
    window.chat_view.edit_requested.emit(message.id)
    assert window.banner.isVisible() and window.banner.kind() == "error"
    assert "the disk went away" in window.banner.text()
    assert window.composer.text() == ""  # nothing to edit was put in the composer

    recovered: list[DatabaseDamagedInUseError] = []
    damaged = DatabaseDamagedInUseError(path=store.path, reason="malformed")

    def damage(message_id: int) -> Message:
        raise damaged

    monkeypatch.setattr(window.store, "message", damage)
    monkeypatch.setattr(window.history, "recover", lambda error: recovered.append(error) or True)
    window.chat_view.edit_requested.emit(message.id)
    assert recovered == [damaged]
