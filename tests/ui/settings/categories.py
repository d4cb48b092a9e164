"""Choosing a Settings category as the user does: a click on its name in the list on the left."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets
from PySide6.QtTest import QTest

from app.ui.settings.dialog import SettingsDialog


def open_category(dialog: SettingsDialog, title: str) -> QtWidgets.QWidget:
    """Clicks ``title`` in the dialog's list of categories; returns the page then shown."""
    layout = dialog.layout()
    assert layout is not None
    layout.activate()  # laid out as on screen (``run`` is replaced: the dialog is not shown)
    categories = dialog.pages.list
    items = categories.findItems(title, QtCore.Qt.MatchFlag.MatchExactly)
    assert items, f"no category {title!r} in {[categories.item(i).text() for i in range(categories.count())]}"
    categories.scrollToItem(items[0])
    where = categories.visualItemRect(items[0]).center()
    QTest.mouseClick(categories.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=where)
    page = dialog.pages.currentWidget()
    assert page is not None and page.isVisibleTo(dialog)  # the page shown, not one behind it
    assert dialog.pages.tabText(dialog.pages.currentIndex()) == title
    return page


def shown_category(dialog: SettingsDialog) -> str:
    """The name of the category whose page is shown."""
    current = dialog.pages.list.currentItem()
    assert current is not None and current.isSelected()
    return current.text()
