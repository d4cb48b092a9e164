"""Searching the history: titles and messages of every conversation, in any language.

The index is SQLite FTS5 with the trigram tokenizer (migration 4 in ``app.core.history.dbfile``, kept in
step by triggers): it finds any run of three characters or more, Chinese as well as English,
case-insensitively. Words of one or two characters (a Chinese word is often one or two) are
matched with ``LIKE`` among what the longer words found, or across the history when the query
has nothing longer, and then kept only where they stand as a whole word: "7" finds "7 days", not
the 7 inside "975"; in Chinese or Japanese, which do not space their words, every character counts.
A SQLite without the trigram tokenizer searches with ``LIKE`` alone.

Each hit is plain data: the conversation, the message (None for a title), and a snippet with the
spans to highlight — exactly the occurrences that made it a hit — so the window draws it as it likes.
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
        whole = [word for word in words if len(word) < _TRIGRAM]
        titles = _find(db, "conversations", "title", words, indexed, limit)
        messages = _find(db, "messages", "content", words, indexed, limit)
        names = dict(db.execute("SELECT id, title FROM conversations").fetchall())
        # A temporary chat (app.core.memory.store) is not in the history: search never finds it.
        exclude = {*exclude, *(row[0] for row in db.execute("SELECT conversation_id FROM temporary_conversations"))}
        hits: list[SearchHit] = []
        for conversation_id, title in titles:
            if conversation_id not in exclude:
                hits.append(SearchHit(conversation_id, title, None, *snippet(title, words, whole)))
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
                        SearchHit(conversation_id, names[conversation_id], message_id, *snippet(content, words, whole))
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
        rows = db.execute(sql, [match, *like_args, -1 if short_words else limit])  # -1: no limit
    else:
        sql = f"SELECT id, {column} FROM {table} WHERE {likes} ORDER BY id DESC"
        rows = db.execute(sql, like_args)
    found: list[tuple[int, str]] = []
    for row_id, text in rows:  # LIKE finds a short word inside longer ones too: keep whole words only
        folded = " ".join(str(text).split()).lower()
        if all(occurrences(folded, word.lower(), whole=True) for word in short_words if len(word) < _TRIGRAM):
            found.append((int(row_id), str(text)))
            if len(found) >= limit:
                break
    return found


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def occurrences(folded: str, needle: str, *, whole: bool) -> list[tuple[int, int]]:
    """Where ``needle`` occurs in ``folded`` (both lower-case), not overlapping; with ``whole``, only where
    it is not part of a longer word (a letter or digit of a spaced script right beside it)."""
    spans: list[tuple[int, int]] = []
    at = folded.find(needle) if needle else -1
    while at >= 0:
        end = at + len(needle)
        if not whole or _stands_alone(folded, at, end):
            spans.append((at, end))
            at = folded.find(needle, end)
        else:
            at = folded.find(needle, at + 1)
    return spans


def _stands_alone(text: str, start: int, end: int) -> bool:
    joined_before = start > 0 and _spaced(text[start - 1]) and _spaced(text[start])
    joined_after = end < len(text) and _spaced(text[end]) and _spaced(text[end - 1])
    return not (joined_before or joined_after)


def _spaced(char: str) -> bool:
    """A letter or digit of a script that spaces its words (not Chinese or Japanese, whose characters stand
    alone)."""
    if not char.isalnum():
        return False
    point = ord(char)
    unspaced = 0x3040 <= point <= 0x30FF or 0x3400 <= point <= 0x9FFF or 0xF900 <= point <= 0xFAFF
    return not (unspaced or 0x20000 <= point <= 0x3FFFF)


def snippet(text: str, words: list[str], whole: Collection[str] = ()) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A piece of ``text`` around the first match, on one line, and where each word occurs in it.

    A word in ``whole`` counts only where it stands as a whole word (what the search kept it for).
    """
    flat = " ".join(text.split())
    folded = flat.lower()
    matches = sorted(span for word in words if word for span in occurrences(folded, word.lower(), whole=word in whole))
    first = matches[0][0] if matches else 0
    start = max(0, first - SNIPPET_CHARS // 3)
    end = min(len(flat), start + SNIPPET_CHARS)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(flat) else ""
    shown = f"{prefix}{flat[start:end]}{suffix}"
    shift = len(prefix) - start
    spans = tuple((a + shift, b + shift) for a, b in matches if a >= start and b <= end)
    return shown, spans
