"""The composer on its own: Enter, Shift+Enter, empty messages, and the busy state."""

from __future__ import annotations

from PySide6 import QtCore
from pytestqt.qtbot import QtBot

from app.ui.chat.composer import Composer


def make_composer(qtbot: QtBot) -> Composer:
    composer = Composer()
    # Shown as a window of its own: an explicit minimum keeps offscreen Qt from warning about size hints.
    composer.setMinimumSize(480, 120)
    qtbot.addWidget(composer)
    composer.show()
    composer.focus_edit()
    return composer


def test_enter_sends_the_text_and_clears_the_box(qtbot: QtBot) -> None:
    composer = make_composer(qtbot)
    qtbot.keyClicks(composer.edit, "Hello")
    with qtbot.waitSignal(composer.send_requested, check_params_cb=lambda text: text == "Hello"):
        qtbot.keyClick(composer.edit, QtCore.Qt.Key.Key_Return)
    assert composer.text() == ""


def test_the_keypad_enter_sends_too(qtbot: QtBot) -> None:
    composer = make_composer(qtbot)
    qtbot.keyClicks(composer.edit, "Hi")
    with qtbot.waitSignal(composer.send_requested):
        qtbot.keyClick(composer.edit, QtCore.Qt.Key.Key_Enter, QtCore.Qt.KeyboardModifier.KeypadModifier)


def test_shift_enter_starts_a_new_line(qtbot: QtBot) -> None:
    composer = make_composer(qtbot)
    with qtbot.assertNotEmitted(composer.send_requested):
        qtbot.keyClicks(composer.edit, "one")
        qtbot.keyClick(composer.edit, QtCore.Qt.Key.Key_Return, QtCore.Qt.KeyboardModifier.ShiftModifier)
        qtbot.keyClicks(composer.edit, "two")
    assert composer.text() == "one\ntwo"
    with qtbot.waitSignal(composer.send_requested, check_params_cb=lambda text: text == "one\ntwo"):
        qtbot.mouseClick(composer.send_button, QtCore.Qt.MouseButton.LeftButton)


def test_an_empty_or_blank_message_cannot_be_sent(qtbot: QtBot) -> None:
    composer = make_composer(qtbot)
    assert not composer.send_button.isEnabled()
    with qtbot.assertNotEmitted(composer.send_requested):
        qtbot.keyClick(composer.edit, QtCore.Qt.Key.Key_Return)
        composer.edit.insertPlainText("  \t ")  # a typed Tab moves the focus on (to the paperclip)
        qtbot.keyClick(composer.edit, QtCore.Qt.Key.Key_Return, QtCore.Qt.KeyboardModifier.ShiftModifier)
        qtbot.keyClick(composer.edit, QtCore.Qt.Key.Key_Return)
        qtbot.mouseClick(composer.send_button, QtCore.Qt.MouseButton.LeftButton)
    assert not composer.send_button.isEnabled()
    assert composer.text() == "  \t \n"


def test_while_busy_send_waits_stop_works_and_typing_goes_on(qtbot: QtBot) -> None:
    composer = make_composer(qtbot)
    assert not composer.stop_button.isEnabled()
    composer.set_busy(True)
    qtbot.keyClicks(composer.edit, "next")
    assert composer.text() == "next"
    assert not composer.send_button.isEnabled() and composer.stop_button.isEnabled()
    with qtbot.assertNotEmitted(composer.send_requested):
        qtbot.keyClick(composer.edit, QtCore.Qt.Key.Key_Return)
    with qtbot.waitSignal(composer.stop_requested):
        qtbot.mouseClick(composer.stop_button, QtCore.Qt.MouseButton.LeftButton)
    composer.set_busy(False)
    assert composer.send_button.isEnabled() and not composer.stop_button.isEnabled()
    assert composer.text() == "next"


def test_the_box_grows_with_its_text_up_to_a_limit(qtbot: QtBot) -> None:
    composer = make_composer(qtbot)
    empty = composer.edit.sizeHint().height()
    composer.set_text("\n".join(["line"] * 5))
    five = composer.edit.sizeHint().height()
    composer.set_text("\n".join(["line"] * 50))
    fifty = composer.edit.sizeHint().height()
    assert empty < five < fifty
    composer.set_text("\n".join(["line"] * 500))
    assert composer.edit.sizeHint().height() == fifty
