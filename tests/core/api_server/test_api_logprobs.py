"""``logprobs`` and ``top_logprobs`` on chat completions, plain and streamed, in OpenAI's exact shape, with the
figures the window's "Look inside" shows for the same answer (the real starter model behind the server)."""

from __future__ import annotations

import math
import uuid
from pathlib import Path
from queue import Queue

import httpx
from openai.types.chat import ChatCompletion, ChatCompletionChunk, ChatCompletionMessageParam

from app.core.engine.protocol import AnswerInspected, ChatMessage, EngineEvent, InspectRequest, TokenChoice
from tests.core.api_server.serving import GREEDY, MODEL, Running, served_spec

HI: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Name a colour."}]


def _looked_inside(api: Running, starter_model: Path, answer: str) -> AnswerInspected:
    """The answer as the window's "Look inside" sees it: the engine re-evaluating it after the same prompt."""
    events: Queue[EngineEvent] = Queue()
    client = api.service.connect(events.put, "test")
    try:
        prompt = (ChatMessage("user", "Name a colour."),)
        client.inspect(InspectRequest(uuid.uuid4().hex, served_spec(starter_model), prompt, answer))
        while True:
            event = events.get(timeout=180)
            if isinstance(event, AnswerInspected):
                return event
    finally:
        client.close()


def _figures(choices: tuple[TokenChoice, ...]) -> list[tuple[str, float]]:
    return [(choice.text, choice.logprob) for choice in choices]


def test_a_plain_completion_carries_openai_shaped_logprobs_with_the_windows_figures(
    api: Running, starter_model: Path
) -> None:
    answer = api.client().chat.completions.create(model=MODEL, messages=HI, logprobs=True, top_logprobs=4, **GREEDY)
    raw = httpx.post(
        f"{api.server.base_url}/chat/completions",
        json={"model": MODEL, "messages": HI, "logprobs": True, "top_logprobs": 4, **GREEDY},
        timeout=120,
    ).json()
    ChatCompletion.model_validate(raw, strict=True)  # the SDK's own types, every field's type checked
    content = answer.choices[0].logprobs.content if answer.choices[0].logprobs else None
    assert content is not None and content
    text = answer.choices[0].message.content or ""
    assert "".join(item.token for item in content) == text
    for item in content:
        assert bytes(item.bytes or []) == item.token.encode("utf-8")
        assert item.logprob <= 0 and len(item.top_logprobs) == 4
        assert item.top_logprobs[0].token == item.token  # temperature 0: the likeliest, as written
        assert sum(math.exp(alt.logprob) for alt in item.top_logprobs) <= 1 + 1e-9
    looked = _looked_inside(api, starter_model, text)
    assert [t.token.piece.decode("utf-8") for t in looked.tokens] == [item.token for item in content]
    for item, token in zip(content, looked.tokens, strict=True):
        # The same figures: with flash attention one batch's logits are token-by-token decoding's, bit for bit.
        assert item.logprob == token.token.logprob
        assert [(a.token, a.logprob) for a in item.top_logprobs] == _figures(token.alternatives[:4])
    api.outcome()


def test_a_streamed_completion_carries_each_chunks_tokens_with_the_windows_figures(
    api: Running, starter_model: Path
) -> None:
    stream = api.client().chat.completions.create(
        model=MODEL, messages=HI, logprobs=True, top_logprobs=2, stream=True, **GREEDY
    )
    text, tokens = "", []
    for part in stream:
        ChatCompletionChunk.model_validate(part.model_dump(), strict=True)
        if part.choices and part.choices[0].delta.content:
            text += part.choices[0].delta.content
            logprobs = part.choices[0].logprobs
            assert logprobs is not None and logprobs.content
            tokens.extend(logprobs.content)
    assert text and "".join(t.token for t in tokens) == text
    assert all(len(t.top_logprobs) == 2 for t in tokens)
    api.outcome()
    looked = _looked_inside(api, starter_model, text)
    assert [(t.token, t.logprob) for t in tokens] == [(o.token.text, o.token.logprob) for o in looked.tokens]
    for item, token in zip(tokens, looked.tokens, strict=True):
        assert [(a.token, a.logprob) for a in item.top_logprobs] == _figures(token.alternatives[:2])


def test_without_logprobs_the_answer_has_none(api: Running) -> None:
    answer = api.client().chat.completions.create(model=MODEL, messages=HI, **GREEDY)
    assert answer.choices[0].logprobs is None
    api.outcome()
