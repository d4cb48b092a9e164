"""The local engine: llama.cpp in a child process, driven through a pipe.

The app never imports llama_cpp itself, so a crash or abort in native code ends only the
child. A reader thread turns what the child sends into events for the sink; when the child
dies it reports ``EngineCrashed`` and the next request starts a fresh process.

A watchdog ends a child that has stopped responding: a stop not acknowledged within
``STOP_ACK_SECONDS`` (the child checks for it between tokens, so a live one answers in
milliseconds; for a model so slow that one token takes longer, the limit is a few tokens' time),
or a load still going after ``LOAD_LIMIT_SECONDS``. The process is terminated,
then killed, and the request ends as stopped with ``engine_hung`` set (or, for a load, with
``ModelLoadFailed``); the next request starts a fresh process.

The watchdog lives here rather than in the engine service because only this engine has a
process that can freeze and be ended: it alone knows whether its child is loading or
generating, and it reports the hung request's end from the reader thread once the dead
child's pipe closes, so the end comes after every event that child sent and never twice.
A remote engine's silences are bounded by its HTTP timeouts instead.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import shutil
import signal
import threading
import time
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnProcess
from multiprocessing.sharedctypes import Synchronized
from typing import Literal

from app.core.engine import gpu_plan
from app.core.engine.commands import (
    CacheConfigCommand,
    CountCommand,
    GenerateCommand,
    InspectCommand,
    LoadCommand,
    PrepareCommand,
    ShutdownCommand,
    UnloadCommand,
    WorkerCommand,
    WorkerLogLine,
)
from app.core.engine.protocol import (
    NO_STATS,
    CountTokensRequest,
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
    TokensReceived,
)

SHUTDOWN_SECONDS = 5.0
# A live worker acknowledges a stop within a token or one abort check of the prompt: milliseconds.
STOP_ACK_SECONDS = 3.0
# ... or, for a model slower than that, within this many of its slowest gaps between tokens so far.
STOP_ACK_TOKENS = 3
# Generous: a large model from a slow disk can take a minute or two. Tests lower it.
LOAD_LIMIT_SECONDS = 180.0
# Between asking a hung worker to end (SIGTERM) and killing it: SIGTERM waits while a process is frozen.
TERMINATE_GRACE_SECONDS = 1.0
WatchdogKind = Literal["stop", "load"]
log = logging.getLogger("app.engine")
worker_log = logging.getLogger("app.worker")


def _run_worker(commands: Connection, events: Connection, stop_seq: Synchronized[int]) -> None:
    _exit_with_the_app()
    # Imported here, in the child only: llama_cpp must never load into the app's process.
    from app.core.engine.worker import loop

    loop.main(commands, events, stop_seq)


def _exit_with_the_app() -> None:
    """Ends this worker process the moment the app's process is gone, quietly.

    The app may be killed without warning (SIGKILL, a crash). Without this the worker would go on
    importing llama.cpp, loading a model or evaluating a prompt for nobody until it next wrote to
    the pipe. ``parent_process()`` waits on a handle that closes when the app's process ends (the
    app keeps its ``Process`` object for as long as the worker lives), on every platform, and
    ``os._exit`` leaves nothing to print: no exit handlers, no flushing of inherited streams.
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()
        os._exit(0)

    threading.Thread(target=watch, name="parley-app-watch", daemon=True).start()


def describe_exit(exitcode: int | None) -> str:
    if exitcode is None:
        return "the process stopped answering"
    if exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit code {exitcode}"


class WorkerProcess:
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
        self.ended_by_watchdog: WatchdogKind | None = None  # set when the watchdog ended it as hung ...
        self.hung_after = 0.0  # ... after this many seconds without an answer
        # Close our copies of the child's ends, so a dead child reads as end-of-file here.
        command_reader.close()
        event_writer.close()


class LocalEngine:
    """The ``Engine`` that runs GGUF models through llama.cpp in a worker process."""

    def __init__(self, on_event: EventSink) -> None:
        self._sink = on_event
        self._lock = threading.Lock()
        self._worker: WorkerProcess | None = None
        self._reader: threading.Thread | None = None
        self._loaded: ModelSpec | None = None
        self._loading: ModelSpec | None = None
        self._running_request: str | None = None
        self._seq = 0
        self._closing = False
        self._watchdog: threading.Timer | None = None
        self._watchdog_kind: WatchdogKind | None = None
        self._last_text_at: float | None = None  # when the running answer's last text arrived
        self._slowest_gap = 0.0  # the longest wait between two pieces of it
        self._cache_config: CacheConfigCommand | None = None

    # -- Engine protocol -------------------------------------------------------------------------

    @property
    def loaded_model(self) -> ModelSpec | None:
        return self._loaded

    @property
    def pid(self) -> int | None:
        """The worker process id, while one runs."""
        worker = self._worker
        return worker.process.pid if worker is not None else None

    def configure_state_cache(self, folder: str | None, limit_bytes: int) -> None:
        """Where conversation KV states are kept (kv_state), and how much disk they may take; sent to
        the running worker now and to every one started later."""
        with self._lock:
            self._cache_config = CacheConfigCommand(folder, limit_bytes)
            if self._worker is not None and self._worker.process.is_alive():
                self._send(self._cache_config)

    def load(self, model: ModelSpec) -> None:
        with self._lock:
            self._loading = model
            self._send(LoadCommand(model))
            self._arm("load", LOAD_LIMIT_SECONDS)

    def generate(self, request: GenerationRequest) -> None:
        with self._lock:
            self._seq += 1
            self._running_request = request.request_id
            self._last_text_at, self._slowest_gap = None, 0.0
            if self._loaded != request.model:
                self._loading = request.model
            self._send(GenerateCommand(request, self._seq))
            if self._loading is not None:
                self._arm("load", LOAD_LIMIT_SECONDS)
            else:
                self._disarm()

    def count_tokens(self, request: CountTokensRequest) -> None:
        with self._lock:
            loading = self._loaded != request.model
            if loading:
                self._loading = request.model
            self._send(CountCommand(request))
            if loading:
                self._arm("load", LOAD_LIMIT_SECONDS)

    def inspect(self, request: InspectRequest) -> None:
        with self._lock:
            self._seq += 1  # a stop request (the user sending while it runs) ends it
            loading = self._loaded != request.model
            if loading:
                self._loading = request.model
            self._send(InspectCommand(request, self._seq))
            if loading:
                self._arm("load", LOAD_LIMIT_SECONDS)

    def prepare(self, request: GenerationRequest) -> None:
        with self._lock:
            if self._loaded == request.model and self._loading is None:
                self._send(PrepareCommand(request))

    def request_stop(self) -> None:
        with self._lock:
            worker = self._worker
            if worker is None:
                return
            worker.stop_seq.value = self._seq
            # A load cannot be stopped, only waited for (its own limit covers a hung one); the stop
            # is watched from the moment the model is in (see _note).
            if self._running_request is not None and self._loading is None and self._watchdog_kind != "stop":
                self._arm("stop", self._stop_limit())

    def unload(self) -> None:
        with self._lock:
            loaded, self._loaded = self._loaded, None
            if self._worker is not None and self._worker.process.is_alive():
                self._send(UnloadCommand())  # the worker answers ModelUnloaded once the file is closed
                return
        self._sink(ModelUnloaded(loaded))  # no process, so no file is open

    def shutdown(self) -> None:
        with self._lock:
            self._disarm()
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
        worker = WorkerProcess()
        self._worker = worker
        self._loaded = None
        self._reader = threading.Thread(
            target=self._read_events, args=(worker,), name="parley-engine-events", daemon=True
        )
        self._reader.start()
        del old_reader  # it ends by itself on its pipe's end-of-file
        if self._cache_config is not None:
            worker.commands.send(self._cache_config)

    def _read_events(self, worker: WorkerProcess) -> None:
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
            self._note(worker, event)
            self._sink(event)
        self._on_worker_gone(worker)

    def _note(self, worker: WorkerProcess, event: EngineEvent) -> None:
        with self._lock:
            if isinstance(event, TokensReceived):
                if event.request_id == self._running_request:
                    now = time.monotonic()
                    if self._last_text_at is not None:
                        self._slowest_gap = max(self._slowest_gap, now - self._last_text_at)
                    self._last_text_at = now
            elif isinstance(event, ModelLoaded):
                log.info(
                    "loaded %s in %.2f s (context %d, %s)",
                    event.model.path,
                    event.load_seconds,
                    event.n_ctx,
                    _where(event),
                )
                self._loaded, self._loading = event.model, None
                if self._running_request is not None and worker.stop_seq.value >= self._seq:
                    self._arm("stop", self._stop_limit())  # stopped while it loaded: now it must answer
                else:
                    self._disarm()
            elif isinstance(event, ModelLoadFailed):
                log.warning("could not load %s: %s", event.model.path, event.reason)
                self._loaded, self._loading = event.still_loaded, None
                self._disarm()
                if event.request_id == self._running_request:
                    self._running_request = None
            elif isinstance(event, GenerationFinished | GenerationFailed) and event.request_id == self._running_request:
                self._running_request = None
                self._disarm()
            elif isinstance(event, EngineCrashed):
                self._loaded = self._loading = self._running_request = None
                self._disarm()

    # -- the watchdog ----------------------------------------------------------------------------

    def _arm(self, kind: WatchdogKind, seconds: float) -> None:
        """Ends the worker as hung unless it answers within ``seconds``. Called with the lock held."""
        self._disarm()
        worker = self._worker
        if worker is None:
            return
        timer = threading.Timer(seconds, self._on_watchdog, args=(worker, kind, seconds))
        timer.name = f"parley-engine-watchdog-{kind}"
        timer.daemon = True
        self._watchdog, self._watchdog_kind = timer, kind
        timer.start()

    def _stop_limit(self) -> float:
        """How long a stop may take: a slow model finishes the token it is on before it checks."""
        return max(STOP_ACK_SECONDS, STOP_ACK_TOKENS * self._slowest_gap)

    def _disarm(self) -> None:
        """Called with the lock held."""
        if self._watchdog is not None:
            self._watchdog.cancel()
        self._watchdog = self._watchdog_kind = None

    def _on_watchdog(self, worker: WorkerProcess, kind: WatchdogKind, seconds: float) -> None:
        with self._lock:
            # A timer cancelled or replaced just as it fired does nothing: only the armed one acts.
            if self._watchdog is not threading.current_thread() or worker is not self._worker or self._closing:
                return
            self._watchdog = self._watchdog_kind = None
            if (kind == "load" and self._loading is None) or (kind == "stop" and self._running_request is None):
                return
            worker.ended_by_watchdog, worker.hung_after = kind, seconds
        what = "did not acknowledge a stop" if kind == "stop" else "was still loading the model"
        log.error("the engine process %s after %.0f s: ending it", what, seconds)
        # The reader thread sees the pipe close and reports the end (_on_worker_gone).
        _end_process(worker.process)

    def _on_worker_gone(self, worker: WorkerProcess) -> None:
        worker.process.join(SHUTDOWN_SECONDS)
        with self._lock:
            if self._closing or worker is not self._worker:
                return
            self._disarm()
            if worker.crash_reported:
                self._worker, self._loaded, self._loading, self._running_request = None, None, None, None
                worker.commands.close()
                worker.events.close()
                return
            self._worker = None
            self._loaded = None
            loading, self._loading = self._loading, None
            request_id, self._running_request = self._running_request, None
        worker.commands.close()
        worker.events.close()
        if worker.ended_by_watchdog is not None:
            self._report_hung(worker, loading, request_id)
            return
        reason = describe_exit(worker.process.exitcode)
        log.error("the engine process ended unexpectedly: %s", reason)
        if loading is not None:
            self._sink(ModelLoadFailed(loading, f"the engine stopped while loading it ({reason})", request_id))
        else:
            self._sink(EngineCrashed(reason, request_id))

    def _report_hung(self, worker: WorkerProcess, loading: ModelSpec | None, request_id: str | None) -> None:
        """Ends what the worker the watchdog ended was doing; nothing when it finished meanwhile."""
        if loading is not None:
            after = f"{worker.hung_after:.0f} s"
            reason = f"the engine stopped responding while loading it, so Parley ended it after {after}"
            self._sink(ModelLoadFailed(loading, reason, request_id))
        elif request_id is not None and worker.ended_by_watchdog == "stop":
            self._sink(GenerationFinished(request_id, "", "stopped", NO_STATS, engine_hung=True))
        elif request_id is not None:  # the load ended just as the watchdog fired: the answer had begun
            self._sink(EngineCrashed("it stopped responding and was ended", request_id))


def _where(event: ModelLoaded) -> str:
    """Where the model runs, and what this build and machine can do, for the log."""
    offload = event.offload
    if offload is None:
        return "GPU offload" if event.gpu_offload else "CPU"
    where = gpu_plan.describe_offload(
        offload.layers_on_gpu, offload.layers_total, offload.vram_bytes, offload.failed_attempts, offload.gpu_build
    )
    cap = gpu_plan.capability(event.backends, event.devices, nvidia_present=shutil.which("nvidia-smi") is not None)
    return f"{where}; {gpu_plan.describe(cap)}"


def _end_process(process: SpawnProcess) -> None:
    """Terminates ``process``, then kills it if it is still there (a frozen process ignores SIGTERM)."""
    process.terminate()
    process.join(TERMINATE_GRACE_SECONDS)
    if process.is_alive():
        process.kill()
        process.join(SHUTDOWN_SECONDS)
