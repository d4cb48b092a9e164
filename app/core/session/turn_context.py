"""What a turn runs with, resolved in one place for every front end: its model, persona and prompt.

``TurnContexts`` turns a conversation (and what the user chose for this turn) into a
``records.TurnContext``: the persona with "About you", the conversation's own prompt, its project's
instructions and what the model remembers; the sampling; the model's spec and server. It also finds the
documents a turn sends (``documents``). The model of a turn is ``model_for_turn``'s choice: a persona's
preferred model, or the default when that one is not installed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import cast

from app.core.config.settings import SettingsStore
from app.core.documents.embedder import Embedder
from app.core.documents.library import Library
from app.core.documents.types import Document, DocumentContext
from app.core.engine.protocol import OverflowPolicy, SamplingSettings
from app.core.errors import ModelNotFoundError
from app.core.history.store import Store
from app.core.history.types import Conversation, Message
from app.core.models.installed import ModelEntry
from app.core.models.registry import ModelRegistry, remote_entry
from app.core.personas.book import PersonaBook
from app.core.personas.persona import Persona, final_system_prompt
from app.core.projects.project import with_instructions
from app.core.projects.store import ProjectStore
from app.core.session import documents, look_inside, records
from app.core.session.memory import TurnMemory

log = logging.getLogger("app.session")


def model_for_turn(registry: ModelRegistry, conversation: Conversation | None, persona: Persona) -> ModelEntry | None:
    """The model a turn runs with when none is chosen, for the window and the command line alike: the
    persona's preferred one while the conversation (None: one about to start) has no model of its own and
    that model is installed; else the conversation's own model, or the default. None: no model at all."""
    if (conversation is None or conversation.model_name is None) and persona.model_name:
        try:
            return registry.resolve(persona.model_name)
        except ModelNotFoundError:
            log.info("persona %r prefers %r, which is not installed", persona.name, persona.model_name)
    return registry.model_for(conversation)


class TurnContexts:
    """Resolves what each turn runs with, from the store, the settings and the installed models."""

    def __init__(
        self,
        store: Store,
        settings: SettingsStore,
        registry: ModelRegistry,
        personas: PersonaBook,
        memory: TurnMemory,
        *,
        library: Library | None,
        embedder: Callable[[], Embedder | None],
    ) -> None:
        self._store = store
        self._settings = settings
        self._registry = registry
        self._personas = personas
        self._memory = memory
        self._library = library
        self._embedder = embedder

    def context(
        self,
        conversation: Conversation,
        model: ModelEntry | None,
        persona_id: int | None,
        text: str,
        sampling: SamplingSettings | None = None,
    ) -> tuple[ModelEntry, records.TurnContext]:
        """What a turn in ``conversation`` runs with: its persona (or ``persona_id``'s), with "About you",
        the conversation's own prompt and its project's instructions (``with_instructions``), its sampling
        (or ``sampling``), and its model (``model``, the persona's preferred one for a new conversation,
        or the conversation's), with that model's entry.
        ``ModelNotFoundError`` when there is none."""
        settings = self._settings.current
        persona = self._personas.get(persona_id) if persona_id is not None else None
        persona = persona or self._personas.for_conversation(conversation)
        entry = model or model_for_turn(self._registry, conversation, persona)
        if entry is None:
            raise ModelNotFoundError(name=conversation.model_name or "")
        spec = self._registry.spec_for(entry)
        if persona.n_ctx is not None:
            spec = replace(spec, n_ctx=persona.n_ctx)
        if conversation.system_prompt is not None:  # this conversation's own prompt replaces the persona's
            persona = replace(persona, system_prompt=conversation.system_prompt)
        own = self._personas.conversation_overflow(conversation.id)  # "stop and ask" answered for this one
        overflow = cast(OverflowPolicy, own or persona.overflow or settings.overflow)
        server = self._registry.server_of(entry)
        sampling = sampling or persona.sampling
        memories = self._memory.block(conversation, entry, spec, sampling.max_tokens, text)
        project = ProjectStore(self._store).of(conversation)
        instructed = with_instructions(final_system_prompt(persona, settings, text), project)
        prompt = "\n\n".join(part for part in (instructed, memories.text) if part)
        context = records.TurnContext(
            spec,
            prompt,
            sampling,
            persona_id=persona.id,
            overflow=overflow,
            server=server.label if server is not None else None,
            project_id=conversation.project_id,
            memories=memories,
            json_schema=persona.json_schema or None,
            top_logprobs=look_inside.streamed_top(server, persona),
        )
        return entry, context

    def writer_of(self, answer: Message) -> ModelEntry | None:
        """The model that wrote ``answer``: on the server it records, by its model id there (a remote model's
        id may be any local model's name too), else the installed model of its name or the conversation's."""
        servers = self._registry.servers
        if answer.server and answer.model_name and servers is not None:
            server = next((s for s in servers.servers() if s.label == answer.server), None)
            if server is not None:
                return remote_entry(server, answer.model_name)
        conversation = self._store.conversation(answer.conversation_id)
        return self._registry.model_for(replace(conversation, model_name=answer.model_name or conversation.model_name))

    def documents(
        self,
        conversation: Conversation,
        context: records.TurnContext,
        before: list[Message],
        text: str,
        attachments: Sequence[Document],
    ) -> DocumentContext:
        """The documents of a turn that sends the messages ``before`` and then ``text``: ``attachments``
        and, when the conversation uses it, the library (``documents.find_documents``)."""
        choice = self._store.library_choice(conversation.id)
        if not attachments and not documents.uses_library(self._library, choice):
            return DocumentContext("")
        history, _ = records.history_with_sources(before, context.system_prompt, conversation.memory_start)
        room = documents.documents_room(context.model, context.sampling.max_tokens, history, text)
        return documents.find_documents(
            text, attachments, room, library=self._library, choice=choice, embedder=self._embedder()
        )

    def sends_documents_off_machine(
        self, conversation_id: int | None, *, attachments: bool, model: ModelEntry | None = None
    ) -> bool:
        """Whether the next turn in ``conversation_id`` (None: a new one) would send passages of the
        user's documents (``attachments``, or the library it uses) to a remote server; the window asks
        before the send. False when there is no model to ask."""
        store = self._store
        conversation = store.conversation(conversation_id) if conversation_id is not None else None
        personas = self._personas
        persona = personas.for_conversation(conversation) if conversation is not None else personas.default()
        entry = model or model_for_turn(self._registry, conversation, persona)
        if entry is None:
            return False
        choice = store.library_choice(conversation_id) if conversation_id is not None else None
        library = documents.uses_library(self._library, choice)
        return documents.sends_documents_off_machine(self._registry, entry, attachments=attachments, library=library)
