"""The context budget: one rule for the room kept for the answer, whoever counts.

The local engine counts with the model's own tokenizer, the remote engine and the window estimate;
all three must give a prompt the same limit for the same context and the same longest answer.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from app.core.engine import budget
from app.core.engine.protocol import ChatMessage, CountTokensRequest, EngineEvent, ModelSpec, TokensCounted
from app.core.engine.remote.engine import RemoteEngine
from tests.core.engine_helpers import running_engine, spec_for

MESSAGES = (ChatMessage("system", "You are terse."), ChatMessage("user", "Name three colours."))


@pytest.mark.parametrize(
    ("n_ctx", "max_tokens", "room"),
    [
        (4096, 1024, 1024),  # a quarter of the context
        (4096, 200, 200),  # the persona's longest answer is less than that
        (128, 1024, 64),  # a tiny context still keeps 64 tokens
        (128, 16, 16),  # ... unless the answer is shorter still
    ],
)
def test_the_answer_keeps_a_quarter_of_the_context_bounded(n_ctx: int, max_tokens: int, room: int) -> None:
    assert budget.answer_room(n_ctx, max_tokens) == room
    assert budget.prompt_limit(n_ctx, max_tokens) == n_ctx - room


def test_dropping_old_turns_frees_another_quarter() -> None:
    limit = budget.prompt_limit(1024, 1024)
    assert budget.drop_target(1024, limit) == limit - 256 == 512


def test_the_estimate_is_four_characters_a_token_and_never_zero() -> None:
    assert [budget.estimate_tokens(n) for n in (0, 3, 4, 400)] == [1, 1, 2, 101]
    request = CountTokensRequest("r", ModelSpec("m", "m", n_ctx=2048), MESSAGES, max_tokens=100)
    counted = budget.estimated_count(request)
    characters = sum(len(m.content) for m in MESSAGES)
    assert counted == TokensCounted("r", characters // 4 + 1, 2048, 2048 - 100, estimated=True)


def _remote_count(request: CountTokensRequest) -> TokensCounted:
    events: list[EngineEvent] = []
    engine = RemoteEngine(events.append)
    try:
        engine.count_tokens(request)  # no server is asked: the API has no tokenizer
    finally:
        engine.shutdown()
    (counted,) = events
    assert isinstance(counted, TokensCounted) and counted.estimated
    return counted


def test_local_and_remote_engines_give_a_prompt_the_same_limit(starter_model: Path) -> None:
    with running_engine() as (engine, log):
        for n_ctx, max_tokens in [(256, 1024), (256, 16), (2048, 1024), (2048, 300)]:
            request = CountTokensRequest(uuid.uuid4().hex, spec_for(starter_model, n_ctx), MESSAGES, max_tokens)
            engine.count_tokens(request)
            local = log.wait_for(TokensCounted, timeout=120)
            served = ModelSpec("http://127.0.0.1:9/v1", "m", n_ctx=n_ctx, server="s")
            remote = _remote_count(CountTokensRequest(request.request_id, served, MESSAGES, max_tokens))
            assert not local.estimated and local.n_ctx == remote.n_ctx == n_ctx
            assert local.limit == remote.limit == budget.prompt_limit(n_ctx, max_tokens), (n_ctx, max_tokens)
