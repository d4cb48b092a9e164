"""The window's side of a chat turn: a Qt adapter over the session's turn runner.

Every rule for how a turn runs and ends is in ``app.core.session.turns``, shared with the command
line; this class only carries the engine's events of its client to the GUI thread (``GuiRelay``),
hands them to the runner, and tells the window what changed through signals. Looking inside an answer
goes through the same client: its stored figures when it has them, else the engine's, stored then. A
persona that looks inside every answer has it done after each answer, off the critical path
(``app.core.session.auto_inside``), and the answer is shown shaded when its figures arrive.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from PySide6 import QtCore

from app.core.config.settings import SettingsStore
from app.core.documents.embedder import Embedder
from app.core.documents.library import Library
from app.core.documents.types import Document
from app.core.engine.budget import estimated_count
from app.core.engine.protocol import AnswerInspected, EngineEvent, GenerationFailed, ModelLoadFailed, TokensCounted
from app.core.errors import AppError, DatabaseDamagedInUseError, LookInsideError
from app.core.history.look_inside import LookInside
from app.core.history.store import Store
from app.core.models.installed import ModelEntry
from app.core.models.registry import ModelRegistry
from app.core.personas.book import PersonaBook
from app.core.session.auto_inside import AutoInspector
from app.core.session.memory import MemoryKeeper
from app.core.session.records import Turn
from app.core.session.service import EngineService
from app.core.session.titles import AutoTitler
from app.core.session.turns import TurnOutcome, TurnRunner, TurnUpdate
from app.ui.common.relay import GuiRelay

log = logging.getLogger("app.ui.chat")

SAVE_RETRY_MS = 3000


class ChatController(QtCore.QObject):
    """Runs one answer at a time for the window. Call it and receive its signals on the GUI thread."""

    turn_started = QtCore.Signal(object)  # chat.Turn: the user's message and the empty answer are saved
    answer_progressed = QtCore.Signal(int, str)  # answer message id, new text
    reasoning_progressed = QtCore.Signal(int, str)  # answer message id, new reasoning (shown apart)
    answer_finished = QtCore.Signal(object)  # the settled store.Message (complete, stopped, failed, interrupted)
    busy_changed = QtCore.Signal(bool)
    error_reported = QtCore.Signal(object)  # AppError
    notice_reported = QtCore.Signal(str)  # a translated sentence worth knowing, not an error
    conversations_changed = QtCore.Signal()  # a title or the order of the list changed
    model_load_started = QtCore.Signal(object)  # ModelSpec: the engine loads it before it answers
    # TurnOutcome: the prompt did not fit and the turn was taken back; ``withdrawn`` is the user's text
    turn_withdrawn = QtCore.Signal(object)
    tokens_counted = QtCore.Signal(int, object)  # conversation id, TokensCounted (for the context meter)
    looked_inside = QtCore.Signal(int, object)  # an answer's id, its LookInside
    memory_updated = QtCore.Signal(int)  # an answer id: memories were saved, retired or forgotten after it

    def __init__(
        self,
        store: Store,
        settings: SettingsStore,
        registry: ModelRegistry,
        session: EngineService,
        parent: QtCore.QObject | None = None,
        *,
        personas: PersonaBook | None = None,
        library: Library | None = None,
        embedder: Callable[[], Embedder | None] = lambda: None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self._relay = GuiRelay(self)
        self._client = session.connect(self._relay.sink(self._on_client_event), "window")
        self._runner = TurnRunner(
            store, self._client, settings, registry, personas=personas, library=library, embedder=embedder
        )
        self.personas = self._runner.personas
        self._counting: dict[str, int] = {}  # count request id -> conversation id
        self._inspecting: dict[str, tuple[int, str]] = {}  # look-inside request id -> (answer id, model name)
        self._shut_down = False
        # Looking inside every answer of a persona that asks for it: a client of its own, asked before the titles
        # (the engine still holds the conversation), stepping aside whenever the user sends.
        self._inspector = AutoInspector(
            store, session.connect(self._relay.sink(self._on_inspector_event), "look inside"), self.personas,
            self._runner.inspect_request,
        )  # fmt: skip
        # Titles have a client of their own: they step aside whenever the user sends.
        self._titler = AutoTitler(store, session.connect(self._relay.sink(self._on_titles_event), "titles"))
        # Memories too (app.core.session.memory): asked after an answer, stepping aside when the user sends.
        self.memory = self._runner.memory
        self._keeper = MemoryKeeper(
            self.memory, store, session.connect(self._relay.sink(self._on_memory_event), "memory")
        )
        # An answer the disk refused is kept in memory and tried again this often.
        self._save_timer = QtCore.QTimer(self)
        self._save_timer.setInterval(SAVE_RETRY_MS)
        self._save_timer.timeout.connect(self._on_save_timer_timeout)

    @property
    def is_busy(self) -> bool:
        return self._runner.turn is not None

    @property
    def active_conversation_id(self) -> int | None:
        turn = self._runner.turn
        return turn.conversation_id if turn is not None else None

    def live_answer(self) -> tuple[int, str, str] | None:
        """The streaming answer's message id, its text and its reasoning so far, if one is running."""
        turn = self._runner.turn
        return (turn.answer.id, self._runner.live_text, self._runner.live_reasoning) if turn is not None else None

    def send(self, conversation_id: int, text: str, attachments: Sequence[Document] = ()) -> bool:
        """Starts an answer to ``text`` (with the read ``attachments``); False when nothing was sent
        (empty text, or an answer is running)."""
        if not text.strip():
            return False
        return self._begin(lambda: self._runner.start(conversation_id, text, attachments=attachments))

    def sends_documents_off_machine(self, conversation_id: int | None) -> bool:
        """Whether a turn with attachments in ``conversation_id`` would send passages to a remote server."""
        try:
            return self._runner.sends_documents_off_machine(conversation_id, attachments=True)
        except AppError as err:
            self._report_damage(err)
            return False

    def regenerate(self, answer_id: int, *, model: ModelEntry | None = None, persona_id: int | None = None) -> bool:
        """A new version of an answer (by ``model``, or the conversation's); the old one stays."""
        return self._begin(lambda: self._runner.regenerate(answer_id, model=model, persona_id=persona_id))

    def edit(self, message_id: int, text: str) -> bool:
        """A new version of the user's message with ``text``, and its answer; the old one stays."""
        if not text.strip():
            return False
        return self._begin(lambda: self._runner.edit(message_id, text))

    def continue_answer(self, answer_id: int) -> bool:
        """Goes on with a stopped answer."""
        return self._begin(lambda: self._runner.continue_answer(answer_id))

    def look_inside(self, answer_id: int) -> None:
        """``looked_inside`` answers with the answer's figures: the stored ones, or the engine's (then stored)."""
        try:
            stored = self.store.look_inside(answer_id)
            if stored is not None:
                self.looked_inside.emit(answer_id, stored)
                return
            request = self._runner.inspect_request(answer_id)
        except AppError as err:
            self.error_reported.emit(err)
            return
        self._inspecting[request.request_id] = (answer_id, request.model.name)
        self._client.inspect(request)

    def branch_from(self, answer_id: int, prefix: str, *, thinking: bool = False) -> bool:
        """A new version of the answer that starts with ``prefix`` (with ``thinking``: whose thinking starts with
        it) and goes on from there."""
        return self._begin(lambda: self._runner.branch_from(answer_id, prefix, thinking=thinking))

    def _on_inspected(self, event: AnswerInspected | GenerationFailed | ModelLoadFailed, answer_id: int,
                      model_name: str) -> None:  # fmt: skip
        if not isinstance(event, AnswerInspected):
            self.error_reported.emit(LookInsideError(reason=event.reason))
            return
        data = LookInside(event.tokens, model_name, event.thinking_tokens)
        try:
            self.store.save_look_inside(answer_id, data)
        except AppError as err:  # shown all the same; only keeping it failed
            self.error_reported.emit(err)
        self.looked_inside.emit(answer_id, data)

    def _begin(self, start: Callable[[], Turn]) -> bool:
        if self.is_busy:
            return False
        self._inspector.yield_to_user()
        self._titler.yield_to_user()
        self._keeper.yield_to_user()
        try:
            turn = start()
        except AppError as err:
            self.error_reported.emit(err)
            return False
        self.turn_started.emit(turn)
        self.conversations_changed.emit()
        self.busy_changed.emit(True)
        if self._client.loaded_model != turn.request.model:
            # The engine loads the model first: a big one takes a while, so the window says so.
            self.model_load_started.emit(turn.request.model)
        return True

    def stop(self) -> None:
        """Stops the running answer at once: no more text is shown or saved for it."""
        self._runner.stop()

    def prepare(self, conversation_id: int) -> None:
        """Lets the engine put back the conversation's saved state while the user reads it, so the next
        answer starts at once. Only when the engine is idle with the conversation's model loaded."""
        if self._shut_down or self._runner.turn is not None:
            return
        try:
            request = self._runner.prepare_request(conversation_id)
        except AppError as err:
            self._report_damage(err)
            log.info("nothing to prepare for conversation %s: %s", conversation_id, err)
            return
        if self._client.loaded_model == request.model:
            self._client.prepare(request)

    def count_tokens(self, conversation_id: int, draft: str = "") -> bool:
        """Counts the conversation's next prompt with ``draft``; ``tokens_counted`` answers. The engine
        counts while the conversation's model is loaded; otherwise (counting never loads a model) the
        answer is an estimate, about 4 characters a token. False when there is nothing to count with."""
        if self._shut_down:  # the window is closing (a debounced count may still come): the store may be closed
            return False
        try:
            request = self._runner.count_request(conversation_id, draft)
        except AppError as err:
            self._report_damage(err)
            log.info("no count for conversation %s: %s", conversation_id, err)
            return False
        if self._client.loaded_model != request.model:
            self.tokens_counted.emit(conversation_id, estimated_count(request))
            return True
        self._counting[request.request_id] = conversation_id
        self._client.count_tokens(request)
        return True

    def shutdown(self) -> None:
        """Settles a running answer as stopped and leaves the engine; call before the engine goes away."""
        self._shut_down = True
        outcome = self._runner.abandon()
        self._save_timer.stop()
        if self._runner.has_unsaved:
            try:
                self._runner.save_unsaved()
            except AppError as err:
                log.error("closing with an answer the disk would not take: %s", err)
        self._inspector.close()
        self._titler.close()
        self._keeper.close()
        self._relay.close()
        self._client.close()
        if outcome is not None and outcome.message is not None:
            self.answer_finished.emit(outcome.message)

    def _on_client_event(self, event: EngineEvent) -> None:
        inspecting = self._inspecting.get(getattr(event, "request_id", None) or "")
        if inspecting is not None and isinstance(event, AnswerInspected | GenerationFailed | ModelLoadFailed):
            self._inspecting.pop(event.request_id or "", None)
            self._on_inspected(event, *inspecting)
            return
        if isinstance(event, TokensCounted):
            conversation_id = self._counting.pop(event.request_id, None)
            if conversation_id is not None:
                self.tokens_counted.emit(conversation_id, event)
            return
        running = self._runner.turn  # the runner lets go of it as it ends
        update = self._runner.handle(event)
        if update is not None:
            self._show(update, running)

    def _show(self, update: TurnUpdate, running: Turn | None = None) -> None:
        # A settled turn has already left the runner: ``running`` is the turn the update belongs to.
        turn = self._runner.turn or running
        outcome = update.outcome
        streamed = None  # a remote server's figures of a look-inside persona's answer, shown once it is settled
        if outcome is not None and outcome.status in ("complete", "stopped") and running is not None:
            streamed = self._after_answer_inside(running, outcome)
        if update.outcome is not None and update.outcome.status == "complete" and turn is not None:
            try:
                self._titler.after_answer(turn.conversation_id, turn.request.model)
            except AppError as err:
                self._report_damage(err)
                log.warning("no title asked for: %s", err)
            self._after_answer_memory(turn)
        if update.reasoning and turn is not None:
            self.reasoning_progressed.emit(turn.answer.id, update.reasoning)
        if update.text and turn is not None:
            self.answer_progressed.emit(turn.answer.id, update.text)
        if update.error is not None:
            self.error_reported.emit(update.error)
        if outcome is None:
            return
        if outcome.message is not None:
            self.answer_finished.emit(outcome.message)
        if streamed is not None:
            self.looked_inside.emit(outcome.answer_id, streamed)
        self.busy_changed.emit(False)
        if outcome.withdrawn is not None:
            self._withdrawn(outcome)
        elif outcome.error is not None:
            self.error_reported.emit(outcome.error)
        if self._runner.has_unsaved and not self._save_timer.isActive():
            self._save_timer.start()

    def _report_damage(self, error: AppError) -> None:
        """Work nobody waits for logs its failure, but a damaged history still reaches the window's recovery."""
        if isinstance(error, DatabaseDamagedInUseError):
            self.error_reported.emit(error)

    def _withdrawn(self, outcome: TurnOutcome) -> None:
        """The prompt did not fit: the window gives the text back and says why (``turn_withdrawn``)."""
        self.conversations_changed.emit()  # the title may be new again
        self.turn_withdrawn.emit(outcome)

    def _after_answer_inside(self, turn: Turn, outcome: TurnOutcome) -> LookInside | None:
        """A look-inside persona's answer: a remote server's figures came with it (returned, to show at once), a
        local answer's are asked for off the critical path (``_on_inspector_event`` shows them)."""
        try:
            if not turn.request.model.server:
                self._inspector.after_answer(outcome.answer_id)
                return None
            stored = self.store.look_inside(outcome.answer_id)
            looks = self.personas.looks_inside(turn.answer.persona_id)
            return stored if stored is not None and stored.tokens and looks else None
        except AppError as err:
            self._report_damage(err)
            log.warning("not looked inside by itself: %s", err)
            return None

    def _on_inspector_event(self, event: EngineEvent) -> None:
        try:
            found = self._inspector.handle(event)
        except AppError as err:
            self._report_damage(err)
            log.warning("the figures looked inside could not be kept: %s", err)
            return
        if found is not None:
            self.looked_inside.emit(*found)

    def _on_titles_event(self, event: EngineEvent) -> None:
        try:
            changed = self._titler.handle(event)
        except AppError as err:
            self.error_reported.emit(err)
            return
        if changed is not None:
            self.conversations_changed.emit()

    def _after_answer_memory(self, turn: Turn) -> None:
        """A command the user gave ("remember that …") shows at once; extraction is asked off the critical path."""
        try:
            if self.memory.memories.of_answer(turn.answer.id, "saved") or self.memory.memories.of_answer(
                turn.answer.id, "forgotten"
            ):
                self.memory_updated.emit(turn.answer.id)
            self._keeper.after_answer(turn.answer.id, turn.request.model)
        except AppError as err:
            self._report_damage(err)
            log.warning("no memories asked for: %s", err)

    def _on_memory_event(self, event: EngineEvent) -> None:
        try:
            change = self._keeper.handle(event)
        except AppError as err:
            self.error_reported.emit(err)
            return
        if change is not None and change.answer_id is not None:
            self.memory_updated.emit(change.answer_id)

    @QtCore.Slot()
    def _on_save_timer_timeout(self) -> None:
        try:
            saved = self._runner.save_unsaved()
        except AppError as err:
            self._report_damage(err)
            return  # still refused: the banner already says why; try again later
        self._save_timer.stop()
        if saved:
            self.notice_reported.emit(self.tr("The answer that could not be saved is saved now."))
