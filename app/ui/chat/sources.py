"""What documents a message carried, as the conversation shows it: chips above a sent message, sources under an answer.

Above a user's message, a line per attached file: "Attached: report.pdf · 12 pages · 1.2 MB · read
whole" (or "3 of 40 passages used"). Under an answer that used passages, numbered sources, per file
"report.pdf [1] p. 4 [2] p. 9", each a link ``parley-source:<answer id>/<number>`` that opens the passage;
and the turn's notes (a library folder still being indexed) join the answer's details. The
conversation asks ``MessageDocuments`` of each message through the writer's ``documents_of``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6 import QtCore, QtGui

from app.core.documents.types import AttachmentUse, Passage
from app.core.errors import AppError
from app.core.history.store import Store
from app.core.history.types import Message
from app.ui.chat.attachments import chip_label, use_text
from app.ui.common import style

log = logging.getLogger("app.ui.chat")

SOURCE_SCHEME = "parley-source"  # a citation under an answer: parley-source:<answer id>/<number>


@dataclass(frozen=True)
class MessageDocuments:
    """The documents of one message: its attachments (a user's), or the passages and notes (an answer's)."""

    attachments: tuple[AttachmentUse, ...] = ()
    passages: tuple[Passage, ...] = ()
    notes: tuple[str, ...] = ()


NO_DOCUMENTS = MessageDocuments()


def documents_in(store: Store) -> Callable[[Message], MessageDocuments]:
    """The conversation's lookup of a message's documents in ``store`` (what the view's writer asks)."""

    def documents_of(message: Message) -> MessageDocuments:
        try:
            if message.role == "user":
                uses = tuple(
                    AttachmentUse(a.path, a.name, a.size, a.pages, a.mode, a.used, a.total)
                    for a in store.attachments(message.id)
                )
                return MessageDocuments(attachments=uses)
            if message.role == "assistant":
                passages = tuple(store.citations(message.id))
                return MessageDocuments(passages=passages, notes=tuple(store.document_notes(message.id)))
        except AppError as err:  # the message still shows; a damaged history reaches recovery on its next write
            log.warning("no documents shown for message %s: %s", message.id, err)
        return NO_DOCUMENTS

    return documents_of


def page_text(store: Store, answer_id: int, passage: Passage) -> str | None:
    """The text of the page a passage came from, as it was read when attached (None: not an attachment's)."""
    try:
        question = store.message(answer_id).parent_id
        stored = store.attachments(question) if question is not None else []
    except AppError as err:
        log.warning("no page text for a passage of answer %s: %s", answer_id, err)
        return None
    for attachment in stored:
        if attachment.path == passage.path and attachment.page_texts:
            index = (passage.page or 1) - 1
            return attachment.page_texts[index] if 0 <= index < len(attachment.page_texts) else None
    return None


def citation_text(passage: Passage) -> str:
    """ "[1] report.pdf p. 4" (no page for a document without pages): the passage dialog's title line."""
    if passage.page is None:
        return f"[{passage.number}] {passage.name}"
    page = QtCore.QCoreApplication.translate("Sources", "p. {page}").format(page=passage.page)
    return f"[{passage.number}] {passage.name} {page}"


def citation_name(passage: Passage) -> str:
    """What a screen reader says for a citation link."""
    translate = QtCore.QCoreApplication.translate
    if passage.page is None:
        return translate("Sources", "Source {number}: {name}").format(number=passage.number, name=passage.name)
    return translate("Sources", "Source {number}: {name}, page {page}").format(
        number=passage.number, name=passage.name, page=passage.page
    )


def attachment_line(use: AttachmentUse) -> str:
    # A one-page file says no page count, as a text file's chip does not.
    attached = QtCore.QCoreApplication.translate("Sources", "Attached:")
    return f"{attached} {chip_label(use.name, use.pages, use.pages > 1, use.size)} · {use_text(use)}"


def insert_attachments(cursor: QtGui.QTextCursor, uses: Sequence[AttachmentUse], palette: QtGui.QPalette) -> None:
    """A line per attached file, each ending with a new block, so the message's text follows on its own line."""
    fmt = style.muted_char_format(palette)
    for use in uses:
        fmt.setToolTip(use.path)
        cursor.insertText(attachment_line(use), fmt)
        cursor.insertBlock(QtGui.QTextBlockFormat(), QtGui.QTextCharFormat())


def insert_notes(cursor: QtGui.QTextCursor, notes: Sequence[str], palette: QtGui.QPalette) -> None:
    """The turn's notes (a folder still being indexed), under the answer's details line."""
    fmt = style.muted_char_format(palette)
    fmt.setFontPointSize(max(7.0, QtGui.QFont().pointSizeF() - 1.5))
    for note in notes:
        cursor.insertBlock(QtGui.QTextBlockFormat(), QtGui.QTextCharFormat())
        cursor.insertText(note, fmt)


def insert_citations(
    cursor: QtGui.QTextCursor, answer_id: int, passages: Sequence[Passage], palette: QtGui.QPalette
) -> None:
    """ "Sources:" and, per file, its name and a link per passage ("[1] p. 4"), on a new line at the cursor."""
    if not passages:
        return
    muted = style.muted_char_format(palette)
    cursor.insertBlock(style.header_block_format(), QtGui.QTextCharFormat())
    cursor.insertText(QtCore.QCoreApplication.translate("Sources", "Sources:"), muted)
    link = QtGui.QTextCharFormat(muted)
    link.setForeground(palette.color(QtGui.QPalette.ColorRole.Link))
    by_file: dict[str, list[Passage]] = {}
    for passage in passages:
        by_file.setdefault(passage.path, []).append(passage)
    for cited in by_file.values():
        cursor.insertText(f"   {cited[0].name} ", muted)
        for index, passage in enumerate(cited):
            if index:
                cursor.insertText(" ", muted)
            fmt = QtGui.QTextCharFormat(link)
            fmt.setAnchor(True)
            fmt.setAnchorHref(f"{SOURCE_SCHEME}:{answer_id}/{passage.number}")
            fmt.setToolTip(citation_name(passage))
            cursor.insertText(link_text(passage), fmt)


def link_text(passage: Passage) -> str:
    """A citation's link after its file's name: "[1] p. 4", or "[1]" for a document without pages."""
    if passage.page is None:
        return f"[{passage.number}]"
    page = QtCore.QCoreApplication.translate("Sources", "p. {page}").format(page=passage.page)
    return f"[{passage.number}] {page}".replace(" ", "\u00a0")  # a citation never breaks across lines


def parse_source(path: str) -> tuple[int, int] | None:
    """``(answer id, passage number)`` from a clicked citation's path; None for anything else."""
    answer, _, number = path.partition("/")
    if not answer.isdigit() or not number.isdigit():
        return None
    return int(answer), int(number)
