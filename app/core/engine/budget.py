"""The context budget: how much of a model's context a prompt may take, and the token estimate.

One rule for the local worker, the remote engine and the window's estimate alike: the answer keeps
a quarter of the context (at least 64 tokens, at most the persona's longest answer); when old
turns must go, another quarter is freed so later turns extend the prompt (and reuse its cache).
Plain Python over the protocol's data.
"""

from __future__ import annotations

from app.core.engine.protocol import CountTokensRequest, TokensCounted

MIN_ANSWER_ROOM = 64  # tokens: the least a prompt leaves for the answer, however small the context
CHARS_PER_TOKEN = 4  # the estimate where no tokenizer is at hand (a remote server, a model not loaded)


def answer_room(n_ctx: int, max_tokens: int) -> int:
    """The tokens of ``n_ctx`` kept for the answer: a quarter of the context, at least 64, at most ``max_tokens``."""
    return min(max_tokens, max(MIN_ANSWER_ROOM, n_ctx // 4))


def prompt_limit(n_ctx: int, max_tokens: int) -> int:
    """How many tokens a prompt may take: the rest of the context is kept for the answer."""
    return n_ctx - answer_room(n_ctx, max_tokens)


def drop_target(n_ctx: int, limit: int) -> int:
    """How many tokens a prompt is cut down to when its oldest turns must go: a quarter under ``limit``."""
    return limit - n_ctx // 4


def estimate_tokens(characters: int) -> int:
    """About how many tokens ``characters`` characters take: four characters a token, never zero."""
    return characters // CHARS_PER_TOKEN + 1


def estimated_count(request: CountTokensRequest) -> TokensCounted:
    """The answer to ``request`` where no tokenizer is at hand: the estimate against the one limit."""
    n_ctx = request.model.n_ctx
    characters = sum(len(message.content) for message in request.messages)
    limit = prompt_limit(n_ctx, request.max_tokens)
    return TokensCounted(request.request_id, estimate_tokens(characters), n_ctx, limit, estimated=True)
