"""Chunks: within the token size, pages kept, overlapping, numbered in order, Chinese cut by characters."""

from __future__ import annotations

import itertools
import random

from app.core.documents.chunking import estimate, join_neighbours, split
from app.core.documents.types import Document, Page

_WORDS = ["alpha", "beta", "gamma", "delta", "river", "stone", "cloud", "tiger", "lamp", "window", "orange"]


def _prose(seed: int, sentences: int) -> str:
    pick = random.Random(seed)
    return " ".join(
        " ".join(pick.choice(_WORDS) for _ in range(pick.randint(3, 12))).capitalize() + "." for _ in range(sentences)
    )


def _document(*pages: str, paged: bool = True) -> Document:
    return Document("/x/doc.pdf", "doc.pdf", "pdf", 1, tuple(Page(n, text) for n, text in enumerate(pages, 1)), paged)


def test_chunks_fit_keep_pages_and_count_up() -> None:
    document = _document(_prose(1, 80), _prose(2, 80))
    chunks = split(document, chunk_tokens=60, overlap_tokens=10)
    assert all(estimate(chunk.text) <= 60 for chunk in chunks)
    assert [chunk.index for chunk in chunks] == list(range(len(chunks)))
    assert {chunk.page for chunk in chunks} == {1, 2}
    pages = [chunk.page or 0 for chunk in chunks]
    assert pages == sorted(pages)  # no chunk crosses back to an earlier page


def test_neighbours_overlap_and_join_back_to_the_page() -> None:
    page = _prose(3, 120)
    chunks = split(_document(page), chunk_tokens=50, overlap_tokens=15)
    assert len(chunks) > 5
    overlapping = sum(1 for a, b in itertools.pairwise(chunks) if b.text[:20] in a.text)
    assert overlapping >= len(chunks) // 2
    joined = chunks[0].text
    for chunk in chunks[1:]:
        joined = join_neighbours(joined, chunk.text)
    assert joined.split() == page.split()


def test_chinese_without_spaces_is_cut_by_characters() -> None:
    pick = random.Random(4)
    text = "".join(pick.choice("项目代号紫星秘密文件山水花鸟风云日月") for _ in range(2000))
    chunks = split(_document(text, paged=False), chunk_tokens=100, overlap_tokens=20)
    assert all(chunk.page is None for chunk in chunks)
    assert all(len(chunk.text) <= 100 for chunk in chunks)  # a token per Chinese character
    assert len(chunks) >= 20
    joined = chunks[0].text
    for chunk in chunks[1:]:
        joined = join_neighbours(joined, chunk.text)
    assert joined == text


def test_chinese_sentences_end_chunks_at_their_marks() -> None:
    text = "第一句话在这里。" * 30
    chunks = split(_document(text), chunk_tokens=40, overlap_tokens=0)
    assert all(chunk.text.endswith("。") for chunk in chunks)


def test_chunking_is_stable() -> None:
    document = _document(_prose(5, 50))
    assert split(document) == split(document)


def test_estimate_counts_chinese_characters_as_tokens() -> None:
    assert estimate("紫星" * 50) == 100 + 1
    assert estimate("word " * 40) == 51
