"""The memories a turn sends: a bounded block for the system prompt.

While every memory in scope fits ``budget_tokens`` all of them go, oldest first. Once they do not, the
most relevant to the user's message go, best first while they fit: the same hybrid search as documents
(content-word overlap and, when an embedder is chosen, meaning; fused by reciprocal rank,
``documents.retrieval.fuse``). Tokens are the documents' estimate (``chunking.estimate``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from app.core.documents import chunking
from app.core.documents.embedder import Embedder
from app.core.documents.retrieval import fuse
from app.core.errors import AppError
from app.core.memory import facts
from app.core.memory.keeping import log, vectors_for
from app.core.memory.store import MemoryStore
from app.core.memory.types import Memory, MemoryBlock

BUDGET_TOKENS = 256  # the most a turn's memories take of the prompt
BUDGET_SHARE = 0.1  # and never more than this share of the prompt's limit
HEADING = "What you remember about the user from earlier conversations (use it only where it helps):"


def budget_for(prompt_limit: int) -> int:
    """The tokens the memory block may take in a prompt of ``prompt_limit`` tokens."""
    return max(0, min(BUDGET_TOKENS, int(prompt_limit * BUDGET_SHARE)))


def _line(memory: Memory) -> str:
    return f"- {memory.text}"


def render(chosen: Sequence[Memory]) -> str:
    return "\n".join([HEADING, *(_line(memory) for memory in chosen)]) if chosen else ""


def _cost(memory: Memory, count: Callable[[str], int]) -> int:
    return count(_line(memory)) + 1


def choose(
    known: Sequence[Memory],
    query: str,
    budget_tokens: int,
    *,
    meaning: Sequence[int] = (),
    count: Callable[[str], int] = chunking.estimate,
) -> list[Memory]:
    """The memories of ``known`` that go in: all while they fit, else the best by words (and ``meaning``,
    memory ids best first) that fit. Shown in the order they were saved."""
    room = budget_tokens - count(HEADING)
    if room <= 0 or not known:
        return []
    if sum(_cost(memory, count) for memory in known) <= room:
        return list(known)
    query_words = facts.content_words(query)
    by_words = sorted(
        (m for m in known if facts.content_words(m.text) & query_words),
        key=lambda m: (-len(facts.content_words(m.text) & query_words), -m.id),
    )
    rankings = [[m.id for m in by_words], list(meaning)]
    fused = [memory_id for memory_id, _ in fuse(rankings)]
    by_id = {memory.id: memory for memory in known}
    # Past what the search found, the newest: a question that names nothing still gets some memories.
    order = [*fused, *sorted(by_id, reverse=True)]
    chosen: list[Memory] = []
    seen: set[int] = set()
    for memory_id in order:
        if memory_id in seen or memory_id not in by_id:
            continue
        seen.add(memory_id)
        cost = _cost(by_id[memory_id], count)
        if cost <= room:
            chosen.append(by_id[memory_id])
            room -= cost
    return sorted(chosen, key=lambda memory: memory.id)


def memory_block(
    memories: MemoryStore,
    query: str,
    budget_tokens: int,
    *,
    project_id: int | None = None,
    embedder: Embedder | None = None,
) -> MemoryBlock:
    """The block of a turn in a conversation of ``project_id`` whose user writes ``query``."""
    known = memories.active(project_id)
    meaning: list[int] = []
    room = budget_tokens - chunking.estimate(HEADING)
    if embedder is not None and sum(_cost(m, chunking.estimate) for m in known) > room:
        vectors = vectors_for(memories, embedder, known)
        if vectors:
            try:
                wanted = embedder.embed([query])[0]
            except AppError as err:
                log.warning("memories chosen by words only: %s", err)
            else:
                meaning = sorted(vectors, key=lambda memory_id: -facts.cosine(wanted, vectors[memory_id]))
    chosen = choose(known, query, budget_tokens, meaning=meaning)
    return MemoryBlock(render(chosen), tuple(chosen))
