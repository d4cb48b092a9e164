"""Settings' pages as a list of categories on the left and the chosen page beside it.

A list of categories fits any number of pages and any length of name, where tabs overflowed behind
scroll arrows. ``CategoryPages`` keeps the calls the dialog and the window used on tabs (``addTab``,
``count``, ``widget``, ``tabText``, ``indexOf``, ``setCurrentIndex``, ``setCurrentWidget``).
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets


class CategoryPages(QtWidgets.QWidget):
    """The categories (a list the user clicks or walks with the arrow keys) and a stack of pages. GUI thread only."""

    currentChanged = QtCore.Signal(int)  # noqa: N815 - the name QTabWidget gives it

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QtWidgets.QListWidget(self)
        self.list.setObjectName("settingsCategories")
        self.list.setAccessibleName(self.tr("Settings categories"))
        self.list.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setSizePolicy(QtWidgets.QSizePolicy.Policy.Fixed, QtWidgets.QSizePolicy.Policy.Expanding)
        self.stack = QtWidgets.QStackedWidget(self)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addWidget(self.stack, 1)
        self.list.currentRowChanged.connect(self._on_list_current_row_changed)

    def addTab(self, page: QtWidgets.QWidget, title: str) -> int:  # noqa: N802 - the name QTabWidget gives it
        """Adds ``page`` under the category ``title``; returns its index."""
        self.stack.addWidget(page)
        self.list.addItem(title)
        if self.list.currentRow() < 0:
            self.list.setCurrentRow(0)
        self._fit_list()
        return self.stack.count() - 1

    def count(self) -> int:
        return self.stack.count()

    def widget(self, index: int) -> QtWidgets.QWidget | None:
        return self.stack.widget(index)

    def tabText(self, index: int) -> str:  # noqa: N802 - the name QTabWidget gives it
        item = self.list.item(index)
        return item.text() if item is not None else ""

    def indexOf(self, page: QtWidgets.QWidget) -> int:  # noqa: N802 - the name QTabWidget gives it
        return self.stack.indexOf(page)

    def currentIndex(self) -> int:  # noqa: N802 - the name QTabWidget gives it
        return self.stack.currentIndex()

    def currentWidget(self) -> QtWidgets.QWidget | None:  # noqa: N802 - the name QTabWidget gives it
        return self.stack.currentWidget()

    def setCurrentIndex(self, index: int) -> None:  # noqa: N802 - the name QTabWidget gives it
        self.list.setCurrentRow(index)

    def setCurrentWidget(self, page: QtWidgets.QWidget) -> None:  # noqa: N802 - the name QTabWidget gives it
        self.setCurrentIndex(self.stack.indexOf(page))

    def changeEvent(self, event: QtCore.QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() in (QtCore.QEvent.Type.FontChange, QtCore.QEvent.Type.StyleChange):
            self._fit_list()
        super().changeEvent(event)

    def _fit_list(self) -> None:
        """The list is as wide as its longest name, so no category is cut."""
        widest = max((self.list.sizeHintForColumn(0), 0))
        frame = 2 * self.list.frameWidth() + 24
        self.list.setFixedWidth(max(120, widest + frame))

    @QtCore.Slot(int)
    def _on_list_current_row_changed(self, row: int) -> None:
        if 0 <= row < self.stack.count():
            self.stack.setCurrentIndex(row)
            self.currentChanged.emit(row)
