"""The store side of a chat turn: the history the model sees, the committed turn, the recorded answer.

The turn runner (``app.core.session.turns``) drives these for every front end and passes each one
``TurnContext``: the model, final system prompt, sampling, persona, overflow policy and server.

``begin_turn`` commits the user's message and an empty answer marked ``streaming`` before any
generation starts. ``AnswerRecorder`` then writes the streaming answer back at least once a
second and settles its final status, so a killed app loses at most the last second of it. A user
message's attachments and documents block are committed with it (``add_user_message``), an answer's
sources with the answer, and ``history_with_sources`` sends each block again before its message.
"""

from __future__ import annotations

import datetime
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from app.core import paths
from app.core.documents.types import Document, DocumentContext
from app.core.engine import kv_state, speculation
from app.core.engine.protocol import (
    ChatMessage,
    GenerationRequest,
    GenerationStats,
    ModelSpec,
    OverflowPolicy,
    SamplingSettings,
)
from app.core.errors import AppError
from app.core.history.store import Store
from app.core.history.types import DEFAULT_TITLE, Conversation, FinishReason, Message, MessageStatus, Thinking
from app.core.memory.types import MemoryBlock

CHECKPOINT_SECONDS = 0.5
TITLE_LENGTH = 48


@dataclass(frozen=True)
class Turn:
    conversation_id: int
    user_message: Message
    answer: Message
    request: GenerationRequest
    # The store id of the first message behind each request message after the system prompt: the
    # engine's count of messages it left out maps to where the model's memory now begins.
    sources: tuple[int, ...] = ()


def history_for_engine(messages: list[Message], system_prompt: str) -> tuple[ChatMessage, ...]:
    """``history_with_sources`` without the sources."""
    return history_with_sources(messages, system_prompt)[0]


def history_with_sources(
    messages: list[Message], system_prompt: str, memory_start: int | None = None
) -> tuple[tuple[ChatMessage, ...], tuple[int, ...]]:
    """The conversation as the model sees it: the system prompt, then user and answer turns that
    alternate, as templates such as Mistral's and Gemma's insist.

    Stopped and interrupted answers stay in, exactly as saved, so the model keeps the context
    the user saw, and so does one cut while still thinking (reasoning, no text yet); failed and
    empty answers are left out, and user messages they leave side by
    side become one, in order and a blank line apart. An answer's saved reasoning goes along,
    for the templates that read it. Messages before ``memory_start`` (a message id) fell out of the
    model's memory earlier and are not sent again. Also returns, for each message after the system
    prompt, the id of the first stored message in it.
    """
    history: list[ChatMessage] = []
    sources: list[int] = []
    if system_prompt.strip():
        history.append(ChatMessage("system", system_prompt))
    for message in messages:
        if message.role == "system" or message.status in ("failed", "streaming"):
            continue
        if message.role == "assistant" and not (message.content or message.reasoning):
            continue  # an answer cut while still thinking stays: its turn happened
        if memory_start is not None and message.id < memory_start:
            continue
        reasoning = message.reasoning if message.role == "assistant" else None
        content = with_documents(message.documents, message.content) if message.role == "user" else message.content
        before = len(history)
        _append_alternating(history, ChatMessage(message.role, content, reasoning or None))
        if len(history) > before:
            sources.append(message.id)
    return tuple(history), tuple(sources)


def with_documents(block: str, text: str) -> str:
    """A user message as the model gets it: its documents block (if any), then the user's own text."""
    return f"{block}\n\n{text}" if block else text


def _append_alternating(history: list[ChatMessage], message: ChatMessage) -> None:
    """Appends ``message``, or merges it into the last one when that has the same role."""
    if not history or history[-1].role != message.role:
        history.append(message)
        return
    last = history[-1]
    reasoning = "\n\n".join(r for r in (last.reasoning, message.reasoning) if r) or None
    history[-1] = ChatMessage(message.role, f"{last.content}\n\n{message.content}", reasoning)


def turns_out_of_memory(messages: list[Message], memory_start: int | None) -> int:
    """How many of the user's turns fell out of the model's memory (they are before ``memory_start``);
    the context meter shows it. Dividers are not turns."""
    if memory_start is None:
        return 0
    return sum(1 for m in messages if m.role == "user" and m.kind is None and m.id < memory_start)


def title_from(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= TITLE_LENGTH else line[: TITLE_LENGTH - 1].rstrip() + "…"


@dataclass(frozen=True)
class TurnContext:
    """What a turn runs with, as the turn runner resolved it for the conversation."""

    model: ModelSpec
    system_prompt: str  # final: the persona's (or the conversation's own) with "About you" and the project's
    sampling: SamplingSettings
    persona_id: int | None = None  # the persona the answer records
    overflow: OverflowPolicy = "drop_oldest"
    server: str | None = None  # the remote server the answer records; None for a model on this computer
    project_id: int | None = None  # the conversation's project (app.core.projects); None: none
    # the memories in the system prompt (app.core.session.memory)
    memories: MemoryBlock = field(default_factory=MemoryBlock)
    json_schema: str | None = None  # the persona's JSON Schema the answer follows; None: free text
    # Alternatives per token a remote server is asked to stream with the answer's log-probabilities (0: none),
    # kept as the answer's look-inside data (app.core.session.look_inside.StreamedFigures).
    top_logprobs: int = 0


def begin_turn(
    store: Store,
    conversation_id: int,
    user_text: str,
    context: TurnContext,
    *,
    attachments: Sequence[Document] = (),
    documents: DocumentContext | None = None,
) -> Turn:
    """Commits the user's message (with its ``attachments`` and the ``documents`` found for it) and an
    empty streaming answer; returns the engine request."""
    conversation = store.conversation(conversation_id)
    user_message = add_user_message(store, conversation_id, user_text, attachments, documents)
    if conversation.title == DEFAULT_TITLE:
        store.rename_conversation(conversation_id, title_from(user_text), by_user=False)
    # The branch on screen, which now ends with the user's message: only it reaches the model.
    seen = store.messages(conversation_id)
    return answer_turn(store, conversation, user_message, seen, context, documents=documents)


def add_user_message(
    store: Store,
    conversation_id: int,
    text: str,
    attachments: Sequence[Document] = (),
    documents: DocumentContext | None = None,
    *,
    parent_id: int | Literal["leaf"] | None = "leaf",
) -> Message:
    """Commits a user message after ``parent_id``, then its attachments and documents block."""
    message = store.add_message(conversation_id, "user", text, parent_id=parent_id)
    if attachments or (documents is not None and not documents.empty):
        store.save_user_documents(message.id, attachments, documents or DocumentContext(""))
        message = store.message(message.id)
    return message


def answer_turn(
    store: Store,
    conversation: Conversation,
    user_message: Message,
    seen: list[Message],
    context: TurnContext,
    *,
    documents: DocumentContext | None = None,
) -> Turn:
    """Commits an empty streaming answer to ``user_message`` and returns the turn asking for it,
    with the messages ``seen`` (the branch up to that message) as the history sent; the answer
    records the passages and notes of ``documents``."""
    answer = store.add_message(
        conversation.id,
        "assistant",
        "",
        status="streaming",
        model_name=context.model.name,
        parent_id=user_message.id,
        persona_id=context.persona_id,
        server=context.server,
    )
    if documents is not None and (documents.passages or documents.notes):
        store.save_answer_documents(answer.id, documents.passages, documents.notes)
    request, sources = build_request(conversation, seen, context)
    return Turn(conversation.id, user_message, answer, request, sources)


def build_request(
    conversation: Conversation,
    seen: list[Message],
    context: TurnContext,
    *,
    prefill: str = "",
    prefill_reasoning: str = "",
    today: datetime.date | None = None,
) -> tuple[GenerationRequest, tuple[int, ...]]:
    """The engine request for the messages ``seen`` (a branch, up to the user's message to answer),
    with the id of the first stored message behind each message after the system prompt.

    Templates that print a date get ``today`` (None: the real today): the prompt, and the cache
    that holds it, stay the same all day, and the day after the model is told the day it is."""
    history, sources = history_with_sources(seen, context.system_prompt, conversation.memory_start)
    request = GenerationRequest(
        uuid.uuid4().hex,
        context.model,
        history,
        context.sampling,
        **thinking_switches(conversation.thinking),
        date=(today or datetime.date.today()).isoformat(),
        conversation_key=str(conversation.id),  # the engine keeps its KV state under this
        prefill=prefill,
        prefill_reasoning=prefill_reasoning,
        overflow=context.overflow,
        json_schema=context.json_schema,
        top_logprobs=context.top_logprobs,
    )
    return request, sources


def thinking_switches(thinking: Thinking | None) -> dict[str, Any]:
    """The template switches for a conversation's thinking choice (None: the model's own default).

    Qwen3-style templates read ``enable_thinking``; gpt-oss cannot stop reasoning, so "off" asks for
    the least of it and "on" for the most.
    """
    if thinking is None:
        return {}
    on = thinking == "on"
    return {"enable_thinking": on, "reasoning_effort": "high" if on else "low"}


class AnswerRecorder:
    """Accumulates a streaming answer (and the reasoning before it) and checkpoints both to the store.

    A checkpoint that cannot be written (a full disk) keeps the text in memory and is tried again
    at the next one; the failure is reported once, not at every token.
    """

    def __init__(self, store: Store, message_id: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._store = store
        self._clock = clock
        self.message_id = message_id
        self.text = ""
        self.reasoning = ""
        self._saved = ("", "")
        self._last_save = clock()
        self._failing = False

    def append(self, text: str, reasoning: str = "") -> AppError | None:
        """Adds streamed text; returns the error when a checkpoint just started failing."""
        self.text += text
        self.reasoning += reasoning
        if self._clock() - self._last_save >= CHECKPOINT_SECONDS:
            try:
                self.checkpoint()
            except AppError as err:
                self._last_save = self._clock()
                if not self._failing:
                    self._failing = True
                    return err
        return None

    @property
    def failing(self) -> bool:
        """Whether checkpoints are failing now (the failure was already reported once)."""
        return self._failing

    def checkpoint(self) -> None:
        if (self.text, self.reasoning) != self._saved:
            self._store.update_message(self.message_id, self.text, reasoning=self.reasoning)
            self._saved = (self.text, self.reasoning)
        self._last_save = self._clock()
        self._failing = False

    def finish(
        self,
        status: MessageStatus,
        stats: GenerationStats | None = None,
        text: str | None = None,
        reasoning: str | None = None,
        finish_reason: FinishReason | None = None,
    ) -> None:
        if text is not None:
            self.text = text
        if reasoning is not None:
            self.reasoning = reasoning
        self._store.update_message(
            self.message_id,
            self.text,
            status=status,
            n_tokens=stats.generated_tokens if stats else None,
            tokens_per_second=stats.tokens_per_second if stats else None,
            ttft_seconds=stats.ttft_seconds if stats else None,
            reasoning=self.reasoning,
            finish_reason=finish_reason,
            speculation=speculation.summary_json(stats) if stats else None,
        )
        self._saved = (self.text, self.reasoning)


def delete_conversation(store: Store, conversation_id: int) -> None:
    """Deletes a conversation for good, and its saved KV state with it: a cache of its text is part of it."""
    store.delete_conversation(conversation_id)
    kv_state.delete_conversation(paths.states_dir(), str(conversation_id))
