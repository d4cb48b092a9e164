"""An answer looked inside, in the conversation document: its tokens shaded by how sure the model was.

Each token is written as it was, on a background mixed towards the highlight colour the less sure the
model was (from the palette, so it reads in light and dark alike), and a token below
``look_inside.LOW_CONFIDENCE`` is underlined with dots too: the mark never rests on colour alone. Every
visible token is a link ``parley-token:<message id>/<index>`` whose tooltip gives its probability and the
alternatives with theirs, so hovering shows them, Tab moves from word to word, and a screen reader reads
the tooltip's first line ("“ word”, 23%, low confidence"). A line above the tokens sums up how sure the
model was and where it hesitated most.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui

from app.core.engine.protocol import TokenLogprobs
from app.core.history.look_inside import LookInside
from app.core.session import look_inside
from app.ui.common import style

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


def token_tooltip(token: TokenLogprobs) -> str:
    lines = [token_name(token), translate("ChatView", "The model also considered:")]
    others = [c for c in token.alternatives if c.id != token.token.id or c.piece != token.token.piece]
    lines += [f"  {quoted(c.text)}  {percent(c.probability)}" for c in others] or ["  —"]
    lines.append(translate("ChatView", "Click or press Enter to continue from here with another word."))
    return "\n".join(lines)


def summary_text(data: LookInside) -> str:
    summary = look_inside.summary(data.tokens)
    text = translate(
        "ChatView", "The model was {overall} sure per word on average; {low} of {count} words below {limit}."
    ).format(
        overall=percent(summary.overall), low=summary.low, count=len(data.tokens),
        limit=percent(look_inside.LOW_CONFIDENCE),
    )  # fmt: skip
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
    base = palette.color(QtGui.QPalette.ColorRole.Base)
    highlight = palette.color(QtGui.QPalette.ColorRole.Highlight)
    text_colour = palette.color(QtGui.QPalette.ColorRole.Text)
    pending = b""  # a character split across tokens is written whole, with the token that ends it
    for index, token in enumerate(data.tokens):
        raw = pending + token.token.piece
        try:
            text, pending = raw.decode("utf-8"), b""
        except UnicodeDecodeError:
            pending = raw
            continue
        fmt = QtGui.QTextCharFormat()
        fmt.setForeground(text_colour)
        if text.strip():
            doubt = 1.0 - token.token.probability
            fmt.setBackground(style.mix(base, highlight, _MOST_SHADE * doubt))
            if token.token.probability < look_inside.LOW_CONFIDENCE:
                fmt.setUnderlineStyle(QtGui.QTextCharFormat.UnderlineStyle.DotLine)
                fmt.setUnderlineColor(text_colour)
            fmt.setAnchor(True)
            fmt.setAnchorHref(f"{TOKEN_SCHEME}:{message_id}/{index}")
            fmt.setToolTip(token_tooltip(token))
        cursor.insertText(text, fmt)
    if pending:
        cursor.insertText(pending.decode("utf-8", errors="replace"), QtGui.QTextCharFormat())


def branch_choices(data: LookInside, index: int) -> list[tuple[str, str]]:
    """For the token at ``index``: each other word the model considered there, as ("Continue from here with
    “word” (12%)", the text the new version starts with)."""
    token = data.tokens[index]
    choices: list[tuple[str, str]] = []
    for choice in token.alternatives:
        if choice.id == token.token.id and choice.piece == token.token.piece:
            continue
        label = translate("ChatView", "Continue from here with {word} ({share})").format(
            word=quoted(choice.text), share=percent(choice.probability)
        )
        choices.append((label, look_inside.branch_prefix(data.tokens, index, choice)))
    return choices


def parse_token(path: str) -> tuple[int, int] | None:
    """``(message id, token index)`` from a token link's path."""
    message, _, index = path.partition("/")
    return (int(message), int(index)) if message.isdigit() and index.isdigit() else None
