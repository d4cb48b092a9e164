"""A conversation as a tree: edits and regenerations add versions instead of erasing.

Every message has a parent (``messages.parent_id``; None for a first message) and remembers which
of its children is shown (``messages.chosen_child_id``); the conversation remembers which first
message is shown (``conversations.chosen_root_id``). The branch on screen, the one the model is
sent, starts at the chosen first message and follows the chosen children to the end.

Editing a user message adds a sibling of it (same parent); regenerating an answer adds a sibling
answer under the same user message. Each version keeps the rest of the conversation that
followed it, and "‹ 2/3 ›" moves between siblings (``choose``). A flat history from before the
tree (schema 3 and older) was migrated into one chain, nothing lost.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from app.core.store import Message, Store


@dataclass(frozen=True)
class Versions:
    """Where a message stands among its siblings: "‹ index/count ›" (index from 1)."""

    index: int
    count: int
    previous_id: int | None
    next_id: int | None


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


def versions(store: Store, conversation_id: int) -> dict[int, Versions]:
    """For every message that has other versions: where it stands among them."""
    found: dict[int | None, list[int]] = {}
    for message in store.all_messages(conversation_id):
        found.setdefault(message.parent_id, []).append(message.id)
    result: dict[int, Versions] = {}
    for siblings in found.values():
        if len(siblings) < 2:
            continue
        for index, message_id in enumerate(siblings):
            result[message_id] = Versions(
                index + 1,
                len(siblings),
                siblings[index - 1] if index > 0 else None,
                siblings[index + 1] if index + 1 < len(siblings) else None,
            )
    return result


def choose(store: Store, message_id: int) -> None:
    """Shows ``message_id`` (and the rest of the conversation that followed it) instead of its siblings."""
    message = store.message(message_id)
    with store.writing() as db:
        choose_in(db, message.conversation_id, message.parent_id, message.id)


def show_message(store: Store, message_id: int) -> None:
    """Makes the branch on screen pass through ``message_id`` (a search result in another version)."""
    message = store.message(message_id)
    path = [message]
    while path[-1].parent_id is not None:
        path.append(store.message(path[-1].parent_id))
    with store.writing() as db:
        for step in path:
            choose_in(db, message.conversation_id, step.parent_id, step.id)


def history_before(store: Store, message_id: int) -> list[Message]:
    """The messages the model saw before ``message_id``: its ancestors, first message first."""
    path: list[Message] = []
    current = store.message(message_id).parent_id
    while current is not None:
        step = store.message(current)
        path.append(step)
        current = step.parent_id
    return path[::-1]
