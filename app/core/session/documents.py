"""A turn's documents: the room the one context budget leaves them, the context built for the question
(``app.core.documents.context.build_context``: whole or retrieve), and whether they leave this computer.

The room is the prompt's limit (``budget.prompt_limit``: the context less the answer's room) less the
estimated system prompt, history and question, less a margin for the estimate's error, so that a
turn with documents is not refused as too long when the real tokenizer counts more than the estimate.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from app.core import paths
from app.core.documents import chunking
from app.core.documents.context import build_context
from app.core.documents.embedder import Embedder
from app.core.documents.library import Library
from app.core.documents.types import Document, DocumentContext
from app.core.engine import budget
from app.core.engine.protocol import ChatMessage, ModelSpec
from app.core.history.types import LibraryChoice
from app.core.models.installed import ModelEntry
from app.core.models.registry import ModelRegistry

MESSAGE_OVERHEAD_TOKENS = 8  # a chat template's role markers around each message, about
ESTIMATE_MARGIN = 0.15  # of the prompt limit, kept free: four characters a token is an estimate


def documents_room(model: ModelSpec, max_tokens: int, history: Sequence[ChatMessage], question: str) -> int:
    """The tokens documents may take in a turn that sends ``history`` (system prompt first) and ``question``."""
    limit = budget.prompt_limit(model.n_ctx, max_tokens)
    texts = [question, *(message.content for message in history), *(m.reasoning or "" for m in history)]
    used = sum(chunking.estimate(text) for text in texts) + MESSAGE_OVERHEAD_TOKENS * (len(history) + 1)
    return max(0, limit - used - int(limit * ESTIMATE_MARGIN))


def existing_library(path: Path | None = None) -> Library | None:
    """The user's library (``paths.library_path()``) once they have made one; None before (nothing is created)."""
    path = path or paths.library_path()
    return Library(path) if path.exists() else None


def uses_library(library: Library | None, choice: LibraryChoice | None) -> bool:
    """Whether a conversation's turns search the library: there is one, and the user turned it on."""
    return library is not None and choice is not None and choice.enabled


def find_documents(
    question: str,
    attachments: Sequence[Document],
    room: int,
    *,
    library: Library | None = None,
    choice: LibraryChoice | None = None,
    embedder: Embedder | None = None,
) -> DocumentContext:
    """What documents add to a turn: nothing without attachments or the library; else ``build_context``'s
    (attachments whole, or passages of them and of the conversation's library folders)."""
    searched = library if uses_library(library, choice) else None
    if not attachments and searched is None:
        return DocumentContext("")
    folders = choice.folders if searched is not None and choice is not None else None
    return build_context(
        question, attachments, room, embedder=embedder, library=searched, folders=folders, count=chunking.estimate
    )


def sends_documents_off_machine(
    registry: ModelRegistry, entry: ModelEntry, *, attachments: bool, library: bool = False
) -> bool:
    """Whether a turn by ``entry`` puts passages of the user's documents into a prompt sent to another
    computer (a remote server): the window says so before the first such send."""
    return (attachments or library) and registry.server_of(entry) is not None
