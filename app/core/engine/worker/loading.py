"""Loading a model in the worker: the ``Llama`` built for this CPU, the GPU step-down, and llama.cpp's log.

A load that runs out of memory is tried again with fewer GPU layers, then a smaller context
(``gpu_plan``); the reason a load failed is read from llama.cpp's own log, which it drops with
verbose=False, so ``LlamaLog`` keeps it. A model with a draft (``ModelSpec.draft_path``) gets it loaded
beside it, with its GPU layers setting and context, once its vocabulary is checked against the model's;
drafting needs flash attention (see ``open_model``).
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import time
from collections import deque
from collections.abc import Callable, Iterator
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import Any, TypeVar

import llama_cpp
from llama_cpp import _ggml as ggml_library

from app.core.engine import gpu_plan, native
from app.core.engine.kv_state import StateCache
from app.core.engine.protocol import BackendDevice, ModelLoaded, ModelSpec, OffloadReport
from app.core.engine.worker.embedding import EmbeddingModel
from app.core.engine.worker.model import LoadedModel
from app.core.engine.worker.speculative import DraftModelDrafter, PromptLookupDrafter
from app.core.errors import DraftVocabularyError, NotAGgufError
from app.core.models import gguf

log = logging.getLogger("app.worker")
_GGML_LOG_LEVEL_ERROR = 4
_GGML_LOG_LEVEL_CONT = 5
T = TypeVar("T")
_KV_TYPES = {"f16": llama_cpp.GGML_TYPE_F16, "q8_0": llama_cpp.GGML_TYPE_Q8_0, "q4_0": llama_cpp.GGML_TYPE_Q4_0}


class LlamaLog:
    """Keeps llama.cpp's recent log lines; with verbose=False the library drops its errors."""

    def __init__(self) -> None:
        self.lines: deque[tuple[int, str]] = deque(maxlen=4000)  # a load logs a line or two per layer
        self._last_level = 0
        self._callback = llama_cpp.llama_log_callback(self._on_log)  # keep a reference: C holds it
        llama_cpp.llama_log_set(self._callback, ctypes.c_void_p(0))

    def _on_log(self, level: int, text: bytes, user_data: Any) -> None:
        del user_data
        if level == _GGML_LOG_LEVEL_CONT:
            level = self._last_level
        self._last_level = level
        line = text.decode("utf-8", errors="replace").strip()
        if line:
            self.lines.append((level, line))

    def clear(self) -> None:
        self.lines.clear()

    def failure_reason(self) -> str | None:
        """The most telling error line since the last clear, without llama.cpp's function prefix."""
        errors = [line for level, line in self.lines if level >= _GGML_LOG_LEVEL_ERROR]
        errors += [line for level, line in self.lines if level < _GGML_LOG_LEVEL_ERROR and "error" in line.lower()]
        for line in errors:
            text = line.split(": ", 1)[1] if ": " in line else line
            if text.startswith("error loading model: "):
                text = text[len("error loading model: ") :]
            if "failed to load model" not in text:
                return text
        return None


@contextlib.contextmanager
def cpu_buffers_for_this_machine() -> Iterator[None]:
    """Builds ``Llama`` the way this CPU can run it (see ``native.without_extra_cpu_buffers``)."""
    with native.without_extra_cpu_buffers(vars(llama_cpp.llama)["llama_cpp"]):  # the binding Llama calls
        yield


def backend_devices() -> tuple[BackendDevice, ...]:
    return native.backend_devices(ggml_library.libggml)


def backend_names() -> tuple[str, ...]:
    return native.backend_names(ggml_library.libggml)


def gpu_build() -> bool:
    """Whether this llama.cpp can offload layers to a GPU at all."""
    return bool(llama_cpp.llama_supports_gpu_offload())


def new_llama(
    spec: ModelSpec, n_gpu_layers: int, n_ctx: int, pooling: int = llama_cpp.LLAMA_POOLING_TYPE_UNSPECIFIED
) -> tuple[llama_cpp.Llama, float]:
    """One ``Llama`` for ``spec`` built the way this CPU runs it, and the seconds it took (ValueError: no load).

    An embedding model (``spec.embedding``) evaluates a whole text in one batch, as a model that is not
    causal (BERT) must, so its batch is its context.
    """
    threads = max(1, min(os.cpu_count() or 1, 8))
    kv_type = _KV_TYPES.get(spec.kv_type)
    n_batch = n_ctx if spec.embedding else spec.n_batch
    started = time.perf_counter()
    with cpu_buffers_for_this_machine():
        llm = llama_cpp.Llama(
            model_path=spec.path,
            n_ctx=n_ctx,
            n_gpu_layers=n_gpu_layers,
            n_threads=spec.n_threads or threads,
            n_threads_batch=spec.n_threads or (os.cpu_count() or 1),
            n_batch=n_batch,
            n_ubatch=n_batch if spec.embedding else 512,
            flash_attn=spec.flash_attn,
            type_k=kv_type,
            type_v=kv_type,
            embedding=spec.embedding,
            pooling_type=pooling,
            verbose=False,
        )
    return llm, time.perf_counter() - started


def build(spec: ModelSpec, stop_seq: Synchronized[int], n_gpu_layers: int, n_ctx: int) -> LoadedModel:
    """One load attempt: ``spec`` with ``n_gpu_layers`` and ``n_ctx`` (ValueError when it does not load)."""
    llm, seconds = new_llama(spec, n_gpu_layers, n_ctx)
    try:
        return LoadedModel(spec, llm, stop_seq, n_gpu_layers, seconds)
    except Exception:  # the model stays unusable: its file is closed before the error goes on
        llm.close()
        raise


def _with_step_down(
    spec: ModelSpec, llama_log: LlamaLog, build_one: Callable[[int, int], T]
) -> tuple[T, OffloadReport]:
    """Loads ``spec``: Auto resolved to a layer count, then stepped down while the load runs out of memory."""
    if not os.path.isfile(spec.path):
        raise ValueError("the file does not exist")
    if os.path.getsize(spec.path) == 0:
        raise ValueError("the file is empty")
    offloads = gpu_build()
    first, n_layer = gpu_plan.first_attempt(spec, offloads, backend_devices)

    def attempt(layers: int, n_ctx: int) -> T:
        llama_log.clear()
        # Every repeating layer on the GPU: the output layer goes too.
        wanted = n_layer + 1 if n_layer and layers >= n_layer else layers
        try:
            return build_one(wanted, n_ctx)
        except ValueError as exc:
            lines = [line for _, line in llama_log.lines]
            if gpu_plan.is_memory_failure([str(exc), *lines]):
                raise gpu_plan.MemoryLoadError(llama_log.failure_reason() or str(exc)) from exc
            raise ValueError(llama_log.failure_reason() or str(exc)) from exc

    try:
        planned = gpu_plan.load_with_step_down(attempt, first, spec.n_ctx)
    except gpu_plan.MemoryLoadError as exc:
        raise ValueError(f"not enough memory to load it, even on the CPU with a small context ({exc})") from exc
    lines = [line for _, line in llama_log.lines]
    on_gpu, total, vram = gpu_plan.parse_offload(lines)
    offload = OffloadReport(on_gpu, total, vram, planned.layers, planned.n_ctx, planned.failed, offloads)
    if planned.failed:
        log.warning("%s: %s", spec.name, gpu_plan.describe_offload(on_gpu, total, vram, planned.failed, offloads))
    return planned.loaded, offload


def open_model(
    spec: ModelSpec, llama_log: LlamaLog, stop_seq: Synchronized[int], states: StateCache | None
) -> LoadedModel:
    """Loads the chat model ``spec`` (see ``_with_step_down``)."""
    loaded, offload = _with_step_down(spec, llama_log, lambda layers, n_ctx: build(spec, stop_seq, layers, n_ctx))
    loaded.offload, loaded.states = offload, states
    try:
        # Drafts are verified only with flash attention: without it, llama.cpp's attention gives a batch's
        # logits that differ from one token's (by up to 0.7 with the starter, enough to flip a greedy
        # choice 23 tokens in), so a verified draft would not be what plain decoding samples. With it
        # they are the same to the bit (measured with the starter on this CPU, batches of 2 to 9).
        if spec.flash_attn and spec.draft_path:
            loaded.drafter = DraftModelDrafter(open_draft(spec, loaded.n_ctx))
        elif spec.flash_attn and spec.prompt_lookup:
            loaded.drafter = PromptLookupDrafter()
    except BaseException:
        loaded.close()
        raise
    return loaded


def open_draft(spec: ModelSpec, n_ctx: int) -> llama_cpp.Llama:
    """The draft model of ``spec``, with its GPU layers setting and ``n_ctx`` (ValueError: refused or no load)."""
    draft = Path(spec.draft_path)
    try:
        if gguf.vocabulary_hash(draft) != gguf.vocabulary_hash(Path(spec.path)):
            raise ValueError(DraftVocabularyError(draft=draft.stem, model=spec.name).user_message())
    except NotAGgufError as exc:
        raise ValueError(exc.user_message()) from exc
    draft_spec = ModelSpec(
        spec.draft_path, draft.stem, n_ctx, spec.n_gpu_layers, spec.n_threads, n_batch=spec.n_batch,
        flash_attn=spec.flash_attn, kv_type=spec.kv_type,
    )  # fmt: skip
    try:
        llm, _ = new_llama(draft_spec, spec.n_gpu_layers, n_ctx)
    except ValueError as exc:
        raise ValueError(f"its draft model {draft.name} could not be loaded ({exc})") from exc
    return llm


_POOLINGS = {
    "mean": llama_cpp.LLAMA_POOLING_TYPE_MEAN,
    "cls": llama_cpp.LLAMA_POOLING_TYPE_CLS,
    "last": llama_cpp.LLAMA_POOLING_TYPE_LAST,
}


def embedding_pooling(path: str, fallback: str = "") -> int:
    """How an embedding model's token rows become one: as its GGUF declares, else ``fallback`` ("mean",
    "cls", "last"), else the mean (a decoder-only chat model such as the starter declares none)."""
    try:
        declared = gguf.read_gguf(Path(path)).pooling_type
    except NotAGgufError as exc:
        raise ValueError(exc.fields.get("reason", str(exc))) from exc
    if declared in _POOLINGS.values():
        return llama_cpp.LLAMA_POOLING_TYPE_UNSPECIFIED  # llama.cpp reads the declared one itself
    if declared == llama_cpp.LLAMA_POOLING_TYPE_RANK:
        raise ValueError("it is a reranking model, which scores pairs of texts rather than embedding them")
    return _POOLINGS.get(fallback, llama_cpp.LLAMA_POOLING_TYPE_MEAN)


def open_embedding_model(spec: ModelSpec, llama_log: LlamaLog) -> EmbeddingModel:
    """Loads the embedding model ``spec`` (``spec.embedding`` is set; see ``_with_step_down``)."""
    pooling = embedding_pooling(spec.path, spec.pooling) if os.path.isfile(spec.path) else _POOLINGS["mean"]

    def build_one(layers: int, n_ctx: int) -> EmbeddingModel:
        llm, seconds = new_llama(spec, layers, n_ctx, pooling)
        return EmbeddingModel(spec, llm, seconds)

    model, offload = _with_step_down(spec, llama_log, build_one)
    model.offload = offload
    return model


def loaded_event(loaded: LoadedModel, load_seconds: float) -> ModelLoaded:
    """What the app is told about ``loaded``."""
    template = loaded.template
    return ModelLoaded(
        loaded.spec,
        load_seconds,
        loaded.gpu_offload and bool(loaded.offload and loaded.offload.layers_on_gpu),
        template.is_fallback,
        loaded.n_ctx,
        template_options=template.options,
        template_error=template.fallback_reason,
        offload=loaded.offload,
        devices=backend_devices(),
        backends=backend_names(),
    )
