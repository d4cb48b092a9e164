"""The sidebar's search box in the window: Esc clears it and gives the keyboard back to the list; the
highlighted spans of a result are the occurrences the search matched."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets
from pytestqt.qtbot import QtBot

from app.core.history.store import Store
from app.ui.shell.main_window import MainWindow
from app.ui.sidebar.panel import Sidebar
from app.ui.sidebar.search import snippet_html


def test_esc_in_the_search_box_clears_it_and_returns_to_the_list(
    qtbot: QtBot, window: MainWindow, store: Store
) -> None:
    store.create_conversation("Budget 975")
    window.sidebar.refresh()
    box = window.sidebar.search
    box.edit.setFocus()
    qtbot.keyClicks(box.edit, "budget")
    box.search_now()
    assert box.results.isVisible()

    qtbot.keyClick(box.edit, QtCore.Qt.Key.Key_Escape)

    assert box.edit.text() == ""
    assert not box.results.isVisible()
    assert window.sidebar.list.isVisible()
    qtbot.waitUntil(lambda: QtWidgets.QApplication.focusWidget() is window.sidebar.list, timeout=10_000)


def test_a_one_character_search_bolds_the_whole_word_it_found_not_a_digit_inside_a_number(
    qtbot: QtBot, store: Store
) -> None:
    conversation = store.create_conversation("Numbers")
    store.add_message(conversation.id, "user", "975 is more than 7")
    store.add_message(conversation.id, "assistant", "Yes, 975 > 7.")
    store.add_message(conversation.id, "user", "and 975?")
    sidebar = Sidebar(store)
    qtbot.addWidget(sidebar)

    hits = sidebar.search.search_now("7")

    assert len(hits) == 2, "the message with only 975 is not a match for 7"
    for hit in hits:
        shown = snippet_html(hit)
        assert "9<b><u>7</u></b>5" not in shown and shown.count("<b><u>7</u></b>") == 1
