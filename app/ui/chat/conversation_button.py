"""The composer's conversation-mode toggle: talk, hear the answer, talk again, hands free.

It shows the mode's state (off, listening with a level meter, transcribing, answering, speaking, or
unavailable with the one sentence that says why) in its icon, its tooltip and its accessible description, and
``status_text`` gives the same state as a sentence the composer shows in the message box (``look_changed``
says when it changes). The widget only says it was clicked (``toggled_by_user``); the voice view decides.
"""

from __future__ import annotations

from typing import Literal

from PySide6 import QtCore, QtGui, QtWidgets

from app.core.errors import AppError
from app.ui.chat.voice_button import LevelMeter
from app.ui.common.i18n import error_text

ConversationLook = Literal["off", "listening", "transcribing", "answering", "speaking", "unavailable"]
CONVERSATION_SHORTCUT = "Ctrl+Shift+T"
LISTENING_RED = "#d93025"  # the microphone's recording colour: the microphone is open


def conversation_icon(color: QtGui.QColor, *, filled: bool = False) -> QtGui.QIcon:
    """Two speech bubbles drawn in ``color``; ``filled`` while the mode is on."""
    pixmap = QtGui.QPixmap(48, 48)
    pixmap.fill(QtCore.Qt.GlobalColor.transparent)
    painter = QtGui.QPainter(pixmap)
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    painter.scale(2, 2)
    pen = QtGui.QPen(color, 1.6)
    pen.setJoinStyle(QtCore.Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    back = QtGui.QPainterPath()
    back.addRoundedRect(QtCore.QRectF(9, 3, 12, 9), 3, 3)
    back.moveTo(17, 12)
    back.lineTo(19, 15)
    back.lineTo(14.5, 12)
    painter.drawPath(back)
    front = QtGui.QPainterPath()
    front.addRoundedRect(QtCore.QRectF(3, 9, 12, 9), 3, 3)
    front.moveTo(6, 18)
    front.lineTo(5, 21.5)
    front.lineTo(9.5, 18)
    painter.setBrush(color if filled else QtGui.QColor(QtCore.Qt.GlobalColor.transparent))
    painter.drawPath(front.simplified())
    painter.end()
    return QtGui.QIcon(pixmap)


class ConversationButton(QtWidgets.QWidget):
    """The toggle and, under it, the microphone's level while it listens."""

    toggled_by_user = QtCore.Signal()
    look_changed = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._look: ConversationLook = "off"
        self._error: AppError | None = None
        self.button = QtWidgets.QToolButton(self)
        self.button.setObjectName("conversationButton")
        self.button.setAutoRaise(True)
        self.button.setCheckable(True)
        self.button.setIconSize(QtCore.QSize(22, 22))
        self.button.setShortcut(QtGui.QKeySequence(CONVERSATION_SHORTCUT))
        self.meter = LevelMeter(self)
        self.meter.setFixedWidth(26)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.button, 0, QtCore.Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.meter, 0, QtCore.Qt.AlignmentFlag.AlignHCenter)
        self.meter.setVisible(False)
        self.button.clicked.connect(self._on_button_clicked)
        self._show()

    @property
    def look(self) -> ConversationLook:
        return self._look

    @property
    def reason(self) -> str:
        """Why the mode is unavailable, in the window's language ("" when it is not)."""
        return error_text(self._error) if self._error is not None else ""

    def set_look(self, look: ConversationLook, error: AppError | None = None) -> None:
        """``error``: for "unavailable", the one that says why (the microphone button's own sentence)."""
        self._look, self._error = look, error
        self._show()
        self.look_changed.emit()

    def set_level(self, value: float) -> None:
        self.meter.set_level(value)

    def status_text(self) -> str:
        """The state as a sentence for the message box while the mode is on; "" when it is off."""
        texts = {
            "listening": self.tr("Listening… say your message, then pause. Esc ends conversation mode."),
            "transcribing": self.tr("Writing down what you said…"),
            "answering": self.tr("The answer is being written; speak to interrupt it."),
            "speaking": self.tr("Reading the answer aloud; speak to interrupt it."),
        }
        return texts.get(self._look, "")

    def changeEvent(self, event: QtCore.QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() in (QtCore.QEvent.Type.PaletteChange, QtCore.QEvent.Type.LanguageChange):
            self._show()
        super().changeEvent(event)

    def _show(self) -> None:
        keys = CONVERSATION_SHORTCUT
        self.button.setAccessibleName(self.tr("Conversation mode"))
        tips = {
            "off": self.tr("Conversation mode: talk, hear the answer, talk again ({keys})").format(keys=keys),
            "listening": self.tr("Conversation mode is on: listening (click or Esc to end it; {keys})").format(
                keys=keys
            ),
            "transcribing": self.tr("Conversation mode is on: writing down what you said"),
            "answering": self.tr("Conversation mode is on: the answer is being written (click or Esc to end it)"),
            "speaking": self.tr("Conversation mode is on: reading the answer aloud (click or Esc to end it)"),
            "unavailable": self.reason or self.tr("Conversation mode is not available."),
        }
        tip = tips[self._look]
        self.button.setToolTip(tip)
        self.button.setAccessibleDescription(tip)
        self.button.setEnabled(self._look != "unavailable")
        on = self._look not in ("off", "unavailable")
        self.button.setChecked(on)
        palette = self.palette()
        color = palette.color(QtGui.QPalette.ColorRole.ButtonText)
        if self._look == "listening":
            color = QtGui.QColor(LISTENING_RED)
        elif on:
            color = palette.color(QtGui.QPalette.ColorRole.Highlight)
        elif self._look == "unavailable":
            color = palette.color(QtGui.QPalette.ColorGroup.Disabled, QtGui.QPalette.ColorRole.ButtonText)
        self.button.setIcon(conversation_icon(color, filled=on))
        self.meter.setVisible(self._look == "listening")
        if self._look != "listening":
            self.meter.set_level(0)

    @QtCore.Slot()
    def _on_button_clicked(self) -> None:
        self.button.setChecked(self._look not in ("off", "unavailable"))  # the state decides, not the click
        self.toggled_by_user.emit()
