"""The model registry: the one owner of the list of models while the app runs.

It scans the models folder (``installed``) once and keeps the list until a download, an import, a
removal or the settings change it; the remote servers' models are listed beside it. The rule: whoever
shows models asks and listens to it instead of rescanning, and the default model is always an
installed one. It also picks a conversation's model and the load settings a model gets, its draft
model for speculative decoding included (``drafts``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from app.core.config.model_settings import ModelSettingsStore
from app.core.config.settings import Settings, SettingsStore
from app.core.engine.protocol import ModelSpec
from app.core.engine.remote.servers import RemoteServer, RemoteServers
from app.core.errors import ModelNotFoundError
from app.core.history.types import Conversation
from app.core.models import drafts, gguf, library, recommended
from app.core.models import installed as catalog
from app.core.models.installed import ModelEntry

log = logging.getLogger("app.models")

RegistryListener = Callable[[], None]
REMOTE_SEPARATOR = " @ "  # a remote model's name: "<model id> @ <server name>"


def remote_entry(server: RemoteServer, model_id: str) -> ModelEntry:
    """The registry's entry for ``model_id`` on ``server``."""
    return ModelEntry(
        name=f"{model_id}{REMOTE_SEPARATOR}{server.name}",
        path=Path("remote", server.id, model_id),
        source="remote",
        size_bytes=0,
        server_id=server.id,
        server_host=server.host,
    )


class ModelRegistry:
    """The installed models. Use it from one thread (the GUI thread in the window)."""

    def __init__(
        self,
        settings: SettingsStore,
        servers: RemoteServers | None = None,
        model_settings: ModelSettingsStore | None = None,
    ) -> None:
        self._settings = settings
        self.servers = servers
        self._remote_ids: dict[str, list[str]] = {}  # server id -> its model ids, as last fetched
        self.model_settings = model_settings if model_settings is not None else ModelSettingsStore()
        self._models: list[ModelEntry] | None = None
        self._catalog: list[recommended.RecommendedModel] | None = None
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
        return next((entry for entry in self.all_models() if entry.path.resolve() == resolved), None)

    # -- choosing --------------------------------------------------------------------------------

    def default_model(self, settings: Settings | None = None) -> ModelEntry | None:
        """The model a new conversation uses (with ``settings``, or the current ones): their choice when
        installed, else the first."""
        preferred = (settings or self._settings.current).model_name
        return catalog.default_model(preferred, models=self.models())

    def model_for(self, conversation: Conversation | None) -> ModelEntry | None:
        """The conversation's own model when it is installed (or on a configured server), else the default."""
        if conversation is not None and conversation.model_name:
            for entry in self.models():
                if conversation.model_name in (entry.name, str(entry.path)):
                    return entry
            remote = self.remote_entry(conversation.model_name)
            if remote is not None:
                return remote
        return self.default_model()

    # -- remote servers' models ------------------------------------------------------------------

    def remote_models(self) -> list[ModelEntry]:
        """The models of the configured remote servers, as last fetched (``set_remote_models``)."""
        if self.servers is None:
            return []
        return [
            remote_entry(server, model_id)
            for server in self.servers.servers()
            for model_id in self._remote_ids.get(server.id, [])
        ]

    def all_models(self) -> list[ModelEntry]:
        """The installed models, then the remote ones: what a conversation can use."""
        return [*self.models(), *self.remote_models()]

    def set_remote_models(self, server_id: str, model_ids: list[str]) -> None:
        """What ``server_id`` offers now (fetched by the caller); tells listeners when it changed."""
        if self._remote_ids.get(server_id) != model_ids:
            self._remote_ids[server_id] = list(model_ids)
            for listener in list(self._listeners):
                listener()

    def servers_changed(self) -> None:
        """The servers were edited: drops the lists of servers that are gone and tells listeners (names changed)."""
        known = {server.id for server in self.servers.servers()} if self.servers is not None else set()
        self._remote_ids = {key: value for key, value in self._remote_ids.items() if key in known}
        for listener in list(self._listeners):
            listener()

    def remote_entry(self, name: str) -> ModelEntry | None:
        """The remote model called ``name`` ("<model id> @ <server name>"), fetched or not; None if no such server."""
        if self.servers is None or REMOTE_SEPARATOR not in name:
            return None
        model_id, _, server_name = name.rpartition(REMOTE_SEPARATOR)
        server = next((s for s in self.servers.servers() if s.name == server_name), None)
        return remote_entry(server, model_id) if server is not None and model_id else None

    def server_of(self, entry: ModelEntry) -> RemoteServer | None:
        """The server of a remote model; None for a model on this computer."""
        return self.servers.get(entry.server_id) if self.servers is not None and entry.server_id else None

    def resolve(self, name_or_path: str) -> ModelEntry:
        """An installed model by name (or file stem), or ``name_or_path`` as a file; ``ModelNotFoundError``."""
        return catalog.resolve_model(name_or_path, models=self.models())

    def spec_for(self, entry: ModelEntry, settings: Settings | None = None) -> ModelSpec:
        """How ``entry`` is loaded: the global settings, with the model's own (model_settings) over them."""
        values = settings or self._settings.current
        server = self.server_of(entry)
        if server is not None:
            model_id = entry.name.rpartition(REMOTE_SEPARATOR)[0]
            return ModelSpec(path=server.base_url, name=model_id, n_ctx=values.n_ctx, server=server.id)
        spec = ModelSpec(path=str(entry.path), name=entry.name, n_ctx=values.n_ctx, n_gpu_layers=values.n_gpu_layers)
        own = self.model_settings.get(str(entry.path))
        if entry.source == "remote":
            return own.apply(spec)
        draft = drafts.resolve_draft(own.draft_model, entry, self.models(), self.catalog())
        # Speculative decoding is exact only with flash attention (ModelSpec.draft_path): on unless the model says.
        flash = own.flash_attn if own.flash_attn is not None else True
        return replace(own.apply(spec), draft_path=draft, flash_attn=flash)

    def catalog(self) -> list[recommended.RecommendedModel]:
        """The recommended models (read once): they name each one's draft."""
        if self._catalog is None:
            try:
                self._catalog = recommended.load_recommended(kind=None)
            except recommended.CatalogFileError as exc:
                log.warning("the catalog is unreadable (%s); drafts are chosen without it", exc)
                self._catalog = []
        return self._catalog

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
