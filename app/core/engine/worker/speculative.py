"""Speculative decoding: drafters that guess the next tokens, and the loop that verifies their guesses.

Two drafters: prompt lookup (the tokens that followed the context's last three tokens where they appeared
most recently before, free of a second model), and a draft model (a second, smaller ``Llama`` with the
same vocabulary, decoding greedily). The loop is ``Llama.generate``'s own draft path, written out so that
the prompt is evaluated without logits for every token (``Llama(draft_model=...)`` turns on
``logits_all`` for good, which keeps a row of the vocabulary's size for every prompt token) and so that
each step is timed: the pending token and the draft are evaluated in one batch, then the model's own
sampler samples at each position in turn, and a draft token counts only where that sample is the very
token drafted. The first sample that differs is kept as the next token and the rest of the draft is
dropped from the KV cache. So each emitted token is what plain decoding would have sampled there, from
the batch's logits: where those are one token's bit for bit (quantized weights with flash attention, on
the CPU), at temperature 0 the output is plain decoding's token for token, and otherwise it follows the
same distribution. With F16 weights llama.cpp's batched product rounds otherwise (by up to 0.03 in a
logit here), so a near tie may go the other way (README).
"""

from __future__ import annotations

import time
from collections.abc import Generator
from typing import Protocol

import llama_cpp
import numpy as np
import numpy.typing as npt
from llama_cpp.llama_grammar import LlamaGrammar

from app.core.engine.protocol import SamplingSettings
from app.core.engine.speculation import AnswerDrafting

Context = npt.NDArray[np.intc]
# The n-gram prompt lookup matches: three tokens, no fewer. Measured with bench/speculative.py's tasks
# (README): a match of one or two tokens (" the", ",") drafts words the model rarely writes next, and on a
# CPU every refused token costs most of a step; the most recent match beats the first (a text being
# copied or repeated is copied from where it was last).
NGRAM = 3


class Drafter(Protocol):
    """Guesses up to ``count`` tokens to follow ``context`` (the tokens so far, the pending one last)."""

    kind: str  # "prompt lookup" or "draft model"

    def propose(self, context: Context, count: int) -> list[int]: ...

    def close(self) -> None: ...


class PromptLookupDrafter:
    """Drafts what followed the context's last n-gram where it appeared before."""

    kind = "prompt lookup"

    def propose(self, context: Context, count: int) -> list[int]:
        if count <= 0 or len(context) <= NGRAM:
            return []
        windows = np.lib.stride_tricks.sliding_window_view(context[:-1], NGRAM)
        found = np.flatnonzero((windows == context[-NGRAM:]).all(axis=1))
        if not found.size:
            return []
        start = int(found[-1]) + NGRAM
        return [int(token) for token in context[start : start + count]]

    def close(self) -> None:
        pass


class DraftModelDrafter:
    """Drafts with a smaller model: greedy tokens from its own KV cache, kept in step with the context."""

    kind = "draft model"

    def __init__(self, llm: llama_cpp.Llama) -> None:
        self.llm = llm
        self._vocab = llm._model.vocab
        self._n_vocab = llm.n_vocab()

    def _next(self) -> int:
        logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(self.llm.ctx, -1), shape=(self._n_vocab,))
        return int(logits.argmax())

    def propose(self, context: Context, count: int) -> list[int]:
        llm = self.llm
        room = llm.n_ctx() - len(context) - 1
        count = min(count, room)
        if count <= 0:
            return []
        have = min(llm.n_tokens, len(context) - 1)  # the last token is evaluated again: its logits are needed
        differ = np.flatnonzero(llm.input_ids[:have] != context[:have])
        same = int(differ[0]) if differ.size else have
        llm._ctx.kv_cache_seq_rm(-1, same, -1)
        llm.n_tokens = same
        llm.eval(context[same:].tolist())
        draft: list[int] = []
        for index in range(count):
            token = self._next()
            draft.append(token)
            if llama_cpp.llama_vocab_is_eog(self._vocab, token) or index == count - 1:
                break
            llm.eval([token])
        return draft

    def close(self) -> None:
        self.llm.close()


def tokens(
    llm: llama_cpp.Llama,
    ids: list[int],
    *,
    sampling: SamplingSettings,
    grammar: LlamaGrammar | None,
    drafter: Drafter,
    drafting: AnswerDrafting,
    n_ctx: int,
) -> Generator[int, None, None]:
    """The answer's tokens, as ``Llama.generate`` would sample them, with drafts verified in batches."""
    first = llm.generate(
        ids,
        reset=True,  # keeps the KV cache's longest common prefix with ids, as the plain path does
        top_k=sampling.top_k,
        top_p=sampling.top_p,
        min_p=sampling.min_p,
        temp=sampling.temperature,
        repeat_penalty=sampling.repeat_penalty,
        grammar=grammar,
    )
    try:
        pending = next(first)  # the prompt is evaluated and the first token sampled by llama.cpp's sampler
    finally:
        first.close()
    sampler, ctx, batch_holder = llm._sampler, llm._ctx, llm._batch
    assert sampler is not None
    confirmed = llm.n_tokens  # positions whose tokens are the answer's own (the rest are unverified drafts)
    try:
        yield pending
        while True:
            n_past = llm.n_tokens
            started = time.perf_counter()
            want = min(drafting.draft_length(), n_ctx - n_past - 2)
            draft: list[int] = []
            if want > 0:
                context = np.append(llm.input_ids[:n_past], np.intc(pending))
                draft = drafter.propose(context, want)[:want]
            batch = [pending, *draft]
            batch_holder.set_batch(batch=batch, n_past=n_past, logits_all=True)
            ctx.decode(batch_holder)
            llm.input_ids[n_past : n_past + len(batch)] = batch
            llm.n_tokens = n_past + len(batch)
            accepted = produced = 0
            try:
                for index in range(len(batch)):
                    token = int(sampler.sample(ctx, index - len(batch)))
                    produced += 1
                    confirmed = n_past + index + 1
                    yield token
                    if index < len(draft) and token == draft[index]:
                        accepted += 1
                        continue
                    pending = token
                    break
            finally:
                drafting.record(len(draft), accepted, produced, time.perf_counter() - started)
            if confirmed < llm.n_tokens:
                ctx.kv_cache_seq_rm(-1, confirmed, -1)
                llm.n_tokens = confirmed
    finally:
        if confirmed < llm.n_tokens:  # closed in the middle of a batch: drop the drafts nobody checked
            ctx.kv_cache_seq_rm(-1, confirmed, -1)
            llm.n_tokens = confirmed
        llm._requires_eval = True  # the logits are the last batch's, not the last confirmed token's
