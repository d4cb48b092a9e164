"""ChatGPT's ``conversations.json`` (Settings → Data controls → Export) read as a Parley export.

Each ChatGPT conversation has a ``mapping`` of nodes, each with its ``parent``, its ``children``
and a ``message`` (or none, for the hidden root); ``current_node`` is the last message of the
branch that was on screen. That tree maps onto Parley's branches: a regenerated answer or an
edited message in ChatGPT is a version in Parley. Nodes Parley has no place for (the hidden
system prompt, tool calls, empty messages, hidden reasoning) are left out and their children
hang from the nearest message kept. The conversation keeps ChatGPT's id as its uuid, so
importing the same file twice skips what is there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.core.errors import HistoryFileError

_ROLES = ("user", "assistant")


def to_parley(document: list[Any], path: Path) -> dict[str, Any]:
    """The Parley export document (``app.core.history.exchange``) holding ChatGPT's conversations."""
    conversations = []
    for item in document:
        if not isinstance(item, dict) or not isinstance(item.get("mapping"), dict):
            raise HistoryFileError(path=path, reason="a conversation has no “mapping” (not ChatGPT's export?)")
        conversations.append(_conversation(item))
    return {"format": "parley-history", "version": 1, "conversations": conversations}


def _conversation(item: dict[str, Any]) -> dict[str, Any]:
    mapping: dict[str, Any] = item["mapping"]
    created = _time(item.get("create_time"), 0.0)
    on_screen = _path_to(mapping, item.get("current_node"))
    numbers: dict[str, int] = {}
    messages: list[dict[str, Any]] = []

    def kept_parent(node_id: str | None) -> int | None:
        seen: set[str] = set()
        while node_id is not None and node_id not in seen:
            seen.add(node_id)
            if node_id in numbers:
                return numbers[node_id]
            node = mapping.get(node_id) or {}
            node_id = node.get("parent")
        return None

    for node_id in _in_order(mapping):
        node = mapping[node_id]
        message = node.get("message") or {}
        role = (message.get("author") or {}).get("role")
        text = _text(message.get("content") or {})
        hidden = (message.get("metadata") or {}).get("is_visually_hidden_from_conversation")
        if role not in _ROLES or not text.strip() or hidden:
            continue
        numbers[node_id] = len(numbers) + 1
        messages.append(
            {
                "id": numbers[node_id],
                "parent": kept_parent(node.get("parent")),
                "chosen": node_id in on_screen,
                "role": role,
                "content": text,
                "status": "complete",
                "model_name": (message.get("metadata") or {}).get("model_slug") if role == "assistant" else None,
                "created_at": _time(message.get("create_time"), created),
            }
        )
    # A version the screen did not show is still chosen under its parent when none of its siblings is.
    chosen_parents = {m["parent"] for m in messages if m["chosen"]}
    for entry in messages:
        if entry["parent"] not in chosen_parents:
            entry["chosen"] = True
            chosen_parents.add(entry["parent"])
    return {
        "uuid": str(item.get("conversation_id") or item.get("id") or ""),
        "title": str(item.get("title") or "ChatGPT conversation"),
        "title_set_by_user": False,
        "pinned": False,
        "created_at": created,
        "updated_at": _time(item.get("update_time"), created),
        "model_name": None,
        "system_prompt": None,
        "thinking": None,
        "messages": messages,
    }


def _in_order(mapping: dict[str, Any]) -> list[str]:
    """Node ids, parents before children, siblings in ChatGPT's order."""
    roots = [key for key, node in mapping.items() if not node.get("parent") or node.get("parent") not in mapping]
    order: list[str] = []
    stack = list(reversed(roots))
    seen: set[str] = set()
    while stack:
        node_id = stack.pop()
        if node_id in seen or node_id not in mapping:
            continue
        seen.add(node_id)
        order.append(node_id)
        stack.extend(reversed([child for child in mapping[node_id].get("children") or [] if isinstance(child, str)]))
    return order


def _path_to(mapping: dict[str, Any], node_id: object) -> set[str]:
    path: set[str] = set()
    while isinstance(node_id, str) and node_id in mapping and node_id not in path:
        path.add(node_id)
        node_id = mapping[node_id].get("parent")
    return path


def _text(content: dict[str, Any]) -> str:
    kind = content.get("content_type")
    if kind in ("text", "multimodal_text"):
        return "\n".join(part for part in content.get("parts") or [] if isinstance(part, str))
    if kind == "code" and isinstance(content.get("text"), str):
        return f"```\n{content['text']}\n```"
    return ""  # thoughts, reasoning recaps, tool output, images alone: nothing Parley shows


def _time(value: object, default: float) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else default
