"""Cutting a document into chunks small enough to rank and cite, and the token estimate they are cut by.

A chunk never crosses a page, so its page number is exact. Within a page the text is cut at sentence
ends and line breaks (Chinese and Japanese sentence marks included) and the pieces are packed up to
``chunk_tokens``; a piece longer than that (a sentence without end, a run of Chinese with no marks) is
cut at a space, or between characters where the script has no spaces. Each chunk after the first on
a page repeats about ``overlap_tokens`` of the one before, so a fact cut in two is still whole in one
of them. Indices run 0, 1, 2… through the document, so neighbours differ by one.

Tokens are estimated without a tokenizer: ``app.core.engine.budget``'s four characters a token for
spaced scripts, and one token for each Chinese, Japanese or Korean character, which tokenizers give
a token or more each (four to the token would let a Chinese document overflow the context).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from app.core.documents.types import Chunk, Document, Page
from app.core.engine.budget import estimate_tokens

CHUNK_TOKENS = 200
OVERLAP_TOKENS = 30
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003ffff]")
_SENTENCE_MARKS = frozenset("。！？；…")
# A piece ends after a sentence mark (and the spaces after it) or at a run of line breaks.
_PIECE_END = re.compile(r"(?<=[.!?;:。！？；：…])[ \t]+|(?<=[。！？；…])|\n+")


def estimate(text: str) -> int:
    """About how many tokens ``text`` takes: a token per CJK character, four other characters a token."""
    unspaced = len(_UNSPACED.findall(text))
    return estimate_tokens(len(text) - unspaced) + unspaced


def split(document: Document, *, chunk_tokens: int = CHUNK_TOKENS, overlap_tokens: int = OVERLAP_TOKENS) -> list[Chunk]:
    """``document``'s chunks in reading order."""
    return list(
        iter_chunks(
            document.path,
            document.name,
            document.pages,
            paged=document.paged,
            chunk_tokens=chunk_tokens,
            overlap_tokens=overlap_tokens,
        )
    )


def iter_chunks(
    path: str,
    name: str,
    pages: Iterable[Page],
    *,
    paged: bool,
    chunk_tokens: int = CHUNK_TOKENS,
    overlap_tokens: int = OVERLAP_TOKENS,
    first_index: int = 0,
) -> Iterator[Chunk]:
    """The chunks of ``pages`` one at a time (the library's indexer passes a page iterator, never a whole
    document), numbered from ``first_index``."""
    index = first_index
    for page in pages:
        for text in page_chunks(page.text, chunk_tokens, overlap_tokens):
            yield Chunk(path, name, index, page.number if paged else None, text)
            index += 1


def page_chunks(text: str, chunk_tokens: int, overlap_tokens: int) -> list[str]:
    """The texts of one page's chunks, each a slice of ``text`` (stripped)."""
    # A piece too long for a chunk is cut into overlap-sized ones, so that its chunks overlap too.
    short = overlap_tokens if overlap_tokens > 0 else chunk_tokens
    pieces = [
        span
        for start, end in _pieces(text)
        for span in ([(start, end)] if estimate(text[start:end]) <= chunk_tokens else _fitted(text, start, end, short))
    ]
    sizes = [estimate(text[start:end]) for start, end in pieces]
    chunks: list[str] = []
    first = 0
    while first < len(pieces):
        last, used = first, sizes[first]
        while last + 1 < len(pieces) and used + sizes[last + 1] <= chunk_tokens:
            last += 1
            used += sizes[last]
        chunk = text[pieces[first][0] : pieces[last][1]].strip()
        if chunk:
            chunks.append(chunk)
        if last + 1 >= len(pieces):
            break
        # The next chunk starts with the last pieces of this one, up to ``overlap_tokens``, and always moves on.
        following, repeated = last + 1, 0
        while following - 1 > first and repeated + sizes[following - 1] <= overlap_tokens:
            following -= 1
            repeated += sizes[following]
        first = following
    return chunks


def _pieces(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _PIECE_END.finditer(text):
        end = match.end()
        if end > start and text[start:end].strip():
            spans.append((start, end))
            start = end
    if start < len(text) and text[start:].strip():
        spans.append((start, len(text)))
    return spans


def _fitted(text: str, start: int, end: int, tokens: int) -> Iterator[tuple[int, int]]:
    """``text[start:end]`` cut into spans of at most ``tokens``: at the last space that fits, or
    between characters where there is none (Chinese)."""
    while estimate(text[start:end]) > tokens:
        cut, unspaced, spaced, last_space = start, 0, 0, -1
        while cut < end:
            if _UNSPACED.match(text[cut]):
                unspaced += 1
            else:
                spaced += 1
            if unspaced + estimate_tokens(spaced) > tokens:
                break
            if text[cut].isspace():
                last_space = cut
            cut += 1
        if last_space > start:
            cut = last_space + 1
        cut = max(cut, start + 1)
        yield start, cut
        start = cut
    if text[start:end].strip():
        yield start, end


def join_neighbours(first: str, second: str) -> str:
    """Two neighbouring chunks as one text, the overlap they share said once (an overlap starts where a
    piece does: after a space, a sentence mark, or between Chinese characters)."""
    for size in range(min(len(first), len(second)), 0, -1):
        at = len(first) - size
        before = first[at - 1] if at else " "
        starts_piece = before.isspace() or before in _SENTENCE_MARKS or bool(_UNSPACED.match(before))
        if starts_piece and first.endswith(second[:size]):
            return first + second[size:]
    joined_script = first and second and _UNSPACED.match(first[-1]) and _UNSPACED.match(second[0])
    return first + ("" if joined_script else "\n") + second
