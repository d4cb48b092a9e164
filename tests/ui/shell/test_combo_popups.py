"""The combo boxes' popups, as the shared style draws them: every row shown, the current one readable."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6 import QtGui, QtWidgets
from pytestqt.qtbot import QtBot

from app.core.history.store import Store
from app.ui.common import style
from tests.ui.conftest import WindowFactory


def _contrast(a: QtGui.QColor, b: QtGui.QColor) -> int:
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue())


def _check_popup(qtbot: QtBot, combo: QtWidgets.QComboBox) -> None:
    # A combo opened by a click has the focus first: its focus ring must not shrink the popup.
    combo.setFocus()
    qtbot.waitUntil(combo.hasFocus, timeout=10_000)
    combo.showPopup()
    view = combo.view()
    qtbot.waitUntil(view.isVisible, timeout=10_000)
    model = combo.model()
    rows = sum(view.visualRect(model.index(row, 0)).height() for row in range(combo.count()))
    name = combo.objectName()
    assert view.verticalScrollBar().maximum() == 0, f"{name}: the popup scrolls for {combo.count()} rows"
    assert view.viewport().height() >= rows, f"{name}: {view.viewport().height()} px shown of {rows}"
    # The current row is drawn in the highlight colour, its text in a colour that stands out from it.
    highlight = combo.palette().color(QtGui.QPalette.ColorRole.Highlight)
    rect = view.visualRect(model.index(combo.currentIndex(), 0))
    image = view.viewport().grab(rect).toImage()
    pixels = [image.pixelColor(x, y) for x in range(image.width()) for y in range(image.height())]
    on_highlight = sum(1 for pixel in pixels if _contrast(pixel, highlight) < 30)
    text = sum(1 for pixel in pixels if _contrast(pixel, highlight) > 200)
    assert on_highlight > len(pixels) // 2, f"{name}: the current row is not drawn in the highlight colour"
    assert text > 20, f"{name}: the current row's text does not stand out from its background"
    combo.hidePopup()
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=10_000)


@pytest.mark.qt_log_ignore("This plugin does not support")  # the offscreen platform's popups
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_header_popups_show_every_row_with_the_current_one_readable(
    qtbot: QtBot, store: Store, make_window: WindowFactory, theme: str
) -> None:
    conversation = store.create_conversation("Popups")
    store.add_message(conversation.id, "user", "Hi")
    window = make_window()
    window.settings.update(replace(window.settings.current, theme=theme))
    qtbot.waitUntil(lambda: style.is_dark(window.palette()) == (theme == "dark"), timeout=10_000)
    window.activateWindow()
    # The persona menu (several rows) and the model picker (a model, a separator, "Open a GGUF file…").
    assert window.header.persona_combo.count() >= 3 and window.model_picker.count() == 3
    for combo in (window.header.persona_combo, window.model_picker):
        _check_popup(qtbot, combo)
