"""Memory in a chat turn: what a turn sends of it, the commands it honours, and extraction after it.

``TurnMemory`` is the turn runner's part: at the start of a turn it honours "remember that …" /
"forget that …" and builds the bounded memory block for the system prompt; nothing when memory is off,
in a temporary conversation, or for a remote server the user has not allowed memories to
(``RemoteServer.send_memories``). ``MemoryKeeper`` is the part off the critical path, as the
automatic titles are: after an answer it asks the loaded model, through an engine client of its own,
for the facts in the user's message; it steps aside when the user sends and asks again after that
answer. Plain Python: the window passes the client's events to ``handle`` on its own thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from app.core.config.settings import SettingsStore
from app.core.documents.embedder import Embedder
from app.core.engine import budget
from app.core.engine.protocol import (
    EngineEvent,
    GenerationFailed,
    GenerationFinished,
    ModelLoadFailed,
    ModelSpec,
)
from app.core.history.store import Store
from app.core.history.types import Conversation
from app.core.memory import extraction, keeping
from app.core.memory.block import budget_for, memory_block
from app.core.memory.store import MemoryStore
from app.core.memory.types import MemoryBlock, MemoryChange
from app.core.models.installed import ModelEntry
from app.core.models.registry import ModelRegistry
from app.core.session.background import Background
from app.core.session.service import EngineClient

log = logging.getLogger("app.memory")

ProjectOf = Callable[[Conversation], int | None]  # the project whose memories a conversation reads (None: none)


def project_of(conversation: Conversation) -> int | None:
    """A conversation's project (app.core.projects): its memories are that project's and everyone's."""
    return conversation.project_id


class TurnMemory:
    """What memory adds to a turn's start. Call it from the store's thread."""

    def __init__(
        self,
        store: Store,
        settings: SettingsStore,
        registry: ModelRegistry,
        embedder: Callable[[], Embedder | None],
        project_of: ProjectOf = project_of,
    ) -> None:
        self.memories = MemoryStore(store)
        self._settings = settings
        self._registry = registry
        self.embedder = embedder
        self.project_of = project_of

    def in_use(self, conversation: Conversation) -> bool:
        """Whether this conversation reads and writes memories: memory is on and the chat is not temporary."""
        return self._settings.current.memory_enabled and not self.memories.is_temporary(conversation.id)

    def allowed_for(self, entry: ModelEntry) -> bool:
        """Whether memories may go to ``entry``: a model on this computer, or a server the user allowed."""
        server = self._registry.server_of(entry)
        return server is None or server.send_memories

    def allowed_for_spec(self, model: ModelSpec) -> bool:
        """``allowed_for`` by the model as loaded (its ``server`` id; "" for this computer)."""
        if not model.server:
            return True
        server = self._registry.servers.get(model.server) if self._registry.servers is not None else None
        return server is not None and server.send_memories

    def withheld_from(self, entry: ModelEntry, conversation: Conversation | None) -> bool:
        """Whether memories are kept from this turn only because its server was not allowed them (the
        window says so)."""
        using = conversation is None or self.in_use(conversation)
        return (
            using
            and self._settings.current.memory_enabled
            and not self.allowed_for(entry)
            and self.memories.count() > 0
        )

    def honour_command(self, conversation: Conversation, text: str) -> MemoryChange | None:
        """Applies "remember that …" / "forget that …" at the start of a turn (no model); None when there is none."""
        order = extraction.command(text)
        if order is None or not self.in_use(conversation):
            return None
        return keeping.apply_command(
            self.memories, order, conversation_id=conversation.id, message_id=None,
            project_id=self.project_of(conversation), embedder=self.embedder(),
        )  # fmt: skip

    def block(
        self, conversation: Conversation, entry: ModelEntry, model: ModelSpec, max_tokens: int, text: str
    ) -> MemoryBlock:
        """The memory block of a turn in ``conversation`` by ``entry`` whose user writes ``text``."""
        if not self.in_use(conversation) or not self.allowed_for(entry):
            return MemoryBlock()
        room = budget_for(budget.prompt_limit(model.n_ctx, max_tokens))
        query = f"{conversation.title}\n{text}"
        return memory_block(
            self.memories, query, room, project_id=self.project_of(conversation), embedder=self.embedder()
        )

    def after_commit(
        self, answer_id: int, user_message_id: int, block: MemoryBlock, change: MemoryChange | None
    ) -> None:
        """Notes on the committed answer the memories it used and what the user's command changed."""
        self.memories.record(answer_id, "used", block.used)
        if change is not None and not change.empty:
            for memory in change.saved:  # the command's memory comes from this message
                with self.memories.store.writing() as db:
                    db.execute("UPDATE memories SET message_id = ? WHERE id = ?", (user_message_id, memory.id))
            keeping.record(self.memories, replace(change, answer_id=answer_id))


@dataclass
class _Pending:
    answer_id: int
    model: ModelSpec
    request_id: str | None = None  # None: waits for the user's answer to end


class MemoryKeeper:
    """Asks for memories after answers, one request at a time through its own client. One thread only."""

    def __init__(self, turn_memory: TurnMemory, store: Store, client: EngineClient) -> None:
        self._memory = turn_memory
        self._store = store
        self._client = client
        self._background: Background[int, _Pending] = Background(client)  # by answer id

    def after_answer(self, answer_id: int, model: ModelSpec) -> str | None:
        """Asks for the facts of the message ``answer_id`` answers (and again for any that stepped aside).
        Returns the request id, or None when nothing is asked (memory off, a temporary chat, a server
        not allowed memories, a message that was a command)."""
        self._background.ask_again(self._ask)
        if answer_id in self._background:
            return None  # being asked already (again just above, if it had stepped aside)
        answer = self._store.message(answer_id)
        conversation = self._store.conversation(answer.conversation_id)
        if (
            not self._memory.in_use(conversation)
            or not self._memory.allowed_for_spec(model)
            or answer.parent_id is None
        ):
            return None
        user = self._store.message(answer.parent_id)
        if user.role != "user" or extraction.command(user.content) is not None:
            return None
        return self._ask(self._background.add(answer_id, _Pending(answer_id, model)))

    def _ask(self, pending: _Pending) -> str:
        answer = self._store.message(pending.answer_id)
        user = self._store.message(answer.parent_id or 0)
        known = self._memory.memories.active(self._memory.project_of(self._store.conversation(answer.conversation_id)))
        request = extraction.extraction_request(user.content, known[-20:], pending.model)
        pending.request_id = request.request_id
        self._client.generate(request)
        return request.request_id

    def yield_to_user(self) -> None:
        """The user is about to send: a request being asked steps aside and is asked again later."""
        self._background.step_aside()

    def handle(self, event: EngineEvent) -> MemoryChange | None:
        """Applies one event of the keeper's client; returns what was saved when something was."""
        pending = self._background.for_event(event)
        if pending is None:
            return None
        if isinstance(event, GenerationFinished) and event.reason != "stopped":
            self._background.drop(pending.answer_id)
            return self._apply(pending.answer_id, event.text)
        if isinstance(event, (GenerationFailed, ModelLoadFailed)):
            self._background.drop(pending.answer_id)
            log.info("no memories from answer %d: %s", pending.answer_id, event.reason)
        elif isinstance(event, GenerationFinished):
            self._background.stopped(pending)  # stopped for the user: asked again after their answer
        return None

    def _apply(self, answer_id: int, reply: str) -> MemoryChange | None:
        try:
            answer = self._store.message(answer_id)
            user = self._store.message(answer.parent_id or 0)
        except LookupError:
            return None  # deleted meanwhile
        conversation = self._store.conversation(answer.conversation_id)
        if not self._memory.in_use(conversation):
            return None  # memory was turned off meanwhile
        known = [memory.id for memory in self._memory.memories.active(self._memory.project_of(conversation))]
        facts = extraction.parse(reply, known)
        log.info("extraction for answer %d: %d facts from %r", answer_id, len(facts), reply[:300])
        change = keeping.apply_facts(
            self._memory.memories, facts, user_text=user.content, conversation_id=conversation.id,
            message_id=user.id, project_id=self._memory.project_of(conversation), answer_id=answer_id,
            embedder=self._memory.embedder(),
        )  # fmt: skip
        return None if change.empty else change

    def close(self) -> None:
        self._background.close()
