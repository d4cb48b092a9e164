"""Building and damaging real history files for the store tests."""

from __future__ import annotations

import random
import shutil
import sqlite3
from pathlib import Path

import pytest

from app.core.history.store import MIGRATIONS, Store

PAGE = 4096


def fill(store: Store, conversations: int, messages: int, *, size: int = 40, tag: str = "old") -> dict[str, str]:
    """Adds conversations with alternating user/assistant messages; returns {message text: conversation title}."""
    written: dict[str, str] = {}
    for number in range(conversations):
        title = f"{tag} conversation {number}"
        conversation = store.create_conversation(title)
        for index in range(messages):
            text = f"{tag} c{number} m{index} " + "lorem ipsum " * (size // 12)
            store.add_message(conversation.id, "user" if index % 2 == 0 else "assistant", text)
            written[text] = title
    return written


def all_texts(store: Store) -> dict[str, str]:
    return {m.content: c.title for c in store.conversations() for m in store.messages(c.id)}


def garble(path: Path, offset: int, length: int, *, seed: int = 7) -> None:
    """Writes ``length`` random bytes at ``offset``: what a bad sector or a stray write leaves."""
    garbage = random.Random(seed).randbytes(length)
    with path.open("r+b") as handle:
        handle.seek(offset)
        handle.write(garbage)


def middle_offset(path: Path, length: int) -> int:
    return (path.stat().st_size - length) // 2 // PAGE * PAGE


def pages_of(path: Path, table: str) -> list[int]:
    """The pages holding ``table``'s rows (needs SQLite's dbstat table; skips the test without it)."""
    db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)  # read-only: closing must not checkpoint the -wal
    try:
        rows = db.execute("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf'", (table,)).fetchall()
    except sqlite3.Error:
        pytest.skip("this SQLite has no dbstat table")
    finally:
        db.close()
    return sorted(row[0] for row in rows)


def make_version_1_history(path: Path, *, streaming: bool = False) -> None:
    """A history as the first released Parley wrote it: schema 1, one conversation."""
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript(MIGRATIONS[0])
    db.execute("INSERT INTO conversations (title, created_at, updated_at) VALUES ('From v1', 1.0, 2.0)")
    db.execute(
        "INSERT INTO messages (conversation_id, role, content, status, created_at) "
        "VALUES (1, 'user', 'hi', 'complete', 1.5)"
    )
    if streaming:
        db.execute(
            "INSERT INTO messages (conversation_id, role, content, status, created_at) "
            "VALUES (1, 'assistant', 'half', 'streaming', 1.6)"
        )
    db.execute("PRAGMA user_version = 1")
    db.close()


def snapshot_with_wal(store: Store, target: Path) -> None:
    """Copies the open history and its WAL as a crash would leave them (the WAL not yet checkpointed)."""
    for suffix in ("", "-wal"):
        source = Path(f"{store.path}{suffix}")
        if source.exists():
            shutil.copyfile(source, Path(f"{target}{suffix}"))


def garble_messages(path: Path, pages: int = 16) -> None:
    """Garbles ``pages`` of the messages table's own leaves from the middle of the table on.

    What a bad stretch of disk does to a big history, aimed at rows: the search index's pages lie
    between the messages', and ``quick_check`` reads some b-trees before it first looks at its
    deadline, so garbage in the file's middle could be found at open when a test needs it missed.
    """
    leaves = pages_of(path, "messages")
    for page in leaves[len(leaves) // 2 : len(leaves) // 2 + pages]:
        garble(path, (page - 1) * PAGE, PAGE, seed=page)
