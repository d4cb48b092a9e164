"""Ranking chunks by words and by meaning: the FTS5 trigram query and the exact NumPy vector search.

Words: SQLite FTS5 with the trigram tokenizer, as the history's search uses, so any run of three
characters matches, Chinese included, case-insensitively. A question is turned into an OR of its
terms (each word of three characters or more; each three-character window of a Chinese or Japanese
run, since those scripts do not space their words) and ranked by FTS5's bm25, so a chunk holding
more of the rarer terms ranks first. Shorter words cannot be matched by a trigram index and are left
to the embeddings.

Meaning: vectors are unit rows, so cosine similarity is one matrix-vector product; exact search over
100,000 chunks of 384 dimensions is a few tens of milliseconds (bench/documents.py measures it).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence

import numpy as np

from app.core.documents.embedder import Vectors

TRIGRAM = 3
_UNSPACED_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003ffff]+")
_SPACED_WORD = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*")
FTS_SCHEMA = "CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5(text, tokenize = 'trigram')"


def query_terms(question: str) -> list[str]:
    """The terms of ``question`` a trigram index can find, lower-case and without repeats, in order."""
    terms: list[str] = []
    for run in _UNSPACED_RUN.findall(question):
        if len(run) < TRIGRAM:
            continue
        terms.extend(run[at : at + TRIGRAM] for at in range(len(run) - TRIGRAM + 1))
    spaced = _UNSPACED_RUN.sub(" ", question)
    terms.extend(word.casefold() for word in _SPACED_WORD.findall(spaced) if len(word) >= TRIGRAM)
    return list(dict.fromkeys(terms))


def match_expression(question: str) -> str | None:
    """An FTS5 MATCH expression for ``question`` (its terms, quoted, OR'ed), or None when it has none."""
    terms = query_terms(question)
    if not terms:
        return None
    return " OR ".join('"' + term.replace('"', '""') + '"' for term in terms)


def word_ranking(
    db: sqlite3.Connection,
    question: str,
    *,
    fts_table: str,
    limit: int,
    among: str = "",
    arguments: Sequence[object] = (),
) -> list[int]:
    """Rowids of ``fts_table`` that hold a term of ``question``, best first (bm25). ``among`` is an SQL
    condition on ``rowid`` that restricts the search (``rowid IN (SELECT …)``), with its ``arguments``."""
    match = match_expression(question)
    if match is None:
        return []
    where = f"{fts_table} MATCH ?" + (f" AND {among}" if among else "")
    sql = f"SELECT rowid FROM {fts_table} WHERE {where} ORDER BY bm25({fts_table}) LIMIT ?"
    return [int(row[0]) for row in db.execute(sql, [match, *arguments, limit])]


def vector_ranking(query: Vectors, vectors: Vectors, *, limit: int) -> list[int]:
    """Row numbers of ``vectors`` closest to the one ``query`` row, best first (cosine: unit rows)."""
    if len(vectors) == 0:
        return []
    scores = vectors @ query.reshape(-1)
    if limit < len(scores):
        top = np.argpartition(-scores, limit - 1)[:limit]
        return [int(row) for row in top[np.argsort(-scores[top], kind="stable")]]
    return [int(row) for row in np.argsort(-scores, kind="stable")]


def vector_blob(vector: Vectors) -> bytes:
    """One vector as stored beside its chunk: little-endian float32 bytes."""
    return np.asarray(vector, dtype="<f4").tobytes()


def vectors_from_blobs(blobs: Sequence[bytes], dimensions: int) -> Vectors:
    """Stored vectors back as an ``(n, dimensions)`` float32 matrix."""
    if not blobs:
        return np.zeros((0, dimensions), dtype=np.float32)
    return np.frombuffer(b"".join(blobs), dtype="<f4").reshape(len(blobs), dimensions).astype(np.float32)
