"""The chat flow of the window, without widgets: send, stream, stop, and what the engine reports.

It sits on ``app.core.chat``: a turn is committed to the store before generation starts, the
streaming answer is checkpointed by ``AnswerRecorder``, and every way an answer can end (complete,
stopped, failed, interrupted by a crash, a model that will not load) settles its status in the
store and is told to the view through signals. Lives on the GUI thread.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6 import QtCore

from app.core import catalog, chat, gguf, gpu, library
from app.core import settings as settings_module
from app.core.catalog import ModelEntry
from app.core.engine.protocol import (
    EngineCrashed,
    GenerationFailed,
    GenerationFinished,
    ModelLoaded,
    ModelLoadFailed,
    ModelSpec,
    TokensReceived,
)
from app.core.errors import (
    AppError,
    EngineCrashedError,
    GenerationError,
    ModelBusyError,
    ModelLoadError,
    ModelNotFoundError,
    ModelSwitchError,
)
from app.core.settings import Settings
from app.core.store import Conversation, MessageStatus, Store
from app.ui.engine_bridge import EngineBridge

log = logging.getLogger("app.ui.chat")


@dataclass
class _ActiveTurn:
    turn: chat.Turn
    recorder: chat.AnswerRecorder
    stop_requested: bool = False

    @property
    def request_id(self) -> str:
        return self.turn.request.request_id


@dataclass(frozen=True)
class _Switch:
    """A model loading because the user chose it, and what to put back if it does not load."""

    spec: ModelSpec
    conversation_id: int | None
    previous_model: str | None  # the conversation's own model before the choice
    previous_default: str | None  # the settings' model before the choice


class ChatController(QtCore.QObject):
    """Runs one answer at a time for the window. Call it and receive its signals on the GUI thread."""

    turn_started = QtCore.Signal(object)  # chat.Turn: the user's message and the empty answer are saved
    answer_progressed = QtCore.Signal(int, str)  # answer message id, new text
    answer_finished = QtCore.Signal(object)  # the settled store.Message (complete, stopped, failed, interrupted)
    answer_discarded = QtCore.Signal(int, int)  # conversation id, answer message id: removed, nothing was written
    busy_changed = QtCore.Signal(bool)
    error_reported = QtCore.Signal(object)  # AppError
    notice_reported = QtCore.Signal(str)  # a translated sentence worth knowing, not an error
    model_loaded = QtCore.Signal(object)  # ModelLoaded
    conversations_changed = QtCore.Signal()  # a title or the order of the list changed
    settings_changed = QtCore.Signal(object)  # Settings
    model_load_started = QtCore.Signal(object)  # ModelSpec: a model is loading (a switch, or before an answer)
    model_switch_failed = QtCore.Signal(object)  # ModelLoadFailed: it did not load, and the old choice is back

    def __init__(
        self, store: Store, settings: Settings, engine: EngineBridge, parent: QtCore.QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.store = store
        self._settings = settings
        self._engine = engine
        self._active: _ActiveTurn | None = None
        self._switch: _Switch | None = None
        self.last_loaded: ModelLoaded | None = None  # what the engine said about the last model it loaded
        engine.tokens_received.connect(self._on_engine_tokens_received)
        engine.generation_finished.connect(self._on_engine_generation_finished)
        engine.generation_failed.connect(self._on_engine_generation_failed)
        engine.model_loaded.connect(self._on_engine_model_loaded)
        engine.model_load_failed.connect(self._on_engine_model_load_failed)
        engine.engine_crashed.connect(self._on_engine_engine_crashed)

    # -- settings and models --------------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        return self._settings

    def update_settings(self, new: Settings) -> None:
        """Saves ``new`` as the settings and tells everyone who shows them."""
        settings_module.save(new)
        self._settings = new
        self.settings_changed.emit(new)

    def installed_models(self) -> list[ModelEntry]:
        return catalog.installed_models(self._settings.imported_models)

    def model_for(self, conversation: Conversation | None) -> ModelEntry | None:
        """The conversation's own model when it is installed, else the settings' model, else the first one."""
        models = self.installed_models()
        if conversation is not None and conversation.model_name:
            for entry in models:
                if conversation.model_name in (entry.name, str(entry.path)):
                    return entry
        return catalog.default_model(self._settings.model_name, self._settings.imported_models)

    def choose_model(self, conversation_id: int | None, entry: ModelEntry) -> None:
        """Uses ``entry`` for the conversation and, from now on, for new conversations."""
        if conversation_id is not None:
            self.store.set_conversation_model(conversation_id, entry.name)
        if self._settings.model_name != entry.name:
            self.update_settings(replace(self._settings, model_name=entry.name))

    @property
    def loading_model(self) -> ModelSpec | None:
        """The model a switch is loading now, if any."""
        return self._switch.spec if self._switch is not None else None

    def switch_model(self, conversation_id: int | None, entry: ModelEntry) -> bool:
        """Uses ``entry`` for the conversation (and new ones) and starts loading it at once.

        Returns True when a load started (``model_load_started``; then ``model_loaded`` or
        ``model_switch_failed``). Nothing loads while an answer is written or another switch loads:
        the next message loads the model then. The conversation's messages are not touched.
        """
        previous_model = self.store.conversation(conversation_id).model_name if conversation_id is not None else None
        previous_default = self._settings.model_name
        self.choose_model(conversation_id, entry)
        spec = self.model_spec(entry)
        if self._active is not None or self._switch is not None or self._engine.loaded_model == spec:
            return False
        self._switch = _Switch(spec, conversation_id, previous_model, previous_default)
        self.model_load_started.emit(spec)
        self._engine.load(spec)
        return True

    def add_import(self, result: library.ImportResult) -> ModelEntry:
        """Lists a model that ``library.import_model`` took in; returns its entry."""
        setting = result.imported_setting
        if setting is not None and setting not in self._settings.imported_models:
            self.update_settings(replace(self._settings, imported_models=(*self._settings.imported_models, setting)))
        for entry in self.installed_models():
            if entry.path.resolve() == result.model_path.resolve():
                return entry
        raise ModelNotFoundError(name=str(result.model_path))  # the file went away meanwhile

    def remove_model(self, entry: ModelEntry) -> None:
        """Deletes a model in the models folder, or forgets a file used where it lies.

        A deleted model is unloaded from the engine first, so its disk space is really freed.
        """
        in_use = [self._active.turn.request.model] if self._active is not None else []
        in_use += [self._switch.spec] if self._switch is not None else []
        if any(Path(spec.path) == entry.path for spec in in_use):
            raise ModelBusyError(name=entry.name)
        loaded = self._engine.loaded_model
        if entry.source == "downloaded" and loaded is not None and Path(loaded.path) == entry.path:
            self._engine.unload()
        imported = library.remove_model(entry, self._settings.imported_models)
        new = replace(self._settings, imported_models=imported)
        if new.model_name in (entry.name, str(entry.path)):
            new = replace(new, model_name=None)
        if new != self._settings:
            self.update_settings(new)

    def import_model(self, path: Path) -> ModelEntry:
        """Adds a .gguf file, used where it lies, to the installed models.

        A file that is not a usable GGUF (not one at all, cut short, a part missing) is refused here
        with the reason (``NotAGgufError``); whether llama.cpp can run it shows when it loads.
        """
        gguf.read_gguf(path)
        raw = str(path.resolve())
        if raw not in self._settings.imported_models:
            self.update_settings(replace(self._settings, imported_models=(*self._settings.imported_models, raw)))
        for entry in self.installed_models():
            if entry.path.resolve() == path.resolve():
                return entry
        raise ModelNotFoundError(name=raw)  # the file went away meanwhile

    def model_spec(self, entry: ModelEntry) -> ModelSpec:
        return ModelSpec(
            path=str(entry.path),
            name=entry.name,
            n_ctx=self._settings.n_ctx,
            n_gpu_layers=self._settings.n_gpu_layers,
        )

    # -- the turn -------------------------------------------------------------------------------

    @property
    def is_busy(self) -> bool:
        return self._active is not None

    @property
    def active_conversation_id(self) -> int | None:
        return self._active.turn.conversation_id if self._active else None

    def live_answer(self) -> tuple[int, str] | None:
        """The streaming answer's message id and the text received so far, if one is running."""
        if self._active is None:
            return None
        return self._active.turn.answer.id, self._active.recorder.text

    def send(self, conversation_id: int, text: str) -> bool:
        """Starts an answer to ``text``; False when nothing was sent (empty text, or an answer is running)."""
        if self._active is not None or self._switch is not None or not text.strip():
            return False
        try:
            conversation = self.store.conversation(conversation_id)
            entry = self.model_for(conversation)
            if entry is None:
                raise ModelNotFoundError(name=conversation.model_name or "")
            turn = chat.begin_turn(
                self.store,
                conversation_id,
                text,
                model=self.model_spec(entry),
                system_prompt=self._settings.system_prompt,
                sampling=self._settings.sampling,
            )
            if conversation.model_name is None:
                # From its first answer on, a conversation keeps its model when the default changes.
                self.store.set_conversation_model(conversation_id, entry.name)
        except AppError as err:
            self.error_reported.emit(err)
            return False
        self._active = _ActiveTurn(turn, chat.AnswerRecorder(self.store, turn.answer.id))
        self.turn_started.emit(turn)
        self.conversations_changed.emit()
        self.busy_changed.emit(True)
        if self._engine.loaded_model != turn.request.model:
            # The engine loads the model first: a big one takes a while, so the window says so.
            self.model_load_started.emit(turn.request.model)
        try:
            self._engine.generate(turn.request)
        except BaseException:
            # Not an expected error: it takes the crash path, but the answer is settled first.
            self._settle("failed")
            raise
        return True

    def stop(self) -> None:
        """Stops the running answer at once: no more text is shown or saved for it."""
        if self._active is None or self._active.stop_requested:
            return
        self._active.stop_requested = True
        self._engine.request_stop()

    def shutdown(self) -> None:
        """Settles a running answer as stopped; call before the engine goes away."""
        if self._active is not None:
            self.stop()
            self._settle("stopped")

    def _settle(self, status: MessageStatus, finished: GenerationFinished | None = None) -> None:
        active = self._active
        assert active is not None
        self._active = None
        # After Stop the answer is what the user saw when they pressed it; otherwise the engine's full text.
        text = finished.text if finished is not None and not active.stop_requested else None
        try:
            active.recorder.finish(status, finished.stats if finished else None, text=text)
            message = self.store.message(active.turn.answer.id)
        except AppError as err:
            self.error_reported.emit(err)
        except LookupError:
            log.info("answer %s was deleted while it streamed", active.turn.answer.id)
        else:
            self.answer_finished.emit(message)
        self.busy_changed.emit(False)

    def _is_active(self, request_id: str | None) -> bool:
        return self._active is not None and request_id == self._active.request_id

    # -- engine events --------------------------------------------------------------------------

    @QtCore.Slot(object)
    def _on_engine_tokens_received(self, event: TokensReceived) -> None:
        if self._active is None or not self._is_active(event.request_id) or self._active.stop_requested:
            return
        try:
            self._active.recorder.append(event.text)
        except AppError as err:
            self.error_reported.emit(err)
        self.answer_progressed.emit(self._active.turn.answer.id, event.text)

    @QtCore.Slot(object)
    def _on_engine_generation_finished(self, event: GenerationFinished) -> None:
        if self._active is None or not self._is_active(event.request_id):
            return
        stopped = self._active.stop_requested or event.reason == "stopped"
        self._settle("stopped" if stopped else "complete", event)

    @QtCore.Slot(object)
    def _on_engine_generation_failed(self, event: GenerationFailed) -> None:
        if self._active is None or not self._is_active(event.request_id):
            return
        if event.text and not self._active.stop_requested:
            self._active.recorder.text = event.text
        self._settle("failed")
        self.error_reported.emit(GenerationError(reason=event.reason))

    @QtCore.Slot(object)
    def _on_engine_engine_crashed(self, event: EngineCrashed) -> None:
        if self._active is None:
            log.warning("the engine stopped while idle: %s", event.reason)
            return
        self._settle("interrupted")
        self.error_reported.emit(EngineCrashedError(reason=event.reason))

    @QtCore.Slot(object)
    def _on_engine_model_loaded(self, event: ModelLoaded) -> None:
        self.last_loaded = event
        if self._switch is not None and event.model == self._switch.spec:
            self._switch = None
        self.model_loaded.emit(event)
        backends = gpu.installed_backends()
        if backends and not event.gpu_offload and self._settings.n_gpu_layers != 0:
            self.notice_reported.emit(
                self.tr(
                    "This Parley can use a GPU ({backends}), but no usable GPU was found, so {model} runs on the "
                    "CPU. Answers will be slower."
                ).format(backends=", ".join(sorted(backends)).upper(), model=event.model.name)
            )
        if event.template_fallback:
            self.notice_reported.emit(
                self.tr("{model} has no chat template of its own, so Parley uses the ChatML format for it.").format(
                    model=event.model.name
                )
            )

    @QtCore.Slot(object)
    def _on_engine_model_load_failed(self, event: ModelLoadFailed) -> None:
        switch = self._switch
        if switch is not None and event.model == switch.spec:
            self._switch = None
            self._undo_switch(switch, event)
            return
        active = self._active
        if active is not None and (event.request_id is None or self._is_active(event.request_id)):
            # The answer never started: it is removed; the user's message stays.
            self._active = None
            try:
                self.store.delete_message(active.turn.answer.id)
            except AppError as err:
                self.error_reported.emit(err)
            self.answer_discarded.emit(active.turn.conversation_id, active.turn.answer.id)
            self.busy_changed.emit(False)
        self.error_reported.emit(ModelLoadError(path=event.model.path, reason=event.reason))

    def _undo_switch(self, switch: _Switch, event: ModelLoadFailed) -> None:
        """Puts back the conversation's model and the default the failed switch replaced, and says why."""
        try:
            if switch.conversation_id is not None:
                self.store.set_conversation_model(switch.conversation_id, switch.previous_model)
            if self._settings.model_name == switch.spec.name and switch.previous_default != switch.spec.name:
                self.update_settings(replace(self._settings, model_name=switch.previous_default))
            conversation = (
                self.store.conversation(switch.conversation_id) if switch.conversation_id is not None else None
            )
        except AppError as err:
            self.error_reported.emit(err)
            conversation = None
        back = self.model_for(conversation)
        previous = back.name if back is not None else event.still_loaded.name if event.still_loaded else None
        self.model_switch_failed.emit(event)
        if previous is None:
            self.error_reported.emit(ModelLoadError(path=event.model.path, reason=event.reason))
        else:
            self.error_reported.emit(ModelSwitchError(name=event.model.name, reason=event.reason, previous=previous))
