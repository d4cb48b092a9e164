"""Looking inside an answer: its tokens re-evaluated in one pass with logits kept, and each position's distribution.

``evaluate`` decodes the tokens after the KV cache's reusable prefix through llama.cpp's own batch
(``llama_batch_init``), asking for logits only at the positions that predict an answer token, and
turns each into log-probabilities. ``top_choices`` is the one place a row of logits becomes a token's
log-probability and its alternatives: the streaming path (``TokensReceived.logprobs``) uses it too.
The distribution is the model's raw one: a softmax of the logits at temperature 1, no sampler applied.
An answer's thinking is evaluated before it as the model wrote it (``thinking_as_written``): the text the
KV cache still holds after the prompt, else the reasoning in the template's own tags.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Sequence

import llama_cpp
import numpy as np
import numpy.typing as npt

from app.core.engine.protocol import TokenChoice, TokenLogprobs
from app.core.engine.reasoning import CHANNEL, END, MESSAGE, START, THINK_PAIR, Pair, split_reasoning

Piece = Callable[[int], bytes]


def log_softmax(logits: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
    """The natural-log probabilities of a row of logits (temperature 1)."""
    wide = logits.astype(np.float64)
    shifted = wide - wide.max()
    return shifted - np.log(np.exp(shifted).sum())  # type: ignore[no-any-return]


def top_choices(logits: npt.NDArray[np.float32], chosen: int, top: int, piece: Piece) -> TokenLogprobs:
    """``chosen``'s log-probability under ``logits`` and the ``top`` likeliest tokens, likeliest first."""
    logprobs = log_softmax(logits)
    alternatives: tuple[TokenChoice, ...] = ()
    if top > 0:
        best = np.argpartition(-logprobs, top - 1)[:top]
        best = best[np.argsort(-logprobs[best], kind="stable")]
        alternatives = tuple(TokenChoice(int(t), piece(int(t)), float(logprobs[t])) for t in best)
    return TokenLogprobs(TokenChoice(chosen, piece(chosen), float(logprobs[chosen])), alternatives)


def current_logits(ctx: llama_cpp.llama_context_p, index: int, n_vocab: int) -> npt.NDArray[np.float32]:
    """The logits llama.cpp keeps for the batch position ``index`` (-1: the last), copied."""
    pointer = llama_cpp.llama_get_logits_ith(ctx, index)
    return np.ctypeslib.as_array(ctypes.cast(pointer, ctypes.POINTER(ctypes.c_float)), shape=(n_vocab,)).copy()


def evaluate(
    ctx: llama_cpp.llama_context_p,
    ids: Sequence[int],
    *,
    start: int,
    answer_start: int,
    n_batch: int,
    n_vocab: int,
    top: int,
    piece: Piece,
) -> list[TokenLogprobs]:
    """Decodes ``ids[start:]`` (the KV cache holds ``ids[:start]``) and returns, for each ``ids[answer_start:]``
    token, its log-probability and alternatives from the logits of the position before it.

    ``start`` must be at most ``answer_start - 1``: the first answer token's logits come from the prompt's last.
    Raises RuntimeError when llama_decode fails.
    """
    if not 0 <= start < answer_start:
        raise ValueError("the evaluation must start before the answer")
    found: list[TokenLogprobs] = []
    batch = llama_cpp.llama_batch_init(n_batch, 0, 1)
    try:
        position = start
        while position < len(ids):
            count = min(n_batch, len(ids) - position)
            wanted: list[tuple[int, int]] = []  # (batch index, the answer token its logits predict)
            for i in range(count):
                pos = position + i
                predicts = pos + 1
                keep = answer_start <= predicts < len(ids)
                batch.token[i] = ids[pos]
                batch.pos[i] = pos
                batch.n_seq_id[i] = 1
                batch.seq_id[i][0] = 0
                batch.logits[i] = keep
                if keep:
                    wanted.append((i, ids[predicts]))
            batch.n_tokens = count
            result = llama_cpp.llama_decode(ctx, batch)
            if result != 0:
                raise RuntimeError(f"llama_decode returned {result}")
            for index, chosen in wanted:
                found.append(top_choices(current_logits(ctx, index, n_vocab), chosen, top, piece))
            position += count
    finally:
        llama_cpp.llama_batch_free(batch)
    return found


def spelling_length(ids: Sequence[int], text: bytes, piece: Piece, skip: int = 0) -> int | None:
    """How many of ``ids`` spell exactly ``text`` (after ``skip`` ids that spell nothing), or None when no
    prefix of them ends exactly where ``text`` does."""
    spelt = 0
    if not text:
        return skip
    for index in range(skip, len(ids)):
        chunk = piece(ids[index])
        if text[spelt : spelt + len(chunk)] != chunk:
            return None
        spelt += len(chunk)
        if spelt == len(text):
            return index + 1
    return None


def thinking_as_written(
    prompt: str, reasoning: str, answer: str, *, cached: str, pairs: Sequence[Pair], harmony: bool
) -> str:
    """What the model wrote after ``prompt`` and before ``answer`` when it thought ``reasoning``: its tags and
    the thinking between them.

    ``cached`` (the text the KV cache spells) gives it exactly as written when it still holds this answer after
    this prompt; else it is written the way a template shows it: ``pairs``' first tags (``<think>`` without
    any; harmony's analysis channel with ``harmony``), a line break inside each and a blank line before the
    answer, the opening tag left out where ``prompt`` already opened it.
    """
    if cached.startswith(prompt):
        rest = cached[len(prompt) :]
        at = rest.find(answer)
        while at >= 0:
            if split_reasoning(rest[:at] + answer, prompt, pairs) == (reasoning, answer):
                return rest[:at]
            at = rest.find(answer, at + 1)
    if harmony:
        return f"{CHANNEL}analysis{MESSAGE}{reasoning}{END}{START}assistant{CHANNEL}final{MESSAGE}"
    opener, closer = pairs[0] if pairs else THINK_PAIR
    head = "" if prompt.rstrip().endswith(opener) else opener + "\n"
    return f"{head}{reasoning}\n{closer}\n\n"
