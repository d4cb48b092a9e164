"""Hybrid ranking and filling the room: reciprocal-rank fusion, then passages best first until it is used.

Fusion: a chunk's score is the sum over the rankings it appears in (words, meaning) of
``1 / (RRF_K + rank)``, the usual k = 60, so a chunk both rankings like beats one either likes alone,
and neither ranking's raw scores need to be comparable. Filling: the ranked chunks are taken best
first while they fit the room (no fixed top-k: a larger context gets more passages), then chosen
chunks that are neighbours in their document are merged into one passage that reads whole, and the
passages are numbered in the order they are quoted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from app.core.documents.chunking import join_neighbours
from app.core.documents.types import Chunk, Passage

RRF_K = 60
CANDIDATES = 200  # how many chunks each ranking offers for fusion


@dataclass(frozen=True)
class ScoredChunk:
    chunk: Chunk
    score: float  # reciprocal-rank fusion score: higher is better


def fuse(rankings: Iterable[Sequence[int]], *, k: int = RRF_K) -> list[tuple[int, float]]:
    """Reciprocal-rank fusion of rankings of ids (each best first): ``(id, score)`` best first, ties by id."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


def source_line(number: int, name: str, page: int | None) -> str:
    """A passage's heading in the block and its citation: ``[1] report.pdf p. 4``."""
    return f"[{number}] {name}" + (f" p. {page}" if page is not None else "")


def fill_room(
    ranked: Sequence[ScoredChunk], room_tokens: int, count: Callable[[str], int], *, first_number: int = 1
) -> list[Passage]:
    """The passages of the best chunks of ``ranked`` that fit ``room_tokens``, neighbours merged, numbered
    from ``first_number`` in rank order of their best chunk."""
    chosen: list[ScoredChunk] = []
    seen: set[tuple[str, int]] = set()
    left = room_tokens
    for scored in ranked:
        key = (scored.chunk.path, scored.chunk.index)
        if key in seen:
            continue
        # A heading costs what "[12] name p. 300" costs; merged neighbours take less than this, never more.
        cost = count(source_line(99, scored.chunk.name, scored.chunk.page)) + count(scored.chunk.text)
        if cost <= left:
            chosen.append(scored)
            seen.add(key)
            left -= cost
    return merge_neighbours(chosen, first_number=first_number)


def merge_neighbours(chosen: Sequence[ScoredChunk], *, first_number: int = 1) -> list[Passage]:
    """Chunks of one document with consecutive indices as one passage; passages ordered by their best chunk."""
    by_key = {(scored.chunk.path, scored.chunk.index): scored for scored in chosen}
    rank_of = {(scored.chunk.path, scored.chunk.index): rank for rank, scored in enumerate(chosen)}
    runs: list[tuple[int, list[Chunk]]] = []
    for path, index in sorted(by_key):
        chunk = by_key[(path, index)].chunk
        last = runs[-1][1][-1] if runs else None
        if last is not None and last.path == path and last.index == index - 1:
            best, members = runs[-1]
            runs[-1] = (min(best, rank_of[(path, index)]), [*members, chunk])
        else:
            runs.append((rank_of[(path, index)], [chunk]))
    runs.sort(key=lambda run: run[0])
    passages: list[Passage] = []
    for number, (_, members) in enumerate(runs, start=first_number):
        text = members[0].text
        for following in members[1:]:
            text = join_neighbours(text, following.text)
        first = members[0]
        passages.append(Passage(number, first.path, first.name, first.page, text, first.index, members[-1].index))
    return passages
