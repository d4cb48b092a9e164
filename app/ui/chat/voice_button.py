"""The composer's microphone: a button that dictates, with a level meter while it records.

Four states, each said by the button's tooltip and accessible description: idle (click or Ctrl+Shift+D to
speak), recording (the meter shows the level; click again to stop), transcribing (a moving bar), and unavailable,
where the tooltip is the one sentence that explains why (no microphone, no PortAudio, ...). The widget only
shows the state and says what was clicked (``toggled_by_user``); the voice view decides.
"""

from __future__ import annotations

from typing import Literal

from PySide6 import QtCore, QtGui, QtWidgets

from app.core.errors import AppError
from app.ui.common.i18n import error_text

DictationState = Literal["idle", "recording", "transcribing", "unavailable"]
DICTATE_SHORTCUT = "Ctrl+Shift+D"


def microphone_icon(color: QtGui.QColor, *, filled: bool = False) -> QtGui.QIcon:
    """A microphone drawn in ``color`` (no emoji font is needed for it); ``filled`` while recording."""
    pixmap = QtGui.QPixmap(48, 48)
    pixmap.fill(QtCore.Qt.GlobalColor.transparent)
    painter = QtGui.QPainter(pixmap)
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    painter.scale(2, 2)
    pen = QtGui.QPen(color, 1.7)
    pen.setCapStyle(QtCore.Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    if filled:
        painter.setBrush(color)
    painter.drawRoundedRect(QtCore.QRectF(9, 3, 6, 11), 3, 3)
    painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
    painter.drawArc(QtCore.QRectF(6, 7, 12, 10), 180 * 16, 180 * 16)
    painter.drawLine(QtCore.QPointF(12, 17), QtCore.QPointF(12, 21))
    painter.drawLine(QtCore.QPointF(9, 21), QtCore.QPointF(15, 21))
    painter.end()
    return QtGui.QIcon(pixmap)


class LevelMeter(QtWidgets.QWidget):
    """A thin bar as loud as the microphone hears (0 to 1)."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._level = 0.0
        self.setFixedHeight(4)
        self.setAccessibleName(self.tr("Microphone level"))

    @property
    def level(self) -> float:
        return self._level

    def set_level(self, level: float) -> None:
        self._level = max(0.0, min(1.0, level))
        self.update()

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:  # noqa: N802 - Qt's name
        del event
        painter = QtGui.QPainter(self)
        track = self.palette().color(QtGui.QPalette.ColorRole.Mid)
        painter.fillRect(self.rect(), track)
        filled = QtCore.QRect(0, 0, round(self.width() * self._level), self.height())
        painter.fillRect(filled, self.palette().color(QtGui.QPalette.ColorRole.Highlight))
        painter.end()


class MicrophoneButton(QtWidgets.QWidget):
    """The button and, under it, the meter that shows while recording."""

    toggled_by_user = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._state: DictationState = "idle"
        self._error: AppError | None = None
        self.button = QtWidgets.QToolButton(self)
        self.button.setObjectName("microphoneButton")
        self.button.setAutoRaise(True)
        self.button.setIconSize(QtCore.QSize(22, 22))
        self.button.setShortcut(QtGui.QKeySequence(DICTATE_SHORTCUT))
        self.button.setAccessibleName(self.tr("Dictate"))
        self.meter = LevelMeter(self)
        self.meter.setFixedWidth(26)
        self.busy = QtWidgets.QProgressBar(self)  # while transcribing: moving, so it never reads as "off"
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setFixedSize(26, 4)
        self.busy.setAccessibleName(self.tr("Transcribing"))
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.button, 0, QtCore.Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.meter, 0, QtCore.Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.busy, 0, QtCore.Qt.AlignmentFlag.AlignHCenter)
        self.meter.setVisible(False)
        self.busy.setVisible(False)
        self.button.clicked.connect(self._on_button_clicked)
        self._show()

    @property
    def state(self) -> DictationState:
        return self._state

    @property
    def reason(self) -> str:
        """Why dictation is unavailable, in the window's language ("" when it is not)."""
        return error_text(self._error) if self._error is not None else ""

    def set_state(self, state: DictationState, error: AppError | None = None) -> None:
        """``error``: for "unavailable", the one that says why (its sentence is the tooltip, in every language)."""
        self._state, self._error = state, error
        self._show()

    def set_level(self, level: float) -> None:
        self.meter.set_level(level)

    def changeEvent(self, event: QtCore.QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() in (QtCore.QEvent.Type.PaletteChange, QtCore.QEvent.Type.LanguageChange):
            self._show()
        super().changeEvent(event)

    def _show(self) -> None:
        keys = DICTATE_SHORTCUT
        tips = {
            "idle": self.tr("Dictate: speak, then click again to stop ({keys})").format(keys=keys),
            "recording": self.tr("Listening… click to stop and write it down ({keys})").format(keys=keys),
            "transcribing": self.tr("Writing down what you said…"),
            "unavailable": self.reason or self.tr("Dictation is not available."),
        }
        tip = tips[self._state]
        self.button.setToolTip(tip)
        self.button.setAccessibleDescription(tip)
        self.button.setEnabled(self._state in ("idle", "recording"))
        self.button.setCheckable(True)
        self.button.setChecked(self._state == "recording")
        palette = self.palette()
        color = palette.color(QtGui.QPalette.ColorRole.ButtonText)
        if self._state == "recording":
            color = QtGui.QColor("#d93025")
        elif self._state in ("unavailable", "transcribing"):
            color = palette.color(QtGui.QPalette.ColorGroup.Disabled, QtGui.QPalette.ColorRole.ButtonText)
        self.button.setIcon(microphone_icon(color, filled=self._state == "recording"))
        self.meter.setVisible(self._state == "recording")
        self.busy.setVisible(self._state == "transcribing")
        if self._state != "recording":
            self.meter.set_level(0)

    @QtCore.Slot()
    def _on_button_clicked(self) -> None:
        self.button.setChecked(self._state == "recording")  # the state decides, not the click
        self.toggled_by_user.emit()
