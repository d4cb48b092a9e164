"""The line of links under a message: "‹ 2/3 ›" between its versions, Edit or Regenerate, Copy, Continue,
Read aloud, and an answer's "Look inside". A link that cannot be used here (Look inside on a remote server's
answer without figures, Continue on an answer held to a JSON Schema) is shown disabled, saying why: a link
``parley-action:unavailable/<id>`` that does nothing, so a screen reader still meets it and its reason.

Each link is an anchor ``parley-action:<verb>/<message id>`` in the document; ``parse_action`` reads
one back when it is clicked. The reasoning's "Thinking" line links to ``parley-thinking:<message id>``.
``find_link`` finds a link again in a message's frame (so a Copy link can say "Copied" for a while).
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui

from app.core.history.types import Message, Versions
from app.ui.common import style

THINKING_SCHEME = "parley-thinking"  # the link that opens and closes an answer's reasoning
ACTION_SCHEME = "parley-action"  # a message's links: parley-action:<verb>/<message id>
VERBS = ("version", "edit", "regenerate", "continue", "copy", "speak", "inside", "unavailable")
UNAVAILABLE = "unavailable"  # the verb of a link shown disabled: clicking it does nothing


def insert_links(
    cursor: QtGui.QTextCursor,
    message: Message,
    text: str,
    versions: Versions | None,
    palette: QtGui.QPalette,
    *,
    looked_inside: bool = False,
    inside_unavailable: str = "",
    follows_schema: bool = False,
) -> bool:
    """Writes the links under ``message`` (whose shown text, or reasoning when it has none, is ``text``)
    on a new line at the cursor; a streaming message has none. Returns whether a line was written.
    ``looked_inside``: the answer shows its tokens' probabilities now (its link then hides them);
    ``inside_unavailable``: why it cannot be looked inside (its link is then disabled);
    ``follows_schema``: the answer is held to its persona's JSON Schema, so it cannot be continued."""
    if message.status == "streaming":
        return False
    translate = QtCore.QCoreApplication.translate
    links: list[tuple[str, str, str]] = []  # (label, verb, tooltip)
    if versions is not None:
        if versions.previous_id is not None:
            tip = translate("ChatView", "Show the previous version")
            links.append(("‹", f"version/{versions.previous_id}", tip))
        links.append((f"{versions.index}/{versions.count}", "", ""))
        if versions.next_id is not None:
            links.append(("›", f"version/{versions.next_id}", translate("ChatView", "Show the next version")))
    if message.role == "user":
        tip = translate("ChatView", "Edit and send again as a new version")
        links.append((translate("ChatView", "Edit"), f"edit/{message.id}", tip))
    else:
        tip = translate("ChatView", "Write a new version of this answer")
        links.append((translate("ChatView", "Regenerate"), f"regenerate/{message.id}", tip))
    tip = translate("ChatView", "Copy the message's Markdown source")
    links.append((translate("ChatView", "Copy"), f"copy/{message.id}", tip))
    cut_short = message.status in ("stopped", "interrupted") or message.finish_reason == "length"
    if message.role == "assistant" and cut_short and text and follows_schema:
        tip = translate("ChatView", "Not available: an answer that follows a JSON Schema would break; regenerate it.")
        links.append((translate("ChatView", "Continue"), f"{UNAVAILABLE}/{message.id}", tip))
    elif message.role == "assistant" and cut_short and text:
        tip = translate("ChatView", "Go on from where the answer ended")
        links.append((translate("ChatView", "Continue"), f"continue/{message.id}", tip))
    if message.role == "assistant" and message.content.strip():
        tip = translate("ChatView", "Read the answer aloud (click Stop reading to end it)")
        links.append((translate("ChatView", "Read aloud"), f"speak/{message.id}", tip))
    if message.role == "assistant" and message.kind is None and message.content:
        if looked_inside:
            tip = translate("ChatView", "Show the answer as it was written")
            links.append((translate("ChatView", "Hide look inside"), f"inside/{message.id}", tip))
        elif inside_unavailable:
            links.append((translate("ChatView", "Look inside"), f"{UNAVAILABLE}/{message.id}", inside_unavailable))
        else:
            tip = translate("ChatView", "Show how sure the model was of each word, and what else it considered")
            links.append((translate("ChatView", "Look inside"), f"inside/{message.id}", tip))
    cursor.insertBlock(style.header_block_format(), QtGui.QTextCharFormat())
    muted = style.muted_char_format(palette)
    for number, (label, verb, tooltip) in enumerate(links):
        if number:
            cursor.insertText("   ", muted)
        fmt = QtGui.QTextCharFormat(muted)
        if verb.startswith(f"{UNAVAILABLE}/"):  # shown disabled: fainter
            fmt.setForeground(style.mix(muted.foreground().color(), palette.color(QtGui.QPalette.ColorRole.Base), 0.4))
        if verb:
            fmt.setAnchor(True)
            fmt.setAnchorHref(f"{ACTION_SCHEME}:{verb}")
        if tooltip:
            fmt.setToolTip(tooltip)
        cursor.insertText(label, fmt)
    return True


def thinking_link(message_id: int, palette: QtGui.QPalette) -> QtGui.QTextCharFormat:
    """The format of an answer's "Thinking" line: a link that opens or closes its reasoning."""
    link = style.muted_char_format(palette)
    link.setAnchor(True)
    link.setAnchorHref(f"{THINKING_SCHEME}:{message_id}")
    link.setToolTip(QtCore.QCoreApplication.translate("ChatView", "What the model thought before it answered"))
    return link


def parse_action(path: str) -> tuple[str, int] | None:
    """``(verb, message id)`` from a clicked action link's path ``<verb>/<id>``; None for anything else."""
    verb, _, number = path.partition("/")
    if verb not in VERBS or not number.isdigit():
        return None
    return verb, int(number)


def parse_message_id(path: str) -> int | None:
    """The message id of a clicked "Thinking" link's path."""
    return int(path) if path.isdigit() else None


def find_link(document: QtGui.QTextDocument, frame: QtGui.QTextFrame, href: str) -> QtGui.QTextCursor | None:
    """A cursor selecting the text of the link to ``href`` inside ``frame``; None where there is none."""
    block = document.findBlock(frame.firstPosition())
    while block.isValid() and block.position() <= frame.lastPosition():
        fragments = block.begin()
        while not fragments.atEnd():
            fragment = fragments.fragment()
            if fragment.charFormat().isAnchor() and fragment.charFormat().anchorHref() == href:
                cursor = QtGui.QTextCursor(document)
                cursor.setPosition(fragment.position())
                cursor.setPosition(fragment.position() + fragment.length(), QtGui.QTextCursor.MoveMode.KeepAnchor)
                return cursor
            fragments += 1
        block = block.next()
    return None
