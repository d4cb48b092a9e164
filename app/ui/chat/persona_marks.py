"""What personas add to the transcript: the divider a persona change leaves, the marker where the model's
memory begins, and the details line under each answer (model, persona, tokens, speed, first token, what
speculative decoding did, finish).

Kept apart from ``chat_view`` so that its rendering stays the view's own; the view calls these with a
cursor at the place to write.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui

from app.core.engine.speculation import DraftingSummary, parse_summary
from app.core.history.types import Message
from app.ui.common import style
from app.ui.common.i18n import model_label


def finish_text(reason: str | None, status: str) -> str:
    texts = {
        "done": QtCore.QCoreApplication.translate("PersonaMarks", "done"),
        "stopped": QtCore.QCoreApplication.translate("PersonaMarks", "stopped"),
        "length": QtCore.QCoreApplication.translate("PersonaMarks", "longest answer reached"),
        "context_full": QtCore.QCoreApplication.translate("PersonaMarks", "context full"),
        "interrupted": QtCore.QCoreApplication.translate("PersonaMarks", "interrupted"),
        "failed": QtCore.QCoreApplication.translate("PersonaMarks", "failed"),
    }
    return texts.get(reason or "", texts.get(status, texts["done"]) if status != "complete" else texts["done"])


def details_text(message: Message, persona_names: dict[int, str]) -> str:
    """One line: model · persona · tokens · tokens/s · first token · finish reason."""
    assistant = QtCore.QCoreApplication.translate("PersonaMarks", "Assistant")
    parts = [model_label(message.model_name) if message.model_name else assistant]
    if message.persona_id is not None and message.persona_id in persona_names:
        parts.append(persona_names[message.persona_id])
    if message.n_tokens is not None:
        parts.append(
            QtCore.QCoreApplication.translate("PersonaMarks", "%n tokens").replace("%n", str(message.n_tokens))
        )
    if message.tokens_per_second:
        parts.append(
            QtCore.QCoreApplication.translate("PersonaMarks", "%1 tokens/s").replace(
                "%1", f"{message.tokens_per_second:.1f}"
            )
        )
    if message.ttft_seconds is not None:
        parts.append(
            QtCore.QCoreApplication.translate("PersonaMarks", "first token %1 s").replace(
                "%1", f"{message.ttft_seconds:.2f}"
            )
        )
    drafted = parse_summary(message.speculation)
    if drafted is not None:
        parts.append(speculation_text(drafted))
    parts.append(finish_text(message.finish_reason, message.status))
    return " · ".join(parts)


def speculation_text(drafted: DraftingSummary) -> str:
    """"speculative: 61 % of 140 drafted tokens accepted, 1.6×", and what the engine did when it did not pay."""
    translate = QtCore.QCoreApplication.translate
    text = (
        translate("PersonaMarks", "speculative: %1 % of %2 drafted tokens accepted")
        .replace("%1", f"{round(drafted.accepted_share * 100)}")
        .replace("%2", str(drafted.drafted))
    )
    if drafted.speedup > 0:
        text += translate("PersonaMarks", ", %1×").replace("%1", f"{drafted.speedup:.1f}")
    if drafted.turned_down_to == 0:
        text += translate("PersonaMarks", " (slower than plain decoding: drafting is off for the next answers)")
    elif drafted.turned_down_to is not None:
        text += translate(
            "PersonaMarks", " (slower than plain decoding: drafting is turned down to %1 tokens)"
        ).replace("%1", str(drafted.turned_down_to))
    return text


def insert_details(
    cursor: QtGui.QTextCursor, view: object, message: Message, persona_names: dict[int, str], palette: QtGui.QPalette
) -> None:
    del view
    cursor.insertBlock(QtGui.QTextBlockFormat(), QtGui.QTextCharFormat())
    fmt = style.muted_char_format(palette)
    fmt.setFontPointSize(max(7.0, QtGui.QFont().pointSizeF() - 1.5))
    cursor.insertText(details_text(message, persona_names), fmt)


def insert_marker(
    cursor: QtGui.QTextCursor,
    message: Message,
    memory_start: int | None,
    persona_names: dict[int, str],
) -> None:
    """Centred, muted lines at the cursor: "Persona: Translator", and where the model's memory now
    begins. Each ends with a new block, so what the caller writes next starts on its own line."""
    palette = QtGui.QGuiApplication.palette()
    block = QtGui.QTextBlockFormat()
    block.setAlignment(QtCore.Qt.AlignmentFlag.AlignHCenter)
    fmt = style.muted_char_format(palette)
    lines: list[str] = []
    if message.id == memory_start:
        lines.append(
            QtCore.QCoreApplication.translate(
                "PersonaMarks", "The model's memory begins here; earlier turns are out of it"
            )
        )
    if message.kind == "persona":
        name = persona_names.get(message.persona_id or -1, message.content)
        lines.append(QtCore.QCoreApplication.translate("PersonaMarks", "Persona: %1").replace("%1", name))
    for line in lines:
        cursor.setBlockFormat(block)
        cursor.insertText(f"── {line} ──", fmt)
        cursor.insertBlock(QtGui.QTextBlockFormat(), QtGui.QTextCharFormat())
