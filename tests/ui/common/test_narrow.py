"""The widgets that fit a narrow page, used as a user uses them: a wrapped check box ticks from any of its lines
and with Space, a narrowed list still opens showing each entry whole, and a field with its button goes
below it where the row does not fit and back beside it where it does."""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtGui, QtWidgets
from pytestqt.qtbot import QtBot

from app.ui.common.narrow import ShrinkingComboBox, SideBySide, WrappingCheckBox, wrapping_form

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")  # offscreen: size hints, raise, grabbing

SENTENCE = "Conversation mode: listen, answer aloud, listen again, and do so until you turn it off"
LONG_ENTRY = "Whisper small (English only) · 484.0 MB · not installed"


def _page(qtbot: QtBot, *widgets: QtWidgets.QWidget, width: int) -> QtWidgets.QWidget:
    page = QtWidgets.QWidget()
    layout = QtWidgets.QVBoxLayout(page)
    for widget in widgets:
        layout.addWidget(widget)
    layout.addStretch(1)
    qtbot.addWidget(page)
    page.resize(width, 400)
    page.show()
    qtbot.waitExposed(page)
    return page


def test_a_long_sentence_wraps_and_a_click_on_any_of_its_lines_or_space_ticks_it(qtbot: QtBot) -> None:
    check = WrappingCheckBox(SENTENCE)
    page = _page(qtbot, check, width=1000)
    one_line = check.height()
    page.resize(220, 400)
    qtbot.waitUntil(lambda: check.height() > 2 * one_line)  # several lines, all of them shown
    assert check.width() <= 220 and check.minimumSizeHint().width() < 220
    assert check.text() == SENTENCE == check.accessibleName() or not check.accessibleName()  # Qt's own text

    last_line = QtCore.QPoint(check.width() // 2, check.height() - 4)
    qtbot.mouseClick(check, QtCore.Qt.MouseButton.LeftButton, pos=last_line)
    assert check.isChecked()
    check.setFocus()
    qtbot.keyClick(check, QtCore.Qt.Key.Key_Space)
    assert not check.isChecked()


def test_a_form_puts_a_field_below_a_label_too_long_to_share_the_row(qtbot: QtBot) -> None:
    page = QtWidgets.QWidget()
    form = wrapping_form()
    page.setLayout(form)
    label = QtWidgets.QLabel("When a conversation is full, what happens next:")
    field = QtWidgets.QLineEdit()
    form.addRow(label, field)
    qtbot.addWidget(page)
    page.resize(900, 200)
    page.show()
    qtbot.waitExposed(page)
    assert field.y() == label.y() or abs(field.geometry().center().y() - label.geometry().center().y()) < 8
    page.resize(label.sizeHint().width() + 40, 200)
    qtbot.waitUntil(lambda: field.y() >= label.geometry().bottom())  # below it
    assert page.minimumSizeHint().width() < label.sizeHint().width() + field.minimumSizeHint().width()


def test_a_narrowed_list_opens_with_each_entry_whole(qtbot: QtBot) -> None:
    choice = ShrinkingComboBox()
    choice.addItem(LONG_ENTRY)
    choice.addItem("Whisper tiny")
    page = _page(qtbot, choice, width=200)
    whole = choice.fontMetrics().horizontalAdvance(LONG_ENTRY)
    assert choice.minimumSizeHint().width() < whole  # the page may be narrower than the entry
    assert choice.width() <= 200
    choice.showPopup()
    popup = choice.view()
    qtbot.waitUntil(popup.isVisible)
    assert popup.width() >= whole  # the open list shows it whole
    choice.hidePopup()
    page.close()


def test_a_button_goes_below_its_list_where_the_row_does_not_fit_and_back_beside_it(qtbot: QtBot) -> None:
    choice = ShrinkingComboBox()
    choice.addItem(LONG_ENTRY)
    button = QtWidgets.QPushButton("Download BGE-M3 (embeddings) (634.6 MB)")
    row = SideBySide(choice, button)
    page = _page(qtbot, row, width=1000)

    def beside() -> bool:
        level = abs(button.geometry().center().y() - choice.geometry().center().y()) <= 2
        return level and button.x() > choice.geometry().right()

    qtbot.waitUntil(beside)
    page.resize(button.sizeHint().width() + 30, 400)
    qtbot.waitUntil(lambda: button.y() >= choice.geometry().bottom())  # below it, both in full view
    assert row.height() >= choice.height() + button.height()
    assert button.width() >= button.sizeHint().width()
    page.resize(1000, 400)
    qtbot.waitUntil(beside)
    button.hide()  # only the list: as tall as the list alone
    qtbot.waitUntil(lambda: row.height() == choice.sizeHint().height())


def test_the_box_sits_beside_the_first_line(qtbot: QtBot) -> None:
    check = WrappingCheckBox(SENTENCE)
    page = _page(qtbot, check, width=200)
    picture = check.grab().toImage()
    # The box is drawn in the top line's height, not in the middle of all the lines.
    top_line = check.fontMetrics().height() + 2
    column = range(2, 12)
    below = [picture.pixelColor(x, y) for x in column for y in range(top_line + 4, check.height())]
    background = check.palette().color(QtGui.QPalette.ColorRole.Window)
    assert all(abs(c.lightness() - background.lightness()) < 30 for c in below)
    page.close()
