"""OpenAI's wire format for the local API server: request checking, error bodies, completions and chunks.

Plain functions on plain dicts, so the rules are tested without a server. A request that breaks one,
or asks for something this server does not do (tools, n > 1), raises ``ApiRequestError``
naming the field, which the server answers with OpenAI's error body and status. The fields beyond
messages and sampling (``response_format``, ``logit_bias``, the audit of the rest) are
``request_fields``'.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from app.core.engine.protocol import (
    ChatMessage,
    GenerationStats,
    SamplingSettings,
    StopReason,
    TokenChoice,
    TokenLogprobs,
)

ROLES = ("system", "user", "assistant")


class ApiRequestError(Exception):
    """A request the server refuses: ``status`` and OpenAI's ``error`` object."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        kind: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
        close: bool = False,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.kind = kind
        self.param = param
        self.code = code
        self.close = close  # the request's body was not read: the connection must close after the answer

    def body(self) -> dict[str, Any]:
        return error_body(self.message, kind=self.kind, param=self.param, code=self.code)


def error_body(message: str, *, kind: str, param: str | None = None, code: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


@dataclass(frozen=True)
class ChatRequest:
    """A checked ``/v1/chat/completions`` body."""

    model: str
    messages: tuple[ChatMessage, ...]
    stream: bool
    sampling: SamplingSettings
    include_usage: bool = False  # a stream ends with a chunk carrying the usage (stream_options)
    # ``logprobs: true``: how many alternatives each token reports (``top_logprobs``, 0–20); None: no logprobs.
    top_logprobs: int | None = None

    @property
    def engine_top_logprobs(self) -> int:
        """What the engine is asked for: at least one alternative, so that each token's own figure comes too."""
        return 0 if self.top_logprobs is None else max(1, self.top_logprobs)
    json_schema: str | None = None  # response_format's schema the answer follows (request_fields); None: text
    reasoning_effort: str | None = None  # for the chat template (request_fields)
    # A final assistant message, continued rather than answered (request_fields.prefill_of): its text, or
    # its reasoning (``reasoning_content``) where it has no text yet.
    prefill: str = ""
    prefill_reasoning: str = ""


def _number(body: dict[str, Any], name: str, low: float, high: float) -> float | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ApiRequestError(400, f"'{name}' must be a number from {low} to {high}", param=name)
    return float(value)


def _integer(body: dict[str, Any], name: str, low: int, high: int) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ApiRequestError(400, f"'{name}' must be a whole number from {low} to {high}", param=name)
    return value


def _content(value: Any, index: int) -> str:
    """A message's text: a string, or OpenAI's list of parts of which only text parts are taken."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        parts: list[str] = []
        for part in value:
            if isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text"), str):
                parts.append(part["text"])
            else:
                raise ApiRequestError(400, "only text content is supported", param=f"messages[{index}].content")
        return "".join(parts)
    raise ApiRequestError(400, "a message's 'content' must be a string", param=f"messages[{index}].content")


def parse_chat_request(body: Any, defaults: SamplingSettings) -> ChatRequest:
    """Checks a parsed JSON body; ``ApiRequestError`` (400) says what is wrong."""
    if not isinstance(body, dict):
        raise ApiRequestError(400, "the request body must be a JSON object")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise ApiRequestError(400, "'model' is required and must be a string", param="model")
    raw = body.get("messages")
    if not isinstance(raw, list) or not raw:
        raise ApiRequestError(400, "'messages' must be a non-empty array", param="messages")
    messages: list[ChatMessage] = []
    for index, item in enumerate(raw):
        role = item.get("role") if isinstance(item, dict) else None
        if role == "developer":
            role = "system"
        if role not in ROLES:
            raise ApiRequestError(
                400, "each message needs a 'role' of system, user or assistant", param=f"messages[{index}].role"
            )
        messages.append(ChatMessage(role, _content(item.get("content"), index)))
    stream = body.get("stream", False)
    if not isinstance(stream, bool):
        raise ApiRequestError(400, "'stream' must be true or false", param="stream")
    stop = body.get("stop")
    if isinstance(stop, str):
        stop = [stop]
    if stop is not None and (not isinstance(stop, list) or not all(isinstance(s, str) for s in stop) or len(stop) > 4):
        raise ApiRequestError(400, "'stop' must be a string or up to 4 strings", param="stop")
    max_tokens = _integer(body, "max_completion_tokens", 1, 1 << 20) or _integer(body, "max_tokens", 1, 1 << 20)
    changes: dict[str, Any] = {
        "temperature": _number(body, "temperature", 0.0, 2.0),
        "top_p": _number(body, "top_p", 0.0, 1.0),
        "max_tokens": max_tokens,
        "seed": _integer(body, "seed", -(2**63), 2**63 - 1),
        "stop": tuple(stop) if stop is not None else None,
        "top_k": _integer(body, "top_k", 0, 100_000),
        "min_p": _number(body, "min_p", 0.0, 1.0),
        "repeat_penalty": _number(body, "repeat_penalty", 0.0, 5.0),
    }
    n = _integer(body, "n", 1, 128)
    if n is not None and n != 1:
        # n answers would hold the one engine n times as long, ahead of the window's own answers: ask again instead.
        raise ApiRequestError(
            400, "only n = 1 is supported: this server runs one answer at a time on one engine; send the request "
            "again (with another seed) for another answer", param="n",
        )  # fmt: skip
    _refuse_unsupported(body)
    sampling = replace(defaults, **{key: value for key, value in changes.items() if value is not None})
    return ChatRequest(model, tuple(messages), stream, sampling, _include_usage(body, stream), _top_logprobs(body))


def _top_logprobs(body: dict[str, Any]) -> int | None:
    """``logprobs`` and ``top_logprobs`` as OpenAI checks them."""
    logprobs = body.get("logprobs")
    if logprobs is not None and not isinstance(logprobs, bool):
        raise ApiRequestError(400, "'logprobs' must be true or false", param="logprobs")
    top = _integer(body, "top_logprobs", 0, 20)
    if top is not None and not logprobs:
        raise ApiRequestError(400, "'top_logprobs' requires 'logprobs' to be true", param="top_logprobs")
    return (top or 0) if logprobs else None


def _choice_shape(choice: TokenChoice) -> dict[str, Any]:
    # A piece that holds half a character is named by its escaped bytes, as OpenAI names it.
    token = choice.piece.decode("utf-8", errors="backslashreplace")
    return {"token": token, "logprob": choice.logprob, "bytes": list(choice.piece)}


def logprobs_content(tokens: Sequence[TokenLogprobs], top: int) -> dict[str, Any]:
    """OpenAI's ``choices[].logprobs``: each token with its log-probability, bytes and ``top`` alternatives."""
    content = [
        {**_choice_shape(t.token), "top_logprobs": [_choice_shape(c) for c in t.alternatives[:top]]} for t in tokens
    ]
    return {"content": content, "refusal": None}


def _unsupported(param: str, what: str) -> ApiRequestError:
    return ApiRequestError(400, f"'{param}' is not supported by this server: {what}", param=param)


def _refuse_unsupported(body: dict[str, Any]) -> None:
    """Refuses, naming the field, what this server would otherwise have to drop without a word."""
    for name in ("tools", "functions"):
        if body.get(name):
            raise _unsupported(name, "its models answer in text and cannot call tools")
    if body.get("function_call") not in (None, "none", "auto"):
        raise _unsupported("function_call", "its models answer in text and cannot call tools")
    if body.get("tool_choice") not in (None, "none", "auto"):
        raise _unsupported("tool_choice", "its models answer in text and cannot call tools")
    for name in ("presence_penalty", "frequency_penalty"):
        if body.get(name) not in (None, 0, 0.0):
            raise _unsupported(name, "use 'repeat_penalty' (llama.cpp's) instead")
    if body.get("audio") is not None or body.get("modalities") not in (None, ["text"]):
        raise _unsupported("audio" if body.get("audio") is not None else "modalities", "it answers in text only")


def _include_usage(body: dict[str, Any], stream: bool) -> bool:
    options = body.get("stream_options")
    if options is None:
        return False
    if not stream:
        raise ApiRequestError(400, "'stream_options' is only allowed when 'stream' is true", param="stream_options")
    if not isinstance(options, dict):
        raise ApiRequestError(400, "'stream_options' must be an object", param="stream_options")
    include = options.get("include_usage", False)
    if not isinstance(include, bool):
        raise ApiRequestError(400, "'include_usage' must be true or false", param="stream_options.include_usage")
    return include


def completion_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex[:24]}"


def finish_reason(reason: StopReason) -> str:
    return "length" if reason == "length" else "stop"


def completion(
    cid: str, model: str, text: str, reason: StopReason, stats: GenerationStats, logprobs: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A whole answer; ``logprobs`` (``logprobs_content``) when the request asked for them."""
    choice: dict[str, Any] = {
        "index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish_reason(reason)
    }  # fmt: skip
    if logprobs is not None:
        choice["logprobs"] = logprobs
    return {
        "id": cid,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [choice],
        "usage": usage(stats),
    }


def usage(stats: GenerationStats) -> dict[str, int]:
    return {
        "prompt_tokens": stats.prompt_tokens,
        "completion_tokens": stats.generated_tokens,
        "total_tokens": stats.prompt_tokens + stats.generated_tokens,
    }


def chunk(
    cid: str,
    model: str,
    delta: dict[str, str],
    finish: str | None = None,
    *,
    with_usage: bool = False,
    logprobs: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One stream chunk; ``with_usage`` adds ``"usage": null`` as OpenAI does when the usage comes at the end;
    ``logprobs`` (``logprobs_content``) are the chunk's tokens when the request asked for them."""
    choice: dict[str, Any] = {"index": 0, "delta": delta, "finish_reason": finish}
    if logprobs is not None:
        choice["logprobs"] = logprobs
    body: dict[str, Any] = {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [choice],
    }
    if with_usage:
        body["usage"] = None
    return body


def usage_chunk(cid: str, model: str, stats: GenerationStats) -> dict[str, Any]:
    """The last chunk of a stream asked for with ``stream_options.include_usage``: no choices, the usage."""
    return {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [],
        "usage": usage(stats),
    }


def model_object(name: str) -> dict[str, Any]:
    return {"id": name, "object": "model", "created": 0, "owned_by": "parley"}


def model_list(names: list[str]) -> dict[str, Any]:
    return {"object": "list", "data": [model_object(name) for name in names]}


def context_exceeded(tokens: int, limit: int, max_tokens: int) -> ApiRequestError:
    """OpenAI's answer to messages that do not fit: 400 ``context_length_exceeded``."""
    return ApiRequestError(
        400,
        f"This model's context leaves {limit} tokens for the messages once room for the answer (max_tokens "
        f"{max_tokens}) is kept. However, your messages resulted in {tokens} tokens. Please reduce the length "
        "of the messages or max_tokens.",
        param="messages",
        code="context_length_exceeded",
    )
