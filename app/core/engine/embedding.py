"""Embeddings on this computer: ``LocalEmbedder`` runs an embedding model in an engine process of its own.

The process is the chat engine's kind (``local.WorkerProcess``, the same worker loop and loading code,
llama.cpp built the same way), spawned on first use and loaded with ``ModelSpec.embedding`` set, so
llama_cpp never loads into the app's process and a crash in native code ends only that process.
``embedder_for`` is the one rule for which embedder the settings choose.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path, PurePosixPath

import numpy as np

from app.core.config.settings import Settings
from app.core.documents.embedder import Embedder, Vectors
from app.core.engine.commands import EmbedCommand, LoadCommand, ShutdownCommand, WorkerCommand, WorkerLogLine
from app.core.engine.local import LOAD_LIMIT_SECONDS, SHUTDOWN_SECONDS, WorkerProcess, describe_exit
from app.core.engine.protocol import (
    EmbeddingFailed,
    EngineCrashed,
    EngineEvent,
    ModelLoaded,
    ModelLoadFailed,
    ModelSpec,
    TextsEmbedded,
)
from app.core.errors import EmbeddingEngineError, EmbeddingFailedError, ModelLoadError, NotAGgufError
from app.core.models import gguf
from app.core.models.installed import ModelEntry
from app.core.models.recommended import RecommendedModel, load_recommended
from app.core.models.registry import REMOTE_SEPARATOR, ModelRegistry

log = logging.getLogger("app.engine")
worker_log = logging.getLogger("app.worker")

# Texts per command: the pipe carries a bounded message and llama.cpp a bounded batch.
TEXTS_PER_BATCH = 32
# The longest a batch may take before the process counts as hung: generous for a large model on a slow CPU.
BATCH_LIMIT_SECONDS = 300.0
# The context an embedding model is loaded with (its own when smaller). A chunk or a question is far shorter;
# the batch is as large as the context (a model that is not causal needs it), and llama.cpp's attention over a
# batch grows with it: measured elsewhere on bge-m3, 1024 tokens cost 12% more than 512, 8192 17 times more.
EMBEDDING_CONTEXT = 1024


class LocalEmbedder:
    """An ``Embedder`` on a GGUF model, in a worker process that starts on first use; safe from any thread.

    ``embed`` batches the texts; a text longer than the model's context (at most ``EMBEDDING_CONTEXT``
    tokens) is cut to it, as the search only needs its start. Rows are float32 and of unit length, pooled
    as the model declares (the mean for a model that declares nothing, such as a chat model). A crash, a
    hang or a load failure is an ``AppError``; the next call starts a fresh process. ``close`` ends it.
    """

    def __init__(self, model: ModelSpec) -> None:
        self._model = replace(model, embedding=True)
        self._lock = threading.Lock()
        self._worker: WorkerProcess | None = None
        self.dimensions: int | None = None  # known once the model answered
        self.n_ctx: int | None = None  # the context it loaded with

    @property
    def name(self) -> str:
        return self._model.name

    @property
    def model(self) -> ModelSpec:
        return self._model

    @property
    def pid(self) -> int | None:
        """The worker process id, while one runs."""
        worker = self._worker
        return worker.process.pid if worker is not None else None

    def embed(self, texts: Sequence[str]) -> Vectors:
        return self.embed_counted(texts)[0]

    def embed_counted(self, texts: Sequence[str]) -> tuple[Vectors, int]:
        """The rows of ``texts`` and the tokens they took (after cutting), as the API's usage reports it."""
        texts = tuple(texts)
        with self._lock:
            worker = self._ready()
            rows: list[Vectors] = []
            tokens = 0
            for start in range(0, len(texts), TEXTS_PER_BATCH):
                command = EmbedCommand(uuid.uuid4().hex, texts[start : start + TEXTS_PER_BATCH])
                answer = self._ask(worker, command, BATCH_LIMIT_SECONDS)
                if isinstance(answer, EmbeddingFailed):
                    raise EmbeddingFailedError(name=self.name, reason=answer.reason)
                if not isinstance(answer, TextsEmbedded):
                    raise self._gone(worker, f"it answered {type(answer).__name__} to a request for embeddings")
                rows.append(np.frombuffer(answer.vectors, dtype=np.float32).reshape(-1, answer.dimensions))
                tokens += answer.tokens
                if answer.truncated:
                    log.info("%s: %d text(s) longer than its context were cut to it", self.name, answer.truncated)
            if not rows:
                return np.zeros((0, self.dimensions or 0), dtype=np.float32), 0
            return np.concatenate(rows).astype(np.float32, copy=False), tokens

    def close(self) -> None:
        """Ends the worker process (a later ``embed`` starts another)."""
        with self._lock:
            worker, self._worker = self._worker, None
            if worker is not None:
                _shut(worker)

    # -- the process -----------------------------------------------------------------------------

    def _ready(self) -> WorkerProcess:
        """The running process with the model loaded, started and loaded first when needed."""
        if self._worker is not None and self._worker.process.is_alive():
            return self._worker
        if self._worker is not None:
            _shut(self._worker)
        worker = self._worker = WorkerProcess()
        answer = self._ask(worker, LoadCommand(self._model), LOAD_LIMIT_SECONDS)
        if isinstance(answer, ModelLoadFailed):
            self._worker = None
            _shut(worker)
            raise ModelLoadError(path=self._model.path, reason=answer.reason)
        if not isinstance(answer, ModelLoaded):
            raise self._gone(worker, f"it answered {type(answer).__name__} to a load")
        self.n_ctx = answer.n_ctx
        log.info("loaded the embedding model %s in %.2f s (context %d)", self.name, answer.load_seconds, self.n_ctx)
        return worker

    def _ask(self, worker: WorkerProcess, command: WorkerCommand, seconds: float) -> EngineEvent:
        """Sends ``command`` and returns the worker's answer (its log lines go to the log meanwhile)."""
        try:
            worker.commands.send(command)
            while True:
                if not worker.events.poll(seconds):
                    raise self._gone(worker, f"it did not answer within {seconds:.0f} s, so Parley ended it")
                event: EngineEvent | WorkerLogLine = worker.events.recv()
                if isinstance(event, WorkerLogLine):
                    worker_log.log(event.level, "%s", event.message)
                    continue
                if isinstance(event, EngineCrashed):
                    raise self._gone(worker, event.reason)
                if isinstance(event, TextsEmbedded) and self.dimensions is None:
                    self.dimensions = event.dimensions
                return event
        except (EOFError, OSError) as exc:
            worker.process.join(SHUTDOWN_SECONDS)
            raise self._gone(worker, describe_exit(worker.process.exitcode)) from exc

    def _gone(self, worker: WorkerProcess, reason: str) -> EmbeddingEngineError:
        """Ends ``worker`` (hung, crashed or confused) and says so; the next call starts a fresh one."""
        log.error("the embedding process for %s ended: %s", self.name, reason)
        if self._worker is worker:
            self._worker = None
        _shut(worker)
        return EmbeddingEngineError(name=self.name, reason=reason)


def _shut(worker: WorkerProcess) -> None:
    """Asks ``worker`` to end, kills it when it does not, and closes its pipes."""
    if worker.process.is_alive():
        with contextlib.suppress(OSError):  # it is going already
            worker.commands.send(ShutdownCommand())
        worker.process.join(SHUTDOWN_SECONDS)
    if worker.process.is_alive():
        worker.process.kill()
        worker.process.join(SHUTDOWN_SECONDS)
    worker.commands.close()
    worker.events.close()


# -- which embedder ----------------------------------------------------------------------------

# Architectures that exist only to embed (BERT and its kin): an embedder even without a pooling key.
POOLING_NONE, POOLING_RANK = 0, 4  # llama.cpp's llama_pooling_type values (GgufInfo.pooling_type)
EMBEDDING_ARCHITECTURES = frozenset({"bert", "nomic-bert", "nomic-bert-moe", "jina-bert-v2", "modern-bert", "neo-bert"})


def is_embedding_model(info: gguf.GgufInfo) -> bool:
    """Whether a GGUF is an embedding model by its header: it declares a pooling, or its architecture only
    embeds; a reranker (rank pooling) is not one."""
    if info.pooling_type == POOLING_RANK:
        return False
    declared = info.pooling_type is not None and info.pooling_type != POOLING_NONE
    return declared or (info.architecture or "") in EMBEDDING_ARCHITECTURES


def embedding_context(path: Path) -> int:
    """The context an embedding model is loaded with: its own, at most ``EMBEDDING_CONTEXT``."""
    try:
        own = gguf.read_gguf(path).context_length
    except NotAGgufError:
        own = None  # the load will say what is wrong with the file
    return min(own or EMBEDDING_CONTEXT, EMBEDDING_CONTEXT)


def catalog_embedder(entry: ModelEntry) -> RecommendedModel | None:
    """The catalog's embedding model that ``entry`` was downloaded as, if any."""
    provenance = entry.provenance
    if provenance is None:
        return None
    return next(
        (
            model
            for model in load_recommended(kind="embedding")
            if model.repo == provenance.repo and PurePosixPath(model.file).name == entry.path.name
        ),
        None,
    )


def installed_embedders(registry: ModelRegistry) -> list[ModelEntry]:
    """The installed models that are embedding models (by their header, or as the catalog downloaded them),
    for the Documents settings; any other installed model may still be chosen (the tests choose the starter)."""
    found = []
    for entry in registry.models():
        if entry.damage:
            continue
        try:
            header_says = is_embedding_model(gguf.read_gguf(entry.path))
        except NotAGgufError:
            continue
        if header_says or catalog_embedder(entry) is not None:
            found.append(entry)
    return found


def embedder_for(settings: Settings, registry: ModelRegistry) -> Embedder | None:
    """The embedder ``settings.embedding_model`` names: a ``LocalEmbedder`` on an installed model (any
    GGUF the user chose, a chat model too); None when none is chosen or the chosen one is not installed.
    Documents never leave the computer, so a remote server's model is never an embedder (None).
    The caller owns the result and closes it when done with it."""
    name = settings.embedding_model
    if not name or REMOTE_SEPARATOR in name:
        return None
    entry = next((e for e in registry.models() if name in (e.name, str(e.path)) and not e.damage), None)
    if entry is None:
        return None
    spec = registry.spec_for(entry, settings)
    catalog = catalog_embedder(entry)
    pooling = catalog.pooling if catalog is not None else ""
    return LocalEmbedder(replace(spec, n_ctx=embedding_context(entry.path), embedding=True, pooling=pooling))


class ChosenEmbedder:
    """The one embedder of the Settings choice in this process, shared by the window's turns and its
    indexer: made when first asked for, kept while the choice stays, and replaced (the old engine
    process closed) when the user chooses another model. Calling it gives the embedder or None."""

    def __init__(self, settings: Callable[[], Settings], registry: ModelRegistry) -> None:
        self._settings = settings
        self._registry = registry
        self._lock = threading.Lock()
        self._choice: str | None = None
        self._embedder: Embedder | None = None

    def __call__(self) -> Embedder | None:
        settings = self._settings()
        with self._lock:
            if settings.embedding_model != self._choice or self._embedder is None:
                old = self._embedder
                self._choice = settings.embedding_model
                self._embedder = embedder_for(settings, self._registry)
                if isinstance(old, LocalEmbedder):
                    old.close()
            return self._embedder

    def close(self) -> None:
        """Ends the embedder's engine process (a later call starts one again)."""
        with self._lock:
            embedder = self._embedder
        if isinstance(embedder, LocalEmbedder):
            embedder.close()
