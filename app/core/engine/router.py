"""The routing engine: one ``Engine`` in front of the local engine and one remote engine per server.

The engine service still owns exactly one engine and queues every client's requests on it; this
engine sends each request to the engine its model belongs to (``ModelSpec.server``: "" is this
computer). A conversation can therefore switch between a local and a remote model, and the window,
the command line and the API server all stay clients of the one queue.

A remote engine is made on first use of its server, with the server's key at that moment, and made
again when the key or address changes. ``loaded_model`` is the model of the engine used last.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from app.core.engine.protocol import (
    CountTokensRequest,
    Engine,
    EventSink,
    GenerationRequest,
    InspectRequest,
    ModelLoadFailed,
    ModelSpec,
)
from app.core.engine.remote.engine import RemoteEngine

# A server id's base URL and key, or None when it is not configured (any more).
ServerLookup = Callable[[str], "tuple[str, str] | None"]


class RoutingEngine:
    def __init__(
        self, on_event: EventSink, local_factory: Callable[[EventSink], Engine], servers: ServerLookup
    ) -> None:
        self._sink = on_event
        self._local = local_factory(on_event)
        self._servers = servers
        self._remote: dict[str, tuple[tuple[str, str], RemoteEngine]] = {}
        self._active: Engine = self._local
        self._lock = threading.Lock()

    @property
    def local(self) -> Engine:
        return self._local

    @property
    def loaded_model(self) -> ModelSpec | None:
        return self._active.loaded_model

    @property
    def pid(self) -> int | None:
        pid = getattr(self._local, "pid", None)
        return pid if isinstance(pid, int) else None

    def load(self, model: ModelSpec) -> None:
        engine = self._engine_for(model, None)
        if engine is not None:
            engine.load(model)

    def generate(self, request: GenerationRequest) -> None:
        engine = self._engine_for(request.model, request.request_id)
        if engine is not None:
            engine.generate(request)

    def count_tokens(self, request: CountTokensRequest) -> None:
        engine = self._engine_for(request.model, request.request_id, activate=False)
        if engine is not None:
            engine.count_tokens(request)

    def inspect(self, request: InspectRequest) -> None:
        engine = self._engine_for(request.model, request.request_id, activate=False)
        if engine is not None:
            engine.inspect(request)

    def prepare(self, request: GenerationRequest) -> None:
        if not request.model.server:  # a remote server keeps its own cache
            self._local.prepare(request)

    def request_stop(self) -> None:
        with self._lock:
            active = self._active
        active.request_stop()

    def unload(self) -> None:
        """Frees the local model (a remote server's models are not ours to free)."""
        with self._lock:
            self._active = self._local
        self._local.unload()

    def shutdown(self) -> None:
        for _, engine in self._remote.values():
            engine.shutdown()
        self._local.shutdown()

    def _engine_for(self, model: ModelSpec, request_id: str | None, *, activate: bool = True) -> Engine | None:
        if not model.server:
            engine: Engine = self._local
        else:
            connection = self._servers(model.server)
            if connection is None:
                self._sink(ModelLoadFailed(model, "this remote server is no longer configured", request_id))
                return None
            known = self._remote.get(model.server)
            if known is None or known[0] != connection:
                if known is not None:
                    known[1].shutdown()
                known = (connection, RemoteEngine(self._sink, api_key=connection[1]))
                self._remote[model.server] = known
            engine = known[1]
        if activate:
            with self._lock:
                self._active = engine
        return engine


def routing_factory(
    local_factory: Callable[[EventSink], Engine], servers: ServerLookup
) -> Callable[[EventSink], Engine]:
    """An engine factory for ``EngineService``: the local engine, plus the remote servers ``servers`` knows."""
    return lambda sink: RoutingEngine(sink, local_factory, servers)
