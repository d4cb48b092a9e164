"""The one rule for what documents put into a prompt: whole when they fit, else the passages that matter.

``build_context`` is called by every front end (the window's turn, ``ask --attach``) with the room the
prompt has left after the history and the answer's share. When this turn's attachments fit that
room whole, they go in whole ("read whole"). Otherwise every attachment is chunked, the chunks are
ranked by words (an in-memory FTS5 trigram index) and, when an embedder is given, by meaning, the
two fused by reciprocal rank, and passages are added best first until the room is used. With the
conversation's library on, its passages join the same ranking (and fill what whole attachments left);
a chosen folder still being indexed is said in ``notes`` (templates in ``app.core.errors``, so the
window translates them with ``translate_reason``). The block is English prompt text the model reads,
not interface text.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

from app.core.documents import chunking
from app.core.documents.embedder import Embedder
from app.core.documents.index import FTS_SCHEMA, vector_ranking, word_ranking
from app.core.documents.library import Library
from app.core.documents.retrieval import CANDIDATES, ScoredChunk, fill_room, fuse, source_line
from app.core.documents.types import AttachmentUse, Chunk, Document, DocumentContext, Passage
from app.core.errors import FOLDER_MISSING, FOLDER_STILL_INDEXING

WHOLE_HEADER = "The user attached these documents; answer from them."
PASSAGES_HEADER = "Use these excerpts from the user's documents; cite them as [n]."


def build_context(
    question: str,
    documents: Sequence[Document],
    room_tokens: int,
    *,
    embedder: Embedder | None = None,
    library: Library | None = None,
    folders: Sequence[str] | None = None,
    count: Callable[[str], int] = chunking.estimate,
) -> DocumentContext:
    """What this turn's ``documents`` (and, with ``library``, its ``folders``; None: all) add before
    ``question`` within ``room_tokens``.

    ``embedder`` None ranks by words alone. ``count`` is the token count the room is measured in (the
    model's tokenizer when one is at hand; the estimate otherwise)."""
    notes = _library_notes(library, folders, embedder) if library is not None else ()
    library_ranked = library.search(question, embedder=embedder, folders=folders) if library is not None else []
    if not documents and not library_ranked:
        return DocumentContext(block="", notes=notes)
    whole = _whole_block(documents) if documents else ""
    if count(whole) <= room_tokens:
        uses = tuple(AttachmentUse(doc.path, doc.name, doc.size, doc.page_count, "whole") for doc in documents)
        left = room_tokens - (count(whole + "\n\n") if whole else 0) - count(PASSAGES_HEADER + "\n\n")
        passages = fill_room(library_ranked, max(0, left), count)
        block = "\n\n".join(part for part in (whole, passages_block(passages)) if part)
        return DocumentContext(block=block, attachments=uses, passages=tuple(passages), notes=notes)
    chunks = [chunk for document in documents for chunk in chunking.split(document)]
    ranked = rank_chunks(question, chunks, embedder=embedder)
    if library_ranked:
        # Library passages join the same ranking: both lists carry reciprocal-rank scores.
        ranked = sorted([*ranked, *library_ranked], key=lambda scored: -scored.score)
    header_cost = count(PASSAGES_HEADER + "\n\n")
    passages = fill_room(ranked, max(0, room_tokens - header_cost), count)
    uses = tuple(_passage_use(document, chunks, passages) for document in documents)
    return DocumentContext(block=passages_block(passages), attachments=uses, passages=tuple(passages), notes=notes)


def _library_notes(library: Library, folders: Sequence[str] | None, embedder: Embedder | None) -> tuple[str, ...]:
    """A sentence for each chosen folder the answer could not fully draw on (still indexing, gone)."""
    chosen = None if folders is None else set(folders)
    notes: list[str] = []
    for status in library.folders(embedder.name if embedder is not None else None):
        if chosen is not None and status.path not in chosen:
            continue
        if status.state == "indexing":
            notes.append(
                FOLDER_STILL_INDEXING.format(folder=status.path, done=status.indexed_files, total=status.files)
            )
        elif status.state == "missing":
            notes.append(FOLDER_MISSING.format(folder=status.path))
    return tuple(notes)


def _whole_block(documents: Sequence[Document]) -> str:
    parts = [WHOLE_HEADER]
    for document in documents:
        parts.append(f"--- {document.name} ---\n{document.text}")
    return "\n\n".join(parts)


def passages_block(passages: Sequence[Passage]) -> str:
    """The prompt text for ``passages``: the header, then each one under its ``[n] name p. x`` line."""
    if not passages:
        return ""
    parts = [PASSAGES_HEADER]
    parts.extend(f"{source_line(p.number, p.name, p.page)}\n{p.text}" for p in passages)
    return "\n\n".join(parts)


def _passage_use(document: Document, chunks: Sequence[Chunk], passages: Sequence[Passage]) -> AttachmentUse:
    total = sum(1 for chunk in chunks if chunk.path == document.path)
    used = sum(p.last_index - p.first_index + 1 for p in passages if p.path == document.path)
    return AttachmentUse(document.path, document.name, document.size, document.page_count, "passages", used, total)


def rank_chunks(question: str, chunks: Sequence[Chunk], *, embedder: Embedder | None) -> list[ScoredChunk]:
    """Every chunk, best first: those the words or the embeddings rank, fused, then the rest in reading
    order (a question with no findable words still gets the documents' openings)."""
    rankings = [_word_ranking(question, chunks)]
    if embedder is not None and chunks:
        vectors = embedder.embed([chunk.text for chunk in chunks])
        query = embedder.embed([question])
        rankings.append(vector_ranking(query[0], vectors, limit=CANDIDATES))
    fused = fuse(rankings)
    ranked = [ScoredChunk(chunks[row], score) for row, score in fused]
    placed = {row for row, _ in fused}
    ranked.extend(ScoredChunk(chunk, 0.0) for row, chunk in enumerate(chunks) if row not in placed)
    return ranked


def _word_ranking(question: str, chunks: Sequence[Chunk]) -> list[int]:
    """Positions in ``chunks`` that hold the question's words, best first, from a throwaway in-memory index."""
    db = sqlite3.connect(":memory:")
    try:
        db.execute(FTS_SCHEMA.format(table="attached"))
        db.executemany("INSERT INTO attached(rowid, text) VALUES (?, ?)", enumerate(chunk.text for chunk in chunks))
        return word_ranking(db, question, fts_table="attached", limit=CANDIDATES)
    finally:
        db.close()
