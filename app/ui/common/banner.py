"""The banner above the composer: an error (or a notice) in one sentence, until the user dismisses it.

A notice may carry one action button ("Chat now" after a download, "Use the mirror" when the Hub
cannot be reached); its click runs the callback given with the notice and closes the banner.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from PySide6 import QtCore, QtWidgets

from app.core.errors import AppError
from app.ui.common.i18n import error_text

BannerKind = Literal["error", "info"]


class Banner(QtWidgets.QFrame):
    """A dismissible message strip; hidden until ``show_error`` or ``show_notice``."""

    dismissed = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setProperty("kind", "error")
        self.label = QtWidgets.QLabel(self)
        self.label.setObjectName("bannerText")
        self.label.setWordWrap(True)
        self.label.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        self.label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Preferred)
        self.close_button = QtWidgets.QToolButton(self)
        self.close_button.setObjectName("bannerClose")
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip(self.tr("Dismiss"))
        self.close_button.setAccessibleName(self.tr("Dismiss"))
        self.action_button = QtWidgets.QPushButton(self)
        self.action_button.setObjectName("bannerAction")
        self.action_button.hide()
        self._action: Callable[[], object] | None = None
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 6, 8)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.action_button, 0, QtCore.Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.close_button, 0, QtCore.Qt.AlignmentFlag.AlignTop)
        self.close_button.clicked.connect(self._on_close_button_clicked)
        self.action_button.clicked.connect(self._on_action_button_clicked)
        self.hide()

    def show_error(
        self, error: AppError, *, detail: str = "", action: str = "", on_action: Callable[[], object] | None = None
    ) -> None:
        """Shows the error's sentence, and ``detail`` (what Parley does about it) after it."""
        text = error_text(error)
        self._show(f"{text} {detail}" if detail else text, "error", action, on_action)

    def show_notice(self, text: str, *, action: str = "", on_action: Callable[[], object] | None = None) -> None:
        """Shows ``text``; with ``action``, a button of that name that runs ``on_action``."""
        self._show(text, "info", action, on_action)

    def text(self) -> str:
        return self.label.text()

    def kind(self) -> BannerKind:
        return "info" if self.property("kind") == "info" else "error"

    def _show(
        self, text: str, kind: BannerKind, action: str = "", on_action: Callable[[], object] | None = None
    ) -> None:
        self._action = on_action if action else None
        self.action_button.setText(action)
        self.action_button.setAccessibleDescription(text)
        self.action_button.setVisible(bool(action))
        self.label.setText(text)
        self.setProperty("kind", kind)
        # A dynamic property only restyles after the style is re-applied.
        self.style().unpolish(self)
        self.style().polish(self)
        self.show()

    @QtCore.Slot()
    def _on_action_button_clicked(self) -> None:
        action, self._action = self._action, None
        self.hide()
        if action is not None:
            action()

    @QtCore.Slot()
    def _on_close_button_clicked(self) -> None:
        self.hide()
        self.dismissed.emit()
