"""A combo box that gives way to its neighbours: a choice too long for the box it is left ends in "…".

Qt's own combo box cuts the text at its edge ("SmolLM2 135M (starter, offlin"); the chat header's
persona menu and model picker use this one so a narrow window shows where the name was shortened.
The items and ``currentText()`` stay whole; only what is painted is elided.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

_ICON_GAP = 4  # what Qt's combo label leaves between the icon and the text


class ElidedComboBox(QtWidgets.QComboBox):
    """Paints its current text elided to the room its edit field has; asks for room for it whole."""

    _PADDING = 14  # the style sheet's padding, which the style's own size hint leaves out

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt's name
        hint = super().sizeHint()
        return QtCore.QSize(hint.width() + self._PADDING, hint.height())

    def initStyleOption(self, option: QtWidgets.QStyleOptionComboBox) -> None:  # noqa: N802 - Qt's name
        super().initStyleOption(option)
        field = self.style().subControlRect(
            QtWidgets.QStyle.ComplexControl.CC_ComboBox, option, QtWidgets.QStyle.SubControl.SC_ComboBoxEditField, self
        )
        room = field.width() - 2  # the label is drawn one pixel inside the field on each side
        if not option.currentIcon.isNull():
            room -= option.iconSize.width() + _ICON_GAP
        option.currentText = self.fontMetrics().elidedText(
            option.currentText, QtCore.Qt.TextElideMode.ElideRight, max(room, 0)
        )
