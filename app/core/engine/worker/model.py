"""A loaded model: its chat template, the prompt fitted to its context, and the tokens in its KV cache.

The template's own reasoning tags (``ChatTemplate.reasoning_pairs``, told apart with the
vocabulary's control tokens) go to every answer's splitter. The model keeps the exact token ids
that sit in the KV cache together with the prompt text they spell, so a new turn tokenizes and
evaluates only the text that is new, and it hands each conversation's KV state to the state cache
after a turn and puts it back before the next. With a drafter (prompt lookup or a draft model) it
decodes speculatively, drafting as its ``DraftPolicy`` says, and its answers' stats tell what it did.
"""

from __future__ import annotations

import ctypes
import logging
import random
import time
from collections.abc import Sequence
from dataclasses import replace
from multiprocessing.sharedctypes import Synchronized
from typing import Any

import llama_cpp

from app.core.engine import budget
from app.core.engine.kv_state import SavedState, StateCache, StateKey, model_identity
from app.core.engine.output import OutputSplitter
from app.core.engine.protocol import (
    AnswerInspected,
    ChatMessage,
    CountTokensRequest,
    GenerationFinished,
    GenerationRequest,
    GenerationStats,
    InspectRequest,
    ModelSpec,
    OffloadReport,
    TokensCounted,
)
from app.core.engine.reasoning import CHANNEL, MESSAGE, THINK_OPEN
from app.core.engine.speculation import DraftPolicy
from app.core.engine.template import ChatTemplate, TemplateRenderError
from app.core.engine.worker import generation, inspect
from app.core.engine.worker.speculative import Drafter
from app.core.engine.worker.tokens import Vocabulary

log = logging.getLogger("app.worker")
NO_STOP = 1 << 62


class ContextOverflowError(Exception):
    """The prompt does not fit: ``code`` is "message_too_long" or "context_full" (see GenerationFailed)."""

    def __init__(self, message: str, code: str, tokens: int, limit: int) -> None:
        super().__init__(message)
        self.code, self.tokens, self.limit = code, tokens, limit


class InspectStoppedError(Exception):
    """A stop request ended a look inside before it was done (the user sent a message)."""


class LoadedModel:
    """One ``Llama`` (built by ``loading``), its chat template and the tokens in its KV cache."""

    def __init__(
        self, spec: ModelSpec, llm: llama_cpp.Llama, stop_seq: Synchronized[int], n_gpu_layers: int, load_seconds: float
    ) -> None:
        """``n_gpu_layers``: what llama.cpp was asked for (saved states are kept per layer count)."""
        self.spec = spec
        self.llm = llm
        self.load_seconds = load_seconds
        self.gpu_offload = bool(llama_cpp.llama_supports_gpu_offload())
        self.n_ctx = llm.n_ctx()
        self.vocab = Vocabulary(llm)
        template = spec.chat_template or llm.metadata.get("tokenizer.chat_template")
        self.template = ChatTemplate.from_metadata(template, self.vocab.bos_text, self.vocab.eos_text)
        self.stop_strings = self.vocab.end_markers(chatml_fallback=self.template.is_fallback)
        self.reasoning_pairs = self.template.reasoning_pairs(self.vocab.special_texts)
        self.cached_text = ""
        self._cached_ids: list[int] = []
        self._stop_seq = stop_seq
        self._active_seq = NO_STOP
        self._abort_callback = llama_cpp.ggml_abort_callback(self._should_abort)  # keep a reference
        self._no_abort_callback = llama_cpp.ggml_abort_callback()  # NULL
        self.offload: OffloadReport | None = None
        self.states: StateCache | None = None
        self._state_key = StateKey("", model_identity(spec.path), self.n_ctx, n_gpu_layers, spec.kv_type)
        self._conversation: str | None = None  # whose tokens the KV cache holds
        self.drafter: Drafter | None = None  # set by loading: speculative decoding, or None for plain decoding
        self.draft_policy = DraftPolicy()

    def close(self) -> None:
        self._watch_prompt(False)
        if self.drafter is not None:
            self.drafter.close()
        self.llm.close()

    def forget_cache(self) -> None:
        """The next prompt is evaluated from the start."""
        self.cached_text, self._cached_ids = "", []
        self._conversation = None

    # -- conversation states -------------------------------------------------------------------

    def restore_for(self, request: GenerationRequest) -> None:
        """Puts the conversation's saved KV state back when the cache holds another's and it matches."""
        key = request.conversation_key
        if key is None or self.states is None:
            return
        prompt = self._render(request.messages, request)
        if key == self._conversation and self.cached_text and prompt.startswith(self.cached_text):
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
        self.cached_text, self._cached_ids = state.text, list(state.token_ids)
        self._conversation = key

    def _keep_state(self, request: GenerationRequest) -> None:
        """Hands the KV state that spells ``cached_text`` to the cache (memory now, disk in the background)."""
        key = request.conversation_key
        self._conversation = key
        if key is None or self.states is None or not self.cached_text:
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
            replace(self._state_key, conversation=key), self.cached_text, tuple(self._cached_ids), data, evaluated
        )
        self.states.remember(state)

    # -- prompts -------------------------------------------------------------------------------

    def prompt_ids(self, text: str) -> list[int]:
        """Token ids for ``text``, reusing the cached ids when the text extends the cached prompt.

        Those are the very ids in the KV cache, generated ones included (a model does not always
        generate the tokens the tokenizer would give its text). When a template rewrote earlier
        text instead (dropped a think block, moved the system prompt, changed the date), the text
        is tokenized afresh and ``Llama.generate`` keeps the longest common prefix of ids in the
        KV cache (its reset=True path) and evaluates only the rest.
        """
        if self.cached_text and text.startswith(self.cached_text):
            return self._cached_ids + self.vocab.tokenize(text[len(self.cached_text) :])
        ids = self.vocab.tokenize(text)
        if self.vocab.add_bos and not (self.vocab.bos_text and text.startswith(self.vocab.bos_text)):
            ids.insert(0, self.vocab.bos)
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
            base = render(messages)
        except TemplateRenderError:
            # Some templates (Gemma's, for one) refuse a system role: fold it into the first user turn.
            if len(messages) > 1 and messages[0].role == "system" and messages[1].role == "user":
                merged = ChatMessage("user", f"{messages[0].content}\n\n{messages[1].content}")
                base = render([merged, *messages[2:]])
            else:
                raise
        return base + self._prefill(request, base)

    def _prefill(self, request: GenerationRequest, base: str) -> str:
        """What the answer already starts with: its text, or (cut while thinking) its reasoning inside the
        model's own reasoning block, opened here unless the generation prompt ``base`` opened it."""
        if request.prefill or not request.prefill_reasoning:
            return request.prefill
        if self.reasoning_pairs:
            opener, after = self.reasoning_pairs[0][0], "\n"
        elif CHANNEL in self.template.source:  # harmony
            opener, after = f"{CHANNEL}analysis{MESSAGE}", ""
        else:
            opener, after = THINK_OPEN, "\n"
        if base.rstrip().endswith(opener):
            return request.prefill_reasoning
        return opener + after + request.prefill_reasoning

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

    # -- looking inside an answer -----------------------------------------------------------------

    def inspect(self, request: InspectRequest, seq: int = NO_STOP) -> AnswerInspected:
        """Re-evaluates ``request``'s prompt with its answer's tokens (after its thinking's, as the model wrote
        them), logits kept for the positions of what the model wrote.

        The ids are the very ones in the KV cache when the cache still spells the prompt and the answer
        (the model's own tokens, as it wrote them), else the thinking and the answer re-tokenized exactly as
        a next turn's prompt would put them after the prompt. Only what follows the cache's reusable prefix
        is evaluated, and never less than what the model wrote: the cache then holds the prompt and it.
        A stop request numbered ``seq`` or later aborts it (``InspectStoppedError``): the cache keeps the prompt.
        """
        started = time.perf_counter()
        as_turn = GenerationRequest(
            request.request_id, request.model, request.messages, enable_thinking=request.enable_thinking,
            reasoning_effort=request.reasoning_effort, date=request.date, conversation_key=request.conversation_key,
        )  # fmt: skip
        base = self._render(request.messages, as_turn)
        harmony = not self.reasoning_pairs and CHANNEL in self.template.source
        written = ""
        if request.reasoning:
            written = inspect.thinking_as_written(
                base, request.reasoning, request.answer, cached="", pairs=self.reasoning_pairs, harmony=harmony
            )
        self.restore_for(replace(as_turn, prefill=written + request.answer))
        if request.reasoning:  # as the model wrote it, where the cache (now) holds it
            written = inspect.thinking_as_written(
                base, request.reasoning, request.answer, cached=self.cached_text, pairs=self.reasoning_pairs,
                harmony=harmony,
            )  # fmt: skip
        ids, thinking_start, answer_start = self._answer_ids(base, written, request.answer)
        if len(ids) >= self.n_ctx:
            raise ContextOverflowError(
                f"the answer and its prompt do not fit in the context ({len(ids)} tokens, it has {self.n_ctx})",
                "context_full", len(ids), self.n_ctx,
            )  # fmt: skip
        llm = self.llm
        common = 0
        for cached, wanted in zip(llm.input_ids[: llm.n_tokens], ids, strict=False):
            if cached != wanted:
                break
            common += 1
        start = min(common, thinking_start - 1)
        llama_cpp.llama_memory_seq_rm(llama_cpp.llama_get_memory(llm.ctx), 0, start, -1)
        llm.n_tokens = start
        self.forget_cache()  # until the evaluation is done, the cache spells nothing known
        self._watch_prompt(True, seq)
        try:
            found = inspect.evaluate(
                llm.ctx, ids, start=start, answer_start=thinking_start, n_batch=llm.n_batch,
                n_vocab=llm.n_vocab(), top=max(0, min(request.top, 20)), piece=self._piece,
            )  # fmt: skip
        except RuntimeError as exc:
            if self._stop_seq.value >= seq:  # aborted for the user: what the cache held of the prompt stays
                llama_cpp.llama_memory_seq_rm(llama_cpp.llama_get_memory(llm.ctx), 0, start, -1)
                llm.n_tokens = start
                raise InspectStoppedError("stopped for the user's next turn") from exc
            llama_cpp.llama_memory_clear(llama_cpp.llama_get_memory(llm.ctx), True)
            llm.n_tokens = 0
            raise generation.DecodeError(str(exc)) from exc
        finally:
            self._watch_prompt(False)
        llm.input_ids[: len(ids)] = ids
        llm.n_tokens = len(ids)
        llm._requires_eval = True  # Llama's own logits were not written: a next generate replays a token
        self.cached_text, self._cached_ids = base + written + request.answer, list(ids)
        self._conversation = request.conversation_key
        seconds = time.perf_counter() - started
        thought = answer_start - thinking_start
        answer, thinking = tuple(found[thought:]), tuple(found[:thought])
        return AnswerInspected(request.request_id, answer, thinking_start, len(ids) - start, seconds, thinking)

    def _piece(self, token: int) -> bytes:
        return self.vocab.token_facts(token)[0]

    def _answer_ids(self, base: str, written: str, answer: str) -> tuple[list[int], int, int]:
        """The ids of the prompt ``base`` followed by the thinking as ``written`` and ``answer``, and where the
        thinking and the answer start among them."""
        full, cached = base + written + answer, self._cached_ids
        if self.cached_text.startswith(full) and cached:
            added_bos = self.vocab.add_bos and cached[0] == self.vocab.bos and not full.startswith(self.vocab.bos_text)
            skip = 1 if added_bos else 0
            end = inspect.spelling_length(cached, full.encode("utf-8"), self._piece, skip)
            split = inspect.spelling_length(cached, (base + written).encode("utf-8"), self._piece, skip)
            prompt_end = inspect.spelling_length(cached, base.encode("utf-8"), self._piece, skip)
            if end is not None and split is not None and prompt_end is not None:
                return cached[:end], prompt_end, split
        prompt = self.prompt_ids(base)
        thinking = self.vocab.tokenize(written) if written else []
        return prompt + thinking + self.vocab.tokenize(answer), len(prompt), len(prompt) + len(thinking)

    # -- generation ----------------------------------------------------------------------------

    def _watch_prompt(self, on: bool, seq: int = NO_STOP) -> None:
        """Lets a stop request (``seq`` or later) abort llama_decode, or not.

        ggml asks the callback at every node of the graph, about 600 times per decode for the
        starter model: worth it while a long prompt is evaluated, but a measurable cost on every
        generated token, where the check between tokens is enough.
        """
        self._active_seq = seq if on else NO_STOP
        callback = self._abort_callback if on else self._no_abort_callback
        llama_cpp.llama_set_abort_callback(self.llm.ctx, callback, None)

    def _should_abort(self, _data: Any) -> bool:
        return bool(self._stop_seq.value >= self._active_seq)

    def generate(self, request: GenerationRequest, seq: int, emit: generation.Emit) -> None:
        """Answers ``request`` (stopped by a stop request numbered ``seq`` or later), then keeps its state."""
        started = time.perf_counter()
        sampling = request.sampling
        self.restore_for(request)
        prompt_text, ids, dropped = self._fit(request)
        ctx = self.llm.ctx
        llama_cpp.llama_perf_context_reset(ctx)
        self.llm.set_seed(sampling.seed if sampling.seed is not None else random.randrange(1 << 31))
        output = OutputSplitter(
            prompt_text, model_stops=self.stop_strings, user_stops=sampling.stop, pairs=self.reasoning_pairs,
            prefill=self._prefill(request, ""),  # the resumed text with its opening tag: where the output stands
        )  # fmt: skip
        grammar = generation.schema_grammar(request.json_schema) if request.json_schema else None
        top_logprobs = max(0, min(request.top_logprobs, 20))
        # Token figures read each step's last logits, which a drafted batch does not give, and a logit bias
        # is a processor the drafted path does not run: no drafting with either.
        plain = bool(top_logprobs or sampling.logit_bias)
        answer_drafting = self.draft_policy.begin() if self.drafter is not None and not plain else None
        done = generation.run(
            self.llm, ids, request_id=request.request_id, sampling=sampling, output=output, vocab=self.vocab,
            n_ctx=self.n_ctx, seq=seq, stop_seq=self._stop_seq, watch=lambda on: self._watch_prompt(on, seq),
            emit=emit, grammar=grammar, top_logprobs=top_logprobs,
            drafting=(self.drafter, answer_drafting) if self.drafter and answer_drafting else None,
        )  # fmt: skip
        drafted = answer_drafting.finish() if answer_drafting is not None else None
        finished = time.perf_counter()
        if done.spelt:
            self.cached_text, self._cached_ids = prompt_text + done.text, ids + done.reply_ids
        else:
            self.cached_text, self._cached_ids = "", []
        perf = llama_cpp.llama_perf_context(ctx)
        first, generated = done.first_token_at, len(done.reply_ids)
        generating = finished - first if first is not None else 0.0
        stats = GenerationStats(
            prompt_tokens=len(ids),
            prompt_tokens_evaluated=int(perf.n_p_eval),
            generated_tokens=generated,
            ttft_seconds=(first - started) if first is not None else finished - started,
            tokens_per_second=(generated - 1) / generating if generated > 1 and generating > 0 else 0.0,
            truncated_messages=dropped,
            decode_seconds=float(perf.t_eval_ms) / 1000,
            decoded_tokens=int(perf.n_eval),
            speculation=self.drafter.kind if self.drafter is not None and drafted and drafted.drafted else "",
            drafted_tokens=drafted.drafted if drafted else 0,
            accepted_tokens=drafted.accepted if drafted else 0,
            speculative_speedup=drafted.speedup if drafted else 0.0,
            drafting_turned_down_to=drafted.turned_down_to if drafted else None,
        )
        emit(GenerationFinished(request.request_id, output.answer, done.reason, stats, output.reasoning))
        try:
            self._keep_state(request)  # after the answer is out: the user never waits for it
        except (MemoryError, OSError, RuntimeError) as exc:  # the answer stands; only the saved state is lost
            log.warning("could not keep the KV state of conversation %s: %s", request.conversation_key, exc)
