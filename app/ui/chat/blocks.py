"""One message's block in the conversation document: its frame, header, reasoning line, body and links.

``BlockWriter.write`` (re)writes a message's frame (an answer an older Parley saved raw, reasoning
markup and all, is split for the screen there; the stored row keeps it); what a message's text
looks like is decided in ``insert_body`` alone (an answer of a persona with a JSON Schema is formatted
JSON, ``json_answer``), and an answer's Markdown becomes rich text in ``insert_answer`` only (through
``app.ui.common.markdown_render``). A streaming answer's body is left to ``streaming_tail``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6 import QtCore, QtGui

from app.core.engine.reasoning import has_markup, split_saved
from app.core.history.look_inside import LookInside
from app.core.history.types import Message, Versions
from app.ui.chat import inside_render, json_answer, memory_marks, message_links, persona_marks, sources
from app.ui.common import markdown_render, style
from app.ui.common.i18n import model_label


@dataclass
class ShownMessage:
    """A message laid out in the document, with what streamed into it so far."""

    message: Message
    frame: QtGui.QTextFrame
    text: str
    reasoning: str = ""
    # While it streams, an answer's settled Markdown (text[:settled]) is rendered once and only the
    # tail after it again; tail_offset is where the tail starts, counted from the frame's start.
    settled: int = 0
    tail_offset: int = -1  # -1: rendered whole
    tail_reasoning: str = ""  # the reasoning when the tail mode began (a change renders whole)
    code_blocks: list[str] = field(default_factory=list)  # the exact code of each code block, as Copy copies it
    settled_blocks: int = 0  # while it streams: how many of code_blocks are in the settled Markdown


class BlockWriter:
    """Writes messages' frames into ``document``, with what the view knows about the conversation."""

    def __init__(self, document: QtGui.QTextDocument) -> None:
        self.document = document
        self.memory_start: int | None = None  # the first message the model still remembers (a marker shows it)
        self.persona_names: dict[int, str] = {}  # persona id -> shown name, for dividers and details lines
        self.json_personas: set[int] = set()  # ids of the personas whose answers follow a JSON Schema
        self.versions: dict[int, Versions] = {}
        self.expanded: set[int] = set()  # answers whose reasoning is open
        self.looked_inside: dict[int, LookInside] = {}  # answers shown token by token, with their probabilities
        # Look inside every answer: the personas that ask for it, and the answers the user hid again.
        self.inside_personas: set[int] = set()
        self.inside_hidden: set[int] = set()
        # An answer's stored look-inside data (the window reads it from the store), or None.
        self.inside_of: Callable[[Message], LookInside | None] = lambda message: None
        # A message's attachments, or an answer's passages and notes (the window reads them from the store).
        self.documents_of: Callable[[Message], sources.MessageDocuments] = lambda message: sources.NO_DOCUMENTS
        # An answer's memories: those it used, and what was saved after it (app.ui.chat.memory_marks).
        self.memories_of: Callable[[Message], memory_marks.AnswerMemories] = lambda message: memory_marks.NO_MEMORIES

    def frame_format(self, message: Message, palette: QtGui.QPalette) -> QtGui.QTextFrameFormat:
        fmt = QtGui.QTextFrameFormat()
        fmt.setPadding(12)
        fmt.setBorder(0)
        fmt.setTopMargin(6)
        fmt.setBottomMargin(6)
        if message.kind is not None:  # a divider: no bubble
            fmt.setPadding(2)
        elif message.role == "user":
            fmt.setBackground(style.user_bubble(palette))
            fmt.setLeftMargin(72)
        else:
            fmt.setBackground(style.answer_bubble(palette))
            fmt.setRightMargin(24)
        return fmt

    def write(self, shown: ShownMessage, palette: QtGui.QPalette) -> int:
        """Writes a message's frame anew (inside the caller's edit); returns where its body starts,
        counted from the frame's start. A streaming answer's body is left for its tail to write
        (``shown.tail_offset`` then says where)."""
        cursor = QtGui.QTextCursor(self.document)
        cursor.setPosition(shown.frame.firstPosition())
        cursor.setPosition(shown.frame.lastPosition(), QtGui.QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        message = shown.message
        if message.id == self.memory_start or message.kind == "persona":
            # Personas (app.ui.chat.persona_marks): a divider for a persona change, a marker where the memory begins.
            persona_marks.insert_marker(cursor, message, self.memory_start, self.persona_names)
        if message.kind is not None:
            return cursor.position() - shown.frame.firstPosition()
        if message.role == "assistant" and message.status != "streaming" and not shown.reasoning:
            split = split_saved(shown.text) if has_markup(shown.text) else None
            if split is not None:
                shown.reasoning, shown.text = split
        cursor.setBlockFormat(style.header_block_format())
        cursor.insertText(header(message), style.header_char_format(palette, message.status))
        cursor.insertBlock(QtGui.QTextBlockFormat(), QtGui.QTextCharFormat())
        documents = self.documents_of(message) if message.status != "streaming" else sources.NO_DOCUMENTS
        unavailable = self._look_inside_state(message)
        if message.role == "user":
            sources.insert_attachments(cursor, documents.attachments, palette)
        if shown.reasoning and message.role == "assistant":
            self.insert_thinking(cursor, shown, palette)
        body_offset = cursor.position() - shown.frame.firstPosition()
        shown.tail_offset, shown.settled, shown.settled_blocks = -1, 0, 0
        shown.code_blocks = []
        if message.status == "streaming" and message.role == "assistant" and shown.text:
            shown.tail_offset, shown.tail_reasoning = body_offset, shown.reasoning
            return body_offset
        self.insert_body(cursor, shown, palette)
        if message.role == "assistant" and message.status != "streaming":
            sources.insert_citations(cursor, message.id, documents.passages, palette)
            persona_marks.insert_details(cursor, self, message, self.persona_names, palette)
            memory_marks.insert_lines(cursor, message.id, self.memories_of(message), palette)
            sources.insert_notes(cursor, documents.notes, palette)
        message_links.insert_links(
            cursor, message, shown.text or shown.reasoning, self.versions.get(message.id), palette,
            looked_inside=message.id in self.looked_inside, inside_unavailable=unavailable,
            follows_schema=message.persona_id in self.json_personas,
        )  # fmt: skip
        return body_offset

    def _look_inside_state(self, message: Message) -> str:
        """Puts a look-inside persona's stored figures on screen (unless the user hid them) and returns why
        "Look inside" is not available for this answer ("" where it is)."""
        answer = message.role == "assistant" and message.kind is None and message.status != "streaming"
        asks = message.persona_id in self.inside_personas
        if not answer or not message.content or not (message.server or asks):
            return ""
        stored = self.inside_of(message)
        shown = message.id in self.looked_inside or message.id in self.inside_hidden
        if asks and stored is not None and stored.tokens and not shown:
            self.looked_inside[message.id] = stored
        return inside_render.unavailable_reason(stored) if message.server else ""

    def insert_answer(
        self, cursor: QtGui.QTextCursor, shown: ShownMessage, source: str, palette: QtGui.QPalette
    ) -> None:
        """Answer Markdown, rendered (the one place message content becomes rich text); its code
        blocks join ``shown.code_blocks``, and their Copy links number on from those before."""
        translate = QtCore.QCoreApplication.translate
        rendered = markdown_render.render(
            source,
            style.markdown_colours(palette),
            copy_href=f"{markdown_render.COPY_SCHEME}:{shown.message.id}/{len(shown.code_blocks)}+",
            copy_label=translate("ChatView", "Copy"),
            image_label=translate("ChatView", "Image"),
        )
        shown.code_blocks.extend(rendered.code_blocks)
        cursor.insertHtml(rendered.html)

    def insert_body(self, cursor: QtGui.QTextCursor, shown: ShownMessage, palette: QtGui.QPalette) -> None:
        """A message's own text, as it looks on screen: the one place that decides it."""
        inside = self.looked_inside.get(shown.message.id)
        if shown.message.role == "user":
            cursor.insertText(shown.text)
        elif shown.text and inside is not None and shown.message.status != "streaming":
            inside_render.insert(cursor, shown.message.id, inside, palette)
        elif shown.text:
            formatted = json_answer.as_markdown(shown.text) if shown.message.persona_id in self.json_personas else None
            self.insert_answer(cursor, shown, formatted or shown.text, palette)
        elif shown.message.status == "streaming":
            cursor.insertText("…", style.muted_char_format(palette))
        elif shown.reasoning and shown.message.finish_reason == "length":
            # Cut at its longest answer while it still thought: unfinished, and Continue thinks on.
            cut = QtCore.QCoreApplication.translate(
                "ChatView", "The answer was cut off while the model was still thinking. Continue lets it think on."
            )
            cursor.insertText(cut, style.muted_char_format(palette))
        elif shown.message.status in ("failed", "stopped", "interrupted"):
            # Kept so the conversation shows the message got no answer; the banner said why.
            no_answer = QtCore.QCoreApplication.translate("ChatView", "No answer was written.")
            cursor.insertText(no_answer, style.muted_char_format(palette))

    def insert_thinking(self, cursor: QtGui.QTextCursor, shown: ShownMessage, palette: QtGui.QPalette) -> None:
        """The reasoning's line (a link that opens or closes it) and, when open, the reasoning itself."""
        translate = QtCore.QCoreApplication.translate
        message_id = shown.message.id
        is_open = message_id in self.expanded
        if is_open:
            label = "▾ " + translate("ChatView", "Hide thinking")
        elif shown.message.status == "streaming" and not shown.text:
            label = "▸ " + translate("ChatView", "Thinking…")
        else:
            label = "▸ " + translate("ChatView", "Show thinking")
        cursor.insertText(label, message_links.thinking_link(message_id, palette))
        if is_open:
            quote = style.muted_char_format(palette)
            quote.setFontItalic(True)
            cursor.insertBlock(QtGui.QTextBlockFormat(), quote)
            inside = self.looked_inside.get(message_id) if shown.message.status != "streaming" else None
            shaded = inside is not None and inside_render.insert_thinking(
                cursor, message_id, inside, shown.reasoning, palette
            )
            if not shaded:
                cursor.insertText(shown.reasoning.strip(), quote)
        cursor.insertBlock(QtGui.QTextBlockFormat(), QtGui.QTextCharFormat())


def header(message: Message) -> str:
    """The first line of a message: who wrote it and, for an answer, how it ended."""
    translate = QtCore.QCoreApplication.translate
    if message.role == "user":
        return translate("ChatView", "You")
    name = model_label(message.model_name) if message.model_name else translate("ChatView", "Assistant")
    if message.server:  # written on a remote server: the answer says where
        name = f"{name} · {message.server}"
    marks = {
        "streaming": translate("ChatView", "writing…"),
        "stopped": translate("ChatView", "stopped"),
        "interrupted": translate("ChatView", "interrupted"),
        "failed": translate("ChatView", "failed"),
    }
    mark = marks.get(message.status)
    return f"{name} · {mark}" if mark else name
