"""The turn runner: one chat turn from the user's message to the settled answer, for every front end.

It has the conversation's persona and model resolved into a ``records.TurnContext``
(``turn_context``), commits the turn (``records``, ``versions``), hands the request to the engine
service, and turns each engine event into a ``TurnUpdate``. Every rule for how a turn ends
(complete, stopped, failed, interrupted, withdrawn when the prompt does not fit) lives here once, so
the window and the command line store the same thing.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from app.core.config.settings import SettingsStore
from app.core.documents.embedder import Embedder
from app.core.documents.library import Library
from app.core.documents.types import Document
from app.core.engine.protocol import (
    ChatMessage,
    CountTokensRequest,
    EngineCrashed,
    EngineEvent,
    GenerationFailed,
    GenerationFinished,
    GenerationRequest,
    GenerationStats,
    InspectRequest,
    ModelLoadFailed,
    SamplingSettings,
    TokensReceived,
)
from app.core.errors import (
    AppError,
    ContextFullError,
    ContextTooLongError,
    EngineCrashedError,
    EngineHungError,
    GenerationError,
    ModelLoadError,
    RemoteServerError,
    RemoteStreamCutError,
)
from app.core.history.store import Store
from app.core.history.types import DEFAULT_TITLE, FinishReason, Message, MessageStatus
from app.core.models.installed import ModelEntry
from app.core.models.registry import ModelRegistry
from app.core.personas.book import PersonaBook, migrate_settings
from app.core.session import look_inside, records, versions
from app.core.session.memory import TurnMemory
from app.core.session.service import EngineClient
from app.core.session.turn_context import TurnContexts

log = logging.getLogger("app.session")


@dataclass(frozen=True)
class TurnOutcome:
    """How a turn ended: the settled answer as stored, and what the user should be told."""

    conversation_id: int
    answer_id: int
    status: MessageStatus
    text: str
    message: Message | None  # None when the answer was deleted while it streamed, or could not be saved
    stats: GenerationStats | None = None
    error: AppError | None = None
    reasoning: str = ""
    finish_reason: FinishReason | None = None
    withdrawn: str | None = None  # the user's text, taken back out of the history (the prompt did not fit)
    memory_start: int | None = None  # set when older turns fell out of the model's memory with this answer


@dataclass(frozen=True)
class TurnUpdate:
    """What a front end shows after one engine event of the running turn."""

    text: str = ""  # new answer text to show
    reasoning: str = ""  # new reasoning text to show (apart from the answer)
    outcome: TurnOutcome | None = None  # set when the turn ended with this event
    error: AppError | None = None  # a problem worth telling while the answer goes on (saving it failed)


@dataclass(frozen=True)
class _Unsaved:
    """A settled answer the store could not take (a full disk); kept in memory and written later."""

    recorder: records.AnswerRecorder
    status: MessageStatus
    stats: GenerationStats | None


@dataclass
class _Running:
    turn: records.Turn
    recorder: records.AnswerRecorder
    stop_requested: bool = False
    prefix: str = ""  # Continue: the answer's text before this turn; the engine sends only what follows
    reasoning_prefix: str = ""
    figures: look_inside.StreamedFigures | None = None  # a remote server asked for its tokens' figures

    @property
    def request_id(self) -> str:
        return self.turn.request.request_id


class TurnRunner:
    """Runs one turn at a time for one front end. Call it from one thread only."""

    def __init__(
        self,
        store: Store,
        client: EngineClient,
        settings: SettingsStore,
        registry: ModelRegistry,
        *,
        clock: Callable[[], float] = time.monotonic,
        personas: PersonaBook | None = None,
        library: Library | None = None,
        embedder: Callable[[], Embedder | None] = lambda: None,
    ) -> None:
        """``library`` is searched in conversations that turned "Use my library" on; ``embedder``
        gives the embedder that ranks passages by meaning as well as by words (None: words only), asked
        at each turn so that a model chosen in Settings counts from the next message."""
        self.store = store
        self.personas = personas if personas is not None else PersonaBook(store)
        migrate_settings(self.personas, settings)  # once: a prompt edited in older Settings joins its persona
        self._client = client
        self._clock = clock
        self._running: _Running | None = None
        self._unsaved: list[_Unsaved] = []
        self.memory = TurnMemory(store, settings, registry, embedder)
        self.contexts = TurnContexts(
            store, settings, registry, self.personas, self.memory, library=library, embedder=embedder
        )

    # -- state -----------------------------------------------------------------------------------

    @property
    def turn(self) -> records.Turn | None:
        """The running turn, if any."""
        return self._running.turn if self._running is not None else None

    @property
    def has_unsaved(self) -> bool:
        """Whether a settled answer is still waiting for the store (call ``save_unsaved``)."""
        return bool(self._unsaved)

    def save_unsaved(self) -> list[Message]:
        """Writes the answers the store refused before; returns those saved now. ``AppError`` if it still refuses."""
        saved: list[Message] = []
        while self._unsaved:
            unsaved = self._unsaved[0]
            unsaved.recorder.finish(unsaved.status, unsaved.stats)
            self._unsaved.pop(0)
            try:
                saved.append(self.store.message(unsaved.recorder.message_id))
            except LookupError:
                log.info("answer %s was deleted before it could be saved", unsaved.recorder.message_id)
        return saved

    @property
    def live_text(self) -> str:
        """The running answer's text so far (the store lags it by up to a checkpoint)."""
        return self._running.recorder.text if self._running is not None else ""

    @property
    def live_reasoning(self) -> str:
        """The running answer's reasoning so far."""
        return self._running.recorder.reasoning if self._running is not None else ""

    # -- the turn --------------------------------------------------------------------------------

    def start(
        self,
        conversation_id: int,
        text: str,
        *,
        attachments: Sequence[Document] = (),
        model: ModelEntry | None = None,
        sampling: SamplingSettings | None = None,
    ) -> records.Turn:
        """Commits the user's message and an empty answer, then asks the engine for the answer.

        ``attachments`` (read documents, in order) and, when the conversation uses it, the library go
        in before the text: whole if they fit the room the context leaves, else the passages that
        best answer it (``documents.find_documents``).
        ``model`` overrides the conversation's own; ``sampling`` the settings'. Raises ``AppError``
        (nothing is stored then) when no model can be found or the history cannot be written.
        """
        if self._running is not None:
            raise RuntimeError("a turn is already running")
        conversation = self.store.conversation(conversation_id)
        told = self.memory.honour_command(conversation, text)  # "remember that …" counts from this turn
        entry, context = self.contexts.context(conversation, model, None, text, sampling)
        found = self.contexts.documents(conversation, context, self.store.messages(conversation_id), text, attachments)
        turn = records.begin_turn(self.store, conversation_id, text, context, attachments=attachments, documents=found)
        self.memory.after_commit(turn.answer.id, turn.user_message.id, context.memories, told)
        if conversation.model_name is None:
            # From its first answer on, a conversation keeps its model when the default changes.
            self.store.set_conversation_model(conversation_id, entry.name)
        return self._launch(turn)

    def regenerate(
        self,
        answer_id: int,
        *,
        model: ModelEntry | None = None,
        sampling: SamplingSettings | None = None,
        persona_id: int | None = None,
    ) -> records.Turn:
        """A new version of an answer, beside the old one, by the conversation's model or ``model``,
        as the conversation's persona or the one ``persona_id`` names."""
        return self._launch(self._versioned(versions.begin_regenerate, answer_id, model, sampling, persona_id))

    def edit(self, message_id: int, text: str, *, sampling: SamplingSettings | None = None) -> records.Turn:
        """A new version of the user's message ``message_id`` with ``text``, and its answer. The old
        version's attachments come along; what goes in of them is found again for the new text."""

        def begin(store: Store, message_id: int, context: records.TurnContext) -> records.Turn:
            carried = [attachment.document() for attachment in store.attachments(message_id)]
            conversation = store.conversation(store.message(message_id).conversation_id)
            found = self.contexts.documents(conversation, context, store.history_before(message_id), text, carried)
            return versions.begin_edit(store, message_id, text, context, attachments=carried, documents=found)

        return self._launch(self._versioned(begin, message_id, None, sampling))

    def continue_answer(self, answer_id: int, *, sampling: SamplingSettings | None = None) -> records.Turn:
        """Goes on with a stopped (or cut short) answer; the same message grows."""
        turn = self._versioned(versions.begin_continue, answer_id, None, sampling)
        return self._launch(turn, prefix=turn.answer.content, reasoning_prefix=turn.answer.reasoning or "")

    def inspect_request(self, answer_id: int, top: int = look_inside.TOP) -> InspectRequest:
        """The request that looks inside ``answer_id`` (``app.core.session.look_inside``), for the model that wrote
        it (where it is gone, the conversation's, as a regenerate picks it); ``ModelNotFoundError`` when none is."""
        answer = self.store.message(answer_id)
        conversation = self.store.conversation(answer.conversation_id)
        _, context = self.contexts.context(conversation, self.contexts.writer_of(answer), answer.persona_id, "")
        return look_inside.request_for(self.store, answer_id, context, top)

    def branch_from(
        self, answer_id: int, prefix: str, *, thinking: bool = False, sampling: SamplingSettings | None = None
    ) -> records.Turn:
        """A new version of ``answer_id`` that starts with ``prefix`` (its tokens up to one, then an alternative)
        and goes on from there, by the model that wrote it. With ``thinking``, ``prefix`` is the thinking it
        starts with (``look_inside.thinking_prefix``): the model thinks on from there, then answers."""
        answer = self.store.message(answer_id)
        entry = self.contexts.writer_of(answer)
        turn = self._versioned(versions.begin_regenerate, answer_id, entry, sampling, answer.persona_id)
        if thinking:
            turn = replace(turn, request=replace(turn.request, prefill="", prefill_reasoning=prefix))
            return self._launch(turn, reasoning_prefix=prefix)
        turn = replace(turn, request=replace(turn.request, prefill=prefix))
        return self._launch(turn, prefix=prefix)

    def _versioned(
        self,
        begin: Callable[[Store, int, records.TurnContext], records.Turn],
        message_id: int,
        model: ModelEntry | None,
        sampling: SamplingSettings | None,
        persona_id: int | None = None,
    ) -> records.Turn:
        if self._running is not None:
            raise RuntimeError("a turn is already running")
        conversation = self.store.conversation(self.store.message(message_id).conversation_id)
        _, context = self.contexts.context(conversation, model, persona_id, "", sampling)
        turn = begin(self.store, message_id, context)
        self.memory.after_commit(turn.answer.id, turn.user_message.id, context.memories, None)
        return turn

    def sends_documents_off_machine(
        self, conversation_id: int | None, *, attachments: bool, model: ModelEntry | None = None
    ) -> bool:
        """Whether the next turn would send passages of the user's documents to a remote server
        (``TurnContexts.sends_documents_off_machine``)."""
        return self.contexts.sends_documents_off_machine(conversation_id, attachments=attachments, model=model)

    def _launch(self, turn: records.Turn, *, prefix: str = "", reasoning_prefix: str = "") -> records.Turn:
        recorder = records.AnswerRecorder(self.store, turn.answer.id, clock=self._clock)
        recorder.text, recorder.reasoning = prefix, reasoning_prefix
        asked = turn.request.top_logprobs and turn.request.model.server
        figures = look_inside.StreamedFigures(turn.request.model.name) if asked else None
        self._running = _Running(turn, recorder, prefix=prefix, reasoning_prefix=reasoning_prefix, figures=figures)
        try:
            self._client.generate(turn.request)
        except BaseException:
            # Not an expected error: it takes the crash path, with the answer settled first.
            self._settle("failed")
            raise
        return turn

    def prepare_request(self, conversation_id: int) -> GenerationRequest:
        """The conversation as its next turn will send it, before the user's new message: what the engine
        prepares for when the conversation is opened (``EngineClient.prepare``). ``AppError`` (a
        ``ModelNotFoundError``) when it has no model to run."""
        conversation = self.store.conversation(conversation_id)
        _, context = self.contexts.context(conversation, None, None, "")
        request, _ = records.build_request(conversation, self.store.messages(conversation_id), context)
        return request

    def count_request(self, conversation_id: int, draft: str = "") -> CountTokensRequest:
        """What the context meter asks the engine to count: the conversation as its next turn would send
        it (persona, "About you", the turns still in memory), with ``draft`` as the next message."""
        conversation = self.store.conversation(conversation_id)
        _, context = self.contexts.context(conversation, None, None, draft)
        messages = self.store.messages(conversation_id)
        history, _ = records.history_with_sources(messages, context.system_prompt, conversation.memory_start)
        if draft:
            history = (*history, ChatMessage("user", draft))
        return CountTokensRequest(uuid.uuid4().hex, context.model, history, context.sampling.max_tokens)

    def stop(self) -> None:
        """Stops the running answer at once: no more text is shown or saved for it."""
        running = self._running
        if running is None or running.stop_requested:
            return
        running.stop_requested = True
        self._client.stop(running.request_id)

    def abandon(self) -> TurnOutcome | None:
        """Settles a running answer as stopped without waiting for the engine (the app is closing)."""
        if self._running is None:
            return None
        self.stop()
        return self._settle("stopped")

    def handle(self, event: EngineEvent) -> TurnUpdate | None:
        """Applies one engine event; None when it is not about the running turn."""
        running = self._running
        if running is None or getattr(event, "request_id", None) != running.request_id:
            return None
        if isinstance(event, TokensReceived):
            if running.stop_requested:
                return TurnUpdate()
            error = running.recorder.append(event.text, event.reasoning)
            if running.figures is not None:
                running.figures.add(event.logprobs)
            return TurnUpdate(text=event.text, reasoning=event.reasoning, error=error)
        if isinstance(event, GenerationFinished) and event.engine_hung:
            # The engine never said what it had written: the answer is what the user saw.
            return TurnUpdate(outcome=self._settle("stopped", error=EngineHungError()))
        if isinstance(event, GenerationFinished):
            if running.figures is not None:
                running.figures.refused = event.logprobs_refused
            stopped = running.stop_requested or event.reason == "stopped"
            # After Stop the answer is what the user saw when they pressed it; otherwise the engine's full text.
            text = None if running.stop_requested else running.prefix + event.text
            reasoning = None if running.stop_requested else running.reasoning_prefix + event.reasoning
            status: MessageStatus = "stopped" if stopped else "complete"
            memory_start = self._forget_oldest(running.turn, event.stats.truncated_messages)
            outcome = self._settle(status, event.stats, text, reasoning=reasoning, finish=_FINISH[event.reason])
            return TurnUpdate(outcome=replace(outcome, memory_start=memory_start))
        if isinstance(event, GenerationFailed) and event.code in ("message_too_long", "context_full"):
            error_type = ContextTooLongError if event.code == "message_too_long" else ContextFullError
            return TurnUpdate(outcome=self._withdraw(error_type(tokens=event.prompt_tokens, limit=event.limit)))
        remote = running.turn.request.model.server != ""
        host = urlsplit(running.turn.request.model.path).netloc if remote else ""
        if isinstance(event, GenerationFailed):
            text = running.prefix + event.text if event.text and not running.stop_requested else None
            failure: AppError = (
                RemoteServerError(host=host, reason=event.reason) if remote else GenerationError(reason=event.reason)
            )
            return TurnUpdate(outcome=self._settle("failed", text=text, error=failure))
        if isinstance(event, ModelLoadFailed):
            refused: AppError = (
                RemoteServerError(host=host, reason=event.reason)
                if remote
                else ModelLoadError(path=event.model.path, reason=event.reason)
            )
            return TurnUpdate(outcome=self._settle("failed", error=refused))
        if isinstance(event, EngineCrashed):
            crash: AppError = (
                RemoteStreamCutError(host=host, reason=event.reason)
                if remote
                else EngineCrashedError(reason=event.reason)
            )
            return TurnUpdate(outcome=self._settle("interrupted", error=crash))
        return None

    def _keep_figures(self, answer_id: int, figures: look_inside.StreamedFigures, text: str) -> None:
        """Stores what a remote server streamed of the answer's figures (after its text: a change of it drops them)."""
        try:
            self.store.save_look_inside(answer_id, figures.data(text))
        except (AppError, LookupError) as err:  # the answer stands; only its figures are lost
            log.warning("the figures of answer %s could not be kept: %s", answer_id, err)

    def _forget_oldest(self, turn: records.Turn, dropped: int) -> int | None:
        """Moves the conversation's memory start past the ``dropped`` messages the engine left out."""
        if dropped <= 0 or dropped >= len(turn.sources):
            return None
        start = turn.sources[dropped]
        try:
            self.store.set_memory_start(turn.conversation_id, start)
        except AppError as err:
            log.warning("could not record where the memory of conversation %s begins: %s", turn.conversation_id, err)
        return start

    def _withdraw(self, error: AppError) -> TurnOutcome:
        """Takes the user's message and the empty answer back out: the answer never started."""
        running = self._running
        assert running is not None
        self._running = None
        turn = running.turn
        try:
            self.store.delete_message(turn.answer.id)
            self.store.delete_message(turn.user_message.id)
            remaining = [m for m in self.store.messages(turn.conversation_id) if m.kind is None]
            if not remaining:  # the title came from this message: the conversation is new again
                self.store.rename_conversation(turn.conversation_id, DEFAULT_TITLE)
        except AppError as err:
            log.warning("could not take back the message that did not fit: %s", err)
        return TurnOutcome(
            turn.conversation_id, turn.answer.id, "failed", "", None, None, error,
            finish_reason="failed", withdrawn=turn.user_message.content,
        )  # fmt: skip

    def _settle(
        self,
        status: MessageStatus,
        stats: GenerationStats | None = None,
        text: str | None = None,
        error: AppError | None = None,
        reasoning: str | None = None,
        finish: FinishReason | None = None,
    ) -> TurnOutcome:
        running = self._running
        assert running is not None
        self._running = None
        answer = running.turn.answer
        message: Message | None = None
        if finish is None or status == "stopped":
            finish = _FINISH_BY_STATUS[status]
        try:
            running.recorder.finish(status, stats, text=text, reasoning=reasoning, finish_reason=finish)
            message = self.store.message(answer.id)
        except AppError as err:
            # The disk is full (or the history refuses writes): the answer is settled on screen all the
            # same, kept in memory, and written by ``save_unsaved`` once the store takes it again.
            log.warning("answer %s could not be saved yet: %s", answer.id, err)
            self._unsaved.append(_Unsaved(running.recorder, status, stats))
            recorder = running.recorder
            message = replace(
                answer, content=recorder.text, status=status, reasoning=recorder.reasoning or None, finish_reason=finish
            )
            if error is None and not recorder.failing:  # said once while it streamed is enough
                error = err
        except LookupError:
            log.info("answer %s was deleted while it streamed", answer.id)
        if running.figures is not None and message is not None and message.content:
            self._keep_figures(answer.id, running.figures, message.content)
        return TurnOutcome(
            running.turn.conversation_id,
            answer.id,
            status,
            running.recorder.text,
            message,
            stats,
            error,
            running.recorder.reasoning,
            finish,
        )


_FINISH: dict[str, FinishReason] = {
    "stop": "done", "length": "length", "stopped": "stopped", "context_full": "context_full",
}  # fmt: skip
_FINISH_BY_STATUS: dict[MessageStatus, FinishReason] = {
    "complete": "done", "stopped": "stopped", "failed": "failed", "interrupted": "interrupted", "streaming": "failed",
}  # fmt: skip
