"""The turn runner: one chat turn from the user's message to the settled answer, for every front end.

``start`` commits the user's message and an empty answer marked ``streaming`` (``chat.begin_turn``),
builds the request from the conversation's model, its system prompt and the sampling settings, and
hands it to the engine service. The front end then passes each engine event of its client to
``handle``, on the thread it owns, and shows the ``TurnUpdate`` it gets back. Every rule for how a
turn ends lives here once, so the window and the command line always store the same thing:

- complete: the engine finished; the stored text is the engine's whole answer.
- stopped: the user stopped it; the stored text is what the user saw when they pressed Stop. When the
  engine did not answer the stop and was ended (``engine_hung``), the turn is stopped all the same and
  ``EngineHungError`` says what happened.
- failed: the engine could not generate (a template refused, the context overflowed, a bug in the
  engine) or the model did not load. The user's message stays; the empty or partial answer is kept,
  marked failed, so the conversation shows that it got no answer, and the error says why.
- interrupted: the engine process died in the middle of it, or a remote server's stream was cut.

An answer from a remote server records the server (``Message.server``), and its failures are told
as the server's (``RemoteServerError``, ``RemoteStreamCutError``) rather than the model file's.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from app.core import chat
from app.core.catalog import ModelEntry
from app.core.engine.protocol import (
    EngineCrashed,
    EngineEvent,
    GenerationFailed,
    GenerationFinished,
    GenerationStats,
    ModelLoadFailed,
    SamplingSettings,
    TokensReceived,
)
from app.core.errors import (
    AppError,
    EngineCrashedError,
    EngineHungError,
    GenerationError,
    ModelLoadError,
    ModelNotFoundError,
    RemoteServerError,
    RemoteStreamCutError,
)
from app.core.registry import ModelRegistry
from app.core.session.service import EngineClient
from app.core.settings import SettingsStore
from app.core.store import Message, MessageStatus, Store

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

    recorder: chat.AnswerRecorder
    status: MessageStatus
    stats: GenerationStats | None


@dataclass
class _Running:
    turn: chat.Turn
    recorder: chat.AnswerRecorder
    stop_requested: bool = False

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
    ) -> None:
        self.store = store
        self._client = client
        self._settings = settings
        self._registry = registry
        self._clock = clock
        self._running: _Running | None = None
        self._unsaved: list[_Unsaved] = []

    # -- state -----------------------------------------------------------------------------------

    @property
    def turn(self) -> chat.Turn | None:
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
        model: ModelEntry | None = None,
        sampling: SamplingSettings | None = None,
    ) -> chat.Turn:
        """Commits the user's message and an empty answer, then asks the engine for the answer.

        ``model`` overrides the conversation's own; ``sampling`` the settings'. Raises ``AppError``
        (nothing is stored then) when no model can be found or the history cannot be written.
        """
        if self._running is not None:
            raise RuntimeError("a turn is already running")
        settings = self._settings.current
        conversation = self.store.conversation(conversation_id)
        entry = model or self._registry.model_for(conversation)
        if entry is None:
            raise ModelNotFoundError(name=conversation.model_name or "")
        server = self._registry.server_of(entry)
        turn = chat.begin_turn(
            self.store,
            conversation_id,
            text,
            model=self._registry.spec_for(entry),
            system_prompt=settings.system_prompt,
            sampling=sampling or settings.sampling,
            server=server.label if server is not None else None,
        )
        if conversation.model_name is None:
            # From its first answer on, a conversation keeps its model when the default changes.
            self.store.set_conversation_model(conversation_id, entry.name)
        self._running = _Running(turn, chat.AnswerRecorder(self.store, turn.answer.id, clock=self._clock))
        try:
            self._client.generate(turn.request)
        except BaseException:
            # Not an expected error: it takes the crash path, with the answer settled first.
            self._settle("failed")
            raise
        return turn

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
            return TurnUpdate(text=event.text, reasoning=event.reasoning, error=error)
        if isinstance(event, GenerationFinished) and event.engine_hung:
            # The engine never said what it had written: the answer is what the user saw.
            return TurnUpdate(outcome=self._settle("stopped", error=EngineHungError()))
        if isinstance(event, GenerationFinished):
            stopped = running.stop_requested or event.reason == "stopped"
            # After Stop the answer is what the user saw when they pressed it; otherwise the engine's full text.
            text = None if running.stop_requested else event.text
            reasoning = None if running.stop_requested else event.reasoning
            status: MessageStatus = "stopped" if stopped else "complete"
            return TurnUpdate(outcome=self._settle(status, event.stats, text, reasoning=reasoning))
        remote = running.turn.request.model.server != ""
        host = urlsplit(running.turn.request.model.path).netloc if remote else ""
        if isinstance(event, GenerationFailed):
            text = event.text if event.text and not running.stop_requested else None
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

    def _settle(
        self,
        status: MessageStatus,
        stats: GenerationStats | None = None,
        text: str | None = None,
        error: AppError | None = None,
        reasoning: str | None = None,
    ) -> TurnOutcome:
        running = self._running
        assert running is not None
        self._running = None
        answer = running.turn.answer
        message: Message | None = None
        try:
            running.recorder.finish(status, stats, text=text, reasoning=reasoning)
            message = self.store.message(answer.id)
        except AppError as err:
            # The disk is full (or the history refuses writes): the answer is settled on screen all the
            # same, kept in memory, and written by ``save_unsaved`` once the store takes it again.
            log.warning("answer %s could not be saved yet: %s", answer.id, err)
            self._unsaved.append(_Unsaved(running.recorder, status, stats))
            recorder = running.recorder
            message = replace(answer, content=recorder.text, status=status, reasoning=recorder.reasoning or None)
            if error is None and not recorder.failing:  # said once while it streamed is enough
                error = err
        except LookupError:
            log.info("answer %s was deleted while it streamed", answer.id)
        return TurnOutcome(
            running.turn.conversation_id,
            answer.id,
            status,
            running.recorder.text,
            message,
            stats,
            error,
            running.recorder.reasoning,
        )
