"""Widgets that fit a narrow page: a label, a check box and a button whose sentences wrap, a list as wide as
it is given, a field with its buttons beside it or below it, and a form whose fields go below their labels.

At a large text size (or in a long translation) Qt's own widgets made Settings pages wider than the dialog, so
the pages scrolled sideways: a ``QCheckBox`` keeps its sentence on one line, a ``QComboBox`` is never narrower
than its longest entry (a speech model's name, size and state), a list with a long Download button beside
it ("Download BGE-M3 (embeddings) (634.6 MB)") needs both widths, and a form's label column is as wide as its
longest label. These keep Qt's behaviour where there is room:

- ``WrappingCheckBox`` lays its text out like a word-wrapped label beside the box (its height follows its
  width); a click anywhere on it toggles it, and its text, mnemonic and accessible name are ``QCheckBox``'s own.
- ``WrappingLabel`` keeps its text on one line where it has the room and wraps it where it has not (a
  word-wrapped ``QLabel`` asks for less than one line and wraps "Qwen2.5 0.5B Instruct" in a wide card).
- ``WrappingButton`` does as ``WrappingCheckBox`` does, for a ``QPushButton`` (the first screen's "Download
  Granite 4.0 Micro (2.1 GB)" at 18 pt is wider than an 800×600 window leaves it); its style sheet's padding,
  font and colours still apply.
- ``ShrinkingComboBox`` is as wide as its layout gives it, down to ``SHORTEST_CHOICE`` characters; its open
  list still shows each entry whole.
- ``SideBySide`` keeps a field and its buttons in one row while they fit and otherwise stacks them, the field
  on top.
- ``ColumnGrid`` lays labelled fields out in two columns where they fit and in one where they do not.
- ``wrapping_form`` puts a field below its label where the two do not fit side by side.

A form lays a field whose height follows its width out no narrower than the width it asks for, so the check
box asks for a modest width and takes what it is given.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

SHORTEST_CHOICE = 12  # characters a list keeps in view, however narrow its page

_Style = QtWidgets.QStyle
_Direction = QtWidgets.QBoxLayout.Direction
_NARROWEST_CHARACTERS = 12  # the text's width at its narrowest, in average characters
_ASKED_CHARACTERS = 24  # the width it asks for, in average characters (a whole sentence would widen the page)


class WrappingCheckBox(QtWidgets.QCheckBox):
    """A ``QCheckBox`` whose text wraps. GUI thread only."""

    def __init__(self, text: str = "", parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(text, parent)
        policy = self.sizePolicy()
        policy.setHeightForWidth(True)
        policy.setVerticalPolicy(QtWidgets.QSizePolicy.Policy.Maximum)  # never Fixed at one line, never grown
        self.setSizePolicy(policy)

    def _flags(self) -> int:
        alignment = QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignTop
        return int(alignment) | int(QtCore.Qt.TextFlag.TextWordWrap) | int(QtCore.Qt.TextFlag.TextShowMnemonic)

    def _option(self) -> QtWidgets.QStyleOptionButton:
        option = QtWidgets.QStyleOptionButton()
        self.initStyleOption(option)
        return option

    def _text_left(self) -> int:
        """Where the text starts: after the box and the style's spacing."""
        option = self._option()
        return self.style().subElementRect(_Style.SubElement.SE_CheckBoxContents, option, self).left()

    def _text_size(self, width: int) -> QtCore.QSize:
        space = QtCore.QRect(0, 0, max(1, width), 1 << 20)
        return self.fontMetrics().boundingRect(space, self._flags(), self.text()).size()

    def _box_height(self) -> int:
        return self.style().pixelMetric(_Style.PixelMetric.PM_IndicatorHeight, self._option(), self)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        return max(self._box_height(), self._text_size(width - self._text_left()).height()) + 2

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt's name
        one_line = self._text_size(1 << 20).width()
        width = self._text_left() + min(one_line, self.fontMetrics().averageCharWidth() * _ASKED_CHARACTERS) + 2
        return QtCore.QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt's name
        # One line's height: a layout asks heightForWidth for the height at the width it gives (a form took the
        # narrowest width's three lines as the least, which left gaps under a sentence on one line).
        narrowest = self._text_left() + self.fontMetrics().averageCharWidth() * _NARROWEST_CHARACTERS
        return QtCore.QSize(narrowest, max(self._box_height(), self.fontMetrics().height()) + 2)

    def hitButton(self, pos: QtCore.QPoint) -> bool:  # noqa: N802 - Qt's name
        return self.rect().contains(pos)

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:  # noqa: N802 - Qt's name
        del event
        painter = QtWidgets.QStylePainter(self)
        option = self._option()
        style = self.style()
        box = style.subElementRect(_Style.SubElement.SE_CheckBoxIndicator, option, self)
        line = self.fontMetrics().height()
        box.moveTop(max(0, (line - box.height()) // 2) + 1)  # beside the first line, not the middle of them all
        indicator = QtWidgets.QStyleOptionButton(option)
        indicator.rect = box
        painter.drawPrimitive(_Style.PrimitiveElement.PE_IndicatorCheckBox, indicator)
        left = self._text_left()
        text_rect = QtCore.QRect(left, 1, self.width() - left, self.height() - 1)
        role = QtGui.QPalette.ColorRole.WindowText
        painter.drawItemText(text_rect, self._flags(), option.palette, self.isEnabled(), self.text(), role)
        if option.state & _Style.StateFlag.State_HasFocus:
            focus = QtWidgets.QStyleOptionFocusRect()
            focus.initFrom(self)
            shown = self._text_size(self.width() - left)
            focus.rect = QtCore.QRect(left - 2, 0, shown.width() + 4, shown.height() + 2)
            painter.drawPrimitive(_Style.PrimitiveElement.PE_FrameFocusRect, focus)


class WrappingLabel(QtWidgets.QLabel):
    """A word-wrapped ``QLabel`` that asks for its whole line. GUI thread only."""

    def __init__(self, text: str = "", parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt's name
        self.ensurePolished()  # the style sheet's font
        margins = self.contentsMargins()
        extra = margins.left() + margins.right() + 2 * self.margin() + 2
        width = self.fontMetrics().horizontalAdvance(self.text()) + extra
        return QtCore.QSize(width, self.heightForWidth(width))


class WrappingButton(QtWidgets.QPushButton):
    """A ``QPushButton`` whose text wraps, centred. GUI thread only."""

    def __init__(self, text: str = "", parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(text, parent)
        policy = self.sizePolicy()
        policy.setHeightForWidth(True)
        # A button's own policies (Minimum across, Fixed down) keep it at its one-line width and height.
        policy.setHorizontalPolicy(QtWidgets.QSizePolicy.Policy.Preferred)
        policy.setVerticalPolicy(QtWidgets.QSizePolicy.Policy.Preferred)
        self.setSizePolicy(policy)

    _FLAGS = int(QtCore.Qt.AlignmentFlag.AlignCenter) | int(QtCore.Qt.TextFlag.TextWordWrap) | int(
        QtCore.Qt.TextFlag.TextShowMnemonic
    )

    def _option(self) -> QtWidgets.QStyleOptionButton:
        option = QtWidgets.QStyleOptionButton()
        self.initStyleOption(option)
        return option

    def _frame(self) -> QtCore.QSize:
        """What the style adds around the text: its padding, border and margins."""
        option = self._option()
        option.text = ""
        empty = QtCore.QSize(0, 0)
        return self.style().sizeFromContents(_Style.ContentsType.CT_PushButton, option, empty, self) - empty

    def _text_size(self, width: int) -> QtCore.QSize:
        self.ensurePolished()  # the style sheet's font, which the text is measured in
        space = QtCore.QRect(0, 0, max(1, width), 1 << 20)
        return self.fontMetrics().boundingRect(space, self._FLAGS, self.text()).size()

    def _inside(self, rect: QtCore.QRect) -> QtCore.QRect:
        """Where the text goes in a button of ``rect``."""
        option = self._option()
        option.rect = rect
        return self.style().subElementRect(_Style.SubElement.SE_PushButtonContents, option, self)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        text = self._text_size(self._inside(QtCore.QRect(0, 0, width, 1 << 10)).width())
        return max(self.minimumHeight(), text.height() + self._frame().height())

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt's name
        frame = self._frame()
        width = self._text_size(1 << 20).width() + frame.width()
        return QtCore.QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt's name
        frame = self._frame()
        width = self.fontMetrics().averageCharWidth() * _NARROWEST_CHARACTERS + frame.width()
        return QtCore.QSize(width, max(self.minimumHeight(), self.fontMetrics().height() + frame.height()))

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:  # noqa: N802 - Qt's name
        del event
        painter = QtWidgets.QStylePainter(self)
        option = self._option()
        text, option.text = option.text, ""
        painter.drawControl(_Style.ControlElement.CE_PushButton, option)  # the button without its label
        option.text = text
        inside = self._inside(self.rect())
        role = QtGui.QPalette.ColorRole.ButtonText
        painter.drawItemText(inside, self._FLAGS, option.palette, self.isEnabled(), text, role)


class ShrinkingComboBox(QtWidgets.QComboBox):
    """A ``QComboBox`` as wide as it is given, down to ``SHORTEST_CHOICE`` characters. GUI thread only."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(SHORTEST_CHOICE)

    def minimumSizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt's name
        # Qt keeps a list's minimum at its longest entry whatever its size adjust policy; its size hint follows it.
        return self.sizeHint()



def _least_width(widget: QtWidgets.QWidget) -> int:
    """What a layout gives ``widget`` at the least: its own minimum where one is set, else its hint's."""
    return widget.minimumWidth() or widget.minimumSizeHint().width()


class SideBySide(QtWidgets.QWidget):
    """``first`` and ``rest`` in a row, or stacked where the row does not fit. With ``spread``, ``first`` takes the
    row's spare width (a list and its button); without, they keep their widths from the left (a row of buttons),
    and the last ``apart`` of them keep to the row's right end (Delete away from Import)."""

    def __init__(
        self, first: QtWidgets.QWidget, *rest: QtWidgets.QWidget, spread: bool = True, apart: int = 0,
        parent: QtWidgets.QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self._layout = QtWidgets.QBoxLayout(_Direction.LeftToRight, self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        widgets = [first, *rest]
        for index, widget in enumerate(widgets):
            if not spread and apart and index == len(widgets) - apart:
                self._layout.addStretch(1)
            self._layout.addWidget(widget, 1 if spread and index == 0 else 0)
        if not spread and not apart:
            self._layout.addStretch(1)
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Preferred, QtWidgets.QSizePolicy.Policy.Fixed)

    def _shown(self) -> list[QtWidgets.QWidget]:
        items = (self._layout.itemAt(index) for index in range(self._layout.count()))
        found = (item.widget() for item in items if item is not None)
        return [widget for widget in found if widget is not None and not widget.isHidden()]

    def _fits(self, width: int) -> bool:
        shown = self._shown()
        return sum(_least_width(w) for w in shown) + self._layout.spacing() * max(0, len(shown) - 1) <= width

    def _height(self) -> int:
        """The height of the arrangement in use (a row, or the widgets stacked)."""
        heights = [w.sizeHint().height() for w in self._shown()]
        if not heights:
            return 0
        if self._layout.direction() == _Direction.LeftToRight:
            return max(heights)
        return sum(heights) + self._layout.spacing() * (len(heights) - 1)

    def minimumSizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt's name
        return QtCore.QSize(max((_least_width(w) for w in self._shown()), default=0), self._height())

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt's name
        shown = self._shown()
        width = sum(w.sizeHint().width() for w in shown) + self._layout.spacing() * max(0, len(shown) - 1)
        return QtCore.QSize(width, self._height())

    def _arrange(self) -> None:
        # Not a height for width (Qt's forms and scroll areas gave such a widget too little height): the hints
        # follow the arrangement, and a change of arrangement asks the page to lay itself out again.
        direction = _Direction.LeftToRight if self._fits(self.width()) else _Direction.TopToBottom
        if self._layout.direction() != direction:
            self._layout.setDirection(direction)
            self.updateGeometry()

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 - Qt's name
        self._arrange()
        super().resizeEvent(event)

    def event(self, event: QtCore.QEvent) -> bool:
        if event.type() == QtCore.QEvent.Type.LayoutRequest:  # a button shown or hidden, a font changed
            self._arrange()
            self.updateGeometry()
        return super().event(event)

class ColumnGrid(QtWidgets.QWidget):
    """``cells`` (a label and its field each) in two columns of label and field, or in one where two do not fit
    at their least (a persona's sampling settings at 18 pt). GUI thread only."""

    def __init__(
        self, cells: list[tuple[QtWidgets.QWidget, QtWidgets.QWidget]], parent: QtWidgets.QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._cells = cells
        self._grid = QtWidgets.QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._columns = 0
        self._place(2)

    def _place(self, columns: int) -> None:
        if columns == self._columns:
            return
        self._columns = columns
        while self._grid.count():
            self._grid.takeAt(0)
        for index, (label, field) in enumerate(self._cells):
            row, column = divmod(index, columns)
            self._grid.addWidget(label, row, column * 2)
            self._grid.addWidget(field, row, column * 2 + 1)
        for column in range(4):
            self._grid.setColumnStretch(column, 1 if column % 2 and column < columns * 2 else 0)
        self.updateGeometry()

    def _pair_width(self) -> int:
        """One column's least width: the widest label's and the widest field's, and the spacing between."""
        spacing = max(0, self._grid.horizontalSpacing())
        labels = max((_least_width(label) for label, _ in self._cells), default=0)
        return labels + spacing + max((_least_width(field) for _, field in self._cells), default=0)

    def minimumSizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt's name
        # As narrow as one column: a narrower page than two columns need turns them into one.
        return QtCore.QSize(self._pair_width(), super().minimumSizeHint().height())

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 - Qt's name
        two = 2 * self._pair_width() + max(0, self._grid.horizontalSpacing())
        self._place(2 if self.width() >= two else 1)
        super().resizeEvent(event)


def wrapping_form() -> QtWidgets.QFormLayout:
    """A form whose field goes below its label where the two do not fit side by side (a long label in a large
    text size: "When a conversation is full:" at 18 pt is a third of a small screen)."""
    form = QtWidgets.QFormLayout()
    form.setRowWrapPolicy(QtWidgets.QFormLayout.RowWrapPolicy.WrapLongRows)
    return form
