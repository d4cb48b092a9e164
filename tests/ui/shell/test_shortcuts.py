"""Every keyboard shortcut, pressed as a user would, and Help → Keyboard shortcuts listing them."""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtWidgets
from pytestqt.qtbot import QtBot

from app.core.history.store import Store
from app.ui.settings.dialog import SettingsDialog
from app.ui.shell.main_window import MainWindow
from app.ui.shell.shortcuts import SHORTCUTS, ShortcutsDialog
from tests.ui.chat import screen
from tests.ui.conftest import WindowFactory

CTRL = QtCore.Qt.KeyboardModifier.ControlModifier
SHIFT = QtCore.Qt.KeyboardModifier.ShiftModifier


def press(qtbot: QtBot, window: MainWindow, key: QtCore.Qt.Key, modifiers: QtCore.Qt.KeyboardModifier) -> None:
    target = QtWidgets.QApplication.focusWidget() or window
    qtbot.keyClick(target, key, modifiers)


@pytest.fixture
def chats(store: Store) -> list[int]:
    """Three conversations with one answer each, newest (the last made) first in the sidebar."""
    ids = []
    for number in range(3):
        conversation = store.create_conversation(f"Chat {number}")
        store.add_message(conversation.id, "user", f"Question {number}")
        store.add_message(conversation.id, "assistant", f"Answer **{number}**. More.", model_name="SmolLM2")
        ids.append(conversation.id)
    return ids


@pytest.fixture
def active_window(qtbot: QtBot, make_window: WindowFactory, chats: list[int]) -> MainWindow:
    del chats
    window = make_window()
    window.activateWindow()
    qtbot.waitActive(window)
    return window


def test_ctrl_n_opens_a_new_chat_and_ctrl_l_goes_to_the_message_box(
    qtbot: QtBot, active_window: MainWindow, store: Store
) -> None:
    window = active_window
    before = window.conversation_id
    window.sidebar.list.setFocus()
    press(qtbot, window, QtCore.Qt.Key.Key_N, CTRL)
    assert window.conversation_id != before and screen.message_ids(window.chat_view) == []
    window.sidebar.list.setFocus()
    press(qtbot, window, QtCore.Qt.Key.Key_L, CTRL)
    assert window.composer.edit.hasFocus()


def test_ctrl_up_and_down_move_between_conversations(qtbot: QtBot, active_window: MainWindow, chats: list[int]) -> None:
    window = active_window
    newest_first = list(reversed(chats))
    assert window.conversation_id == newest_first[0]
    press(qtbot, window, QtCore.Qt.Key.Key_Down, CTRL)
    assert window.conversation_id == newest_first[1]
    press(qtbot, window, QtCore.Qt.Key.Key_Down, CTRL)
    press(qtbot, window, QtCore.Qt.Key.Key_Down, CTRL)  # stays on the last one
    assert window.conversation_id == newest_first[2]
    press(qtbot, window, QtCore.Qt.Key.Key_Up, CTRL)
    assert window.conversation_id == newest_first[1]


def test_ctrl_shift_c_copies_the_last_answer(
    qtbot: QtBot, qapp: QtWidgets.QApplication, active_window: MainWindow
) -> None:
    qapp.clipboard().clear()
    press(qtbot, active_window, QtCore.Qt.Key.Key_C, CTRL | SHIFT)
    assert qapp.clipboard().text() == "Answer 2. More."


def test_esc_stops_the_answer(qtbot: QtBot, active_window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    stops: list[bool] = []
    monkeypatch.setattr(active_window.controller, "stop", lambda: stops.append(True))
    press(qtbot, active_window, QtCore.Qt.Key.Key_Escape, QtCore.Qt.KeyboardModifier.NoModifier)
    assert stops == [True]


def test_ctrl_comma_opens_settings(qtbot: QtBot, active_window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[SettingsDialog] = []

    def run(dialog: SettingsDialog) -> bool:
        opened.append(dialog)
        return False

    monkeypatch.setattr(SettingsDialog, "run", run)
    press(qtbot, active_window, QtCore.Qt.Key.Key_Comma, CTRL)
    assert len(opened) == 1


@pytest.mark.qt_log_ignore("This plugin does not support")  # the offscreen platform's popups
def test_ctrl_shift_m_opens_the_model_list(qtbot: QtBot, active_window: MainWindow) -> None:
    press(qtbot, active_window, QtCore.Qt.Key.Key_M, CTRL | SHIFT)
    qtbot.waitUntil(lambda: active_window.model_picker.view().isVisible())
    active_window.model_picker.hidePopup()
    qtbot.waitUntil(active_window.model_picker.hasFocus)  # the keyboard goes on from the picker


def test_f1_lists_every_bound_shortcut(
    qtbot: QtBot, active_window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[list[tuple[str, str]]] = []

    def run_dialog(dialog: QtWidgets.QDialog) -> None:
        assert isinstance(dialog, ShortcutsDialog)
        shown.append(dialog.rows())

    monkeypatch.setattr(active_window.window_actions, "run_dialog", run_dialog)
    press(qtbot, active_window, QtCore.Qt.Key.Key_F1, QtCore.Qt.KeyboardModifier.NoModifier)
    assert len(shown) == 1
    rows = dict(shown[0])
    assert rows["Ctrl+N"] == "New chat" and rows["Ctrl+L"] == "Go to the message box"
    assert rows["Esc"] == "Stop the answer"
    assert {"Ctrl+Shift+C", "Ctrl+,", "Ctrl+Up", "Ctrl+Down", "Ctrl+Shift+M", "F1"} <= set(rows)
    # Each row's keys really are the window's: nothing listed that does not work.
    keys = {action.shortcut().toString() for action in active_window.actions() if action.objectName()}
    assert set(rows) <= keys
    # The table's keys are all distinct.
    assert len({shortcut.keys for shortcut in SHORTCUTS}) == len(SHORTCUTS)
