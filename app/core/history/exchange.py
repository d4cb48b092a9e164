"""Export and import of conversations: Markdown to read, versioned JSON (see the README) to move a history.

The JSON numbers messages within their conversation, names personas by name and knows a conversation
by its ``uuid``, so it does not depend on the database's own ids; an import skips a conversation that
is already there or takes it as a copy; an import is one transaction from that look to its last
insert, so two at once (two processes) never both add a conversation. The rule: export → import →
export gives the same bytes (sorted keys, two-space indent). A message carries its documents (the
attachments with their extracted text, the block sent, an answer's citations and notes) and a
conversation its library choice and its project (``app.core.projects.exchange``), under keys an
older export simply lacks. ChatGPT's export is read into the same shape by ``chatgpt_import``.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid as uuid_module
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

from app.core import atomic
from app.core.documents.retrieval import source_line
from app.core.documents.types import AttachmentUse, Document, DocumentContext, DocumentKind, Page, Passage, ReadMode
from app.core.errors import HistoryFileError
from app.core.history import attachments, look_inside, tree
from app.core.history.store import Store
from app.core.history.types import FINISH_REASONS, ROLES, STATUSES, LibraryChoice
from app.core.memory import exchange as memory_exchange
from app.core.personas.book import PersonaBook
from app.core.projects import exchange as project_exchange

FORMAT = "parley-history"
VERSION = 1
OnConflict = Literal["skip", "copy"]

_CONVERSATION_KEYS = ("uuid", "title", "title_set_by_user", "pinned", "created_at", "updated_at", "model_name",
                      "system_prompt", "thinking")  # fmt: skip
_MESSAGE_KEYS = ("role", "content", "reasoning", "status", "model_name", "created_at", "n_tokens",
                 "tokens_per_second", "ttft_seconds", "finish_reason", "kind")  # fmt: skip


@dataclass(frozen=True)
class ImportReport:
    imported: int  # conversations added
    skipped: int  # already there (same uuid) and skipped
    messages: int  # messages added
    memories: int = 0  # memories added (app.core.memory.exchange)


# -- export ------------------------------------------------------------------------------------


def conversation_data(store: Store, conversation_id: int) -> dict[str, Any]:
    """One conversation, every branch, as plain JSON data."""
    conversation = store.conversation(conversation_id)
    messages = store.all_messages(conversation_id)
    number = {message.id: index + 1 for index, message in enumerate(messages)}
    with store.reading() as db:
        chosen = {
            row[0]
            for row in db.execute(
                "SELECT chosen_child_id FROM messages WHERE conversation_id = ? AND chosen_child_id IS NOT NULL "
                "UNION SELECT chosen_root_id FROM conversations WHERE id = ?",
                (conversation_id, conversation_id),
            )
        }
        persona_names: dict[int, str] = {row[0]: row[1] for row in db.execute("SELECT id, name FROM personas")}
        documents = {message.id: _documents_data(db, message.id, message.documents) for message in messages}
        library = attachments.library_choice(db, conversation_id)
        project = project_exchange.project_uuid(db, conversation.project_id)
    data: dict[str, Any] = {key: getattr(conversation, key) for key in _CONVERSATION_KEYS}
    if project is not None:
        data["project"] = project
    data["persona"] = persona_names.get(conversation.persona_id or -1)
    if library is not None:
        data["library"] = {"enabled": library.enabled, "folders": list(library.folders or []) or None}
    data["messages"] = [
        {
            "id": number[message.id],
            "parent": number.get(message.parent_id) if message.parent_id is not None else None,
            "chosen": message.id in chosen,
            "persona": persona_names.get(message.persona_id or -1),
            **{key: getattr(message, key) for key in _MESSAGE_KEYS},
            **documents[message.id],
        }
        for message in messages
    ]
    return data


def _documents_data(db: sqlite3.Connection, message_id: int, block: str) -> dict[str, Any]:
    """A message's documents as JSON keys; none for a message without any (as an older export has it)."""
    data: dict[str, Any] = {}
    if block:
        data["documents"] = block
    files = attachments.attachments(db, message_id)
    if files:
        data["attachments"] = [
            {"name": a.name, "path": a.path, "size": a.size, "kind": a.kind, "paged": a.paged, "mode": a.mode,
             "used": a.used, "total": a.total, "pages": list(a.page_texts)}
            for a in files
        ]  # fmt: skip
    cited = attachments.citations(db, message_id)
    if cited:
        data["citations"] = [
            {"number": p.number, "name": p.name, "path": p.path, "page": p.page, "text": p.text,
             "first_index": p.first_index, "last_index": p.last_index}
            for p in cited
        ]  # fmt: skip
    notes = attachments.notes(db, message_id)
    if notes:
        data["document_notes"] = notes
    inside = look_inside.load(db, message_id)
    if inside is not None:
        data["look_inside"] = look_inside.to_json(inside)
    return data


def export_json(store: Store, conversation_ids: list[int] | None = None) -> str:
    """The conversations (all of them when None), oldest first, as the versioned JSON document; the whole
    history's export carries the memories too (``app.core.memory.exchange``)."""
    chosen = conversation_ids if conversation_ids is not None else [c.id for c in store.conversations()]
    conversations = [conversation_data(store, conversation_id) for conversation_id in chosen]
    conversations.sort(key=lambda data: (data["created_at"], data["uuid"]))
    document: dict[str, Any] = {"format": FORMAT, "version": VERSION, "conversations": conversations}
    with store.reading() as db:  # a whole export keeps empty projects too
        named = {str(data["project"]) for data in conversations if "project" in data}
        wanted = None if conversation_ids is None else named
        projects = project_exchange.projects_data(db, wanted)
    if projects:
        document["projects"] = projects
    if conversation_ids is None:
        with store.reading() as db:
            document["memories"] = memory_exchange.export_memories(db)
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def export_markdown(store: Store, conversation_id: int) -> str:
    """The branch on screen of one conversation, to read or to paste."""
    conversation = store.conversation(conversation_id)
    lines = [f"# {conversation.title}", ""]
    for message in store.messages(conversation_id):
        if message.role == "system":
            continue
        who = "You" if message.role == "user" else (message.model_name or "Assistant")
        lines += [f"## {who}", ""]
        with store.reading() as db:
            files = attachments.attachments(db, message.id)
            cited = attachments.citations(db, message.id)
        if files:
            lines += ["_Attached: " + ", ".join(f.name for f in files) + "_", ""]
        lines += [message.content.rstrip() or "_(no answer was written)_", ""]
        if cited:
            lines += ["Sources:", "", *(f"- {source_line(p.number, p.name, p.page)}" for p in cited), ""]
    return "\n".join(lines)


def write(path: Path, text: str) -> None:
    """Writes an export whole or not at all (``OSError`` when the folder refuses it)."""
    data = text.encode("utf-8")
    atomic.write_atomically(path, lambda handle: handle.write(data))


# -- import ------------------------------------------------------------------------------------


def read_document(path: Path) -> dict[str, Any]:
    """Parley's JSON, or ChatGPT's ``conversations.json`` turned into it. ``HistoryFileError`` if neither."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HistoryFileError(path=path, reason=exc) from exc
    if isinstance(document, list):
        from app.core.history import chatgpt_import

        return chatgpt_import.to_parley(document, path)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise HistoryFileError(path=path, reason="it is neither a Parley export nor ChatGPT's conversations.json")
    if not isinstance(document.get("version"), int) or document["version"] > VERSION:
        raise HistoryFileError(path=path, reason=f"format version {document.get('version')} is newer than this Parley")
    return document


def import_file(store: Store, path: Path, *, on_conflict: OnConflict = "skip") -> ImportReport:
    """Adds the conversations of an export (Parley's or ChatGPT's) to the history."""
    return import_document(store, read_document(path), path, on_conflict=on_conflict)


def already_present(store: Store, document: dict[str, Any]) -> int:
    """How many of a read document's conversations are in the history already (the same uuid)."""
    known = {c.uuid for c in store.conversations()}
    conversations = document.get("conversations")
    items = conversations if isinstance(conversations, list) else []
    return sum(1 for data in items if isinstance(data, dict) and data.get("uuid") in known)


def import_document(
    store: Store, document: dict[str, Any], path: Path, *, on_conflict: OnConflict = "skip"
) -> ImportReport:
    """Adds the conversations of a document ``read_document`` returned; ``path`` names it in errors."""
    conversations = document.get("conversations")
    if not isinstance(conversations, list):
        raise HistoryFileError(path=path, reason="no list of conversations")
    for data in conversations:
        if not isinstance(data, dict):
            raise HistoryFileError(path=path, reason="a conversation is not an object")
        _check_conversation(data, path)
    project_exchange.check_projects(document, path)
    imported = skipped = messages = 0
    personas = {persona.name: persona.id for persona in PersonaBook(store).all()}
    # One transaction from the look at what is here to the last insert: a second import at the same
    # moment (another process) waits for it, then finds these conversations already here.
    with store.writing() as db:
        known = {str(row[0]) for row in db.execute("SELECT uuid FROM conversations WHERE uuid IS NOT NULL")}
        projects = project_exchange.import_projects(db, document, personas)
        for data in conversations:
            if data.get("uuid") in known:
                if on_conflict == "skip":
                    skipped += 1
                    continue
                data = {**data, "uuid": str(uuid_module.uuid4())}
            messages += _import_conversation(db, data, path, personas, projects)
            known.add(str(data.get("uuid")))
            imported += 1
        memories = memory_exchange.import_memories(db, document.get("memories"))
    return ImportReport(imported, skipped, messages, memories)


def _check_conversation(data: dict[str, Any], path: Path) -> None:
    """``HistoryFileError`` unless the conversation's messages are a list of messages forming a tree."""
    items = data.get("messages") or []
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise HistoryFileError(path=path, reason=f"the messages of “{data.get('title')}” are not a list")
    ids = [item.get("id") for item in items]
    if len(set(ids)) != len(ids) or any(item.get("parent") not in (None, *ids) for item in items):
        raise HistoryFileError(path=path, reason=f"the messages of “{data.get('title')}” do not form a tree")
    for item in items:
        if item.get("role") not in ROLES or not isinstance(item.get("content"), str):
            raise HistoryFileError(path=path, reason=f"a message of “{data.get('title')}” has no role or text")


def _import_conversation(
    db: sqlite3.Connection,
    data: dict[str, Any],
    path: Path,
    personas: dict[str, int | None],
    projects: dict[str, int],
) -> int:
    """Inserts one checked conversation inside the caller's transaction; returns how many messages it has."""
    items: list[dict[str, Any]] = data.get("messages") or []
    cursor = db.execute(
        f"INSERT INTO conversations ({', '.join(_CONVERSATION_KEYS)}, persona_id) "
        f"VALUES ({', '.join('?' for _ in _CONVERSATION_KEYS)}, ?)",
        (
            str(data.get("uuid") or uuid_module.uuid4()),
            str(data.get("title") or "Imported conversation"),
            int(bool(data.get("title_set_by_user"))),
            int(bool(data.get("pinned"))),
            float(data.get("created_at") or 0.0),
            float(data.get("updated_at") or data.get("created_at") or 0.0),
            _text(data.get("model_name")),
            _text(data.get("system_prompt")),
            data.get("thinking") if data.get("thinking") in ("on", "off") else None,
            personas.get(str(data.get("persona"))),
        ),
    )
    conversation_id = int(cursor.lastrowid or 0)
    project_id = projects.get(str(data.get("project")))
    if project_id is not None:
        db.execute("UPDATE conversations SET project_id = ? WHERE id = ?", (project_id, conversation_id))
    library = data.get("library")
    if isinstance(library, dict):
        folders = library.get("folders")
        chosen = tuple(str(f) for f in folders) if isinstance(folders, list) and folders else None
        attachments.set_library_choice(db, conversation_id, LibraryChoice(bool(library.get("enabled")), chosen))
    new_ids: dict[object, int] = {}
    # Parents before children, and otherwise in the file's order (the order they were written).
    pending = list(items)
    while pending:
        ready = next((item for item in pending if item.get("parent") is None or item.get("parent") in new_ids), None)
        if ready is None:
            raise HistoryFileError(path=path, reason=f"the messages of “{data.get('title')}” form a loop")
        item = ready
        parent = new_ids.get(item.get("parent")) if item.get("parent") is not None else None
        status = item.get("status") if item.get("status") in STATUSES else "complete"
        cursor = db.execute(
            f"INSERT INTO messages (conversation_id, parent_id, {', '.join(_MESSAGE_KEYS)}, persona_id) "
            f"VALUES (?, ?, {', '.join('?' for _ in _MESSAGE_KEYS)}, ?)",
            (
                conversation_id,
                parent,
                item["role"],
                item["content"],
                _text(item.get("reasoning")),
                "interrupted" if status == "streaming" else status,
                _text(item.get("model_name")),
                float(item.get("created_at") or data.get("created_at") or 0.0),
                item.get("n_tokens") if isinstance(item.get("n_tokens"), int) else None,
                _number(item.get("tokens_per_second")),
                _number(item.get("ttft_seconds")),
                item.get("finish_reason") if item.get("finish_reason") in FINISH_REASONS else None,
                "persona" if item.get("kind") == "persona" else None,
                personas.get(str(item.get("persona"))),
            ),
        )
        new_ids[item.get("id")] = int(cursor.lastrowid or 0)
        _import_documents(db, new_ids[item.get("id")], item)
        inside = look_inside.from_json(item.get("look_inside"))
        if inside is not None:
            look_inside.save(db, new_ids[item.get("id")], inside, time.time())
        if item.get("chosen", True):
            tree.choose_in(db, conversation_id, parent, new_ids[item.get("id")])
        pending.remove(ready)
    tree.repair(db, conversation_id)
    return len(items)


def _import_documents(db: sqlite3.Connection, message_id: int, item: dict[str, Any]) -> None:
    """Inserts a message's documents (keys an older export lacks: then nothing)."""
    documents: list[Document] = []
    uses: list[AttachmentUse] = []
    for entry in _objects(item.get("attachments")):
        pages = tuple(Page(n + 1, str(text)) for n, text in enumerate(entry.get("pages") or []))
        kind = cast(DocumentKind, entry.get("kind") if entry.get("kind") in _KINDS else "text")
        path, name, size = str(entry.get("path") or ""), str(entry.get("name") or ""), _int(entry.get("size"))
        documents.append(Document(path, name, kind, size, pages, bool(entry.get("paged"))))
        mode: ReadMode = "passages" if entry.get("mode") == "passages" else "whole"
        used, total = _int(entry.get("used")), _int(entry.get("total"))
        uses.append(AttachmentUse(path, name, size, len(pages), mode, used, total))
    block = _text(item.get("documents")) or ""
    attachments.save_user_documents(db, message_id, documents, DocumentContext(block, tuple(uses)))
    passages = [
        Passage(_int(p.get("number")), str(p.get("path") or ""), str(p.get("name") or ""),
                p.get("page") if isinstance(p.get("page"), int) else None, str(p.get("text") or ""),
                _int(p.get("first_index")), _int(p.get("last_index")))
        for p in _objects(item.get("citations"))
    ]  # fmt: skip
    notes = [str(note) for note in item.get("document_notes") or [] if isinstance(note, str)]
    attachments.save_answer_documents(db, message_id, passages, notes)


_KINDS = ("pdf", "docx", "html", "text", "markdown", "csv", "code")


def _objects(value: object) -> list[dict[str, Any]]:
    return [entry for entry in value if isinstance(entry, dict)] if isinstance(value, list) else []


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
