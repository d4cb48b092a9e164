"""A one-line label that gives way to its neighbours: a text too long for it ends in "…".

The chat header's title uses it, so that a long conversation title never pushes the model picker
out of the window; ``text()`` is still the whole title.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets


class ElidedLabel(QtWidgets.QLabel):
    """Takes the room its layout leaves it, at least ``MINIMUM_WIDTH``; the text is elided to fit."""

    MINIMUM_WIDTH = 48

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred)

    def minimumSizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt's name
        return QtCore.QSize(self.MINIMUM_WIDTH, super().minimumSizeHint().height())

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:  # noqa: N802 - Qt's name
        del event
        rect = self.contentsRect()
        text = self.fontMetrics().elidedText(self.text(), QtCore.Qt.TextElideMode.ElideRight, rect.width())
        painter = QtGui.QPainter(self)
        try:
            self.style().drawItemText(
                painter, rect, int(self.alignment()), self.palette(), self.isEnabled(), text, self.foregroundRole()
            )
        finally:
            painter.end()
