"""What a screen reader hears of the sidebar's page buttons (Get models, Models): page tabs, not check boxes.

The buttons stay checkable, which is how the window shows the current page; Qt would report a
checkable button as a check box, so their accessible interface says "page tab", selected while its
page shows, and pressing it opens the page as a click does.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from app.ui.common.mnemonic import without_mnemonic

_A = QtGui.QAccessible
OBJECT_NAME = "pageButton"  # the buttons this interface is for
_installed = False


def install() -> None:
    """Makes Qt ask this module for the page buttons' accessible interface (once per process)."""
    global _installed
    if not _installed:
        _A.installFactory(_factory)
        _installed = True


def _factory(key: str, obj: QtCore.QObject) -> QtGui.QAccessibleInterface | None:
    del key
    if isinstance(obj, QtWidgets.QPushButton) and obj.objectName() == OBJECT_NAME and obj.isCheckable():
        return PageTabAccessible(obj)
    return None


class PageTabAccessible(QtWidgets.QAccessibleWidget):
    """A checkable page button as a page tab: named by its text, selected while its page shows."""

    def __init__(self, button: QtWidgets.QPushButton) -> None:
        super().__init__(button, _A.Role.PageTab)
        self._button = button

    def text(self, kind: QtGui.QAccessible.Text) -> str:
        if kind == _A.Text.Name:
            return self._button.accessibleName() or without_mnemonic(self._button.text())
        if kind == _A.Text.Description:
            return self._button.accessibleDescription() or self._button.toolTip()
        return str(super().text(kind))

    def role(self) -> QtGui.QAccessible.Role:
        return _A.Role.PageTab if self._button.isCheckable() else _A.Role.Button

    def state(self) -> QtGui.QAccessible.State:
        state = super().state()
        state.selectable = True
        state.selected = self._button.isChecked()
        return state

    def actionNames(self) -> list[str]:  # noqa: N802 - Qt's name
        return [self.pressAction(), *super().actionNames()]

    def doAction(self, name: str) -> None:  # noqa: N802 - Qt's name
        if name == self.pressAction():
            self._button.click()
        else:
            super().doAction(name)
