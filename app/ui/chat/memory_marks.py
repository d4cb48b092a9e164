"""What memory adds under an answer: which memories it used (after its details line), and the quiet
"Memory updated" line with its links: the line opens what was saved, Undo takes it back.

The links are anchors ``parley-memory:<verb>/<answer id>`` (verbs ``show`` and ``undo``); the view
hands a click to its ``memory_requested`` signal. The window reads each answer's memories from the
store (``memories_in``) through the writer's ``memories_of``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6 import QtCore, QtGui

from app.core.history.types import Message
from app.core.memory.store import MemoryStore
from app.ui.common import style

MEMORY_SCHEME = "parley-memory"
VERBS = ("show", "undo")


@dataclass(frozen=True)
class AnswerMemories:
    used: tuple[str, ...] = ()
    saved: tuple[str, ...] = ()
    retired: tuple[str, ...] = ()
    forgotten: tuple[str, ...] = ()

    @property
    def updated(self) -> bool:
        return bool(self.saved or self.forgotten)


NO_MEMORIES = AnswerMemories()


def memories_in(memories: MemoryStore) -> Callable[[Message], AnswerMemories]:
    """Looks up, for an answer, the memories it used and what was saved after it."""

    def memories_of(message: Message) -> AnswerMemories:
        if message.role != "assistant":
            return NO_MEMORIES
        texts = {role: tuple(text for _, text in memories.of_answer(message.id, role))
                 for role in ("used", "saved", "retired", "forgotten")}  # fmt: skip
        return AnswerMemories(texts["used"], texts["saved"], texts["retired"], texts["forgotten"])

    return memories_of


def used_text(used: tuple[str, ...]) -> str:
    translate = QtCore.QCoreApplication.translate
    listed = "; ".join(text.rstrip(".。") for text in used)
    return translate("MemoryMarks", "Memories used: %1").replace("%1", listed)


def insert_lines(cursor: QtGui.QTextCursor, message_id: int, found: AnswerMemories, palette: QtGui.QPalette) -> None:
    """The answer's memory lines at the cursor, each in a block of its own; nothing when there are none."""
    translate = QtCore.QCoreApplication.translate
    muted = style.muted_char_format(palette)
    muted.setFontPointSize(max(7.0, QtGui.QFont().pointSizeF() - 1.5))
    if found.used:
        cursor.insertBlock(QtGui.QTextBlockFormat(), QtGui.QTextCharFormat())
        cursor.insertText(used_text(found.used), muted)
    if not found.updated:
        return
    cursor.insertBlock(QtGui.QTextBlockFormat(), QtGui.QTextCharFormat())
    show = QtGui.QTextCharFormat(muted)
    show.setAnchor(True)
    show.setAnchorHref(f"{MEMORY_SCHEME}:show/{message_id}")
    show.setToolTip(translate("MemoryMarks", "See what was saved"))
    cursor.insertText("✓ " + translate("MemoryMarks", "Memory updated"), show)
    cursor.insertText("   ", muted)
    undo = QtGui.QTextCharFormat(muted)
    undo.setAnchor(True)
    undo.setAnchorHref(f"{MEMORY_SCHEME}:undo/{message_id}")
    undo.setToolTip(translate("MemoryMarks", "Take this memory change back"))
    cursor.insertText(translate("MemoryMarks", "Undo"), undo)


def parse(path: str) -> tuple[str, int] | None:
    verb, _, number = path.partition("/")
    return (verb, int(number)) if verb in VERBS and number.isdigit() else None


def summary(found: AnswerMemories) -> str:
    """What the "Memory updated" line stands for, as the dialog it opens says it."""
    translate = QtCore.QCoreApplication.translate
    parts: list[str] = []
    if found.saved:
        parts.append(translate("MemoryMarks", "Saved:") + "\n" + "\n".join(f"• {t}" for t in found.saved))
    if found.retired:
        parts.append(translate("MemoryMarks", "Replaced:") + "\n" + "\n".join(f"• {t}" for t in found.retired))
    if found.forgotten:
        parts.append(translate("MemoryMarks", "Forgotten:") + "\n" + "\n".join(f"• {t}" for t in found.forgotten))
    return "\n\n".join(parts)
