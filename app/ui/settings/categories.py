"""Settings' pages as a list of categories on the left and the chosen page beside it.

A list of categories fits any number of pages and any length of name, where tabs overflowed behind
scroll arrows. ``CategoryPages`` keeps the calls the dialog and the window used on tabs (``addTab``,
``count``, ``widget``, ``tabText``, ``indexOf``, ``setCurrentIndex``, ``setCurrentWidget``).
Each page sits in a frameless scroll area, so a page taller than a small screen scrolls while the dialog's
buttons stay in view, and the field that takes the keyboard focus is scrolled into view.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets


class _PageScroll(QtWidgets.QScrollArea):
    """One page, scrolled where the dialog is shorter than it."""

    def __init__(self, page: QtWidgets.QWidget, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        self.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)  # Tab goes to the fields, and they scroll into view
        self.setWidget(page)

    def show_field(self, field: QtWidgets.QWidget) -> None:
        """Scrolls ``field`` into view; one wider than the view (the largest text sizes) from its left edge,
        where its text starts, rather than from its middle as QScrollArea would."""
        self.ensureWidgetVisible(field)
        page = self.widget()
        if page is not None and field.width() > self.viewport().width():
            self.horizontalScrollBar().setValue(field.mapTo(page, QtCore.QPoint(0, 0)).x())

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802 - Qt's name
        moved = super().focusNextPrevChild(next)  # QScrollArea scrolls to the new field, centring a wide one
        focused = self.focusWidget()
        if moved and focused is not None:
            self.show_field(focused)
        return moved

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt's name
        # QScrollArea caps its hint at 24 lines; the dialog opens as tall as the page where the screen has room.
        page = self.widget()
        return page.sizeHint() if page is not None else super().sizeHint()


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
        application = QtWidgets.QApplication.instance()
        if isinstance(application, QtWidgets.QApplication):
            application.focusChanged.connect(self._on_application_focus_changed)

    def addTab(self, page: QtWidgets.QWidget, title: str) -> int:  # noqa: N802 - the name QTabWidget gives it
        """Adds ``page`` under the category ``title``; returns its index."""
        self.stack.addWidget(_PageScroll(page, self.stack))
        self.list.addItem(title)
        if self.list.currentRow() < 0:
            self.list.setCurrentRow(0)
        self._fit_list()
        return self.stack.count() - 1

    def count(self) -> int:
        return self.stack.count()

    def widget(self, index: int) -> QtWidgets.QWidget | None:
        scroll = self.stack.widget(index)
        return scroll.widget() if isinstance(scroll, _PageScroll) else None

    def tabText(self, index: int) -> str:  # noqa: N802 - the name QTabWidget gives it
        item = self.list.item(index)
        return item.text() if item is not None else ""

    def indexOf(self, page: QtWidgets.QWidget) -> int:  # noqa: N802 - the name QTabWidget gives it
        return next((index for index in range(self.count()) if self.widget(index) is page), -1)

    def currentIndex(self) -> int:  # noqa: N802 - the name QTabWidget gives it
        return self.stack.currentIndex()

    def currentWidget(self) -> QtWidgets.QWidget | None:  # noqa: N802 - the name QTabWidget gives it
        return self.widget(self.currentIndex())

    def setCurrentIndex(self, index: int) -> None:  # noqa: N802 - the name QTabWidget gives it
        self.list.setCurrentRow(index)

    def setCurrentWidget(self, page: QtWidgets.QWidget) -> None:  # noqa: N802 - the name QTabWidget gives it
        self.setCurrentIndex(self.indexOf(page))

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

    @QtCore.Slot(QtWidgets.QWidget, QtWidgets.QWidget)
    def _on_application_focus_changed(self, old: QtWidgets.QWidget | None, now: QtWidgets.QWidget | None) -> None:
        """A field the focus reaches (Tab, Shift+Tab from the buttons, a mnemonic) is scrolled into view."""
        del old
        scroll = self.stack.currentWidget()
        if isinstance(scroll, _PageScroll) and now is not None:
            page = scroll.widget()
            if page is not None and page.isAncestorOf(now):
                scroll.show_field(now)
