"""A direct llama.cpp evaluation for tests: the same token ids through a plain ``Llama`` with every logit kept.

Built as the engine builds its own (``native.without_extra_cpu_buffers``), with ``logits_all`` so that each
position's logits are there to compare with what the engine reported, and in a child process of its own
(``tests.in_child``), as the engine runs.
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
from tests.in_child import in_child


def probabilities_after(model: Path, prompt_ids: Sequence[int], answer_ids: Sequence[int]) -> npt.NDArray[np.float64]:
    """One row per answer token: the model's distribution (softmax at temperature 1) at that position."""
    return in_child(_probabilities_after, model, list(prompt_ids), list(answer_ids))


def prompt_ids(model: Path, messages: Sequence[ChatMessage], template: str | None = None) -> list[int]:
    """The ids of ``messages`` rendered with the model's own template (or ``template``), ready for the answer."""
    return in_child(_prompt_ids, model, list(messages), template)


def token_ids(model: Path, text: str) -> list[int]:
    """``text`` tokenized by the model's own vocabulary as plain text (no BOS, no special tokens)."""
    return in_child(_token_ids, model, text)


def _vocab(model: Path) -> llama_cpp.Llama:
    with native.without_extra_cpu_buffers(vars(llama_cpp.llama)["llama_cpp"]):
        return llama_cpp.Llama(model_path=str(model), n_ctx=512, vocab_only=True, verbose=False)


def _probabilities_after(model: Path, prompt_ids: list[int], answer_ids: list[int]) -> npt.NDArray[np.float64]:
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


def _prompt_ids(model: Path, messages: list[ChatMessage], source: str | None) -> list[int]:
    llm = _vocab(model)
    try:
        bos, eos = llm._model.token_get_text(llm.token_bos()), llm._model.token_get_text(llm.token_eos())
        template = ChatTemplate.from_metadata(source or llm.metadata.get("tokenizer.chat_template"), bos, eos)
        text = template.render(list(messages))
        ids = list(llm.tokenize(text.encode("utf-8"), add_bos=False, special=True))
        if llama_cpp.llama_vocab_get_add_bos(llm._model.vocab) and not (bos and text.startswith(bos)):
            ids.insert(0, llm.token_bos())
        return ids
    finally:
        llm.close()


def _token_ids(model: Path, text: str) -> list[int]:
    llm = _vocab(model)
    try:
        return [int(i) for i in llm.tokenize(text.encode("utf-8"), add_bos=False, special=False)]
    finally:
        llm.close()
