"""Message content on screen: an answer's Markdown source turned into the HTML the chat's QTextDocument shows.

The parser is markdown-it-py (CommonMark, plus GitHub's tables and strikethrough, plus ``$…$`` and
``$$…$$`` math from mdit-py-plugins) with raw HTML switched off, so whatever HTML a model writes is
escaped and shown as text. Code blocks are highlighted by Pygments in colours that suit the theme,
carry their language as a label and a "Copy" link (``parley-copy:<block>``) whose code is kept in
``Rendered.code_blocks``, exactly as written; their long lines wrap inside the block. Images are
never loaded: ``![alt](url)`` becomes a link that names the picture. Math is shown as its TeX
source in the fixed-pitch font. A fence still open while an answer streams renders as code
(CommonMark runs it to the end of the text).

Only the HTML subset QTextDocument understands is written: inline ``style`` colours, ``<pre>``,
``<table>`` with ``bgcolor``/``cellpadding``, and no external style sheets or resources.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from pygments import lex
from pygments.lexer import Lexer
from pygments.lexers import TextLexer, get_lexer_by_name
from pygments.styles import get_style_by_name
from pygments.token import Token as PygmentsToken
from pygments.util import ClassNotFound

COPY_SCHEME = "parley-copy"  # href of a code block's Copy link: parley-copy:<index of the block>
LIGHT_CODE_STYLE = "default"  # Pygments styles whose token colours suit a light and a dark background
DARK_CODE_STYLE = "monokai"


@dataclass(frozen=True)
class Colours:
    """What the HTML needs from the theme: colour names (``#rrggbb``) and the fixed-pitch font's family."""

    code_background: str = "#f0f0f0"
    code_label: str = "#666666"
    border: str = "#cccccc"
    muted: str = "#666666"
    link: str = "#1a63c6"
    fixed_family: str = "monospace"
    dark: bool = False


@dataclass
class Rendered:
    """The HTML for one message and the exact code of each of its code blocks, in order."""

    html: str
    code_blocks: list[str] = field(default_factory=list)


def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "breaks": False, "linkify": False, "typographer": False})
    parser.enable(["table", "strikethrough"])
    dollarmath_plugin(parser, allow_space=True, allow_digits=False, double_inline=True)
    return parser


_PARSER = _parser()


def render(
    source: str,
    colours: Colours,
    *,
    copy_href: str = f"{COPY_SCHEME}:",
    copy_label: str = "Copy",
    image_label: str = "Image",
    for_copy: bool = False,
) -> Rendered:
    """The HTML of ``source`` (an answer's Markdown) for the chat document, and its code blocks.

    A code block's Copy link is ``copy_href`` followed by the block's index. ``for_copy`` leaves out
    the code blocks' label and Copy row: the HTML whose plain text is what "Copy message" copies.
    """
    renderer = _HtmlWriter(colours, copy_href, copy_label, image_label, for_copy)
    return renderer.write(_PARSER.parse(source))


def plain_text(source: str) -> str:
    """What a reader sees of ``source``, without the Markdown marks: what "Copy message" copies."""
    from PySide6 import QtGui  # the document's own HTML-to-text; the renderer itself needs no Qt

    document = QtGui.QTextDocument()
    document.setHtml(render(source, Colours(), for_copy=True).html)
    return document.toPlainText().strip()


def code_style_name(colours: Colours) -> str:
    return DARK_CODE_STYLE if colours.dark else LIGHT_CODE_STYLE


class _HtmlWriter:
    """Walks markdown-it's token stream and writes QTextDocument-friendly HTML."""

    def __init__(self, colours: Colours, copy_href: str, copy_label: str, image_label: str, for_copy: bool) -> None:
        self.colours = colours
        self.copy_href = copy_href
        self.for_copy = for_copy
        self.copy_label = copy_label
        self.image_label = image_label
        self.code_blocks: list[str] = []
        self._mono = f"font-family: '{colours.fixed_family}', monospace;"

    def write(self, tokens: Sequence[Token]) -> Rendered:
        parts: list[str] = []
        for token in tokens:
            parts.append(self._block(token))
        return Rendered("".join(parts), self.code_blocks)

    # -- blocks ---------------------------------------------------------------------------------

    def _block(self, token: Token) -> str:
        kind = token.type
        if kind == "inline":
            return self._inline(token.children or [])
        if kind in ("fence", "code_block"):
            return self._code_block(token.content, token.info.strip().split(" ")[0] if kind == "fence" else "")
        if kind == "math_block" or kind == "math_block_label":
            math = html.escape(token.content.strip())
            return f'<pre style="{self._mono} color: {self.colours.code_label};">{math}</pre>'
        if kind == "hr":
            return f'<hr style="color: {self.colours.border};" />'
        if kind == "table_open":
            return (
                f'<table border="1" cellspacing="0" cellpadding="6" '
                f'style="border-collapse: collapse; border-color: {self.colours.border}; margin-bottom: 8px;">'
            )
        if kind == "blockquote_open":
            return f'<blockquote style="color: {self.colours.muted};">'
        if kind == "ordered_list_open":
            start = token.attrGet("start")
            return f'<ol start="{int(start)}">' if start is not None else "<ol>"
        if kind in ("th_open", "td_open"):
            align = str(token.attrGet("style") or "").replace("text-align:", "").strip()
            tag = "th" if kind == "th_open" else "td"
            return f'<{tag} align="{align}">' if align in ("left", "right", "center") else f"<{tag}>"
        if kind == "paragraph_open" and token.hidden:
            return ""  # tight lists: the item's text without a paragraph of its own
        if kind == "paragraph_close" and token.hidden:
            return ""
        if kind.endswith("_open"):
            return f"<{token.tag}>"
        if kind.endswith("_close"):
            return f"</{token.tag}>"
        return ""

    def _code_block(self, code: str, language: str) -> str:
        index = len(self.code_blocks)
        self.code_blocks.append(code)
        if self.for_copy:
            return f"<pre>{html.escape(code)}</pre>"
        label = html.escape(language) if language else "&nbsp;"
        colours = self.colours
        header = (
            f'<tr><td style="color: {colours.code_label};">{label}</td>'
            f'<td align="right"><a href="{self.copy_href}{index}" title="{html.escape(self.copy_label)}" '
            f'style="color: {colours.link};">{html.escape(self.copy_label)}</a></td></tr>'
        )
        highlighted = _highlighted(code, language, code_style_name(colours))
        # pre-wrap: a long line wraps inside its block (a block of a QTextDocument cannot scroll on
        # its own, and a line wider than the column would scroll the whole chat sideways).
        body = f'<tr><td colspan="2"><pre style="{self._mono} white-space: pre-wrap;">{highlighted}</pre></td></tr>'
        return (
            f'<table width="100%" cellspacing="0" cellpadding="6" border="0" bgcolor="{colours.code_background}" '
            f'style="margin-top: 2px; margin-bottom: 8px;">{header}{body}</table>'
        )

    # -- inline ---------------------------------------------------------------------------------

    def _inline(self, children: Sequence[Token]) -> str:
        out: list[str] = []
        skip_until_close = 0
        for child in children:
            kind = child.type
            if skip_until_close:
                if kind == "link_close":
                    skip_until_close -= 1
                continue
            if kind == "text":
                out.append(html.escape(child.content))
            elif kind == "softbreak":
                out.append("\n")
            elif kind == "hardbreak":
                out.append("<br />")
            elif kind == "code_inline":
                out.append(
                    f'<code style="{self._mono} background-color: {self.colours.code_background};">'
                    f"{html.escape(child.content)}</code>"
                )
            elif kind == "math_inline" or kind == "math_inline_double":
                out.append(f'<code style="{self._mono}">{html.escape(child.content)}</code>')
            elif kind == "link_open":
                href = str(child.attrGet("href") or "")
                out.append(f'<a href="{html.escape(href)}" title="{html.escape(href)}">')
            elif kind == "link_close":
                out.append("</a>")
            elif kind == "image":
                out.append(self._image_link(child))
            elif kind in ("em_open", "strong_open", "s_open"):
                out.append(f"<{child.tag}>")
            elif kind in ("em_close", "strong_close", "s_close"):
                out.append(f"</{child.tag}>")
            else:
                out.append(html.escape(child.content))
        return "".join(out)

    def _image_link(self, token: Token) -> str:
        """A picture the answer refers to, as a link that names it: nothing is ever loaded."""
        href = str(token.attrGet("src") or "")
        alt = "".join(child.content for child in (token.children or [])) or href
        label = f"[{self.image_label}: {alt}]"
        return f'<a href="{html.escape(href)}" title="{html.escape(href)}">{html.escape(label)}</a>'


@lru_cache(maxsize=256)
def _highlighted(code: str, language: str, style_name: str) -> str:
    """``code`` as HTML spans in ``style_name``'s colours. Cached: while an answer streams, only the code
    block still growing is lexed again at each render tick, not every block above it."""
    styles = _token_styles(style_name)
    text = code[:-1] if code.endswith("\n") else code
    out: list[str] = []
    for token_type, value in lex(text, _lexer(language)):
        escaped = html.escape(value)
        css = _css_for(styles, token_type)
        out.append(f'<span style="{css}">{escaped}</span>' if css else escaped)
    return "".join(out)


def _css_for(styles: dict[Any, str], token_type: Any) -> str:
    while token_type not in styles and token_type.parent is not None:
        token_type = token_type.parent
    return styles.get(token_type, "")


@lru_cache(maxsize=64)
def _lexer(language: str) -> Lexer:
    if language:
        try:
            return get_lexer_by_name(language.lower(), stripnl=False, ensurenl=False)
        except ClassNotFound:
            pass
    return TextLexer(stripnl=False, ensurenl=False)


_STYLE_CACHE: dict[str, dict[Any, str]] = {}


def _token_styles(name: str) -> dict[Any, str]:
    """Pygments' colours for each token type of style ``name``, as inline CSS (background left to the theme)."""
    cached = _STYLE_CACHE.get(name)
    if cached is not None:
        return cached
    style = get_style_by_name(name)
    styles: dict[Any, str] = {}
    for token_type, spec in style:
        parts = []
        if spec["color"]:
            parts.append(f"color: #{spec['color']};")
        if spec["bold"]:
            parts.append("font-weight: 600;")
        if spec["italic"]:
            parts.append("font-style: italic;")
        if parts:
            styles[token_type] = " ".join(parts)
    styles.pop(PygmentsToken, None)
    styles.pop(PygmentsToken.Text.Whitespace, None)
    _STYLE_CACHE[name] = styles
    return styles
