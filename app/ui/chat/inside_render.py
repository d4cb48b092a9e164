"""An answer looked inside, in the conversation document: its tokens shaded by how sure the model was.

Each token is written as it was, on a background mixed towards the highlight colour the less sure the
model was (from the palette, so it reads in light and dark alike), and a token below
``look_inside.LOW_CONFIDENCE`` is underlined with dots too: the mark never rests on colour alone. Every
visible token is a link ``parley-token:<message id>/<index>`` whose tooltip gives its probability and the
alternatives with theirs, so hovering shows them, Tab moves from word to word, and a screen reader reads
the tooltip's first line ("“ word”, 23%, low confidence"). A line above the tokens sums up how sure the
model was and where it hesitated most. An open thinking block is shaded the same way (``insert_thinking``),
its tokens linked as ``parley-token:<message id>/t<index>``. A click on a word offers a branch from each other
word the model considered there (``branch_choices``, ``thinking_branch_choices``); figures a remote server
streamed name tokens by their text, and a word whose alternatives the server sent without their bytes offers
none (``branch_unavailable``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6 import QtCore, QtGui

from app.core.engine.protocol import TokenChoice, TokenLogprobs
from app.core.errors import AppError
from app.core.history.look_inside import LookInside
from app.core.history.store import Store
from app.core.history.types import Message
from app.core.session import look_inside
from app.ui.common import style

log = logging.getLogger("app.ui.chat")

TOKEN_SCHEME = "parley-token"
_MOST_SHADE = 0.55  # the background of a token the model gave almost nothing, towards the highlight colour


translate = QtCore.QCoreApplication.translate


def quoted(text: str) -> str:
    """A piece as the tooltip names it: quoted, with a line break written out."""
    return "“" + text.replace("\n", "\\n") + "”"


def percent(probability: float) -> str:
    return f"{probability * 100:.0f}%" if probability >= 0.01 else "<1%"


def token_name(token: TokenLogprobs) -> str:
    """The first line of a token's tooltip: what a screen reader says for it."""
    name = f"{quoted(token.token.text)}, {percent(token.token.probability)}"
    if token.token.probability < look_inside.LOW_CONFIDENCE:
        name += ", " + translate("ChatView", "low confidence")
    return name


def token_tooltip(token: TokenLogprobs, branch: str = "") -> str:
    """The token's name, what else the model considered there, and ``branch``: what a click on it does."""
    lines = [token_name(token), translate("ChatView", "The model also considered:")]
    lines += [f"  {quoted(c.text)}  {percent(c.probability)}" for c in _others(token)] or ["  —"]
    if branch:
        lines.append(branch)
    return "\n".join(lines)


def stored_in(store: Store) -> Callable[[Message], LookInside | None]:
    """The conversation's lookup of an answer's stored look-inside data in ``store`` (what the view's writer asks)."""

    def inside_of(message: Message) -> LookInside | None:
        try:
            return store.look_inside(message.id)
        except AppError as err:  # the answer still shows; a damaged history reaches recovery on its next write
            log.warning("no look-inside data shown for answer %s: %s", message.id, err)
            return None

    return inside_of


def unavailable_reason(stored: LookInside | None) -> str:
    """Why a remote server's answer cannot be looked inside, in one sentence ("" where it can: the figures
    it streamed are stored)."""
    if stored is not None and stored.tokens:
        return ""
    if stored is None:
        return translate(
            "ChatView",
            "Not available: this answer was written without asking the server for token probabilities "
            "(Settings → Remote servers can ask for them).",
        )
    reasons = {
        "refused": translate(
            "ChatView", "Not available: the server refused to send token probabilities, so the answer was "
            "written again without them.",
        ),
        "unmatched": translate(
            "ChatView", "Not available: the token probabilities the server sent do not match this answer's text."
        ),
    }  # fmt: skip
    none = translate("ChatView", "Not available: the server sent no token probabilities with this answer.")
    return reasons.get(stored.note, none)


def branch_unavailable(token: TokenLogprobs) -> str:
    """Why no branch starts from ``token`` ("" where one can): the model considered nothing else there, or a
    remote server sent the other words without their bytes (``look_inside.known_piece``)."""
    others = _others(token)
    if not others or any(look_inside.known_piece(c) for c in others):
        return ""
    return translate("ChatView", "The server sent the other words without their bytes: no branch starts here.")


def branch_hint(data: LookInside) -> str:
    """The last line of a token's tooltip: what a click on it does."""
    hint = translate("ChatView", "Click or press Enter to continue from here with another word.")
    if data.source == "streamed":
        hint += "\n" + translate("ChatView", "The server is asked to go on from the words kept.")
    return hint


def _others(token: TokenLogprobs) -> list[TokenChoice]:
    return [c for c in token.alternatives if c.id != token.token.id or c.piece != token.token.piece]


def summary_text(data: LookInside) -> str:
    summary = look_inside.summary(data.tokens)
    text = translate(
        "ChatView", "The model was {overall} sure per word on average; {low} of {count} words below {limit}."
    ).format(
        overall=percent(summary.overall), low=summary.low, count=len(data.tokens),
        limit=percent(look_inside.LOW_CONFIDENCE),
    )  # fmt: skip
    if data.source == "streamed":
        text += " " + translate("ChatView", "The figures are the ones the server sent with the answer.")
    if summary.hesitations:
        spots = ", ".join(f"{quoted(h.token.token.text.strip())} ({percent(h.token.token.probability)})"
                          for h in summary.hesitations)  # fmt: skip
        text += " " + translate("ChatView", "It hesitated most at {spots}.").format(spots=spots)
    return text


def insert(cursor: QtGui.QTextCursor, message_id: int, data: LookInside, palette: QtGui.QPalette) -> None:
    """The summary line, then the answer's tokens, each a link with its tooltip."""
    muted = style.muted_char_format(palette)
    muted.setFontItalic(True)
    cursor.insertText(summary_text(data), muted)
    cursor.insertBlock(QtGui.QTextBlockFormat(), QtGui.QTextCharFormat())
    plain = QtGui.QTextCharFormat()
    plain.setForeground(palette.color(QtGui.QPalette.ColorRole.Text))
    hint = branch_hint(data)
    pieces = [(index, token, token.token.piece) for index, token in enumerate(data.tokens)]
    _write_tokens(cursor, pieces, palette, plain, lambda index: f"{message_id}/{index}", hint)


def insert_thinking(
    cursor: QtGui.QTextCursor, message_id: int, data: LookInside, reasoning: str, palette: QtGui.QPalette
) -> bool:
    """The open thinking ``reasoning`` (as the view shows it) shaded by its tokens' figures, after a line that
    sums them up; only the part of what the model wrote that is the text shown (its tags and the spaces around
    them are not). False when the figures do not hold that text (the caller writes it plain)."""
    written = b"".join(t.token.piece for t in data.thinking)
    shown = reasoning.strip().encode("utf-8")
    start = written.find(shown) if shown else -1
    if start < 0:
        return False
    end, position = start + len(shown), 0
    pieces: list[tuple[int, TokenLogprobs, bytes]] = []
    for index, token in enumerate(data.thinking):
        piece = token.token.piece
        low, high = max(start, position), min(end, position + len(piece))
        if low < high:
            pieces.append((index, token, piece[low - position : high - position]))
        position += len(piece)
    quote = style.muted_char_format(palette)
    quote.setFontItalic(True)
    summary = look_inside.summary(tuple(token for _, token, _ in pieces))
    cursor.insertText(
        translate("ChatView", "While thinking, the model was {overall} sure per word on average.").format(
            overall=percent(summary.overall)
        ),
        quote,
    )
    cursor.insertBlock(QtGui.QTextBlockFormat(), quote)
    _write_tokens(cursor, pieces, palette, quote, lambda index: f"{message_id}/t{index}", branch_hint(data))
    return True


def _write_tokens(
    cursor: QtGui.QTextCursor,
    pieces: list[tuple[int, TokenLogprobs, bytes]],
    palette: QtGui.QPalette,
    plain: QtGui.QTextCharFormat,
    path: Callable[[int], str],
    hint: str,
) -> None:
    """Each (index, token, bytes shown of it) written in ``plain``, shaded by its probability and linked at
    ``path(index)`` with its tooltip (``hint`` last)."""
    base = palette.color(QtGui.QPalette.ColorRole.Base)
    highlight = palette.color(QtGui.QPalette.ColorRole.Highlight)
    text_colour = palette.color(QtGui.QPalette.ColorRole.Text)
    pending = b""  # a character split across tokens is written whole, with the token that ends it
    for index, token, piece in pieces:
        raw = pending + piece
        try:
            text, pending = raw.decode("utf-8"), b""
        except UnicodeDecodeError:
            pending = raw
            continue
        fmt = QtGui.QTextCharFormat(plain)
        if text.strip():
            doubt = 1.0 - token.token.probability
            fmt.setBackground(style.mix(base, highlight, _MOST_SHADE * doubt))
            if token.token.probability < look_inside.LOW_CONFIDENCE:
                fmt.setUnderlineStyle(QtGui.QTextCharFormat.UnderlineStyle.DotLine)
                fmt.setUnderlineColor(text_colour)
            fmt.setAnchor(True)
            fmt.setAnchorHref(f"{TOKEN_SCHEME}:{path(index)}")
            fmt.setToolTip(token_tooltip(token, hint))
        cursor.insertText(text, fmt)
    if pending:
        cursor.insertText(pending.decode("utf-8", errors="replace"), QtGui.QTextCharFormat(plain))


def branch_choices(data: LookInside, index: int) -> list[tuple[str, str]]:
    """For the answer's token at ``index``: each other word the model considered there, as ("Continue from here
    with “word” (12%)", the text the new version starts with)."""
    token = data.tokens[index]
    return [(_label(c), look_inside.branch_prefix(data.tokens, index, c)) for c in _branchable(token)]


def thinking_branch_choices(data: LookInside, index: int, reasoning: str) -> list[tuple[str, str]]:
    """For the thinking's token at ``index`` (of the answer whose stored thinking is ``reasoning``): each other
    word the model considered there, as (its label, the thinking the new version starts with)."""
    choices: list[tuple[str, str]] = []
    for choice in _branchable(data.thinking[index]):
        prefix = look_inside.thinking_prefix(data.thinking, reasoning, index, choice)
        if prefix:
            choices.append((_label(choice), prefix))
    return choices


def _branchable(token: TokenLogprobs) -> list[TokenChoice]:
    return [c for c in _others(token) if look_inside.known_piece(c)]


def _label(choice: TokenChoice) -> str:
    return translate("ChatView", "Continue from here with {word} ({share})").format(
        word=quoted(choice.text), share=percent(choice.probability)
    )


def parse_token(path: str) -> tuple[int, int, bool] | None:
    """``(message id, token index, whether it is the thinking's)`` from a token link's path."""
    message, _, index = path.partition("/")
    thinking = index.startswith("t")
    index = index[1:] if thinking else index
    return (int(message), int(index), thinking) if message.isdigit() and index.isdigit() else None
