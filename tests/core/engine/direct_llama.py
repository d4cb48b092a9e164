"""A direct llama.cpp evaluation for tests: the same token ids through a plain ``Llama`` with every logit kept.

Built as the engine builds its own (``native.without_extra_cpu_buffers``), with ``logits_all`` so that each
position's logits are there to compare with what the engine reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import llama_cpp
import numpy as np
import numpy.typing as npt

from app.core.engine import native
from app.core.engine.protocol import ChatMessage
from app.core.engine.template import ChatTemplate


def probabilities_after(model: Path, prompt_ids: Sequence[int], answer_ids: Sequence[int]) -> npt.NDArray[np.float64]:
    """One row per answer token: the model's distribution (softmax at temperature 1) at that position."""
    with native.without_extra_cpu_buffers(vars(llama_cpp.llama)["llama_cpp"]):
        llm = llama_cpp.Llama(model_path=str(model), n_ctx=2048, logits_all=True, n_batch=512, verbose=False)
    try:
        llm.eval([*prompt_ids, *answer_ids])
        rows = np.asarray(llm.scores[len(prompt_ids) - 1 : len(prompt_ids) - 1 + len(answer_ids)], dtype=np.float64)
    finally:
        llm.close()
    rows -= rows.max(axis=1, keepdims=True)
    exp = np.exp(rows)
    return exp / exp.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]


def prompt_ids(model: Path, messages: Sequence[ChatMessage]) -> list[int]:
    """The ids of ``messages`` rendered with the model's own template, ready for the answer."""
    with native.without_extra_cpu_buffers(vars(llama_cpp.llama)["llama_cpp"]):
        llm = llama_cpp.Llama(model_path=str(model), n_ctx=512, vocab_only=True, verbose=False)
    try:
        bos, eos = llm._model.token_get_text(llm.token_bos()), llm._model.token_get_text(llm.token_eos())
        template = ChatTemplate.from_metadata(llm.metadata.get("tokenizer.chat_template"), bos, eos)
        text = template.render(list(messages))
        ids = list(llm.tokenize(text.encode("utf-8"), add_bos=False, special=True))
        if llama_cpp.llama_vocab_get_add_bos(llm._model.vocab) and not (bos and text.startswith(bos)):
            ids.insert(0, llm.token_bos())
        return ids
    finally:
        llm.close()
