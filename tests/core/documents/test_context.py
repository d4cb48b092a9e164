"""The whole-or-retrieve rule for attachments: a small document whole, a large one by its passages."""

from __future__ import annotations

import itertools
import random

from app.core.documents.chunking import estimate
from app.core.documents.context import build_context
from app.core.documents.types import Document, Page

_WORDS = ["harbour", "lantern", "meadow", "copper", "violin", "orchard", "glacier", "parcel", "saddle", "thimble"]


def _filler(seed: int, sentences: int) -> str:
    pick = random.Random(seed)
    return " ".join(
        " ".join(pick.choice(_WORDS) for _ in range(pick.randint(5, 14))).capitalize() + "." for _ in range(sentences)
    )


def _pdf(name: str, pages: list[str]) -> Document:
    return Document(f"/docs/{name}", name, "pdf", 1000, tuple(Page(n, t) for n, t in enumerate(pages, 1)), True)


def test_a_small_document_goes_in_whole() -> None:
    document = _pdf("memo.pdf", ["The project's codename is Zorblax.", "Budget: 12 parcels."])
    context = build_context("What is the codename?", [document], room_tokens=500)
    assert "The project's codename is Zorblax." in context.block
    assert "Budget: 12 parcels." in context.block
    assert [use.mode for use in context.attachments] == ["whole"]
    assert context.passages == ()


def test_a_large_document_gives_the_passage_with_the_fact() -> None:
    pages = [_filler(seed, 40) for seed in range(60)]
    pages[41] = _filler(99, 20) + " The project's codename is Zorblax, chosen in March. " + _filler(100, 20)
    document = _pdf("handbook.pdf", pages)
    room = 600
    assert estimate(document.text) > 20 * room
    context = build_context("What is the project's codename?", [document], room_tokens=room)
    assert estimate(context.block) <= room
    assert any("Zorblax" in passage.text for passage in context.passages)
    best = context.passages[0]
    assert "Zorblax" in best.text and best.page == 42 and best.number == 1
    assert "[1] handbook.pdf p. 42" in context.block
    (use,) = context.attachments
    assert use.mode == "passages" and 0 < use.used < use.total
    # The room is used: what is left is less than one more chunk would take.
    assert estimate(context.block) > room - 250


def test_more_room_takes_more_passages() -> None:
    document = _pdf("big.pdf", [_filler(seed, 40) for seed in range(30)])
    small = build_context("copper violin", [document], room_tokens=400)
    large = build_context("copper violin", [document], room_tokens=2000)
    assert sum(len(p.text) for p in large.passages) > 3 * sum(len(p.text) for p in small.passages)
    assert estimate(large.block) <= 2000


def test_neighbouring_chunks_are_merged_into_one_passage() -> None:
    document = _pdf("story.pdf", [_filler(7, 200)])
    context = build_context("harbour lantern", [document], room_tokens=3000)
    assert any(passage.last_index > passage.first_index for passage in context.passages)
    indices = [(p.first_index, p.last_index) for p in context.passages]
    spans = sorted(indices)
    assert all(a[1] + 1 < b[0] for a, b in itertools.pairwise(spans))  # merged runs never touch


def test_chinese_question_finds_the_chinese_passage() -> None:
    pick = random.Random(3)
    filler = "".join(pick.choice("山水花鸟风云日月春夏秋冬东西南北") for _ in range(6000))
    fact = "项目的代号是紫星，由研发部在三月确定。"
    text = filler[:4000] + fact + filler[4000:]
    document = Document("/docs/说明.txt", "说明.txt", "text", 1, (Page(1, text),), False)
    context = build_context("项目的代号是什么？", [document], room_tokens=300)
    assert context.passages and "紫星" in context.passages[0].text
    assert context.passages[0].page is None
    assert "[1] 说明.txt\n" in context.block


def test_a_question_without_findable_words_still_reads_the_beginning() -> None:
    document = _pdf("long.pdf", [_filler(seed, 40) for seed in range(20)])
    context = build_context("?", [document], room_tokens=300)
    assert context.passages and context.passages[0].first_index == 0


def test_several_attachments_share_the_ranking() -> None:
    first = _pdf("a.pdf", [_filler(seed, 40) for seed in range(10)])
    second = _pdf("b.pdf", [_filler(50 + seed, 40) for seed in range(10)] + ["The vault code is 4417 thimble."])
    context = build_context("vault code", [first, second], room_tokens=500)
    assert [use.name for use in context.attachments] == ["a.pdf", "b.pdf"]
    assert context.passages[0].name == "b.pdf" and "4417" in context.passages[0].text


def test_no_documents_add_nothing() -> None:
    assert build_context("hello", [], room_tokens=100).empty
