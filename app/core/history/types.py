"""The history's data: conversations, messages and their versions, as plain frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from app.core.documents.types import Document, DocumentKind, Page, ReadMode

Role = Literal["system", "user", "assistant"]
# complete: a finished message; streaming: an answer being written; stopped: the user pressed
# Stop; interrupted: the app or engine died while it streamed; failed: generation raised.
Thinking = Literal["on", "off"]
MessageStatus = Literal["complete", "streaming", "stopped", "interrupted", "failed"]
# done: the model ended it; stopped: the user did (or a stop string); length: the longest answer was
# reached; context_full: the context had no room left; interrupted and failed as the statuses say.
FinishReason = Literal["done", "stopped", "length", "context_full", "interrupted", "failed"]
FINISH_REASONS: tuple[FinishReason, ...] = ("done", "stopped", "length", "context_full", "interrupted", "failed")
MessageKind = Literal["persona"]
ROLES: tuple[Role, ...] = ("system", "user", "assistant")
STATUSES: tuple[MessageStatus, ...] = ("complete", "streaming", "stopped", "interrupted", "failed")

DEFAULT_TITLE = "New conversation"


@dataclass(frozen=True)
class Conversation:
    id: int
    title: str
    created_at: float
    updated_at: float
    model_name: str | None
    system_prompt: str | None
    thinking: Thinking | None = None  # None: the model's own default
    uuid: str = ""  # kept through export and import: the same conversation in another history
    pinned: bool = False  # listed at the top
    title_set_by_user: bool = False  # an automatic title never replaces one the user chose
    persona_id: int | None = None  # None: the default persona (app.core.personas.book)
    memory_start: int | None = None  # the first message the model still gets (older ones fell out); None: all
    project_id: int | None = None  # the project it belongs to (app.core.projects); None: the main list


@dataclass(frozen=True)
class Message:
    id: int
    conversation_id: int
    role: Role
    content: str
    status: MessageStatus
    model_name: str | None
    created_at: float
    n_tokens: int | None = None
    tokens_per_second: float | None = None
    ttft_seconds: float | None = None
    reasoning: str | None = None  # a reasoning model's thinking, shown apart from the answer
    parent_id: int | None = None  # the message this one follows (None: the first); see app.core.history.tree
    persona_id: int | None = None  # the persona that wrote an answer (or, for a divider, the one chosen)
    finish_reason: FinishReason | None = None  # why an answer ended
    kind: MessageKind | None = None  # None: a message; "persona": a divider left by a persona change
    server: str | None = None  # the remote server that wrote an answer ("name (host)"); None: this computer
    documents: str = ""  # a user message's documents block, sent before its text (app.core.history.attachments)
    speculation: str = ""  # an answer's speculative decoding figures (app.core.engine.speculation.summary_json)


@dataclass(frozen=True)
class Versions:
    """Where a message stands among its siblings: "‹ index/count ›" (index from 1)."""

    index: int
    count: int
    previous_id: int | None
    next_id: int | None


@dataclass(frozen=True)
class StoredAttachment:
    """A file attached to a user message, as it went into the turn, with the text read from it then."""

    message_id: int
    position: int  # its place among the message's attachments, from 0
    name: str
    path: str
    size: int  # bytes on disk when it was attached
    pages: int
    kind: DocumentKind
    mode: ReadMode  # "whole", or "passages": ``used`` of its ``total`` passages went in
    used: int
    total: int
    page_texts: tuple[str, ...]  # the extracted text, page by page
    paged: bool = False

    def document(self) -> Document:
        """The document as it was read when attached (the file itself may be gone)."""
        pages = tuple(Page(number + 1, text) for number, text in enumerate(self.page_texts))
        return Document(self.path, self.name, self.kind, self.size, pages, self.paged)


@dataclass(frozen=True)
class LibraryChoice:
    """A conversation's "Use my library": on or off (off by default), and the folders it searches."""

    enabled: bool = False
    folders: tuple[str, ...] | None = None  # None: every library folder
