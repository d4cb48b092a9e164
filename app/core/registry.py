"""The model registry: the one owner of the list of installed models while the app runs.

It scans the models folder (through ``catalog``) once and keeps the list until something changes
it: a download that finished, an import, a removal, or settings that name other imported files.
Whoever shows models (the Models page, the pickers, the welcome list) asks it and listens to it
instead of rescanning the folder. It also holds the rules that pick a conversation's model and
the load settings a model gets.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from app.core import catalog, gguf, library
from app.core.catalog import ModelEntry
from app.core.engine.protocol import ModelSpec
from app.core.errors import ModelNotFoundError
from app.core.model_settings import ModelSettingsStore
from app.core.settings import Settings, SettingsStore
from app.core.store import Conversation

log = logging.getLogger("app.models")

RegistryListener = Callable[[], None]


class ModelRegistry:
    """The installed models. Use it from one thread (the GUI thread in the window)."""

    def __init__(self, settings: SettingsStore, model_settings: ModelSettingsStore | None = None) -> None:
        self._settings = settings
        self.model_settings = model_settings if model_settings is not None else ModelSettingsStore()
        self._models: list[ModelEntry] | None = None
        self._imported = settings.current.imported_models
        self._listeners: list[RegistryListener] = []
        settings.add_listener(self._on_settings_changed)

    # -- the list --------------------------------------------------------------------------------

    def models(self) -> list[ModelEntry]:
        """The installed models: the starter first, then the models folder, then files used where they lie."""
        if self._models is None:
            self._models = catalog.installed_models(self._settings.current.imported_models)
        return list(self._models)

    def refresh(self) -> None:
        """Scans again (a download finished, a file appeared or went); tells listeners when the list changed."""
        before = self._models
        self._models = catalog.installed_models(self._settings.current.imported_models)
        if before != self._models:
            for listener in list(self._listeners):
                listener()

    def add_listener(self, listener: RegistryListener) -> None:
        self._listeners.append(listener)

    def entry_for_path(self, path: Path) -> ModelEntry | None:
        resolved = path.resolve()
        return next((entry for entry in self.models() if entry.path.resolve() == resolved), None)

    # -- choosing --------------------------------------------------------------------------------

    def default_model(self, settings: Settings | None = None) -> ModelEntry | None:
        """The model a new conversation uses (with ``settings``, or the current ones): their choice when
        installed, else the first."""
        preferred = (settings or self._settings.current).model_name
        return catalog.default_model(preferred, models=self.models())

    def model_for(self, conversation: Conversation | None) -> ModelEntry | None:
        """The conversation's own model when it is installed, else the default."""
        if conversation is not None and conversation.model_name:
            for entry in self.models():
                if conversation.model_name in (entry.name, str(entry.path)):
                    return entry
        return self.default_model()

    def resolve(self, name_or_path: str) -> ModelEntry:
        """An installed model by name (or file stem), or ``name_or_path`` as a file; ``ModelNotFoundError``."""
        return catalog.resolve_model(name_or_path, models=self.models())

    def spec_for(self, entry: ModelEntry, settings: Settings | None = None) -> ModelSpec:
        """How ``entry`` is loaded: the global settings, with the model's own (model_settings) over them."""
        values = settings or self._settings.current
        spec = ModelSpec(path=str(entry.path), name=entry.name, n_ctx=values.n_ctx, n_gpu_layers=values.n_gpu_layers)
        return self.model_settings.get(str(entry.path)).apply(spec)

    # -- changing --------------------------------------------------------------------------------

    def import_in_place(self, path: Path) -> ModelEntry:
        """Adds a .gguf file, used where it lies; ``NotAGgufError`` when it is not a usable GGUF."""
        info = gguf.read_gguf(path)
        return self.add_import(library.ImportResult(info, path, copied=False, imported_setting=str(path.resolve())))

    def add_import(self, result: library.ImportResult) -> ModelEntry:
        """Lists a model that ``library.import_model`` took in; returns its entry."""
        current = self._settings.current
        setting = result.imported_setting
        if setting is not None and setting not in current.imported_models:
            self._settings.update(replace(current, imported_models=(*current.imported_models, setting)))
        self.refresh()
        entry = self.entry_for_path(result.model_path)
        if entry is None:
            raise ModelNotFoundError(name=str(result.model_path))  # the file went away meanwhile
        return entry

    def remove(self, entry: ModelEntry) -> None:
        """Deletes a model in the models folder, or forgets a file used where it lies.

        The caller makes sure the engine no longer holds the file (``ModelUnloaded``).
        """
        current = self._settings.current
        imported = library.remove_model(entry, current.imported_models)
        new = replace(current, imported_models=imported)
        if new.model_name in (entry.name, str(entry.path)):
            new = replace(new, model_name=None)
        self._settings.update(new)
        self.refresh()

    def _on_settings_changed(self, settings: Settings) -> None:
        if settings.imported_models != self._imported:
            self._imported = settings.imported_models
            self.refresh()
