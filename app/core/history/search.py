"""Searching the history: titles and messages of every conversation, in any language.

The index is SQLite FTS5 with the trigram tokenizer (migration 4 in ``app.core.history.dbfile``, kept in
step by triggers): it finds any run of three characters or more, Chinese as well as English,
case-insensitively. Words of one or two characters (a Chinese word is often one or two) are
matched with ``LIKE`` among what the longer words found, or across the history when the query
has nothing longer. A SQLite without the trigram tokenizer searches with ``LIKE`` alone.

Each hit is plain data: the conversation, the message (None for a title), and a snippet with the
spans to highlight, so the window draws it as it likes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from dataclasses import dataclass

from app.core.history.store import Store

LIMIT = 50
SNIPPET_CHARS = 90  # about how long a snippet is
_TRIGRAM = 3


@dataclass(frozen=True)
class SearchHit:
    conversation_id: int
    conversation_title: str
    message_id: int | None  # None: the title matched
    snippet: str
    highlights: tuple[tuple[int, int], ...]  # (start, end) in ``snippet`` of each match


def has_index(db: sqlite3.Connection) -> bool:
    row = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'messages_fts'").fetchone()
    return row is not None


def search(store: Store, query: str, *, limit: int = LIMIT, exclude: Collection[int] = ()) -> list[SearchHit]:
    """Conversations whose title, then messages whose text, hold every word of ``query``; newest first."""
    words = query.split()
    if not words:
        return []
    with store.reading() as db:
        indexed = has_index(db)
        titles = _find(db, "conversations", "title", words, indexed, limit)
        messages = _find(db, "messages", "content", words, indexed, limit)
        names = dict(db.execute("SELECT id, title FROM conversations").fetchall())
        hits: list[SearchHit] = []
        for conversation_id, title in titles:
            if conversation_id not in exclude:
                hits.append(SearchHit(conversation_id, title, None, *snippet(title, words)))
        if messages:
            marks = ",".join("?" for _ in messages)
            owners = dict(
                db.execute(
                    f"SELECT id, conversation_id FROM messages WHERE id IN ({marks})", [m[0] for m in messages]
                ).fetchall()
            )
            for message_id, content in messages:
                conversation_id = owners[message_id]
                if conversation_id not in exclude:
                    hits.append(
                        SearchHit(conversation_id, names[conversation_id], message_id, *snippet(content, words))
                    )
    return hits[:limit]


def _find(
    db: sqlite3.Connection, table: str, column: str, words: list[str], indexed: bool, limit: int
) -> list[tuple[int, str]]:
    long_words = [word for word in words if len(word) >= _TRIGRAM] if indexed else []
    short_words = [word for word in words if word not in long_words]
    likes = " AND ".join(f"{table}.{column} LIKE ? ESCAPE '\\'" for _ in short_words)
    like_args = [f"%{_escape_like(word)}%" for word in short_words]
    if long_words:
        match = " AND ".join('"' + word.replace('"', '""') + '"' for word in long_words)
        sql = (
            f"SELECT {table}.id, {table}.{column} FROM {table}_fts JOIN {table} ON {table}.id = {table}_fts.rowid "
            f"WHERE {table}_fts MATCH ? {'AND ' + likes if likes else ''} ORDER BY {table}.id DESC LIMIT ?"
        )
        rows = db.execute(sql, [match, *like_args, limit]).fetchall()
    else:
        sql = f"SELECT id, {column} FROM {table} WHERE {likes} ORDER BY id DESC LIMIT ?"
        rows = db.execute(sql, [*like_args, limit]).fetchall()
    return [(int(row[0]), str(row[1])) for row in rows]


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def snippet(text: str, words: list[str]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A piece of ``text`` around the first match, on one line, and where each word occurs in it."""
    flat = " ".join(text.split())
    folded = flat.lower()
    first = min((i for i in (folded.find(word.lower()) for word in words) if i >= 0), default=0)
    start = max(0, first - SNIPPET_CHARS // 3)
    end = min(len(flat), start + SNIPPET_CHARS)
    piece = flat[start:end]
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(flat) else ""
    shown = f"{prefix}{piece}{suffix}"
    spans: list[tuple[int, int]] = []
    lowered = shown.lower()
    for word in words:
        needle = word.lower()
        at = lowered.find(needle)
        while at >= 0 and needle:
            spans.append((at, at + len(needle)))
            at = lowered.find(needle, at + len(needle))
    return shown, tuple(sorted(spans))
