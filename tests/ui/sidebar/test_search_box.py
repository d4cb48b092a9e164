"""The sidebar's search box in the window: Esc clears it and gives the keyboard back to the list; the
highlighted spans of a result are the occurrences the search matched."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets
from pytestqt.qtbot import QtBot

from app.core.history.store import Store
from app.ui.shell.main_window import MainWindow


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
