"""Saving memories by the rules small models need: what an extraction or a command changes, and Undo.

``apply_facts`` keeps an extracted fact only when its confidence reaches the threshold and it is
grounded in the user's own message; a fact that is one already kept (``facts.same_fact``) is merged
into it (nothing new is saved); a fact the model says replaces a memory, or that says something else
about the same attribute (``facts.same_subject``), retires that memory. ``apply_command`` honours
"remember that …" / "forget that …" without the model. ``undo`` takes one change back.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from app.core.documents.embedder import Embedder
from app.core.errors import AppError
from app.core.memory import facts
from app.core.memory.extraction import CONFIDENCE_THRESHOLD, ExtractedFact, MemoryCommand, as_fact
from app.core.memory.store import MemoryStore
from app.core.memory.types import Memory, MemoryChange

log = logging.getLogger("app.memory")

FORGET_OVERLAP = 0.5  # content-word overlap at which "forget that …" means a memory


def vectors_for(memories: MemoryStore, embedder: Embedder | None, chosen: Sequence[Memory]) -> dict[int, np.ndarray]:
    """The meaning vectors of ``chosen`` by ``embedder`` (computed and stored where missing); {} without one,
    or when the embedder fails (then words alone decide, and the failure is logged)."""
    if embedder is None or not chosen:
        return {}
    stored = memories.vectors(embedder.name, [memory.id for memory in chosen])
    missing = [memory for memory in chosen if memory.id not in stored]
    if missing:
        try:
            computed = embedder.embed([memory.text for memory in missing])
        except AppError as err:
            log.warning("memories compared by words only: %s", err)
            return {}
        memories.save_vectors(embedder.name, [memory.id for memory in missing], computed)
        stored.update({memory.id: vector for memory, vector in zip(missing, computed, strict=True)})
    return stored


def _embed(embedder: Embedder | None, text: str) -> np.ndarray | None:
    if embedder is None:
        return None
    try:
        return np.asarray(embedder.embed([text])[0], dtype=np.float32)
    except AppError as err:
        log.warning("a new memory compared by words only: %s", err)
        return None


def _duplicate(
    text: str, known: Sequence[Memory], vectors: dict[int, np.ndarray], new: np.ndarray | None
) -> Memory | None:
    for memory in known:
        pair = (new, vectors[memory.id]) if new is not None and memory.id in vectors else None
        if facts.same_fact(text, memory.text, pair):
            return memory
    return None


def apply_facts(
    memories: MemoryStore,
    extracted: Sequence[ExtractedFact],
    *,
    user_text: str,
    conversation_id: int | None,
    message_id: int | None,
    project_id: int | None = None,
    answer_id: int | None = None,
    embedder: Embedder | None = None,
    threshold: float = CONFIDENCE_THRESHOLD,
) -> MemoryChange:
    """Saves what of ``extracted`` passes the rules; returns what changed (recorded on ``answer_id``)."""
    saved: list[Memory] = []
    retired: list[Memory] = []
    for fact in extracted:
        if fact.confidence < threshold or not facts.stated_in(fact.text, user_text):
            log.info(
                "memory not kept (confidence %.2f, grounded %s)", fact.confidence, facts.stated_in(fact.text, user_text)
            )
            continue
        known = memories.active(project_id)
        vectors = vectors_for(memories, embedder, known)
        new_vector = _embed(embedder, fact.text)
        if _duplicate(fact.text, known, vectors, new_vector) is not None:
            continue  # the same fact in other words: merged into the one kept
        contradicted = [m for m in known if m.id in fact.replaces or facts.same_subject(fact.text, m.text)]
        memory = memories.add(
            fact.text, conversation_id=conversation_id, message_id=message_id, project_id=project_id,
            confidence=fact.confidence,
        )  # fmt: skip
        if new_vector is not None and embedder is not None:
            memories.save_vectors(embedder.name, [memory.id], new_vector[None, :])
        for old in contradicted:
            memories.retire(old.id, memory.id)
        saved.append(memory)
        retired.extend(contradicted)
    change = MemoryChange(answer_id, tuple(saved), tuple(retired))
    record(memories, change)
    return change


def apply_command(
    memories: MemoryStore,
    order: MemoryCommand,
    *,
    conversation_id: int | None,
    message_id: int | None,
    project_id: int | None = None,
    answer_id: int | None = None,
    embedder: Embedder | None = None,
) -> MemoryChange:
    """Honours "remember that …" (a memory in the user's words, replacing one it contradicts) or
    "forget that …" (deletes every memory in scope that it names)."""
    known = memories.active(project_id)
    if order.verb == "forget":
        vectors = vectors_for(memories, embedder, known)
        wanted = _embed(embedder, order.text)
        named = [
            m for m in known
            if facts.normalise(order.text) in facts.normalise(m.text)
            or facts.overlap(order.text, m.text) >= FORGET_OVERLAP
            or (wanted is not None and m.id in vectors and facts.cosine(wanted, vectors[m.id]) >= facts.SAME_MEANING)
        ]  # fmt: skip
        memories.delete(m.id for m in named)
        change = MemoryChange(answer_id, forgotten=tuple(named))
        record(memories, change)
        return change
    text = as_fact(order.text)
    vectors = vectors_for(memories, embedder, known)
    if _duplicate(text, known, vectors, _embed(embedder, text)) is not None:
        return MemoryChange(answer_id)
    contradicted = [m for m in known if facts.same_subject(text, m.text)]
    memory = memories.add(text, conversation_id=conversation_id, message_id=message_id, project_id=project_id)
    for old in contradicted:
        memories.retire(old.id, memory.id)
    change = MemoryChange(answer_id, (memory,), tuple(contradicted))
    record(memories, change)
    return change


def record(memories: MemoryStore, change: MemoryChange) -> None:
    """Notes on its answer what a change saved, retired and forgot (the "Memory updated" line reads it)."""
    if change.answer_id is not None:
        memories.record(change.answer_id, "saved", change.saved)
        memories.record(change.answer_id, "retired", change.retired)
        memories.record(change.answer_id, "forgotten", change.forgotten)


def undo(memories: MemoryStore, change: MemoryChange) -> None:
    """Takes a change back: the saved memories go, the retired and forgotten ones come back."""
    memories.delete(memory.id for memory in change.saved)
    for memory in change.retired:
        memories.restore(memory.id)
    for memory in change.forgotten:
        memories.add(
            memory.text, conversation_id=memory.conversation_id, message_id=memory.message_id,
            added_by_user=memory.added_by_user, project_id=memory.project_id, confidence=memory.confidence,
            created_at=memory.created_at,
        )  # fmt: skip
    if change.answer_id is not None:
        memories.forget_answer(change.answer_id, ("saved", "retired", "forgotten"))


def saved_change(memories: MemoryStore, answer_id: int) -> MemoryChange:
    """What ``answer_id``'s "Memory updated" line stands for, read back from the history (for Undo later)."""
    saved = [_memory_or_none(memories, memory_id) for memory_id, _ in memories.of_answer(answer_id, "saved")]
    retired = [_memory_or_none(memories, memory_id) for memory_id, _ in memories.of_answer(answer_id, "retired")]
    forgotten = [
        Memory(memory_id, text, 0.0, 0.0, added_by_user=True)
        for memory_id, text in memories.of_answer(answer_id, "forgotten")
    ]
    return MemoryChange(answer_id, tuple(m for m in saved if m), tuple(m for m in retired if m), tuple(forgotten))


def _memory_or_none(memories: MemoryStore, memory_id: int) -> Memory | None:
    try:
        return memories.get(memory_id)
    except LookupError:
        return None
