"""The pages right of the sidebar: the chat page (header, conversation or welcome, banner, composer) and the stack
of pages (Find models, Models, …) that the sidebar's buttons open.
"""

from __future__ import annotations

from PySide6 import QtWidgets


class ChatPage(QtWidgets.QWidget):
    """Lays out the chat's widgets; the window builds them and wires them."""

    def __init__(
        self,
        header: QtWidgets.QWidget,
        welcome: QtWidgets.QWidget,
        chat_view: QtWidgets.QWidget,
        banner: QtWidgets.QWidget,
        composer: QtWidgets.QWidget,
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("chatPage")
        self.stack = QtWidgets.QStackedWidget(self)  # the welcome panel until there is a conversation
        self.stack.addWidget(welcome)
        self.stack.addWidget(chat_view)
        bottom = QtWidgets.QWidget(self)
        bottom.setObjectName("chatPage")
        self._bottom_layout = bottom_layout = QtWidgets.QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(16, 0, 16, 12)
        bottom_layout.setSpacing(8)
        bottom_layout.addWidget(banner)
        bottom_layout.addWidget(composer)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(self.stack, 1)
        layout.addWidget(bottom)

    def add_above_composer(self, widget: QtWidgets.QWidget) -> None:
        """Puts ``widget`` (the context meter, an offer) between the banner and the composer."""
        self._bottom_layout.insertWidget(self._bottom_layout.count() - 1, widget)


class PageStack(QtWidgets.QStackedWidget):
    """The chat page first, then pages each opened by a checkable button; clicking it again goes back."""

    def __init__(self, home: QtWidgets.QWidget, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pages")
        self.home = home
        self.addWidget(home)
        self._buttons: dict[QtWidgets.QWidget, QtWidgets.QAbstractButton] = {}

    def add_page(self, page: QtWidgets.QWidget, button: QtWidgets.QAbstractButton) -> None:
        self.addWidget(page)
        button.clicked.connect(lambda checked: self.show_page(page if checked else self.home))
        self._buttons[page] = button

    def show_page(self, page: QtWidgets.QWidget) -> None:
        """Shows one page; the buttons follow."""
        self.setCurrentWidget(page)
        for other, button in self._buttons.items():
            button.setChecked(other is page)
