"""Looking inside an answer with the real starter model: its exact tokens, their probabilities, the argmax at
temperature 0, and the same figures as a direct llama.cpp evaluation of the same tokens."""

from __future__ import annotations

import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from app.core.engine.protocol import (
    AnswerInspected,
    ChatMessage,
    GenerationFinished,
    InspectRequest,
    ModelSpec,
    TokensReceived,
)
from app.core.engine.worker.inspect import thinking_as_written
from tests.core.engine import direct_llama
from tests.core.engine.test_templates_real import EXAMPLES, with_template
from tests.core.engine_helpers import GREEDY, request, running_engine, spec_for
from tests.core.template_helpers import template_source

PROMPT = (ChatMessage("system", "You are a helpful assistant."), ChatMessage("user", "Name three fruits, briefly."))


def _inspect(model: ModelSpec, answer: str, key: str | None = None) -> InspectRequest:
    return InspectRequest(uuid.uuid4().hex, model, PROMPT, answer, top=5, conversation_key=key)


def test_the_answer_looked_inside_is_the_models_own_tokens_argmax_at_temperature_0(starter_model: Path) -> None:
    model = replace(spec_for(starter_model), flash_attn=True)  # as the app loads a local model
    with running_engine() as (engine, log):
        turn = request(model, list(PROMPT))
        engine.generate(replace(turn, top_logprobs=5))
        events = log.collect_until((GenerationFinished,))
        finished = events[-1]
        assert isinstance(finished, GenerationFinished)
        streamed = [t for e in events if isinstance(e, TokensReceived) for t in e.logprobs]
        engine.inspect(_inspect(model, finished.text))
        inspected = log.wait_for(AnswerInspected)
    tokens = inspected.tokens
    assert len(tokens) == finished.stats.generated_tokens, "every token the model wrote, nothing re-tokenized"
    assert [t.token.id for t in tokens] == [t.token.id for t in streamed]
    assert b"".join(t.token.piece for t in tokens).decode("utf-8") == finished.text
    assert inspected.evaluated_tokens <= len(tokens) + 1, "the prompt came from the KV cache"
    for position, (live, token) in enumerate(zip(streamed, tokens, strict=True)):
        # As it was written, the chosen token is the argmax of the very logits it was sampled from.
        assert live.alternatives[0].id == live.token.id, f"not the argmax at position {position}"
        assert len(token.alternatives) == 5
        assert sum(choice.probability for choice in token.alternatives) <= 1 + 1e-9
        logprobs = [choice.logprob for choice in token.alternatives]
        assert logprobs == sorted(logprobs, reverse=True)
        # Looked inside, all tokens in one batch, with flash attention, the figures are those written token by
        # token: the same logits, so the same probabilities and the same alternatives in the same order.
        assert [c.id for c in live.alternatives] == [c.id for c in token.alternatives]
        assert live.token.logprob == token.token.logprob, f"another figure at position {position}"


def test_the_figures_match_a_direct_llama_cpp_evaluation_of_the_same_tokens(starter_model: Path) -> None:
    model = spec_for(starter_model)
    answer = "Apples, bananas and cherries are three fruits people like."
    with running_engine() as (engine, log):
        engine.inspect(_inspect(model, answer))  # a fresh engine: the answer is tokenized as a prompt puts it
        inspected = log.wait_for(AnswerInspected)
    ids = [t.token.id for t in inspected.tokens]
    assert b"".join(t.token.piece for t in inspected.tokens).decode("utf-8") == answer
    prompt_ids = direct_llama.prompt_ids(starter_model, PROMPT)
    assert len(prompt_ids) == inspected.prompt_tokens
    direct = direct_llama.probabilities_after(starter_model, prompt_ids, ids)
    for row, token in zip(direct, inspected.tokens, strict=True):
        assert token.token.probability == pytest.approx(row[token.token.id], abs=2e-3)
        for choice in token.alternatives:
            assert choice.probability == pytest.approx(row[choice.id], abs=2e-3)
        assert {c.id for c in token.alternatives} >= {int(i) for i in row.argsort()[-3:]}


def test_the_thinking_is_evaluated_before_the_answer_as_the_model_wrote_it_and_reported_apart(
    starter_model: Path,
) -> None:
    # The starter thinks in <think> tags after a few worked examples, under a template that shows them.
    model = with_template(starter_model, "keeps_think")
    sampling = replace(GREEDY, max_tokens=80)
    with running_engine() as (engine, log):
        engine.generate(request(model, EXAMPLES, sampling))
        finished = log.wait_for(GenerationFinished)
        asked = InspectRequest(uuid.uuid4().hex, model, tuple(EXAMPLES), finished.text, reasoning=finished.reasoning)
        engine.inspect(asked)
        warm = log.wait_for(AnswerInspected)
    with running_engine() as (engine, log):
        engine.inspect(replace(asked, request_id=uuid.uuid4().hex))  # a fresh engine: written in the template's tags
        cold = log.wait_for(AnswerInspected)
    assert finished.reasoning.strip() and finished.text.strip()

    written = b"".join(t.token.piece for t in warm.thinking_tokens).decode("utf-8")
    assert written.lstrip().startswith("<think>") and "</think>" in written and finished.reasoning in written
    assert b"".join(t.token.piece for t in warm.tokens).decode("utf-8") == finished.text
    # The very tokens the model wrote, in the order it wrote them, and only they were evaluated again.
    assert len(warm.thinking_tokens) + len(warm.tokens) == finished.stats.generated_tokens
    assert warm.evaluated_tokens <= finished.stats.generated_tokens + 1

    assert b"".join(t.token.piece for t in cold.thinking_tokens).decode("utf-8") == (
        f"<think>\n{finished.reasoning}\n</think>\n\n"
    )
    assert b"".join(t.token.piece for t in cold.tokens).decode("utf-8") == finished.text
    prompt_ids = direct_llama.prompt_ids(starter_model, EXAMPLES, template_source("keeps_think"))
    assert len(prompt_ids) == cold.prompt_tokens
    written_ids = [t.token.id for t in (*cold.thinking_tokens, *cold.tokens)]
    direct = direct_llama.probabilities_after(starter_model, prompt_ids, written_ids)
    for row, token in zip(direct, (*cold.thinking_tokens, *cold.tokens), strict=True):
        assert token.token.probability == pytest.approx(row[token.token.id], abs=2e-3)
        assert all(c.probability == pytest.approx(row[c.id], abs=2e-3) for c in token.alternatives)


def test_a_thinking_block_the_prompt_opened_is_written_without_its_opening_tag() -> None:
    prompt = "<|im_start|>assistant\n<think>\n"
    assert thinking_as_written(prompt, "Sum.", "4.", cached="", pairs=(), harmony=False) == "Sum.\n</think>\n\n"
    by_the_model = thinking_as_written("<|im_start|>assistant\n", "Sum.", "4.", cached="", pairs=(), harmony=False)
    assert by_the_model == "<think>\nSum.\n</think>\n\n"
    exact = prompt + "Sum.\n\n</think>\n4."  # as a model wrote it: the cache's own spacing wins
    assert thinking_as_written(prompt, "Sum.", "4.", cached=exact, pairs=(), harmony=False) == "Sum.\n\n</think>\n"
