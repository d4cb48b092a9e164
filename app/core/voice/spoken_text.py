"""What a voice says for an answer: its Markdown read as plain text, sentence by sentence.

The rule: Markdown is parsed (markdown-it, as the window renders it), its marks are dropped, and every
code block is said as one short phrase ("Code block.") in the voice's language instead of being read.
``SpokenStream`` follows an answer while it streams and hands out each sentence once it is complete, so
reading aloud starts with the first sentence rather than at the end of the answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from markdown_it import MarkdownIt
from markdown_it.token import Token

# Said instead of a code block, in the voice's own language (a Chinese voice cannot say the English phrase).
CODE_BLOCK_PHRASES = {"en": "Code block.", "zh": "代码块。"}

_PARSER = MarkdownIt("commonmark").enable("table").enable("strikethrough")
# A sentence ends at . ! ? (then a space or the end) or at a Chinese full stop, which needs no space after it.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+|(?<=[。！？])[”’」』）]*\s*")
_SPACES = re.compile(r"\s+")


def code_block_phrase(language: str) -> str:
    """The phrase said for a code block by a voice of ``language`` ("en", "zh_CN", "zh"...)."""
    return CODE_BLOCK_PHRASES.get(language.split("_")[0].lower(), CODE_BLOCK_PHRASES["en"])


def _inline_text(token: Token) -> str:
    parts: list[str] = []
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)  # its alt text
    return "".join(parts)


def _blocks(markdown: str, code_phrase: str) -> Iterable[str]:
    """The text of each block in reading order: paragraphs, headings, list items, table cells, code phrases."""
    cell: list[str] = []
    in_table = False
    for token in _PARSER.parse(markdown):
        if token.type in ("fence", "code_block"):
            yield code_phrase
        elif token.type == "table_open":
            in_table = True
        elif token.type == "table_close":
            in_table = False
        elif token.type == "tr_close" and cell:
            yield ", ".join(cell) + "."
            cell = []
        elif token.type == "inline":
            text = _SPACES.sub(" ", _inline_text(token)).strip()
            if not text:
                continue
            if in_table:
                cell.append(text)
            else:
                yield text
        elif token.type == "html_block":
            continue  # markup, not words


def split_sentences(text: str) -> list[str]:
    """``text`` cut after each sentence's end; what follows the last end is a sentence too."""
    return [part.strip() for part in _SENTENCE_END.split(text) if part and part.strip()]


def spoken_sentences(markdown: str, language: str = "en") -> list[str]:
    """Every sentence a voice says for ``markdown``, code blocks as their phrase."""
    phrase = code_block_phrase(language)
    return [sentence for block in _blocks(markdown, phrase) for sentence in split_sentences(block)]


class SpokenStream:
    """An answer's sentences while it streams: each one handed out once, as soon as it is complete."""

    def __init__(self, language: str = "en") -> None:
        self.language = language
        self._given = 0

    def update(self, markdown_so_far: str) -> list[str]:
        """The sentences completed since the last call; the one still being written waits."""
        sentences = spoken_sentences(markdown_so_far, self.language)[:-1]
        return self._take(sentences)

    def finish(self, markdown: str) -> list[str]:
        """The answer is complete: every sentence not yet handed out."""
        return self._take(spoken_sentences(markdown, self.language))

    def _take(self, sentences: list[str]) -> list[str]:
        new = sentences[self._given :]
        self._given = max(self._given, len(sentences))
        return new
