"""The context meter: how much of the model's context the conversation uses, and how many turns fell out.

It shows what it is told (``show_count``): the tokens against the prompt's limit, the room kept for
the answer beside it (``app.core.engine.budget``), and, where the oldest turns are dropped, how
many are out of memory instead of "too long" (``turns_to_drop`` estimates the next prompt's). The
counting is the engine's (``TokensCounted``), asked for by the window after each answer and,
debounced, while a long message is typed. It is hidden until a conversation's count arrives.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from app.core.history.types import Message
from app.ui.common.narrow import WrappingLabel

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
        self.label = WrappingLabel(parent=self)  # "(+1024 for the answer) · 3 turns out of memory" wraps
        self.label.setObjectName("contextMeterLabel")
        self.label.setAlignment(QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(20, 0, 16, 0)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.label)
        self._draft = ""
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.hide()  # nothing to show before a conversation's count (the welcome page has none)

    def draft_changed(self, text: str) -> None:
        """The composer's text changed: counted once typing pauses."""
        self._draft = text
        self._timer.start()

    def show_count(
        self,
        tokens: int,
        limit: int,
        out_of_memory: int = 0,
        *,
        estimated: bool = False,
        n_ctx: int = 0,
        leaving_out: int = 0,
    ) -> None:
        """``tokens`` of the ``limit`` a prompt may take (of the model's ``n_ctx``; the rest is the
        answer's); ``out_of_memory`` turns fell out already and ``leaving_out`` more will with the
        next prompt (the oldest turns are dropped), so it is not "too long"."""
        percent = min(100, round(100 * tokens / limit)) if limit > 0 else 0
        self.bar.setValue(percent)
        about = "≈" if estimated else ""
        text = self.tr("Context: %1%2 of %3 tokens").replace("%1", about).replace("%2", str(tokens))
        text = text.replace("%3", str(limit))
        answer_room = n_ctx - limit
        tip = ""
        if answer_room > 0:
            text += " " + self.tr("(+%1 for the answer)").replace("%1", str(answer_room))
            tip = self.tr("The model reads %1 tokens at a time: %2 for the conversation and %3 kept for the answer.")
            tip = tip.replace("%1", f"{n_ctx:,}").replace("%2", f"{limit:,}").replace("%3", f"{answer_room:,}")
        too_long = tokens > limit and not leaving_out
        if too_long:
            text += " · " + self.tr("too long")
        gone = out_of_memory + leaving_out
        if gone:
            # Two strings, not "%n turn(s)": English has no plural forms without a translation file.
            if gone == 1:
                text += " · " + self.tr("1 turn out of memory")
            else:
                text += " · " + self.tr("%1 turns out of memory").replace("%1", str(gone))
            tip += ("\n" if tip else "") + self.tr("The oldest turns are left out of what the model reads.")
        self.label.setText(text)
        self.setToolTip(tip)
        self.setAccessibleDescription(" ".join((text, tip)).strip())
        self.bar.setProperty("full", too_long)

    @QtCore.Slot()
    def _on_timer_timeout(self) -> None:
        self.count_requested.emit(self._draft)


def turn_characters(messages: list[Message], memory_start: int | None) -> list[int]:
    """The characters of each turn still in memory (a user message and its answers), oldest first."""
    turns: list[int] = []
    for message in messages:
        if message.kind is not None or message.role == "system":
            continue
        if memory_start is not None and message.id < memory_start:
            continue
        if message.role == "user" or not turns:
            turns.append(0)
        turns[-1] += len(message.content)
    return turns


def turns_to_drop(turns: list[int], tokens: int, target: int) -> int:
    """About how many of the oldest ``turns`` (their characters) a prompt of ``tokens`` leaves out to
    come down to ``target``, the characters weighed by the counted tokens; the newest turn always stays."""
    characters = sum(turns)
    if tokens <= target or characters <= 0:
        return 0
    per_character = tokens / characters
    dropped = 0
    for size in turns[:-1]:
        if tokens <= target:
            break
        tokens -= round(size * per_character)
        dropped += 1
    return dropped
