"""Settings on an 800×600 screen at the largest text size: the dialog fits, Save and Cancel stay in view on
every page, no page is wider than the dialog, and a page taller than the dialog scrolls to the field the
keyboard reaches."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6 import QtCore, QtGui, QtWidgets
from pytestqt.qtbot import QtBot

from app.core.config import settings as settings_module
from app.core.config.settings import Settings
from app.ui.common import i18n
from app.ui.common.style import FONT_SIZES
from app.ui.settings.dialog import SettingsDialog
from app.ui.shell import geometry
from app.ui.shell.main_window import MainWindow
from tests.ui.conftest import WindowFactory
from tests.ui.settings.categories import open_category
from tests.ui.settings.test_settings_dialog import answer_settings

SCREEN = QtCore.QRect(0, 0, 800, 600)
Button = QtWidgets.QDialogButtonBox.StandardButton
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")  # a dialog, offscreen


@pytest.fixture
def small_screen(monkeypatch: pytest.MonkeyPatch) -> QtCore.QRect:
    """Every screen's available area is 800×600 (the offscreen platform's own screen is 800×800)."""
    monkeypatch.setattr(QtGui.QScreen, "availableGeometry", lambda _screen: QtCore.QRect(SCREEN))
    return SCREEN


@pytest.fixture(params=["en", "zh_CN"])
def language(request: pytest.FixtureRequest, qapp: QtWidgets.QApplication) -> Iterator[str]:
    translators = i18n.install_translators(qapp, request.param)
    yield request.param
    i18n.remove_translators(qapp, translators)


def largest_text_window(make_window: WindowFactory) -> MainWindow:
    """The window with the largest text size Appearance offers (the pages grow taller than the screen)."""
    settings_module.save(Settings(font_size=max(FONT_SIZES)))
    window = make_window()
    assert QtWidgets.QApplication.font().pointSize() == max(FONT_SIZES)
    return window


def global_rect(widget: QtWidgets.QWidget, part: QtCore.QRect) -> QtCore.QRect:
    return part.translated(widget.mapToGlobal(QtCore.QPoint(0, 0)))


def fully_shown(widget: QtWidgets.QWidget, available: QtCore.QRect) -> bool:
    """Whether all of ``widget`` can be seen: not clipped by a parent, and on the screen."""
    seen = widget.visibleRegion().boundingRect()
    return widget.isVisible() and seen == widget.rect() and available.contains(global_rect(widget, seen))


def in_view(widget: QtWidgets.QWidget, available: QtCore.QRect) -> bool:
    """Whether a field can be seen and read: all of its height from its left edge, on the screen."""
    seen = widget.visibleRegion().boundingRect()
    whole_height = seen.top() == 0 and seen.bottom() == widget.rect().bottom()
    return widget.isVisible() and whole_height and seen.left() == 0 and available.contains(global_rect(widget, seen))


def test_the_dialog_fits_the_screen_with_save_and_cancel_in_view_on_every_page(
    qtbot: QtBot, small_screen: QtCore.QRect, language: str, make_window: WindowFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = largest_text_window(make_window)

    def fill(dialog: SettingsDialog) -> bool:
        dialog.show()
        qtbot.waitExposed(dialog)
        # A window manager's title bar and borders go around it: they have to fit on the screen too.
        framed = dialog.geometry().marginsAdded(geometry.FRAME_ALLOWANCE)
        assert small_screen.contains(framed), (framed, language)
        for index in range(dialog.pages.count()):
            title = dialog.pages.tabText(index)
            open_category(dialog, title)
            for button in (Button.Save, Button.Cancel):
                shown = dialog.buttons.button(button)
                assert shown is not None and fully_shown(shown, small_screen), (title, shown.text(), language)
        dialog.reject()  # closed as the user closes it: no second dialog stays open behind the next test's
        return False

    shown = answer_settings(monkeypatch, fill)
    window.settings_action.trigger()
    assert len(shown) == 1


def test_every_field_the_keyboard_reaches_is_scrolled_into_view(
    qtbot: QtBot, small_screen: QtCore.QRect, language: str, make_window: WindowFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = largest_text_window(make_window)

    def press(key: QtCore.Qt.Key) -> QtWidgets.QWidget:
        focused = QtWidgets.QApplication.focusWidget()
        assert focused is not None
        qtbot.keyClick(focused, key)
        now = QtWidgets.QApplication.focusWidget()
        assert now is not None and now is not focused, f"{key} stayed on {focused}"
        return now

    def fill(dialog: SettingsDialog) -> bool:
        with qtbot.waitActive(dialog):
            dialog.show()
            dialog.activateWindow()
        save = dialog.buttons.button(Button.Save)
        assert save is not None
        scrolled: list[str] = []
        for index in range(dialog.pages.count()):
            title = dialog.pages.tabText(index)
            page = open_category(dialog, title)  # a click: the focus is on the list of categories
            fields: list[QtWidgets.QWidget] = []
            while (field := press(QtCore.Qt.Key.Key_Tab)) is not save:  # down the page, field by field
                assert page.isAncestorOf(field) and field not in fields, (title, field)
                assert in_view(field, small_screen), (title, field.accessibleName() or field)
                fields.append(field)
            assert fields, title
            for field in reversed(fields):  # and back up, from Save
                assert press(QtCore.Qt.Key.Key_Backtab) is field
                assert in_view(field, small_screen), (title, field.accessibleName() or field)
            if not in_view(fields[-1], small_screen):
                scrolled.append(title)
                save.setFocus()
                # From the buttons back into the page: its last field comes into view.
                assert press(QtCore.Qt.Key.Key_Backtab) is fields[-1]
                assert in_view(fields[-1], small_screen), title
        assert scrolled, "at this text size some pages (Documents, Memory) are taller than the dialog"
        dialog.reject()
        return False

    answer_settings(monkeypatch, fill)
    window.settings_action.trigger()


def test_no_page_is_wider_than_the_dialog(
    qtbot: QtBot, small_screen: QtCore.QRect, language: str, make_window: WindowFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Long sentences wrap, lists narrow to the page, fields go below their labels and buttons below each other:
    the pages scrolled sideways here before (General, Local API server and Voice, in both languages). A button's
    own words cannot wrap, so none says more than it must: Documents' "Download (634.6 MB)" sits above the note
    that names the model (it scrolled sideways with the name in it)."""
    window = largest_text_window(make_window)

    def fill(dialog: SettingsDialog) -> bool:
        dialog.show()
        qtbot.waitExposed(dialog)
        wide: dict[str, list[str]] = {}
        for index in range(dialog.pages.count()):
            title = dialog.pages.tabText(index)
            page = open_category(dialog, title)
            scroll = page.parentWidget().parentWidget()  # the page's scroll area (its viewport between them)
            assert isinstance(scroll, QtWidgets.QScrollArea)
            room = scroll.viewport().width()
            if scroll.horizontalScrollBar().maximum() > 0:
                wider = [w for w in page.findChildren(QtWidgets.QWidget) if w.isVisible() and _least(w) > room]
                innermost = [w for w in wider if not any(o is not w and w.isAncestorOf(o) for o in wider)]
                wide[title] = [type(w).__name__ for w in innermost]
        assert wide == {}, (language, wide)
        dialog.reject()
        return False

    answer_settings(monkeypatch, fill)
    window.settings_action.trigger()


def _least(widget: QtWidgets.QWidget) -> int:
    return widget.minimumWidth() or widget.minimumSizeHint().width()
