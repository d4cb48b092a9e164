"""The window's models controller: which model a conversation uses, switching, importing and removing.

It depends on the model registry, the settings and the engine service (through a client of its
own), never on widgets: it says what happens through signals, and the main window wires them to
the header's loading indicator, the status line, the banner and the pickers.

Switching loads the new model at once (the engine unloads the old one first, so its memory is
really freed) while the header shows "Loading <model>…" and Send waits. The conversation's messages
are never touched; the engine renders them with the new model's own chat template on the next send.
A model file that fails to load leaves the previous one in use, and the banner says why. A remote
model that cannot be loaded (a refused key, nothing listening, no answer) stays the conversation's
model: Parley never changes models for the user; ``switch_offered`` lets the banner offer the one
used before. Removing a
model that the engine holds waits until the engine says it closed the file, then deletes it.

A file the user just opened (``use_new_file``) is used by the open conversation at once, but
becomes the default for new conversations only once it has loaded: a file that cannot load must
not break every later conversation. The folder watcher also watches the files used where they
lie, so a model whose file goes away leaves the lists without a restart.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from PySide6 import QtCore

from app.core import paths
from app.core.config.model_settings import ModelSettings
from app.core.config.settings import Settings, SettingsStore
from app.core.engine import gpu_plan
from app.core.engine.protocol import EngineEvent, ModelLoaded, ModelLoadFailed, ModelSpec, ModelUnloaded
from app.core.errors import AppError, ModelBusyError, ModelLoadError, ModelSwitchError, RemoteModelUnavailableError
from app.core.history.store import Store
from app.core.models import gpu, library
from app.core.models.installed import ModelEntry
from app.core.models.registry import ModelRegistry
from app.core.session.service import EngineService
from app.ui.common.gpu_text import offload_sentence
from app.ui.common.i18n import model_label
from app.ui.common.relay import GuiRelay


@dataclass(frozen=True)
class _Switch:
    """A model loading because the user chose it, and what to put back if it does not load."""

    spec: ModelSpec
    conversation_id: int | None
    previous_model: str | None  # the conversation's own model before the choice
    previous_default: str | None  # the settings' model before the choice


class ModelsController(QtCore.QObject):
    """GUI thread only."""

    loading_changed = QtCore.Signal(object)  # ModelSpec being loaded, or None when nothing loads
    status_changed = QtCore.Signal(str)  # a sentence for the status line
    error_reported = QtCore.Signal(object)  # AppError
    notice_reported = QtCore.Signal(str)  # a translated sentence worth knowing, not an error
    model_loaded = QtCore.Signal(object)  # ModelLoaded
    model_switch_failed = QtCore.Signal(object)  # ModelLoadFailed: it did not load, and the old choice is back
    # (AppError, ModelEntry): a remote model did not load and stays chosen; the banner may offer the entry instead
    switch_offered = QtCore.Signal(object, object)
    models_changed = QtCore.Signal()  # the installed models changed (download, import, removal)
    settings_changed = QtCore.Signal(object)  # Settings
    model_removed = QtCore.Signal(object)  # the ModelEntry deleted or forgotten

    def __init__(
        self,
        store: Store,
        settings: SettingsStore,
        registry: ModelRegistry,
        session: EngineService,
        parent: QtCore.QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.settings = settings
        self.registry = registry
        self._relay = GuiRelay(self)
        self._client = session.connect(self._relay.sink(self._on_client_event), "models")
        self._switch: _Switch | None = None
        self._loading: ModelSpec | None = None  # a load on the way to an answer
        self._removing: ModelEntry | None = None
        self._answering: ModelSpec | None = None  # the model writing an answer now
        self._pending_default: ModelEntry | None = None  # a new file: the default once it has loaded
        self.last_loaded: ModelLoaded | None = None  # what the engine said about the last model it loaded
        registry.add_listener(self.models_changed.emit)
        settings.add_listener(self.settings_changed.emit)
        # A model copied into the models folder by hand shows up without a restart.
        self._watcher = QtCore.QFileSystemWatcher(self)
        models_dir = paths.models_dir()
        if models_dir.is_dir():
            self._watcher.addPath(str(models_dir))
        self._watcher.directoryChanged.connect(self._on_watcher_directory_changed)
        self._watcher.fileChanged.connect(self._on_watcher_file_changed)
        self._watch_imported(settings.current)
        settings.add_listener(self._watch_imported)

    # -- state -----------------------------------------------------------------------------------

    @property
    def loading_model(self) -> ModelSpec | None:
        """The model a switch is loading now, if any."""
        return self._switch.spec if self._switch is not None else None

    @property
    def loaded_model(self) -> ModelSpec | None:
        return self._client.loaded_model

    def can_switch_thinking(self, entry: ModelEntry | None) -> bool:
        """Whether ``entry``'s chat template reads a thinking switch (known once it has loaded)."""
        last = self.last_loaded
        return (
            entry is not None
            and last is not None
            and last.model.path == str(entry.path)
            and any(option in last.template_options for option in ("enable_thinking", "reasoning_effort"))
        )

    @property
    def pending_default(self) -> ModelEntry | None:
        """A file just opened that becomes the default once it has loaded."""
        return self._pending_default

    def set_answering(self, spec: ModelSpec | None) -> None:
        """The chat started an answer with ``spec``, or (None) ended it. Meanwhile no switch loads."""
        self._answering = spec
        if spec is None and self._loading is not None:
            self._loading = None
            self._set_loading()

    def load_started_for_answer(self, spec: ModelSpec) -> None:
        """An answer makes the engine load ``spec`` first: a big one takes a while, so the window says so."""
        self._loading = spec
        self._set_loading()

    def update_settings(self, new: Settings) -> None:
        """Saves ``new`` as the settings; a disk that refuses is said in the banner."""
        try:
            self.settings.update(new)
        except AppError as err:
            self.error_reported.emit(err)

    # -- choosing and switching ------------------------------------------------------------------

    def choose_model(self, conversation_id: int | None, entry: ModelEntry) -> None:
        """Uses ``entry`` for the conversation and, from now on, for new conversations."""
        self._pending_default = None  # the user chose; a file opened earlier no longer waits to be the default
        if conversation_id is not None:
            self.store.set_conversation_model(conversation_id, entry.name)
        current = self.settings.current
        if current.model_name != entry.name:
            self.settings.update(replace(current, model_name=entry.name))

    def switch_model(self, conversation_id: int | None, entry: ModelEntry, *, make_default: bool = True) -> bool:
        """Uses ``entry`` for the conversation (and, with ``make_default``, new ones) and starts loading it at once.

        The chat header's picker passes ``make_default=False``: choosing a model for one chat never
        changes the default, which only Settings and the Models page do.

        Returns True when a load started (``loading_changed``; then ``model_loaded`` or
        ``model_switch_failed``). Nothing loads while an answer is written or another switch loads:
        the next message loads the model then. The conversation's messages are not touched.
        """
        return self._switch_to(conversation_id, entry, default_now=make_default, pending=make_default)

    def use_new_file(self, conversation_id: int | None, entry: ModelEntry) -> bool:
        """Like ``switch_model`` for a file just opened, except that it becomes the default for new
        conversations only once it has loaded (here or on the way to an answer). If it fails to
        load, the conversation goes back to its previous model and the default never changed."""
        return self._switch_to(conversation_id, entry, default_now=False, pending=True)

    def _switch_to(self, conversation_id: int | None, entry: ModelEntry, *, default_now: bool, pending: bool) -> bool:
        previous_model = self.store.conversation(conversation_id).model_name if conversation_id is not None else None
        previous_default = self.settings.current.model_name
        if default_now:
            self.choose_model(conversation_id, entry)
        else:
            if conversation_id is not None:
                self.store.set_conversation_model(conversation_id, entry.name)
            self._pending_default = entry if pending else None
        spec = self.registry.spec_for(entry)
        self.status_changed.emit(model_label(entry.name))
        if self._client.loaded_model == spec:
            self._adopt_default(spec)  # it has loaded before
            return False
        if self._answering is not None or self._switch is not None:
            return False
        self._switch = _Switch(spec, conversation_id, previous_model, previous_default)
        self._set_loading()
        self._client.load(spec)
        return True

    def apply_settings(self, new: Settings, conversation_id: int | None, *, switch_current: bool) -> None:
        """Saves ``new``; a new default model moves the open conversation too when ``switch_current``.

        Otherwise a conversation without a model of its own keeps the one it had.
        """
        old = self.settings.current
        try:
            conversation = self.store.conversation(conversation_id) if conversation_id is not None else None
            before = self.registry.model_for(conversation) if conversation is not None else None
            # A switch sets the default itself, so that a model that does not load leaves the old one.
            self.settings.update(replace(new, model_name=old.model_name) if switch_current else new)
            target = self.registry.default_model(new)
            if conversation is not None and switch_current and target is not None:
                self.switch_model(conversation.id, target)
            elif (
                conversation is not None
                and new.model_name != old.model_name
                and conversation.model_name is None
                and before is not None
            ):
                self.store.set_conversation_model(conversation.id, before.name)  # it keeps the model it had
        except AppError as err:
            self.error_reported.emit(err)

    # -- importing and removing ------------------------------------------------------------------

    def save_model_settings(self, entry: ModelEntry, values: ModelSettings) -> None:
        """Saves a model's own settings (``InvalidTemplateError``, ``StorageError``); they apply at its next load."""
        before = self.registry.spec_for(entry)
        self.registry.model_settings.set(str(entry.path), values)
        # New GPU layers alone reload nothing on a build that cannot offload: no reload to announce.
        last = self.last_loaded.offload if self.last_loaded is not None else None
        offloads = last.gpu_build if last is not None else bool(gpu.installed_backends())
        if not gpu_plan.same_load(before, self.registry.spec_for(entry), offloads):
            self.status_changed.emit(
                self.tr("{model}'s settings are saved: it reloads with them on the next message.").format(
                    model=model_label(entry.name)
                )
            )

    def import_in_place(self, path: Path) -> ModelEntry:
        """Adds a .gguf file, used where it lies; ``NotAGgufError`` when it is not a usable GGUF."""
        return self.registry.import_in_place(path)

    def add_import(self, result: library.ImportResult) -> ModelEntry:
        return self.registry.add_import(result)

    def remove_model(self, entry: ModelEntry) -> None:
        """Deletes a model in the models folder, or forgets a file used where it lies.

        A model the engine holds is unloaded first, and deleted only once the engine says its file
        is closed (``model_removed`` then). A model writing an answer or loading is refused.
        """
        in_use = [spec for spec in (self._answering, self.loading_model) if spec is not None]
        if any(Path(spec.path) == entry.path for spec in in_use) or self._removing is not None:
            raise ModelBusyError(name=entry.name)
        loaded = self._client.loaded_model
        if entry.source == "downloaded" and loaded is not None and Path(loaded.path) == entry.path:
            self._removing = entry
            self._client.unload()
            return
        self._remove_now(entry)

    def _remove_now(self, entry: ModelEntry) -> None:
        self.registry.remove(entry)
        self.model_removed.emit(entry)

    # -- engine events ---------------------------------------------------------------------------

    def _on_client_event(self, event: EngineEvent) -> None:
        if isinstance(event, ModelLoaded):
            self._on_model_loaded(event)
        elif isinstance(event, ModelLoadFailed):
            self._on_model_load_failed(event)
        elif isinstance(event, ModelUnloaded) and self._removing is not None:
            entry, self._removing = self._removing, None
            try:
                self._remove_now(entry)
            except AppError as err:
                self.error_reported.emit(err)

    def _adopt_default(self, spec: ModelSpec) -> None:
        """A file opened earlier has loaded: now it is the default for new conversations."""
        pending = self._pending_default
        if pending is None or Path(spec.path) != pending.path:
            return
        self._pending_default = None
        current = self.settings.current
        if current.model_name != pending.name:
            self.update_settings(replace(current, model_name=pending.name))

    def _on_model_loaded(self, event: ModelLoaded) -> None:
        self.last_loaded = event
        self._adopt_default(event.model)
        was_loading = self._switch is not None or self._loading is not None
        if self._switch is not None and event.model == self._switch.spec:
            self._switch = None
        if self._loading is not None and event.model == self._loading:
            self._loading = None
        self.model_loaded.emit(event)
        if was_loading and self._switch is None and self._loading is None:
            self._set_loading()
            processor = self.tr("GPU") if event.gpu_offload else self.tr("CPU")
            if event.offload is not None:
                processor = offload_sentence(event.offload)
            if self._answering is not None:
                self.status_changed.emit(f"{model_label(event.model.name)} · {processor}")
            else:
                self.status_changed.emit(
                    self.tr("{model} is loaded ({seconds} s) · {where}").format(
                        model=model_label(event.model.name), seconds=f"{event.load_seconds:.1f}", where=processor
                    )
                )
        backends = gpu.installed_backends()
        if backends and not event.gpu_offload and self.settings.current.n_gpu_layers != 0:
            self.notice_reported.emit(
                self.tr(
                    "This Parley can use a GPU ({backends}), but no usable GPU was found, so {model} runs on the "
                    "CPU. Answers will be slower."
                ).format(backends=", ".join(sorted(backends)).upper(), model=event.model.name)
            )
        if event.template_fallback and event.template_error:
            self.notice_reported.emit(
                self.tr(
                    "The chat template of {model} could not be used ({error}), so Parley uses the ChatML format "
                    "for it. Answers may be off; a model file with a fixed template helps."
                ).format(model=event.model.name, error=event.template_error)
            )
        elif event.template_fallback:
            self.notice_reported.emit(
                self.tr("{model} has no chat template of its own, so Parley uses the ChatML format for it.").format(
                    model=event.model.name
                )
            )

    def _on_model_load_failed(self, event: ModelLoadFailed) -> None:
        switch = self._switch
        if switch is None or event.model != switch.spec:
            return  # a load on the way to an answer: the chat settles that answer and says why
        self._switch = None
        if self._pending_default is not None and Path(event.model.path) == self._pending_default.path:
            self._pending_default = None
        self._set_loading()
        if event.model.server:
            self._keep_remote_choice(switch, event)
            return
        try:
            if switch.conversation_id is not None:
                self.store.set_conversation_model(switch.conversation_id, switch.previous_model)
            current = self.settings.current
            if current.model_name == switch.spec.name and switch.previous_default != switch.spec.name:
                self.settings.update(replace(current, model_name=switch.previous_default))
            conversation = (
                self.store.conversation(switch.conversation_id) if switch.conversation_id is not None else None
            )
        except AppError as err:
            self.error_reported.emit(err)
            conversation = None
        back = self.registry.model_for(conversation)
        previous = back.name if back is not None else event.still_loaded.name if event.still_loaded else None
        self.model_switch_failed.emit(event)
        self.status_changed.emit(model_label(back.name) if back is not None else "")
        if previous is None:
            self.error_reported.emit(ModelLoadError(path=event.model.path, reason=event.reason))
        else:
            self.error_reported.emit(
                ModelSwitchError(
                    name=model_label(event.model.name), reason=event.reason, previous=model_label(previous)
                )
            )

    def _keep_remote_choice(self, switch: _Switch, event: ModelLoadFailed) -> None:
        """A remote model did not load: it stays the conversation's; the model used before is offered."""
        conversation = None
        try:
            if switch.conversation_id is not None:
                conversation = self.store.conversation(switch.conversation_id)
        except AppError as err:
            self.error_reported.emit(err)
        chosen = self.registry.model_for(conversation)
        before = (
            self.registry.model_for(replace(conversation, model_name=switch.previous_model)) if conversation else None
        )
        offer = before if before is not None and (chosen is None or before.name != chosen.name) else None
        self.model_switch_failed.emit(event)
        self.status_changed.emit(event.model.name)
        self.switch_offered.emit(
            RemoteModelUnavailableError(name=chosen.name if chosen else event.model.name, reason=event.reason), offer
        )

    @QtCore.Slot(str)
    def _on_watcher_directory_changed(self, path: str) -> None:
        del path
        self.registry.refresh()

    @QtCore.Slot(str)
    def _on_watcher_file_changed(self, path: str) -> None:
        if not Path(path).exists():
            self.registry.refresh()  # a file used where it lies was moved or deleted

    def _watch_imported(self, settings: Settings) -> None:
        watched = set(self._watcher.files())
        wanted = {raw for raw in settings.imported_models if Path(raw).is_file()}
        if watched - wanted:
            self._watcher.removePaths(sorted(watched - wanted))
        if wanted - watched:
            self._watcher.addPaths(sorted(wanted - watched))

    def _set_loading(self) -> None:
        self.loading_changed.emit(self.loading_model or self._loading)

    def shutdown(self) -> None:
        self._relay.close()
        self._client.close()
