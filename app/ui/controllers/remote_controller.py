"""The window's side of remote servers: fetching their models in the background, and each server's state.

``refresh`` asks every configured server for its models (``GET /v1/models``), one ``BackgroundOp``
each on the window's executor; the answers go into the model registry, whose listeners (the
pickers, the Models page) follow. A server that cannot be reached keeps no models and its reason
is kept for Settings → Remote servers. Nothing is fetched while no server is configured.
"""

from __future__ import annotations

import logging

from PySide6 import QtCore

from app.core.engine.remote.servers import RemoteServer, RemoteServers
from app.core.errors import AppError
from app.core.models.registry import ModelRegistry
from app.ui.common.background import BackgroundExecutor, BackgroundOp

log = logging.getLogger("app.ui.remote")


class RemoteModelsController(QtCore.QObject):
    """GUI thread only."""

    server_checked = QtCore.Signal(str)  # a server id whose models (or error) just arrived

    def __init__(
        self,
        servers: RemoteServers,
        registry: ModelRegistry,
        executor: BackgroundExecutor,
        parent: QtCore.QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.servers = servers
        self._registry = registry
        self._executor = executor
        self._errors: dict[str, AppError] = {}
        self._counts: dict[str, int] = {}
        self._fetching: dict[str, BackgroundOp[list[str]]] = {}
        servers.add_listener(self._on_servers_changed)

    def refresh(self) -> None:
        """Fetches every server's models again, in the background."""
        for server in self.servers.servers():
            self.refresh_server(server)

    def refresh_server(self, server: RemoteServer) -> None:
        if server.id in self._fetching:
            return
        fetch = BackgroundOp(run=lambda: self.servers.fetch_models(server))
        fetch.on_success(lambda ids: self._on_fetched((server.id, ids, None)))
        fetch.on_failure(lambda err: self._on_fetched((server.id, [], err)))
        fetch.on_end(lambda: self._fetch_ended(server.id, fetch))  # after a bug too: the server can be asked again
        self._fetching[server.id] = fetch.start(self._executor)

    def state(self, server_id: str) -> tuple[bool, int, AppError | None]:
        """Whether the server is being asked now, how many models it offered, and why it could not be used."""
        return server_id in self._fetching, self._counts.get(server_id, 0), self._errors.get(server_id)

    def shutdown(self) -> None:
        """Drops the answers still on their way."""
        for fetch in list(self._fetching.values()):
            fetch.cancel()
        self._fetching.clear()

    def _on_fetched(self, result: tuple[str, list[str], AppError | None]) -> None:
        server_id, ids, error = result
        self._fetching.pop(server_id, None)
        if self.servers.get(server_id) is None:
            return  # removed meanwhile
        if error is not None:
            log.warning("remote server %s: %s", server_id, error)
            self._errors[server_id] = error
        else:
            self._errors.pop(server_id, None)
        self._counts[server_id] = len(ids)
        self._registry.set_remote_models(server_id, ids)
        self.server_checked.emit(server_id)

    def _fetch_ended(self, server_id: str, fetch: BackgroundOp[list[str]]) -> None:
        if self._fetching.get(server_id) is fetch:
            del self._fetching[server_id]

    def _on_servers_changed(self) -> None:
        self._registry.servers_changed()
        self.refresh()
