"""The conversation view as the user sees it: each message's block of text, its links, and clicks on them.

A message's block is one frame of the view's document; which message it is, the Copy link under it
says (``parley-action:copy/<id>``). A streaming answer has no links yet: it is the last block.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui
from pytestqt.qtbot import QtBot

from app.ui.chat.view import ChatView


def blocks(view: ChatView) -> list[QtGui.QTextFrame]:
    """The messages' blocks, top to bottom."""
    return list(view.document().rootFrame().childFrames())


def block_text(view: ChatView, frame: QtGui.QTextFrame) -> str:
    cursor = QtGui.QTextCursor(view.document())
    cursor.setPosition(frame.firstPosition())
    cursor.setPosition(frame.lastPosition(), QtGui.QTextCursor.MoveMode.KeepAnchor)
    return cursor.selection().toPlainText()


def texts(view: ChatView) -> list[str]:
    """The plain text of each message's block: marks above it, header, body, details and links."""
    return [block_text(view, frame) for frame in blocks(view)]


def links(view: ChatView, frame: QtGui.QTextFrame) -> list[tuple[str, str, int]]:
    """The links in a block, as (label, where it goes, the document position of its middle)."""
    found: list[tuple[str, str, int]] = []
    block = view.document().findBlock(frame.firstPosition())
    while block.isValid() and block.position() <= frame.lastPosition():
        fragments = block.begin()
        while not fragments.atEnd():
            fragment = fragments.fragment()
            if fragment.charFormat().isAnchor():
                middle = fragment.position() + fragment.length() // 2
                found.append((fragment.text(), fragment.charFormat().anchorHref(), middle))
            fragments += 1
        block = block.next()
    return found


def block_id(view: ChatView, frame: QtGui.QTextFrame) -> int | None:
    """The message a block shows, as its Copy link names it (None: no links, e.g. still streaming)."""
    for _, href, _ in links(view, frame):
        if href.startswith("parley-action:copy/"):
            return int(href.rpartition("/")[2])
    return None


def message_ids(view: ChatView) -> list[int | None]:
    return [block_id(view, frame) for frame in blocks(view)]


def block_of(view: ChatView, message_id: int) -> QtGui.QTextFrame:
    for frame in blocks(view):
        if block_id(view, frame) == message_id:
            return frame
    raise AssertionError(f"message {message_id} is not on screen")


def text_of(view: ChatView, message_id: int) -> str:
    return block_text(view, block_of(view, message_id))


def link_line(view: ChatView, message_id: int) -> list[str]:
    """The line of links under a message, as shown: e.g. ["‹", "2/3", "Regenerate", "Copy"]."""
    return [label.strip() for label in text_of(view, message_id).rpartition("\n")[2].split("   ") if label.strip()]


def click_position(qtbot: QtBot, view: ChatView, position: int) -> None:
    """Clicks the character at a document position, as a user would."""
    cursor = QtGui.QTextCursor(view.document())
    cursor.setPosition(position)
    view.setTextCursor(cursor)
    view.ensureCursorVisible()
    rect = view.cursorRect(cursor)
    qtbot.mouseClick(view.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=rect.center())


def click_link(qtbot: QtBot, view: ChatView, frame: QtGui.QTextFrame, label: str) -> None:
    """Clicks the link labelled ``label`` in a block."""
    found = [position for text, _, position in links(view, frame) if text == label]
    assert found, f"no {label!r} link in {block_text(view, frame)!r}"
    click_position(qtbot, view, found[0])
