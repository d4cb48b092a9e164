"""The window in 800×600 at the largest text size, in English and Chinese: nothing on the first screen, the
sidebar or the Models page is cut off, no page needs to scroll sideways, a page taller than the window
scrolls to what the keyboard reaches, and a model's draft is offered in words that wrap."""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtGui, QtWidgets
from pytestqt.qtbot import QtBot

from app.core.history.store import Store
from app.core.models.recommended import load_recommended
from app.ui.models.recommended_list import RecommendedCard
from app.ui.personas.editor import PersonaEditor
from app.ui.shell import geometry
from app.ui.shell.main_window import MainWindow
from tests.ui.conftest import WindowFactory
from tests.ui.settings.test_small_screen import language, largest_text_window, small_screen  # noqa: F401 - fixtures

pytestmark = pytest.mark.usefixtures("small_screen", "language")


def cut_off(widget: QtWidgets.QWidget) -> bool:
    """Whether ``widget`` was given less than it needs to show its content: narrower than its least width (its
    own minimum where one is set: a menu that elides its text), or shorter than its height at its width."""
    least = widget.minimumWidth() or widget.minimumSizeHint().width()
    if widget.width() < least:
        return True
    return widget.hasHeightForWidth() and widget.height() < widget.heightForWidth(widget.width())


def shown_welcome(qtbot: QtBot, make_window: WindowFactory) -> MainWindow:
    window = largest_text_window(make_window)
    qtbot.waitExposed(window)
    assert window.width() <= 800 and window.height() <= 600
    assert window.stack.currentWidget() is window.welcome
    return window


def test_nothing_on_the_first_screen_is_cut_off_or_wider_than_the_window(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window = shown_welcome(qtbot, make_window)
    scroll = window.welcome.scroll_area
    content = scroll.widget()
    assert content is not None
    qtbot.waitUntil(lambda: content.width() <= scroll.viewport().width())  # no part of the page out of reach
    shown = [w for w in content.findChildren(QtWidgets.QWidget) if w.isVisible()]
    # The texts that overflowed before: the two big buttons, the section title, each card and its buttons.
    names = {w.objectName() for w in shown}
    assert {"startButton", "sectionTitle", "modelCard", "downloadModelButton", "downloadDraftButton"} <= names

    def nothing_cut_off() -> None:
        assert [(w.objectName(), getattr(w, "text", lambda: "")()) for w in shown if cut_off(w)] == []

    qtbot.waitUntil(nothing_cut_off)  # once the cards have laid themselves out for their width
    for button in (window.welcome.best_button, window.welcome.start_button):  # named by their wrapped text
        shown = QtGui.QAccessible.queryAccessibleInterface(button)
        assert shown is not None and button.text() and shown.text(QtGui.QAccessible.Text.Name) == button.text()


def test_a_model_with_a_draft_names_it_and_one_click_asks_for_the_draft(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window = shown_welcome(qtbot, make_window)
    catalog = {model.id: model for model in load_recommended()}
    cards = [card for card in window.welcome.recommended.cards() if card.draft is not None]
    assert cards, "the catalog names drafts for some recommended models"
    card: RecommendedCard = cards[0]
    assert card.draft is not None and card.draft_note is not None and card.draft_button is not None
    assert card.draft.id in catalog and card.draft.name in card.draft_note.text()
    assert card.draft.name in card.draft_button.accessibleName()
    with qtbot.waitSignal(window.welcome.recommended.download_requested) as asked:
        qtbot.mouseClick(card.draft_button, QtCore.Qt.MouseButton.LeftButton)
    assert asked.args == [card.draft]


def test_the_sidebar_keeps_new_chat_whole(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = shown_welcome(qtbot, make_window)
    sidebar = window.sidebar
    for button in (sidebar.new_button, sidebar.persona_button, sidebar.new_project_button):
        assert button.isVisible() and not cut_off(button), (button.objectName(), button.size())
    assert window.splitter.sizes()[0] >= sidebar.minimumSizeHint().width()


def test_the_models_page_scrolls_to_each_button_and_cuts_none_off(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = shown_welcome(qtbot, make_window)
    qtbot.mouseClick(window.models_button, QtCore.Qt.MouseButton.LeftButton)
    page = window.models_page
    assert window.pages.currentWidget() is page
    buttons = [b for b in page.findChildren(QtWidgets.QPushButton) if b.isVisible()]
    names = {b.text() for b in buttons}
    assert {"Model settings…", "Import…", "Delete…"} <= names or {"模型设置…", "导入…", "删除…"} <= names
    qtbot.waitUntil(lambda: not any(cut_off(b) or b.height() < b.sizeHint().height() for b in buttons))
    # Down the page by the keyboard: each button it reaches comes into view whole.
    with qtbot.waitActive(window):
        window.activateWindow()
    page.table.selectRow(0)  # the starter: the buttons for a chosen model come on
    page.settings_button.setFocus()  # the first button under the table (Tab in the table moves between cells)
    reached: list[QtWidgets.QPushButton] = [page.settings_button]
    for _ in range(20):
        focused = QtWidgets.QApplication.focusWidget()
        assert focused is not None
        qtbot.keyClick(focused, QtCore.Qt.Key.Key_Tab)
        now = QtWidgets.QApplication.focusWidget()
        if not page.isAncestorOf(now):
            break
        if isinstance(now, QtWidgets.QPushButton):
            qtbot.waitUntil(lambda now=now: now.visibleRegion().boundingRect() == now.rect())
            reached.append(now)
    assert {page.settings_button, page.import_button, page.folder_button} <= set(reached), reached


def test_the_chat_header_puts_its_menus_under_the_title_where_both_do_not_fit(
    qtbot: QtBot, make_window: WindowFactory, store: Store
) -> None:
    conversation = store.create_conversation("A conversation about the rivers of Europe")
    store.add_message(conversation.id, "user", "Which rivers flow through Vienna?")
    window = largest_text_window(make_window)
    qtbot.waitExposed(window)
    window.show_conversation(conversation.id)
    header = window.header
    title, menus = header.title_label, (header.persona_combo, header.library_switch, header.model_picker)

    def apart() -> None:
        shown = [widget for widget in menus if widget.isVisible()]
        assert shown and title.isVisible()
        where = title.geometry().translated(title.mapTo(header, QtCore.QPoint(0, 0)) - title.pos())
        for widget in shown:  # none covers the title, and none is cut off
            other = widget.geometry().translated(widget.mapTo(header, QtCore.QPoint(0, 0)) - widget.pos())
            assert not where.intersects(other), (widget.objectName(), where, other)
            assert not cut_off(widget), widget.objectName()
        assert all(widget.mapTo(header, QtCore.QPoint(0, 0)).y() >= where.bottom() for widget in shown)

    qtbot.waitUntil(apart)
    assert title.text().startswith("A conversation")


@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")  # a dialog, offscreen
def test_the_persona_editor_fits_the_screen_and_scrolls_its_fields_with_save_in_view(
    qtbot: QtBot, make_window: WindowFactory, small_screen: QtCore.QRect, language: str,  # noqa: F811 - fixtures
) -> None:
    window = shown_welcome(qtbot, make_window)
    editor = PersonaEditor(window.services.personas, window.settings, language, window)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    assert small_screen.contains(editor.geometry().marginsAdded(geometry.FRAME_ALLOWANCE))
    scroll = editor.findChild(QtWidgets.QScrollArea)
    assert scroll is not None and scroll.widget() is not None
    fields = scroll.widget()

    def fitted() -> None:
        assert fields.width() <= scroll.viewport().width()  # nothing out of reach on the right
        shown = [w for w in fields.findChildren(QtWidgets.QWidget) if w.isVisibleTo(fields) and w.parent() is fields]
        assert [(w.objectName() or type(w).__name__, w.accessibleName()) for w in shown if cut_off(w)] == []

    qtbot.waitUntil(fitted)
    save = editor.save_button
    assert save.visibleRegion().boundingRect() == save.rect() and save.isVisible()
    editor.close()


def test_the_get_models_page_is_no_wider_than_the_window_leaves_it(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = shown_welcome(qtbot, make_window)
    qtbot.mouseClick(window.find_models_button, QtCore.Qt.MouseButton.LeftButton)
    page = window.find_models
    assert window.pages.currentWidget() is page
    for body in range(page.body.count()):  # the recommended models, and a search's results and files
        page.body.setCurrentIndex(body)
        qtbot.waitUntil(lambda: page.minimumSizeHint().width() <= page.width())
