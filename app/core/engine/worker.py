"""The llama.cpp worker: runs in its own process and is the only module that imports llama_cpp.

It owns one ``Llama`` at a time and its token loop. It keeps the exact token ids that sit in
the KV cache together with the prompt text they spell, so a new turn tokenizes and evaluates
only the text that is new. Tokens are detokenized one by one through an incremental UTF-8
decoder, so a character split across tokens is never shown half-made, and the text goes
through an ``OutputSplitter`` that keeps reasoning apart from the answer and ends the answer
at a stop string. Stop is a shared counter checked between tokens and, while a prompt is
being evaluated, by llama.cpp's abort callback.
"""

from __future__ import annotations

import codecs
import contextlib
import ctypes
import gc
import logging
import os
import random
import signal
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from multiprocessing.connection import Connection
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import Any

import llama_cpp
from llama_cpp import _ggml as ggml_library

from app.core.engine import budget, gpu_plan, native
from app.core.engine.commands import (
    CacheConfigCommand,
    CountCommand,
    GenerateCommand,
    LoadCommand,
    PrepareCommand,
    ShutdownCommand,
    UnloadCommand,
    WorkerCommand,
    WorkerLogLine,
)
from app.core.engine.kv_state import SavedState, StateCache, StateKey, model_identity
from app.core.engine.protocol import (
    BackendDevice,
    ChatMessage,
    CountTokensRequest,
    EngineCrashed,
    EngineEvent,
    GenerationFailed,
    GenerationFinished,
    GenerationRequest,
    GenerationStats,
    ModelLoaded,
    ModelLoadFailed,
    ModelSpec,
    ModelUnloaded,
    OffloadReport,
    StopReason,
    TokensCounted,
    TokensReceived,
)
from app.core.engine.reasoning import MARKUP, OutputSplitter
from app.core.engine.template import ChatTemplate, TemplateRenderError

Emit = Callable[[EngineEvent], None]
log = logging.getLogger("app.worker")
_GGML_LOG_LEVEL_ERROR = 4
_GGML_LOG_LEVEL_CONT = 5
NO_STOP = 1 << 62
# Text is sent to the app at most this often (20 updates a second, smoother than reading speed).
# Each send wakes two threads in the app process (the pipe reader, then the consumer), and on a
# machine whose cores llama.cpp's threads fill, each wake-up preempts one of them while the others
# wait for it at the end of the decode step. Measured on two cores with bench/decode.py, a send
# every 30 ms kept 0.96 of a bare generate loop's speed and one every 50 ms 0.99; the token loop
# itself, run without the pipe, costs nothing measurable.
SEND_INTERVAL_SECONDS = 0.05


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


_KV_TYPES = {"f16": llama_cpp.GGML_TYPE_F16, "q8_0": llama_cpp.GGML_TYPE_Q8_0, "q4_0": llama_cpp.GGML_TYPE_Q4_0}


@contextlib.contextmanager
def cpu_buffers_for_this_machine() -> Iterator[None]:
    """Builds ``Llama`` the way this CPU can run it (see ``native.without_extra_cpu_buffers``)."""
    with native.without_extra_cpu_buffers(vars(llama_cpp.llama)["llama_cpp"]):  # the binding Llama calls
        yield


def backend_devices() -> tuple[BackendDevice, ...]:
    return native.backend_devices(ggml_library.libggml)


def backend_names() -> tuple[str, ...]:
    return native.backend_names(ggml_library.libggml)


class ContextOverflowError(Exception):
    """The prompt does not fit: ``code`` is "message_too_long" or "context_full" (see GenerationFailed)."""

    def __init__(self, message: str, code: str, tokens: int, limit: int) -> None:
        super().__init__(message)
        self.code, self.tokens, self.limit = code, tokens, limit


class DecodeError(Exception):
    """llama.cpp could not evaluate a batch (llama_decode failed)."""


# End-of-generation markers, as text, for a model that writes one out in plain pieces instead of
# its single token (or a ChatML fallback on a model that never learnt ChatML's tokens). Only
# "<|…|>"-shaped ones: "</s>" and "<end_of_turn>" read like HTML a user may well ask for.
_END_MARKER_KEYS = ("tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id")
_HARMONY_ENDS = ("<|return|>", "<|call|>")


class ModelSession:
    """One loaded model, its chat template and the tokens in its KV cache."""

    def __init__(
        self,
        spec: ModelSpec,
        log: LlamaLog,
        stop_seq: Synchronized[int],
        n_gpu_layers: int | None = None,
        n_ctx: int | None = None,
    ) -> None:
        """Loads ``spec`` with ``n_gpu_layers`` and ``n_ctx`` (None: the spec's own; the load plan may
        step them down)."""
        n_gpu_layers = spec.n_gpu_layers if n_gpu_layers is None else n_gpu_layers
        n_ctx = spec.n_ctx if n_ctx is None else n_ctx
        self.spec = spec
        self.gpu_offload = bool(llama_cpp.llama_supports_gpu_offload())
        self.n_gpu_layers = n_gpu_layers
        threads = max(1, min(os.cpu_count() or 1, 8))
        kv_type = _KV_TYPES.get(spec.kv_type)
        started = time.perf_counter()
        with cpu_buffers_for_this_machine():
            self.llm = llama_cpp.Llama(
                model_path=spec.path,
                n_ctx=n_ctx,
                n_gpu_layers=n_gpu_layers,
                n_threads=spec.n_threads or threads,
                n_threads_batch=spec.n_threads or (os.cpu_count() or 1),
                n_batch=spec.n_batch,
                flash_attn=spec.flash_attn,
                type_k=kv_type,
                type_v=kv_type,
                verbose=False,
            )
        self.load_seconds = time.perf_counter() - started
        self._log = log
        self._vocab = self.llm._model.vocab
        self.n_ctx = self.llm.n_ctx()
        bos, eos = self.llm.token_bos(), self.llm.token_eos()
        self._bos_text = self._token_text(bos)
        self._add_bos = bool(llama_cpp.llama_vocab_get_add_bos(self._vocab)) and bos >= 0
        template = spec.chat_template or self.llm.metadata.get("tokenizer.chat_template")
        self.template = ChatTemplate.from_metadata(template, self._bos_text, self._token_text(eos))
        self.stop_strings = self._end_markers()
        self._cached_text = ""
        self._cached_ids: list[int] = []
        self._piece_buffer = ctypes.create_string_buffer(64)
        self._token_info: dict[int, tuple[bytes, bool, bool]] = {}
        self._stop_seq = stop_seq
        self._active_seq = NO_STOP
        self._abort_callback = llama_cpp.ggml_abort_callback(self._should_abort)  # keep a reference
        self._no_abort_callback = llama_cpp.ggml_abort_callback()  # NULL
        self.offload: OffloadReport | None = None
        self.states: StateCache | None = None
        self._state_key = StateKey("", model_identity(spec.path), self.n_ctx, n_gpu_layers, spec.kv_type)
        self._conversation: str | None = None  # whose tokens the KV cache holds

    def close(self) -> None:
        self._watch_prompt(False)
        self.llm.close()

    def forget_cache(self) -> None:
        """The next prompt is evaluated from the start."""
        self._cached_text, self._cached_ids = "", []
        self._conversation = None

    # -- conversation states -------------------------------------------------------------------

    def restore_for(self, request: GenerationRequest) -> None:
        """Puts the conversation's saved KV state back when the cache holds another's and it matches."""
        key = request.conversation_key
        if key is None or self.states is None:
            return
        prompt = self._render(request.messages, request)
        if key == self._conversation and self._cached_text and prompt.startswith(self._cached_text):
            return  # the KV cache already holds it
        state = self.states.find(replace(self._state_key, conversation=key), prompt)
        if state is None:
            return
        data = (ctypes.c_uint8 * len(state.data)).from_buffer_copy(state.data)
        llama_cpp.llama_memory_clear(llama_cpp.llama_get_memory(self.llm.ctx), True)
        if llama_cpp.llama_state_seq_set_data(self.llm.ctx, data, len(state.data), 0) == 0:
            log.warning("the saved state of conversation %s did not load; evaluating it afresh", key)
            self.llm.n_tokens = 0
            self.forget_cache()
            return
        n = state.evaluated
        self.llm.input_ids[:n] = state.token_ids[:n]
        self.llm.n_tokens = n
        self.llm._requires_eval = True  # the logits were not restored: a decode must come first
        self._cached_text, self._cached_ids = state.text, list(state.token_ids)
        self._conversation = key

    def _keep_state(self, request: GenerationRequest) -> None:
        """Hands the KV state that spells ``_cached_text`` to the cache (memory now, disk in the background)."""
        key = request.conversation_key
        self._conversation = key
        if key is None or self.states is None or not self._cached_text:
            return
        ctx = self.llm.ctx
        size = llama_cpp.llama_state_seq_get_size(ctx, 0)
        buffer = (ctypes.c_uint8 * size)()
        written = llama_cpp.llama_state_seq_get_data(ctx, buffer, size, 0)
        if written <= 0:
            return
        data = ctypes.string_at(buffer, written)
        evaluated = int(self.llm.n_tokens)
        if list(self.llm.input_ids[:evaluated]) != self._cached_ids[:evaluated]:
            return  # the KV cache does not hold what the cached text spells: nothing worth keeping
        state = SavedState(
            replace(self._state_key, conversation=key), self._cached_text, tuple(self._cached_ids), data, evaluated
        )
        self.states.remember(state)

    def loaded_event(self, load_seconds: float) -> ModelLoaded:
        template = self.template
        return ModelLoaded(
            self.spec,
            load_seconds,
            self.gpu_offload and bool(self.offload and self.offload.layers_on_gpu),
            template.is_fallback,
            self.n_ctx,
            template_options=template.options,
            template_error=template.fallback_reason,
            offload=self.offload,
            devices=backend_devices(),
            backends=backend_names(),
        )

    # -- tokens --------------------------------------------------------------------------------

    def _token_text(self, token: int) -> str:
        return self.llm._model.token_get_text(token) if token >= 0 else ""

    def _end_markers(self) -> tuple[str, ...]:
        """The texts of the model's end-of-generation tokens, as its metadata names them."""
        metadata = self.llm.metadata
        tokens = [int(metadata[key]) for key in _END_MARKER_KEYS if str(metadata.get(key, "")).isdigit()]
        for text in _HARMONY_ENDS:  # gpt-oss: no metadata key names these, the vocabulary has them
            ids = self._tokenize(text)
            if len(ids) == 1:
                tokens.append(ids[0])
        n_vocab = llama_cpp.llama_vocab_n_tokens(self._vocab)
        texts = [
            self._token_text(token)
            for token in tokens
            if 0 <= token < n_vocab and llama_cpp.llama_vocab_is_eog(self._vocab, token)  # as llama.cpp sees it
        ]
        if self.template.is_fallback:
            texts.append("<|im_end|>")
        return tuple(dict.fromkeys(t for t in texts if t.startswith("<|") or t.endswith("|>")))

    def _token_facts(self, token: int) -> tuple[bytes, bool, bool]:
        """A token's piece, whether it ends generation, and whether it is a control token: fixed for
        the vocabulary, so each token is asked about once (ctypes calls cost a few microseconds each)."""
        return self._piece(token), bool(llama_cpp.llama_vocab_is_eog(self._vocab, token)), self._is_control(token)

    def _is_control(self, token: int) -> bool:
        return bool(llama_cpp.llama_vocab_get_attr(self._vocab, token) & llama_cpp.LLAMA_TOKEN_ATTR_CONTROL)

    def _piece(self, token: int) -> bytes:
        # special=True: a control token is written out as its text, not dropped. gpt-oss's channel
        # markup (<|channel|>, <|message|>, <|end|>...) is made of control tokens, and so is <think>
        # in some vocabularies: without their text the reasoning could not be told from the answer.
        # And the cached text must spell every token in the KV cache, or a next prompt that extends
        # it would be tokenized as if those tokens were not there. End-of-generation tokens never
        # get here; other control tokens are kept out of what is shown by generate().
        buffer = self._piece_buffer
        size = llama_cpp.llama_token_to_piece(self._vocab, token, buffer, len(buffer), 0, True)
        if size < 0:
            buffer = ctypes.create_string_buffer(-size)
            size = llama_cpp.llama_token_to_piece(self._vocab, token, buffer, -size, 0, True)
        return buffer.raw[:size]

    def _tokenize(self, text: str) -> list[int]:
        return list(self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def prompt_ids(self, text: str) -> list[int]:
        """Token ids for ``text``, reusing the cached ids when the text extends the cached prompt.

        Those are the very ids in the KV cache, generated ones included (a model does not always
        generate the tokens the tokenizer would give its text). When a template rewrote earlier
        text instead (dropped a think block, moved the system prompt, changed the date), the text
        is tokenized afresh and ``Llama.generate`` keeps the longest common prefix of ids in the
        KV cache (its reset=True path) and evaluates only the rest.
        """
        if self._cached_text and text.startswith(self._cached_text):
            return self._cached_ids + self._tokenize(text[len(self._cached_text) :])
        ids = self._tokenize(text)
        if self._add_bos and not (self._bos_text and text.startswith(self._bos_text)):
            ids.insert(0, self.llm.token_bos())
        return ids

    def _render(self, messages: Sequence[ChatMessage], request: GenerationRequest) -> str:
        def render(messages: Sequence[ChatMessage]) -> str:
            return self.template.render(
                messages,
                enable_thinking=request.enable_thinking,
                reasoning_effort=request.reasoning_effort,
                date=request.date,
            )

        try:
            return render(messages) + request.prefill
        except TemplateRenderError:
            # Some templates (Gemma's, for one) refuse a system role: fold it into the first user turn.
            if len(messages) > 1 and messages[0].role == "system" and messages[1].role == "user":
                merged = ChatMessage("user", f"{messages[0].content}\n\n{messages[1].content}")
                return render([merged, *messages[2:]]) + request.prefill
            raise

    def prompt_limit(self, max_tokens: int) -> int:
        """How many tokens a prompt may take: the rest of the context is kept for the answer."""
        return budget.prompt_limit(self.n_ctx, max_tokens)

    def count(self, request: CountTokensRequest) -> TokensCounted:
        text = self._render(request.messages, GenerationRequest(request.request_id, request.model, request.messages))
        tokens = len(self.prompt_ids(text))
        return TokensCounted(request.request_id, tokens, self.n_ctx, self.prompt_limit(request.max_tokens))

    def _fit(self, request: GenerationRequest) -> tuple[str, list[int], int]:
        """Renders the prompt; when it does not fit, applies the request's overflow policy.

        "drop_oldest" leaves out the oldest turns until about a quarter of the context is free, so
        the next turns extend this prompt (and reuse its cache) until the next chunk must go. A turn
        goes whole, the user's message with its answer, so what is left still starts with a user
        message and alternates as templates like Mistral's and Gemma's insist. The system prompt
        always stays. Returns the text, its ids, and how many messages were left out.
        """
        messages = list(request.messages)
        limit = self.prompt_limit(request.sampling.max_tokens)
        text = self._render(messages, request)
        ids = self.prompt_ids(text)
        if len(ids) <= limit:
            return text, ids, 0
        first = next((i for i, m in enumerate(messages) if m.role != "system"), len(messages))
        last_user = max((i for i, m in enumerate(messages) if m.role == "user"), default=first)
        alone = messages[:first] + messages[last_user:]
        alone_tokens = len(ids) if len(alone) == len(messages) else len(self.prompt_ids(self._render(alone, request)))
        if alone_tokens > limit:
            raise ContextOverflowError(
                f"the message is too long for this model's context ({alone_tokens} tokens, the limit is {limit})",
                "message_too_long", alone_tokens, limit,
            )  # fmt: skip
        if request.overflow == "stop":
            raise ContextOverflowError(
                f"the conversation no longer fits in the context ({len(ids)} tokens, the limit is {limit})",
                "context_full", len(ids), limit,
            )  # fmt: skip
        target = budget.drop_target(self.n_ctx, limit)
        dropped = 0
        while len(ids) > target and first < last_user:
            end = first + 1
            while end < last_user and messages[end].role != "user":
                end += 1
            dropped += end - first
            last_user -= end - first
            del messages[first:end]
            text = self._render(messages, request)
            ids = self.prompt_ids(text)
        return text, ids, dropped

    # -- generation ----------------------------------------------------------------------------

    def _watch_prompt(self, on: bool) -> None:
        """Lets a stop request abort llama_decode, or not.

        ggml asks the callback at every node of the graph, about 600 times per decode for the
        starter model: worth it while a long prompt is evaluated, but a measurable cost on every
        generated token, where the check between tokens is enough.
        """
        callback = self._abort_callback if on else self._no_abort_callback
        llama_cpp.llama_set_abort_callback(self.llm.ctx, callback, None)

    def _should_abort(self, _data: Any) -> bool:
        return bool(self._stop_seq.value >= self._active_seq)

    def generate(self, request: GenerationRequest, seq: int, emit: Emit) -> None:
        started = time.perf_counter()
        sampling = request.sampling
        self.restore_for(request)
        prompt_text, ids, dropped = self._fit(request)
        ctx = self.llm.ctx
        llama_cpp.llama_perf_context_reset(ctx)
        self.llm.set_seed(sampling.seed if sampling.seed is not None else random.randrange(1 << 31))
        decoder = codecs.getincrementaldecoder("utf-8")(errors="ignore")
        output = OutputSplitter(prompt_text, model_stops=self.stop_strings, user_stops=sampling.stop)
        reply_ids: list[int] = []
        parts: list[str] = []  # everything decoded, markup included: what the KV cache holds
        # Text not sent yet: pieces are batched to spare the app a wake-up per token.
        unsent_answer: list[str] = []
        unsent_reasoning: list[str] = []
        last_sent = 0.0  # the first piece goes out at once

        def send() -> None:
            if unsent_answer or unsent_reasoning:
                emit(TokensReceived(request.request_id, "".join(unsent_answer), "".join(unsent_reasoning)))
                unsent_answer.clear()
                unsent_reasoning.clear()

        first_token_at: float | None = None
        reason: StopReason = "length"
        self._active_seq = seq
        self._watch_prompt(True)
        tokens = self.llm.generate(
            ids,
            reset=True,  # not "start afresh": keep the KV cache's longest common prefix with ids
            top_k=sampling.top_k,
            top_p=sampling.top_p,
            min_p=sampling.min_p,
            temp=sampling.temperature,
            repeat_penalty=sampling.repeat_penalty,
        )
        # Bound once: the loop runs between llama.cpp's decodes, and every microsecond in it is a
        # microsecond the model waits.
        stop_seq, token_info, decode = self._stop_seq, self._token_info, decoder.decode
        try:
            for token in tokens:
                if first_token_at is None:
                    first_token_at = time.perf_counter()
                    self._watch_prompt(False)  # the prompt is in: from here, stop is checked between tokens
                if stop_seq.value >= seq:
                    reason = "stopped"
                    break
                info = token_info.get(token)
                if info is None:
                    info = token_info[token] = self._token_facts(token)
                piece, end_of_generation, hidden = info
                if end_of_generation:
                    reason = "stop"
                    break
                reply_ids.append(token)
                chunk = decode(piece)
                parts.append(chunk)
                if chunk and not (hidden and chunk not in MARKUP):  # unknown specials: never shown
                    reasoning, answer = output.feed(chunk)
                    if answer:
                        unsent_answer.append(answer)
                    if reasoning:
                        unsent_reasoning.append(reasoning)
                    now = time.perf_counter()
                    if now - last_sent >= SEND_INTERVAL_SECONDS:
                        send()
                        last_sent = now
                    if output.stopped:
                        reason = "stop"
                        break
                if len(reply_ids) >= sampling.max_tokens:
                    break
                if self.llm.n_tokens + 1 >= self.n_ctx:
                    reason = "context_full"
                    break
        except RuntimeError as exc:
            if self._stop_seq.value < seq:
                raise DecodeError(str(exc)) from exc
            reason = "stopped"  # llama_decode was aborted by the stop request while it evaluated a batch
        finally:
            tokens.close()
            self._watch_prompt(False)
            self._active_seq = NO_STOP
            reasoning, answer = output.finish()
            if answer:
                unsent_answer.append(answer)
            if reasoning:
                unsent_reasoning.append(reasoning)
            send()
        finished = time.perf_counter()
        if decoder.getstate()[0] or (reason == "stopped" and first_token_at is None):
            # A half-made character or an aborted prompt: the cache no longer spells a known text.
            self._cached_text, self._cached_ids = "", []
        else:
            self._cached_text, self._cached_ids = prompt_text + "".join(parts), ids + reply_ids
        perf = llama_cpp.llama_perf_context(ctx)
        generating = finished - first_token_at if first_token_at is not None else 0.0
        stats = GenerationStats(
            prompt_tokens=len(ids),
            prompt_tokens_evaluated=int(perf.n_p_eval),
            generated_tokens=len(reply_ids),
            ttft_seconds=(first_token_at - started) if first_token_at is not None else finished - started,
            tokens_per_second=(len(reply_ids) - 1) / generating if len(reply_ids) > 1 and generating > 0 else 0.0,
            truncated_messages=dropped,
            decode_seconds=float(perf.t_eval_ms) / 1000,
            decoded_tokens=int(perf.n_eval),
        )
        emit(GenerationFinished(request.request_id, output.answer, reason, stats, output.reasoning))
        try:
            self._keep_state(request)  # after the answer is out: the user never waits for it
        except (MemoryError, OSError, RuntimeError) as exc:  # the answer stands; only the saved state is lost
            log.warning("could not keep the KV state of conversation %s: %s", request.conversation_key, exc)


class Worker:
    """Carries out commands one at a time and reports back through ``emit``."""

    def __init__(self, emit: Emit, stop_seq: Synchronized[int]) -> None:
        self._emit = emit
        self._stop_seq = stop_seq
        self._log = LlamaLog()
        self.session: ModelSession | None = None
        self.states: StateCache | None = None

    def handle(self, command: WorkerCommand) -> None:
        if isinstance(command, CacheConfigCommand):
            self.configure_states(command.folder, command.limit_bytes)
        elif isinstance(command, LoadCommand):
            self.load(command.model, always_answer=True)
        elif isinstance(command, GenerateCommand):
            self.generate(command)
        elif isinstance(command, CountCommand):
            self.count(command.request)
        elif isinstance(command, PrepareCommand):
            self.prepare(command.request)
        elif isinstance(command, UnloadCommand):
            unloaded = self.session.spec if self.session is not None else None
            self.unload()
            self._emit(ModelUnloaded(unloaded))

    def unload(self) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None
            gc.collect()

    def configure_states(self, folder: str | None, limit_bytes: int) -> None:
        if self.states is not None and self.states.folder == (Path(folder) if folder else None):
            self.states.limit_bytes = limit_bytes
            return
        if self.states is not None:
            self.states.close()
        self.states = StateCache(Path(folder) if folder else None, limit_bytes)
        if self.session is not None:
            self.session.states = self.states

    def _open(self, spec: ModelSpec) -> ModelSession:
        """Loads ``spec``: Auto resolved to a layer count, then stepped down while the load runs out of memory."""
        if not os.path.isfile(spec.path):
            raise ValueError("the file does not exist")
        if os.path.getsize(spec.path) == 0:
            raise ValueError("the file is empty")
        gpu_build = bool(llama_cpp.llama_supports_gpu_offload())
        first, n_layer = gpu_plan.first_attempt(spec, gpu_build, backend_devices)

        def attempt(layers: int, n_ctx: int) -> ModelSession:
            self._log.clear()
            # Every repeating layer on the GPU: the output layer goes too.
            wanted = n_layer + 1 if n_layer and layers >= n_layer else layers
            try:
                return ModelSession(spec, self._log, self._stop_seq, wanted, n_ctx)
            except ValueError as exc:
                lines = [line for _, line in self._log.lines]
                if gpu_plan.is_memory_failure([str(exc), *lines]):
                    raise gpu_plan.MemoryLoadError(self._log.failure_reason() or str(exc)) from exc
                raise ValueError(self._log.failure_reason() or str(exc)) from exc

        try:
            planned = gpu_plan.load_with_step_down(attempt, first, spec.n_ctx)
        except gpu_plan.MemoryLoadError as exc:
            raise ValueError(f"not enough memory to load it, even on the CPU with a small context ({exc})") from exc
        session = planned.loaded
        lines = [line for _, line in self._log.lines]
        on_gpu, total, vram = gpu_plan.parse_offload(lines)
        session.offload = OffloadReport(on_gpu, total, vram, planned.layers, planned.n_ctx, planned.failed, gpu_build)
        if planned.failed:
            log.warning("%s: %s", spec.name, gpu_plan.describe_offload(on_gpu, total, vram, planned.failed, gpu_build))
        session.states = self.states
        return session

    def load(self, spec: ModelSpec, request_id: str | None = None, *, always_answer: bool = False) -> bool:
        """Makes ``spec`` the loaded model. A load asked for on its own is always answered with an
        event, even when the model is already loaded; one on the way to a generation is not."""
        session = self.session
        if session is not None and session.spec == spec:
            if always_answer:
                self._emit(session.loaded_event(0.0))
            return True
        previous = self.session.spec if self.session is not None else None
        self.unload()
        try:
            self.session = self._open(spec)
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
                    self.session = self._open(previous)
                    still_loaded = previous
                except (ValueError, RuntimeError, OSError):
                    self.session = None
            reason = str(exc) if expected else f"an internal error in the engine ({type(exc).__name__}: {exc})"
            self._emit(ModelLoadFailed(spec, reason, request_id, still_loaded, traceback=details))
            return False
        self._emit(self.session.loaded_event(self.session.load_seconds))
        return True

    def count(self, request: CountTokensRequest) -> None:
        if not self.load(request.model, request.request_id) or self.session is None:
            return
        try:
            self._emit(self.session.count(request))
        except TemplateRenderError as exc:
            self._emit(GenerationFailed(request.request_id, str(exc)))

    def prepare(self, request: GenerationRequest) -> None:
        """Restores the conversation's state ahead of its turn, so that its first token comes as soon as
        the user sends. Only with the request's model already loaded: opening a conversation loads nothing."""
        session = self.session
        if session is None or session.spec != request.model:
            return
        try:
            session.restore_for(request)
        except TemplateRenderError as exc:  # the turn itself will say so, if the user sends
            log.info("no state restored for conversation %s: %s", request.conversation_key, exc)

    def generate(self, command: GenerateCommand) -> None:
        request = command.request
        if not self.load(request.model, request.request_id) or self.session is None:
            return
        session = self.session
        try:
            session.generate(request, command.seq, self._emit)
        except ContextOverflowError as exc:
            self._emit(
                GenerationFailed(request.request_id, str(exc), code=exc.code, prompt_tokens=exc.tokens, limit=exc.limit)
            )
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
            session.forget_cache()
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
