"""The engine service: the one owner of the ``Engine``, shared by every client (the window, the CLI, the API).

It queues the clients' loads and generations and hands the engine one at a time. A request's events go
to the client that made it, the engine's state (loaded, unloaded, crashed while idle) to every client;
a stop touches only its own request. Events arrive on the engine's thread: a client's sink must be
thread-safe. A fault reported with a traceback is written to the crash log here, once.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from app.core import logs, paths
from app.core.config.settings import Settings, SettingsStore
from app.core.engine.protocol import (
    NO_STATS,
    AnswerInspected,
    CountTokensRequest,
    Engine,
    EngineCrashed,
    EngineEvent,
    EventSink,
    GenerationFailed,
    GenerationFinished,
    GenerationRequest,
    InspectRequest,
    ModelLoaded,
    ModelLoadFailed,
    ModelSpec,
    ModelUnloaded,
    TokensCounted,
)
from app.core.models import speed

log = logging.getLogger("app.engine")

EngineFactory = Callable[[EventSink], Engine]


def local_engine_factory(settings: SettingsStore | None = None) -> EngineFactory:
    """The default engine: llama.cpp in a child process.

    With ``settings``, it keeps conversations' KV states in the data folder, within the size the
    settings allow (followed as they change).
    """
    # Imported here so that modules that only name the session load without the engine's dependencies.
    from app.core.engine.local import LocalEngine

    if settings is None:
        return LocalEngine

    def build(sink: EventSink) -> Engine:
        engine = LocalEngine(sink)
        folder = str(paths.states_dir())

        def configure(values: Settings) -> None:
            engine.configure_state_cache(folder, values.state_cache_mb * 1024 * 1024)

        configure(settings.current)
        settings.add_listener(configure)
        return engine

    return build


@dataclass(frozen=True)
class _Generate:
    client: EngineClient
    request: GenerationRequest

    @property
    def request_id(self) -> str:
        return self.request.request_id


@dataclass(frozen=True)
class _Load:
    client: EngineClient
    model: ModelSpec
    request_id: str


@dataclass(frozen=True)
class _Count:
    client: EngineClient
    request: CountTokensRequest

    @property
    def request_id(self) -> str:
        return self.request.request_id


@dataclass(frozen=True)
class _Inspect:
    client: EngineClient
    request: InspectRequest

    @property
    def request_id(self) -> str:
        return self.request.request_id


@dataclass(frozen=True)
class _Unload:
    client: EngineClient
    request_id: str


_Job = _Generate | _Load | _Count | _Inspect | _Unload


class EngineService:
    """Owns one engine; build it in the composition root and hand clients to whoever needs one."""

    def __init__(self, engine_factory: EngineFactory) -> None:
        self._lock = threading.RLock()
        self._queue: deque[_Job] = deque()
        self._running: _Job | None = None
        self._clients: list[EngineClient] = []
        self._ids = itertools.count(1)
        self._closed = False
        self._gpu_offload = False  # the loaded model's layers are on a GPU
        self._engine = engine_factory(self._on_engine_event)

    # -- clients ---------------------------------------------------------------------------------

    def connect(self, sink: EventSink, name: str = "client") -> EngineClient:
        """A new client whose events go to ``sink``."""
        client = EngineClient(self, sink, name)
        with self._lock:
            self._clients.append(client)
        return client

    @property
    def loaded_model(self) -> ModelSpec | None:
        return self._engine.loaded_model

    @property
    def pid(self) -> int | None:
        """The engine's process id when it runs in a child process (the local engine), else None."""
        pid = getattr(self._engine, "pid", None)
        return pid if isinstance(pid, int) else None

    @property
    def is_idle(self) -> bool:
        with self._lock:
            return self._running is None and not self._queue

    def shutdown(self) -> None:
        """Ends the engine; no client hears anything afterwards. Safe to call twice."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._queue.clear()
            self._running = None
            self._clients.clear()
        self._engine.shutdown()

    # -- what clients call (through EngineClient) --------------------------------------------------

    def _submit(self, job: _Job) -> None:
        with self._lock:
            if self._closed:
                raise RuntimeError("the engine service is shut down")
            self._queue.append(job)
            self._dispatch()

    def _prepare(self, request: GenerationRequest) -> None:
        """Passes ``request`` to the engine to prepare for, unless it is busy generating or loading: that
        would only delay the work queued behind it, and the turn restores the state itself anyway. A token
        count (the meter's, sent as the conversation opens) is as quick as a restore and does not count."""
        with self._lock:
            jobs = [*self._queue, *([self._running] if self._running is not None else [])]
            if not self._closed and all(isinstance(job, _Count) for job in jobs):
                self._engine.prepare(request)

    def _stop(self, client: EngineClient, request_id: str | None) -> None:
        """Stops ``request_id`` of ``client`` (every request of it when None): a generation, or a look inside
        (which ends with GenerationFailed coded "stopped")."""
        dropped: list[_Generate | _Inspect] = []
        with self._lock:
            for job in list(self._queue):
                if (
                    isinstance(job, _Generate | _Inspect)
                    and job.client is client
                    and request_id in (None, job.request_id)
                ):
                    self._queue.remove(job)
                    dropped.append(job)
            running = self._running
            if (
                isinstance(running, _Generate | _Inspect)
                and running.client is client
                and request_id in (None, running.request_id)
            ):
                # Under the lock: the engine still runs this request (the next one is sent only
                # after this one's end has come through here), so no other request is stopped.
                self._engine.request_stop()
        for job in dropped:
            if isinstance(job, _Inspect):
                client.deliver(GenerationFailed(job.request_id, "stopped before it started", code="stopped"))
            else:
                client.deliver(GenerationFinished(job.request_id, "", "stopped", NO_STATS))

    def _disconnect(self, client: EngineClient) -> None:
        with self._lock:
            self._queue = deque(job for job in self._queue if job.client is not client)
            running = self._running
            if running is not None and running.client is client and isinstance(running, _Generate | _Inspect):
                self._engine.request_stop()
            if client in self._clients:
                self._clients.remove(client)

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}-{next(self._ids)}"

    # -- running jobs ----------------------------------------------------------------------------

    def _dispatch(self) -> None:
        """Hands the next job to the engine when none runs. Called with the lock held."""
        while self._running is None and self._queue and not self._closed:
            job = self._queue.popleft()
            self._running = job
            try:
                if isinstance(job, _Generate):
                    self._engine.generate(job.request)
                elif isinstance(job, _Load):
                    self._engine.load(job.model)
                elif isinstance(job, _Count):
                    self._engine.count_tokens(job.request)
                elif isinstance(job, _Inspect):
                    self._engine.inspect(job.request)
                else:
                    self._engine.unload()
            except BaseException:
                self._running = None
                raise

    def _on_engine_event(self, event: EngineEvent) -> None:
        """The engine's sink: runs on the engine's thread."""
        if isinstance(event, GenerationFailed | ModelLoadFailed | EngineCrashed) and event.traceback:
            log.error("the engine reported a bug: %s", event.reason)
            logs.write_crash_log(event.traceback)
        with self._lock:
            if self._closed:
                return
            job = self._running
            owner = job.client if job is not None else None
            ends_job = job is not None and _ends(job, event)
            if ends_job:
                self._running = None
            clients = list(self._clients)
        if isinstance(event, ModelLoaded):
            self._gpu_offload = event.gpu_offload
        if ends_job and isinstance(job, _Generate) and isinstance(event, GenerationFinished):
            self._record_speed(job.request.model, event)
        if isinstance(event, ModelLoaded | ModelUnloaded) or (isinstance(event, EngineCrashed) and owner is None):
            for client in clients:  # the engine's state: everyone shows it
                client.deliver(event)
        elif owner is not None and owner in clients:
            owner.deliver(event)
        if ends_job:
            with self._lock:
                self._dispatch()


    def _record_speed(self, model: ModelSpec, event: GenerationFinished) -> None:
        """Every local answer measures this computer's decode speed (``speed``'s estimates scale it)."""
        if model.server or event.engine_hung:
            return
        try:
            speed.record(model.path, event.stats.decode_seconds, event.stats.decoded_tokens, model.n_threads,
                         self._gpu_offload)
        except OSError as exc:  # the cache is a convenience: the next answer tries again
            log.warning("could not cache the decode speed: %s", exc)


def _ends(job: _Job, event: EngineEvent) -> bool:
    """Whether ``event`` is the last one of ``job``."""
    if isinstance(event, EngineCrashed):
        return True
    if isinstance(job, _Generate):
        if isinstance(event, GenerationFinished | GenerationFailed):
            return event.request_id == job.request_id
        return isinstance(event, ModelLoadFailed) and event.request_id == job.request_id
    if isinstance(job, _Load):
        return isinstance(event, ModelLoaded | ModelLoadFailed) and event.model == job.model
    if isinstance(job, _Inspect):
        if isinstance(event, AnswerInspected | GenerationFailed):
            return event.request_id == job.request_id
        return isinstance(event, ModelLoadFailed) and event.model == job.request.model
    if isinstance(job, _Count):
        if isinstance(event, TokensCounted | GenerationFailed):
            return event.request_id == job.request_id
        return isinstance(event, ModelLoadFailed) and event.model == job.request.model
    return isinstance(event, ModelUnloaded)


class EngineClient:
    """One client's handle on the engine service. Its calls are safe from any thread."""

    def __init__(self, service: EngineService, sink: EventSink, name: str) -> None:
        self._service = service
        self._sink = sink
        self.name = name
        self._closed = False

    def generate(self, request: GenerationRequest) -> None:
        """Queues ``request``; its events come to this client only."""
        self._service._submit(_Generate(self, request))

    def load(self, model: ModelSpec) -> str:
        """Queues a load of ``model``; answered with ModelLoaded or ModelLoadFailed."""
        request_id = self._service._next_id("load")
        self._service._submit(_Load(self, model, request_id))
        return request_id

    def count_tokens(self, request: CountTokensRequest) -> None:
        """Queues counting a prompt's tokens; answered with TokensCounted (or ModelLoadFailed) to this client."""
        self._service._submit(_Count(self, request))

    def inspect(self, request: InspectRequest) -> None:
        """Queues looking inside an answer; answered with AnswerInspected (or GenerationFailed, ModelLoadFailed)."""
        self._service._submit(_Inspect(self, request))

    def prepare(self, request: GenerationRequest) -> None:
        """Lets an idle engine restore the saved state of ``request``'s conversation before its turn
        comes (see ``Engine.prepare``); no event answers it."""
        self._service._prepare(request)

    def unload(self) -> str:
        """Queues freeing the loaded model; answered with ModelUnloaded once its file is closed."""
        request_id = self._service._next_id("unload")
        self._service._submit(_Unload(self, request_id))
        return request_id

    def stop(self, request_id: str | None = None) -> None:
        """Stops one of this client's generations (all of them when None), and no other client's."""
        self._service._stop(self, request_id)

    def close(self) -> None:
        """This client is gone: its requests are stopped and dropped, and no event reaches it again."""
        if not self._closed:
            self._closed = True
            self._service._disconnect(self)

    @property
    def loaded_model(self) -> ModelSpec | None:
        return self._service.loaded_model

    @property
    def pid(self) -> int | None:
        return self._service.pid

    def deliver(self, event: EngineEvent) -> None:
        if not self._closed:
            self._sink(event)
