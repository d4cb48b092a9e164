"""The worker process's loop: commands in, events out, one loaded model at a time, its log piped to the app.

``main`` is the process's entry point (``local`` spawns it). A command that fails because of the
model or the conversation is answered with its failure event; anything else is a bug, reported
with its traceback (``EngineCrashed`` when it escapes a command).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import signal
import traceback
from multiprocessing.connection import Connection
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path

from app.core.engine import gpu_plan
from app.core.engine.commands import (
    CacheConfigCommand,
    CountCommand,
    EmbedCommand,
    GenerateCommand,
    InspectCommand,
    LoadCommand,
    PrepareCommand,
    ShutdownCommand,
    UnloadCommand,
    WorkerCommand,
    WorkerLogLine,
)
from app.core.engine.kv_state import StateCache
from app.core.engine.protocol import (
    CountTokensRequest,
    EmbeddingFailed,
    EngineCrashed,
    GenerationFailed,
    GenerationRequest,
    InspectRequest,
    ModelLoaded,
    ModelLoadFailed,
    ModelSpec,
    ModelUnloaded,
)
from app.core.engine.template import TemplateRenderError
from app.core.engine.worker import loading
from app.core.engine.worker.embedding import EmbeddingModel
from app.core.engine.worker.generation import DecodeError, Emit, RequestRefusedError
from app.core.engine.worker.model import ContextOverflowError, InspectStoppedError, LoadedModel

log = logging.getLogger("app.worker")


class Worker:
    """Carries out commands one at a time and reports back through ``emit``."""

    def __init__(self, emit: Emit, stop_seq: Synchronized[int]) -> None:
        self._emit = emit
        self._stop_seq = stop_seq
        self._log = loading.LlamaLog()
        self.loaded: LoadedModel | None = None
        self.embedder: EmbeddingModel | None = None  # an embedding model, loaded apart from the chat model
        self.states: StateCache | None = None

    def handle(self, command: WorkerCommand) -> None:
        if isinstance(command, CacheConfigCommand):
            self.configure_states(command.folder, command.limit_bytes)
        elif isinstance(command, LoadCommand) and command.model.embedding:
            self.load_embedder(command.model)
        elif isinstance(command, LoadCommand):
            self.load(command.model, always_answer=True)
        elif isinstance(command, EmbedCommand):
            self.embed(command)
        elif isinstance(command, GenerateCommand):
            self.generate(command)
        elif isinstance(command, CountCommand):
            self.count(command.request)
        elif isinstance(command, InspectCommand):
            self.inspect(command.request, command.seq)
        elif isinstance(command, PrepareCommand):
            self.prepare(command.request)
        elif isinstance(command, UnloadCommand):
            unloaded = self.loaded.spec if self.loaded is not None else None
            self.unload()
            self._emit(ModelUnloaded(unloaded))

    def unload(self) -> None:
        if self.loaded is not None:
            self.loaded.close()
            self.loaded = None
            gc.collect()
        if self.embedder is not None:
            self.embedder.close()
            self.embedder = None
            gc.collect()

    def load_embedder(self, spec: ModelSpec) -> None:
        """Makes ``spec`` (an embedding model) the loaded one; always answered with an event."""
        embedder = self.embedder
        if embedder is not None and embedder.spec == spec:
            self._emit(self._embedder_loaded(embedder))
            return
        self.unload()
        try:
            self.embedder = loading.open_embedding_model(spec, self._log)
        except (ValueError, RuntimeError, OSError) as exc:  # how llama-cpp-python says the file will not load
            self._emit(ModelLoadFailed(spec, str(exc)))
            return
        self._emit(self._embedder_loaded(self.embedder))

    @staticmethod
    def _embedder_loaded(embedder: EmbeddingModel) -> ModelLoaded:
        on_gpu = bool(embedder.offload and embedder.offload.layers_on_gpu)
        spec, seconds, n_ctx = embedder.spec, embedder.load_seconds, embedder.n_ctx
        return ModelLoaded(spec, seconds, on_gpu, False, n_ctx, offload=embedder.offload)

    def embed(self, command: EmbedCommand) -> None:
        if self.embedder is None:
            self._emit(EmbeddingFailed(command.request_id, "no embedding model is loaded"))
            return
        try:
            self._emit(self.embedder.embed(command.request_id, command.texts))
        except (ValueError, RuntimeError) as exc:  # llama_decode failed on this batch
            self._emit(EmbeddingFailed(command.request_id, str(exc)))

    def configure_states(self, folder: str | None, limit_bytes: int) -> None:
        if self.states is not None and self.states.folder == (Path(folder) if folder else None):
            self.states.limit_bytes = limit_bytes
            return
        if self.states is not None:
            self.states.close()
        self.states = StateCache(Path(folder) if folder else None, limit_bytes)
        if self.loaded is not None:
            self.loaded.states = self.states

    def _open(self, spec: ModelSpec) -> LoadedModel:
        return loading.open_model(spec, self._log, self._stop_seq, self.states)

    def load(self, spec: ModelSpec, request_id: str | None = None, *, always_answer: bool = False) -> bool:
        """Makes ``spec`` the loaded model. A load asked for on its own is always answered with an
        event, even when the model is already loaded; one on the way to a generation is not.

        A spec that differs only in GPU layers, on a build that cannot offload, loads nothing: the
        model, its KV cache and its states stay, and the app is told the new spec is loaded.
        """
        loaded = self.loaded
        if loaded is not None and gpu_plan.same_load(loaded.spec, spec, loaded.gpu_offload):
            if always_answer or loaded.spec != spec:
                loaded.spec = spec
                self._emit(loading.loaded_event(loaded, 0.0))
            return True
        previous = loaded.spec if loaded is not None else None
        self.unload()
        try:
            self.loaded = self._open(spec)
        except Exception as exc:
            # ValueError, RuntimeError and OSError are how llama-cpp-python says the file will not load;
            # anything else is a bug, reported with its traceback.
            expected = isinstance(exc, ValueError | RuntimeError | OSError)
            details = "" if expected else traceback.format_exc()
            if details:
                log.error("unexpected error loading %s:\n%s", spec.path, details)
            still_loaded = None
            if previous is not None:
                try:
                    self.loaded = self._open(previous)
                    still_loaded = previous
                except (ValueError, RuntimeError, OSError):
                    self.loaded = None
            reason = str(exc) if expected else f"an internal error in the engine ({type(exc).__name__}: {exc})"
            self._emit(ModelLoadFailed(spec, reason, request_id, still_loaded, traceback=details))
            return False
        self._emit(loading.loaded_event(self.loaded, self.loaded.load_seconds))
        return True

    def count(self, request: CountTokensRequest) -> None:
        if not self.load(request.model, request.request_id) or self.loaded is None:
            return
        try:
            self._emit(self.loaded.count(request))
        except TemplateRenderError as exc:
            self._emit(GenerationFailed(request.request_id, str(exc)))

    def inspect(self, request: InspectRequest, seq: int = 0) -> None:
        if not self.load(request.model, request.request_id) or self.loaded is None:
            return
        try:
            self._emit(self.loaded.inspect(request, seq))
        except InspectStoppedError as exc:
            self._emit(GenerationFailed(request.request_id, str(exc), code="stopped"))
        except ContextOverflowError as exc:
            self._emit(GenerationFailed(request.request_id, str(exc), code=exc.code, prompt_tokens=exc.tokens,
                                        limit=exc.limit))
        except (TemplateRenderError, DecodeError) as exc:
            self._emit(GenerationFailed(request.request_id, str(exc)))

    def prepare(self, request: GenerationRequest) -> None:
        """Restores the conversation's state ahead of its turn, so that its first token comes as soon as
        the user sends. Only with the request's model already loaded: opening a conversation loads nothing."""
        loaded = self.loaded
        if loaded is None or loaded.spec != request.model:
            return
        try:
            loaded.restore_for(request)
        except TemplateRenderError as exc:  # the turn itself will say so, if the user sends
            log.info("no state restored for conversation %s: %s", request.conversation_key, exc)

    def generate(self, command: GenerateCommand) -> None:
        request = command.request
        if not self.load(request.model, request.request_id) or self.loaded is None:
            return
        loaded = self.loaded
        try:
            loaded.generate(request, command.seq, self._emit)
        except ContextOverflowError as exc:
            self._emit(
                GenerationFailed(request.request_id, str(exc), code=exc.code, prompt_tokens=exc.tokens, limit=exc.limit)
            )
        except RequestRefusedError as exc:  # a schema or logit bias this model cannot follow: the asker's to fix
            self._emit(GenerationFailed(request.request_id, str(exc), code=exc.code))
        except (TemplateRenderError, DecodeError) as exc:
            # Only the failures this conversation or this model explain; anything else is a bug.
            self._emit(GenerationFailed(request.request_id, str(exc)))
        except (BrokenPipeError, ConnectionResetError):
            raise  # the app is gone: main() ends quietly
        except Exception as exc:
            # A bug: the answer fails with the traceback (the app writes it to the crash log), and
            # the cache is forgotten because it may no longer spell what it says.
            details = traceback.format_exc()
            log.error("unexpected error while generating:\n%s", details)
            loaded.forget_cache()
            self._emit(
                GenerationFailed(
                    request.request_id,
                    f"an internal error in the engine ({type(exc).__name__}: {exc})",
                    traceback=details,
                )
            )

    def close(self) -> None:
        self.unload()
        if self.states is not None:
            self.states.close()  # what is still to be written goes to disk before the process ends


class _PipeLogHandler(logging.Handler):
    """Sends the worker's log records to the app, whose log file they join."""

    def __init__(self, events: Connection) -> None:
        super().__init__()
        self._events = events

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(OSError):  # the app is gone; nobody is left to read the log
            self._events.send(WorkerLogLine(record.levelno, record.name, self.format(record)))


def _configure_logging(events: Connection) -> None:
    logger = logging.getLogger("app")
    logger.handlers[:] = [_PipeLogHandler(events)]
    logger.setLevel(logging.INFO)
    logger.propagate = False


def main(commands: Connection, events: Connection, stop_seq: Synchronized[int]) -> None:
    """The worker process's entry point: serve commands until told to stop or the app goes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C belongs to the app, which stops us itself
    _configure_logging(events)
    worker = Worker(events.send, stop_seq)
    try:
        while True:
            try:
                command = commands.recv()
            except (EOFError, OSError):
                break
            if isinstance(command, ShutdownCommand):
                break
            try:
                worker.handle(command)
            except (BrokenPipeError, ConnectionResetError, EOFError):
                break  # the app went away mid-answer: nothing to report, nobody to report to
            except Exception as exc:
                details = traceback.format_exc()
                log.error("unexpected error in the engine:\n%s", details)
                with contextlib.suppress(OSError):
                    events.send(EngineCrashed(f"an internal error ({type(exc).__name__}: {exc})", None, details))
                break
    finally:
        worker.close()
