"""A conversation as a tree: edits and regenerations add versions instead of erasing.

Every message has a parent and remembers which child is shown; the conversation remembers which first
message is shown. The rule: the branch on screen (the one the model is sent) runs from the chosen
first message along the chosen children; an edit or a regeneration adds a sibling, and ``choose``
moves between siblings.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from app.core.history.types import Message


def leaf_id(db: sqlite3.Connection, conversation_id: int) -> int | None:
    """The last message of the branch on screen, or None for an empty conversation."""
    row = db.execute("SELECT chosen_root_id FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
    current = row[0] if row is not None else None
    if current is None:
        return None
    chosen = dict(
        db.execute("SELECT id, chosen_child_id FROM messages WHERE conversation_id = ?", (conversation_id,)).fetchall()
    )
    seen: set[int] = set()
    while chosen.get(current) in chosen and current not in seen:  # a chosen child that is gone ends it
        seen.add(current)
        current = chosen[current]
    return int(current) if current in chosen else None


def choose_in(db: sqlite3.Connection, conversation_id: int, parent_id: int | None, child_id: int) -> None:
    """Makes ``child_id`` the version shown after ``parent_id`` (None: the first message)."""
    if parent_id is None:
        db.execute("UPDATE conversations SET chosen_root_id = ? WHERE id = ?", (child_id, conversation_id))
    else:
        db.execute("UPDATE messages SET chosen_child_id = ? WHERE id = ?", (child_id, parent_id))


def repair(db: sqlite3.Connection, conversation_id: int) -> None:
    """Mends the links of a conversation put back together from a damaged file.

    A parent lost to a bad page becomes the message before it; a chosen child or first message
    that is gone (or was never read) becomes the newest one there; so every message salvaged is
    on some branch and the branch on screen reaches the end of one.
    """
    rows = db.execute(
        "SELECT id, parent_id, chosen_child_id FROM messages WHERE conversation_id = ? ORDER BY id", (conversation_id,)
    ).fetchall()
    ids = [int(row[0]) for row in rows]
    present = set(ids)
    parents: dict[int, int | None] = {}
    for index, (message_id, parent_id, _) in enumerate(rows):
        if parent_id is not None and parent_id not in present:
            parent_id = ids[index - 1] if index > 0 else None
            db.execute("UPDATE messages SET parent_id = ? WHERE id = ?", (parent_id, message_id))
        parents[message_id] = parent_id
    children: dict[int | None, list[int]] = {}
    for message_id, parent_id in parents.items():
        children.setdefault(parent_id, []).append(message_id)
    for message_id, _, chosen in rows:
        own = children.get(message_id, [])
        if own and chosen not in own:
            db.execute("UPDATE messages SET chosen_child_id = ? WHERE id = ?", (own[-1], message_id))
    roots = children.get(None, [])
    root = db.execute("SELECT chosen_root_id FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
    if roots and root is not None and root[0] not in roots:
        db.execute("UPDATE conversations SET chosen_root_id = ? WHERE id = ?", (roots[0], conversation_id))


def visible_branch(db: sqlite3.Connection, conversation_id: int, messages: Iterable[Message]) -> list[Message]:
    """The branch on screen, out of every message of the conversation."""
    by_id = {message.id: message for message in messages}
    root = db.execute("SELECT chosen_root_id FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
    chosen = dict(
        db.execute(
            "SELECT id, chosen_child_id FROM messages WHERE conversation_id = ? AND chosen_child_id IS NOT NULL",
            (conversation_id,),
        ).fetchall()
    )
    branch: list[Message] = []
    current = root[0] if root is not None else None
    while current is not None and current in by_id and len(branch) < len(by_id):
        branch.append(by_id[current])
        current = chosen.get(current)
    return branch
