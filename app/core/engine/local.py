"""The local engine: llama.cpp in a child process, driven through a pipe.

The app never imports llama_cpp itself, so a crash or abort in native code ends only the
child. A reader thread turns what the child sends into events for the sink; when the child
dies it reports ``EngineCrashed`` and the next request starts a fresh process.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import signal
import threading
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnProcess
from multiprocessing.sharedctypes import Synchronized

from app.core.engine.commands import (
    GenerateCommand,
    LoadCommand,
    ShutdownCommand,
    UnloadCommand,
    WorkerCommand,
    WorkerLogLine,
)
from app.core.engine.protocol import (
    EngineCrashed,
    EngineEvent,
    EventSink,
    GenerationFailed,
    GenerationFinished,
    GenerationRequest,
    ModelLoaded,
    ModelLoadFailed,
    ModelSpec,
    ModelUnloaded,
)

SHUTDOWN_SECONDS = 5.0
log = logging.getLogger("app.engine")
worker_log = logging.getLogger("app.worker")


def _run_worker(commands: Connection, events: Connection, stop_seq: Synchronized[int]) -> None:
    # Imported here, in the child only: llama_cpp must never load into the app's process.
    from app.core.engine import worker

    worker.main(commands, events, stop_seq)


def describe_exit(exitcode: int | None) -> str:
    if exitcode is None:
        return "the process stopped answering"
    if exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit code {exitcode}"


class _Process:
    """One running worker process and its pipes."""

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        command_reader, self.commands = ctx.Pipe(duplex=False)
        self.events, event_writer = ctx.Pipe(duplex=False)
        self.stop_seq: Synchronized[int] = ctx.Value(ctypes.c_longlong, 0, lock=False)  # type: ignore[assignment]
        self.process: SpawnProcess = ctx.Process(  # type: ignore[attr-defined]
            target=_run_worker, args=(command_reader, event_writer, self.stop_seq), name="parley-engine", daemon=True
        )
        self.process.start()
        self.crash_reported = False  # the worker said itself why it ends (EngineCrashed with a traceback)
        # Close our copies of the child's ends, so a dead child reads as end-of-file here.
        command_reader.close()
        event_writer.close()


class LocalEngine:
    """The ``Engine`` that runs GGUF models through llama.cpp in a worker process."""

    def __init__(self, on_event: EventSink) -> None:
        self._sink = on_event
        self._lock = threading.Lock()
        self._worker: _Process | None = None
        self._reader: threading.Thread | None = None
        self._loaded: ModelSpec | None = None
        self._loading: ModelSpec | None = None
        self._running_request: str | None = None
        self._seq = 0
        self._closing = False

    # -- Engine protocol -------------------------------------------------------------------------

    @property
    def loaded_model(self) -> ModelSpec | None:
        return self._loaded

    @property
    def pid(self) -> int | None:
        """The worker process id, while one runs."""
        worker = self._worker
        return worker.process.pid if worker is not None else None

    def load(self, model: ModelSpec) -> None:
        with self._lock:
            self._loading = model
            self._send(LoadCommand(model))

    def generate(self, request: GenerationRequest) -> None:
        with self._lock:
            self._seq += 1
            self._running_request = request.request_id
            if self._loaded != request.model:
                self._loading = request.model
            self._send(GenerateCommand(request, self._seq))

    def request_stop(self) -> None:
        worker = self._worker
        if worker is not None:
            worker.stop_seq.value = self._seq

    def unload(self) -> None:
        with self._lock:
            loaded, self._loaded = self._loaded, None
            if self._worker is not None and self._worker.process.is_alive():
                self._send(UnloadCommand())  # the worker answers ModelUnloaded once the file is closed
                return
        self._sink(ModelUnloaded(loaded))  # no process, so no file is open

    def shutdown(self) -> None:
        with self._lock:
            worker, reader = self._worker, self._reader
            self._closing = True
            self._worker = self._reader = None
            self._loaded = None
        if worker is None:
            return
        worker.stop_seq.value = self._seq
        with contextlib.suppress(OSError):
            worker.commands.send(ShutdownCommand())
        worker.process.join(SHUTDOWN_SECONDS)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join(SHUTDOWN_SECONDS)
        worker.commands.close()
        if reader is not None:
            reader.join(SHUTDOWN_SECONDS)
        worker.events.close()
        self._closing = False

    # -- the worker process ----------------------------------------------------------------------

    def _send(self, command: WorkerCommand) -> None:
        """Sends to the worker, starting one first when none runs (or the last one died)."""
        for _attempt in range(2):
            if self._worker is None or not self._worker.process.is_alive():
                self._start()
            assert self._worker is not None
            try:
                self._worker.commands.send(command)
                return
            except OSError:
                self._worker = None  # died between the check and the send: start afresh once
        raise RuntimeError("the engine process could not be started")

    def _start(self) -> None:
        old_reader = self._reader
        worker = _Process()
        self._worker = worker
        self._loaded = None
        self._reader = threading.Thread(
            target=self._read_events, args=(worker,), name="parley-engine-events", daemon=True
        )
        self._reader.start()
        del old_reader  # it ends by itself on its pipe's end-of-file

    def _read_events(self, worker: _Process) -> None:
        while True:
            try:
                event: EngineEvent | WorkerLogLine = worker.events.recv()
            except (EOFError, OSError):
                break
            if isinstance(event, WorkerLogLine):
                worker_log.log(event.level, "%s", event.message)
                continue
            if isinstance(event, EngineCrashed):
                worker.crash_reported = True
            self._note(event)
            self._sink(event)
        self._on_worker_gone(worker)

    def _note(self, event: EngineEvent) -> None:
        with self._lock:
            if isinstance(event, ModelLoaded):
                log.info(
                    "loaded %s in %.2f s (context %d, %s)",
                    event.model.path, event.load_seconds, event.n_ctx, "GPU offload" if event.gpu_offload else "CPU",
                )
                self._loaded, self._loading = event.model, None
            elif isinstance(event, ModelLoadFailed):
                log.warning("could not load %s: %s", event.model.path, event.reason)
                self._loaded, self._loading = event.still_loaded, None
                if event.request_id == self._running_request:
                    self._running_request = None
            elif (
                isinstance(event, GenerationFinished | GenerationFailed)
                and event.request_id == self._running_request
            ):
                self._running_request = None
            elif isinstance(event, EngineCrashed):
                self._loaded = self._loading = self._running_request = None

    def _on_worker_gone(self, worker: _Process) -> None:
        worker.process.join(SHUTDOWN_SECONDS)
        with self._lock:
            if self._closing or worker is not self._worker:
                return
            if worker.crash_reported:
                self._worker, self._loaded, self._loading, self._running_request = None, None, None, None
                worker.commands.close()
                worker.events.close()
                return
            self._worker = None
            self._loaded = None
            loading, self._loading = self._loading, None
            request_id, self._running_request = self._running_request, None
        reason = describe_exit(worker.process.exitcode)
        log.error("the engine process ended unexpectedly: %s", reason)
        worker.commands.close()
        worker.events.close()
        if loading is not None:
            self._sink(ModelLoadFailed(loading, f"the engine stopped while loading it ({reason})", request_id))
        else:
            self._sink(EngineCrashed(reason, request_id))
