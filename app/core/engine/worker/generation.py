"""The token loop of one answer: sample, detokenize, split reasoning from the answer, send, stop.

A JSON Schema answer samples through the schema's llama.cpp grammar (``schema_grammar``); a
``logit_bias`` is added to its tokens' logits before each sample (``bias_processor``).

Tokens are detokenized through an incremental UTF-8 decoder, so a character split across tokens
is never shown half-made, and the text goes through an ``OutputSplitter`` that keeps reasoning
apart from the answer and ends the answer at a stop string. Stop is a shared counter checked
between tokens; while the prompt is evaluated, llama.cpp's abort callback checks it (``watch``).
"""

from __future__ import annotations

import codecs
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.sharedctypes import Synchronized

import llama_cpp
import numpy as np
import numpy.typing as npt
from llama_cpp.llama_grammar import LlamaGrammar

from app.core.engine.output import OutputSplitter
from app.core.engine.protocol import EngineEvent, SamplingSettings, StopReason, TokenLogprobs, TokensReceived
from app.core.engine.speculation import AnswerDrafting
from app.core.engine.worker import inspect, speculative
from app.core.engine.worker.tokens import Vocabulary

Emit = Callable[[EngineEvent], None]
# Text is sent to the app at most this often (20 updates a second, smoother than reading speed).
# Each send wakes two threads in the app process (the pipe reader, then the consumer), and on a
# machine whose cores llama.cpp's threads fill, each wake-up preempts one of them while the others
# wait for it at the end of the decode step. Measured on two cores with bench/decode.py, a send
# every 30 ms kept 0.96 of a bare generate loop's speed and one every 50 ms 0.99; the token loop
# itself, run without the pipe, costs nothing measurable.
SEND_INTERVAL_SECONDS = 0.05


class DecodeError(Exception):
    """llama.cpp could not evaluate a batch (llama_decode failed)."""


class RequestRefusedError(Exception):
    """A request this model cannot answer as asked (its fault, not the engine's): ``code`` says so to the app."""

    code = "invalid_request"


class SchemaError(RequestRefusedError):
    """A JSON Schema that llama.cpp cannot turn into a grammar."""


class LogitBiasError(RequestRefusedError):
    """A logit bias on a token the model's vocabulary does not have."""


def schema_grammar(schema: str) -> LlamaGrammar:
    """The grammar that only lets out JSON valid for ``schema`` (a JSON Schema's text)."""
    try:
        return LlamaGrammar.from_json_schema(schema, verbose=False)
    # llama-cpp-python reports a schema it cannot convert with assertions as well as ValueError.
    except (ValueError, TypeError, KeyError, RuntimeError, NotImplementedError, AssertionError) as exc:
        raise SchemaError(f"The answer's JSON Schema cannot be used: {exc}") from exc


def bias_processor(bias: tuple[tuple[int, float], ...], n_vocab: int) -> llama_cpp.LogitsProcessorList | None:
    """The logits processor that adds each (token id, bias) to that token's logit; None without a bias.

    llama.cpp hands the processor every candidate in token-id order (it runs first in the sampler
    chain), so a logit's index is its token's id."""
    if not bias:
        return None
    outside = [token for token, _ in bias if not 0 <= token < n_vocab]
    if outside:
        raise LogitBiasError(f"logit_bias names token {outside[0]}, which this model's {n_vocab} tokens do not have")
    ids = np.array([token for token, _ in bias], dtype=np.intc)
    values = np.array([value for _, value in bias], dtype=np.single)

    def add_bias(input_ids: npt.NDArray[np.intc], scores: npt.NDArray[np.single]) -> npt.NDArray[np.single]:
        del input_ids
        scores[ids] += values
        return scores

    return llama_cpp.LogitsProcessorList([add_bias])


@dataclass(frozen=True)
class Tokens:
    """What the loop produced."""

    reply_ids: list[int]
    text: str  # everything decoded, markup included: what the KV cache holds after the prompt
    reason: StopReason
    first_token_at: float | None  # perf_counter() of the first token; None when none came
    spelt: bool  # False: a half-made character or an aborted prompt, so the cache spells no known text


def run(
    llm: llama_cpp.Llama,
    ids: list[int],
    *,
    request_id: str,
    sampling: SamplingSettings,
    output: OutputSplitter,
    vocab: Vocabulary,
    n_ctx: int,
    seq: int,
    stop_seq: Synchronized[int],
    watch: Callable[[bool], None],
    emit: Emit,
    grammar: LlamaGrammar | None = None,
    top_logprobs: int = 0,
    drafting: tuple[speculative.Drafter, AnswerDrafting] | None = None,
) -> Tokens:
    """Generates from ``ids`` until the model ends, a stop string, ``max_tokens``, a full context or stop.

    With ``top_logprobs``, each answer token goes out with its log-probability and that many alternatives
    (``inspect.top_choices``: the raw distribution at temperature 1, whatever the sampler did with it).
    With ``drafting`` (a drafter and this answer's rule), drafts are verified in batches (``speculative``);
    the two never go together (a drafted batch's last logits are not each token's).
    """
    decoder = codecs.getincrementaldecoder("utf-8")(errors="ignore")
    reply_ids: list[int] = []
    parts: list[str] = []
    # Text not sent yet: pieces are batched to spare the app a wake-up per token.
    unsent_answer: list[str] = []
    unsent_reasoning: list[str] = []
    unsent_logprobs: list[TokenLogprobs] = []
    last_sent = 0.0  # the first piece goes out at once
    n_vocab = llm.n_vocab() if top_logprobs else 0
    biased = bias_processor(sampling.logit_bias, llm.n_vocab()) if sampling.logit_bias else None

    def send() -> None:
        if unsent_answer or unsent_reasoning:
            logprobs = tuple(unsent_logprobs)
            emit(TokensReceived(request_id, "".join(unsent_answer), "".join(unsent_reasoning), logprobs))
            unsent_answer.clear()
            unsent_reasoning.clear()
            unsent_logprobs.clear()

    first_token_at: float | None = None
    reason: StopReason = "length"
    watch(True)
    if drafting is not None:
        tokens = speculative.tokens(
            llm, ids, sampling=sampling, grammar=grammar, drafter=drafting[0], drafting=drafting[1], n_ctx=n_ctx
        )
    else:
        tokens = llm.generate(
            ids,
            reset=True,  # not "start afresh": keep the KV cache's longest common prefix with ids
            top_k=sampling.top_k,
            top_p=sampling.top_p,
            min_p=sampling.min_p,
            temp=sampling.temperature,
            repeat_penalty=sampling.repeat_penalty,
            grammar=grammar,
            logits_processor=biased,
        )
    # Bound once: the loop runs between llama.cpp's decodes, and every microsecond in it is a
    # microsecond the model waits.
    token_info, token_facts, decode, markup = vocab.facts, vocab.token_facts, decoder.decode, output.markup

    def _piece(token: int) -> bytes:
        return token_facts(token)[0]
    try:
        for token in tokens:
            if first_token_at is None:
                first_token_at = time.perf_counter()
                watch(False)  # the prompt is in: from here, stop is checked between tokens
            if stop_seq.value >= seq:
                reason = "stopped"
                break
            info = token_info.get(token)
            if info is None:
                info = token_facts(token)
            piece, end_of_generation, hidden = info
            if end_of_generation:
                reason = "stop"
                break
            reply_ids.append(token)
            chunk = decode(piece)
            parts.append(chunk)
            # A control token is shown to the splitter only when it is one of the model's reasoning
            # markers (Gemma 4's <|channel>); other special tokens are never shown.
            if chunk and not (hidden and chunk not in markup):
                reasoning, answer = output.feed(chunk)
                if top_logprobs and not reasoning:  # an answer token (the reasoning's are not reported)
                    logits = inspect.current_logits(llm.ctx, -1, n_vocab)
                    unsent_logprobs.append(inspect.top_choices(logits, token, top_logprobs, _piece))
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
            # The next token's position (the KV cache may hold drafted tokens ahead of it).
            if len(ids) + len(reply_ids) >= n_ctx:
                reason = "context_full"
                break
    except RuntimeError as exc:
        if stop_seq.value < seq:
            raise DecodeError(str(exc)) from exc
        reason = "stopped"  # llama_decode was aborted by the stop request while it evaluated a batch
    finally:
        tokens.close()
        watch(False)
        reasoning, answer = output.finish()
        if answer:
            unsent_answer.append(answer)
        if reasoning:
            unsent_reasoning.append(reasoning)
        send()
    spelt = not (decoder.getstate()[0] or (reason == "stopped" and first_token_at is None))
    return Tokens(reply_ids, "".join(parts), reason, first_token_at, spelt)
