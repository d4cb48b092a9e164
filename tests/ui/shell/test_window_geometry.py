"""The window's size: fitted to the screen at first, remembered across runs, clamped to a smaller screen."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets
from pytestqt.qtbot import QtBot

from app.core import paths
from app.core.config.settings import Settings
from app.core.history.store import Store
from app.ui.shell import geometry
from app.ui.shell.main_window import MainWindow
from tests.ui.conftest import WindowFactory


def _available() -> QtCore.QRect:
    screen = QtGui.QGuiApplication.primaryScreen()
    assert screen is not None
    return screen.availableGeometry()


def _inside(window: MainWindow, widget: QtWidgets.QWidget) -> bool:
    return window.rect().contains(QtCore.QRect(widget.mapTo(window, QtCore.QPoint(0, 0)), widget.size()))


def test_the_first_window_fits_the_screen_and_shows_every_control(
    qtbot: QtBot, store: Store, make_window: WindowFactory
) -> None:
    conversation = store.create_conversation("Fits")
    store.add_message(conversation.id, "user", "Hi")
    window = make_window()
    available = _available()
    assert available.width() < 1120  # the offscreen screen is 800×600: the usual size would not fit
    qtbot.waitExposed(window)
    assert available.contains(window.geometry()), (window.geometry(), available)
    # Everything the user needs is on the window, not cut off at its right or bottom edge.
    for widget in (
        window.composer.send_button, window.settings_button, window.statusBar(), window.model_picker,
        window.header.persona_combo, window.sidebar.new_button, window.title_label,
    ):  # fmt: skip
        assert widget.isVisible() and _inside(window, widget), widget.objectName() or type(widget).__name__
    assert window.title_label.width() >= 120  # the title keeps room beside the combos


def test_the_size_and_the_sidebar_width_come_back_after_a_restart(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window = make_window()
    qtbot.waitExposed(window)
    window.resize(780, 540)
    window.splitter.setSizes([230, 549])
    qtbot.waitUntil(lambda: window.splitter.sizes()[0] == 230, timeout=10_000)
    window.close()
    saved = json.loads(paths.settings_path().read_text(encoding="utf-8"))
    assert saved["window_geometry"] and saved["window_splitter"]
    again = make_window()
    qtbot.waitExposed(again)
    assert again.size() == QtCore.QSize(780, 540)
    assert again.splitter.sizes()[0] == 230


def test_a_saved_size_larger_than_the_screen_is_clamped_to_it() -> None:
    available = QtCore.QRect(0, 0, 800, 600)
    rect = geometry.clamped(QtCore.QRect(900, -40, 1600, 1000), available)
    room = available.marginsRemoved(geometry.FRAME_ALLOWANCE)
    assert room.contains(rect) and rect.size() == room.size()
    small = geometry.clamped(QtCore.QRect(700, 500, 400, 300), available)
    assert room.contains(small) and small.size() == QtCore.QSize(400, 300)
    assert geometry.fitted(geometry.PREFERRED_SIZE, QtCore.QRect(0, 0, 1920, 1080)).size() == geometry.PREFERRED_SIZE


def test_a_saved_geometry_that_is_not_base64_takes_the_default() -> None:
    settings = Settings.from_json({"window_geometry": "not base64!", "window_splitter": 7})
    assert settings.window_geometry == "" and settings.window_splitter == ""
    assert Settings.from_json({"window_geometry": "AdnQyw=="}).window_geometry == "AdnQyw=="


def test_choosing_the_starter_in_the_models_page_never_narrows_the_sidebar(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window = make_window()
    qtbot.waitExposed(window)
    window.show_page(window.models_page)
    page = window.models_page
    qtbot.waitUntil(lambda: page.table.rowCount() > 0)
    sidebar = window.splitter.sizes()[0]
    page.table.selectRow(0)  # the starter: "Remove from list…" (wider than "Delete…"), a long folder
    assert len(page.details.text()) > 80
    QtWidgets.QApplication.processEvents()
    assert window.splitter.sizes()[0] == sidebar
    assert _inside(window, page.settings_button) and _inside(window, page.details)


def test_the_header_menus_show_their_choice_whole_or_ending_in_an_ellipsis(
    qtbot: QtBot, store: Store, make_window: WindowFactory, starter_model: Path
) -> None:
    store.create_conversation("Narrow")
    window = make_window()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: bool(window.model_picker.currentText() and window.header.persona_combo.currentText()))

    def shown(combo: QtWidgets.QComboBox, width: int) -> tuple[str, int]:
        combo.resize(width, combo.height())
        option = QtWidgets.QStyleOptionComboBox()
        combo.initStyleOption(option)
        field = combo.style().subControlRect(
            QtWidgets.QStyle.ComplexControl.CC_ComboBox, option, QtWidgets.QStyle.SubControl.SC_ComboBoxEditField,
            combo,
        )
        return option.currentText, field.width()

    for combo in (window.model_picker, window.header.persona_combo):
        assert shown(combo, combo.sizeHint().width())[0] == combo.currentText()  # room enough: shown whole
        least = combo.minimumWidth() or combo.minimumSizeHint().width()  # what a narrow window leaves it
        text, room = shown(combo, least)
        assert combo.fontMetrics().horizontalAdvance(text) <= room, (combo.objectName(), text)
        assert text.endswith("…") and combo.currentText().startswith(text[:-1]), text
