"""The context meter: how much of the model's context the conversation uses, and how many turns fell out.

It shows what it is told (``show_count``); the counting is the engine's (``TokensCounted``), asked
for by the window after each answer and, debounced, while a long message is typed.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

DEBOUNCE_MS = 400


class ContextMeter(QtWidgets.QWidget):
    """GUI thread only. ``count_requested`` asks the window to count the conversation with the draft."""

    count_requested = QtCore.Signal(str)  # the draft message

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contextMeter")
        self.bar = QtWidgets.QProgressBar(self)
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(6)
        self.bar.setRange(0, 100)
        self.label = QtWidgets.QLabel(self)
        self.label.setObjectName("contextMeterLabel")
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(20, 0, 16, 0)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.label)
        self._draft = ""
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._on_timer_timeout)

    def draft_changed(self, text: str) -> None:
        """The composer's text changed: counted once typing pauses."""
        self._draft = text
        self._timer.start()

    def show_count(self, tokens: int, limit: int, out_of_memory: int = 0, *, estimated: bool = False) -> None:
        percent = min(100, round(100 * tokens / limit)) if limit > 0 else 0
        self.bar.setValue(percent)
        about = "≈" if estimated else ""
        text = self.tr("Context: %1%2 of %3 tokens").replace("%1", about).replace("%2", str(tokens))
        text = text.replace("%3", str(limit))
        if tokens > limit:
            text += " · " + self.tr("too long")
        if out_of_memory:
            # Two strings, not "%n turn(s)": English has no plural forms without a translation file.
            if out_of_memory == 1:
                text += " · " + self.tr("1 turn out of memory")
            else:
                text += " · " + self.tr("%1 turns out of memory").replace("%1", str(out_of_memory))
        self.label.setText(text)
        self.bar.setProperty("full", tokens > limit)

    @QtCore.Slot()
    def _on_timer_timeout(self) -> None:
        self.count_requested.emit(self._draft)
