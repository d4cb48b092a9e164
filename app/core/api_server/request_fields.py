"""The chat completions request fields beyond messages and sampling: ``response_format`` (a JSON Schema the
answer follows), ``logit_bias``, ``reasoning_effort``, a final assistant message (continued, as llama-server
does: ``prefill_of``), and the audit of every other field OpenAI defines.

Each of OpenAI's fields is honoured, accepted because it asks for nothing this server would do
differently (``IGNORED``, listed in the README), or refused by name with a 400; a field OpenAI does not
define is refused too, so a misspelt option never goes unnoticed.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from app.core.api_server.openai_shapes import ApiRequestError, ChatRequest, parse_chat_request
from app.core.engine.json_schema import ANY_OBJECT, checked_schema
from app.core.engine.protocol import SamplingSettings
from app.core.errors import JsonSchemaError

# OpenAI's fields that change nothing in an answer from this server: labels and storage for OpenAI's
# own dashboard (user, safety_identifier, metadata, store), its billing tiers and prompt-cache hints
# (Parley's engine keeps its own cache), and parallel_tool_calls, which means nothing without tools.
IGNORED = (
    "user", "safety_identifier", "metadata", "store", "service_tier", "prompt_cache_key", "prompt_cache_options",
    "prompt_cache_retention", "parallel_tool_calls",
)  # fmt: skip
# The fields parse_chat_request reads (with llama.cpp's sampling extras), and those it refuses by value.
HONOURED = (
    "model", "messages", "stream", "stream_options", "temperature", "top_p", "max_tokens", "max_completion_tokens",
    "seed", "stop", "n", "response_format", "logit_bias", "reasoning_effort", "logprobs", "top_logprobs", "top_k",
    "min_p", "repeat_penalty", "continue_final_message", "add_generation_prompt",
)  # fmt: skip
CHECKED = (
    "tools", "functions", "function_call", "tool_choice", "presence_penalty",
    "frequency_penalty", "audio", "modalities", "verbosity", "prediction", "web_search_options", "moderation",
)  # fmt: skip
REASONING_EFFORTS = ("low", "medium", "high")
MAX_BIASED_TOKENS = 1024


def _unsupported(param: str, what: str) -> ApiRequestError:
    return ApiRequestError(400, f"'{param}' is not supported by this server: {what}", param=param)


def refuse_unknown(body: dict[str, Any]) -> None:
    """Refuses a field that is neither honoured, checked nor known to change nothing."""
    known = set(IGNORED) | set(HONOURED) | set(CHECKED)
    for name in body:
        if name not in known:
            raise ApiRequestError(400, f"'{name}' is not a field this server knows", param=str(name))


def refuse_other_outputs(body: dict[str, Any]) -> None:
    """Refuses the output options a local model here cannot give (the rest of ``CHECKED`` is openai_shapes')."""
    if body.get("verbosity") not in (None, "medium"):
        raise _unsupported("verbosity", "ask for a shorter or longer answer in the messages instead")
    for name, what in (
        ("prediction", "it does not take predicted outputs"),
        ("web_search_options", "its models cannot search the web"),
        ("moderation", "it does not moderate answers"),
    ):
        if body.get(name) is not None:
            raise _unsupported(name, what)


def json_schema_of(body: dict[str, Any]) -> str | None:
    """The JSON Schema (its text) ``response_format`` holds the answer to; None for free text.

    ``json_object`` is any JSON object; ``json_schema`` is the given schema, always followed strictly
    (llama.cpp's grammar lets nothing else through, whatever ``strict`` says)."""
    response_format = body.get("response_format")
    if response_format is None:
        return None
    kind = response_format.get("type") if isinstance(response_format, dict) else None
    if kind == "text":
        return None
    if kind == "json_object":
        return ANY_OBJECT
    if kind != "json_schema":
        raise ApiRequestError(
            400, "'response_format' must be an object with a 'type' of text, json_object or json_schema",
            param="response_format",
        )  # fmt: skip
    spec = response_format.get("json_schema")
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str) or not spec["name"]:
        raise ApiRequestError(
            400, "'response_format.json_schema' must be an object with a 'name'", param="response_format.json_schema"
        )
    if spec.get("strict") not in (None, True, False):
        raise ApiRequestError(400, "'strict' must be true or false", param="response_format.json_schema.strict")
    schema = spec.get("schema")
    if schema is None:
        return ANY_OBJECT
    try:
        checked_schema(json.dumps(schema))
    except JsonSchemaError as err:
        param = "response_format.json_schema.schema"
        raise ApiRequestError(400, f"'{param}': {err.user_message()}", param=param) from err
    return json.dumps(schema)


def logit_bias_of(body: dict[str, Any]) -> tuple[tuple[int, float], ...]:
    """``logit_bias`` as (token id, bias) pairs: keys are token ids (as text), values from -100 to 100."""
    bias = body.get("logit_bias")
    if bias is None:
        return ()
    if not isinstance(bias, dict) or len(bias) > MAX_BIASED_TOKENS:
        raise ApiRequestError(
            400, f"'logit_bias' must map up to {MAX_BIASED_TOKENS} token ids to numbers", param="logit_bias"
        )
    pairs: list[tuple[int, float]] = []
    for key, value in bias.items():
        if not (isinstance(key, str) and key.isdigit()):
            raise ApiRequestError(400, f"'logit_bias' keys must be token ids, not '{key}'", param="logit_bias")
        if isinstance(value, bool) or not isinstance(value, int | float) or not -100 <= value <= 100:
            raise ApiRequestError(400, "'logit_bias' values must be numbers from -100 to 100", param="logit_bias")
        pairs.append((int(key), float(value)))
    return tuple(pairs)


def reasoning_effort_of(body: dict[str, Any]) -> str | None:
    """``reasoning_effort`` for the chat template (gpt-oss's reads it; other models' templates do not)."""
    effort = body.get("reasoning_effort")
    if effort is None or effort in REASONING_EFFORTS:
        return effort
    raise _unsupported("reasoning_effort", f"use one of {', '.join(REASONING_EFFORTS)}")


def prefill_of(body: dict[str, Any], chat: ChatRequest) -> ChatRequest:
    """``chat`` with a final assistant message taken out as the text the answer starts with: the model goes on
    from it and the answer holds only what follows (llama-server's "assistant prefill"; vLLM's
    ``continue_final_message``, which is honoured, as is its ``add_generation_prompt``). Its
    ``reasoning_content`` is the thinking to go on with where it has no text yet. ``continue_final_message``
    false, or ``add_generation_prompt`` true, answers it as a finished message instead."""
    for name in ("continue_final_message", "add_generation_prompt"):
        if name in body and not isinstance(body[name], bool):
            raise ApiRequestError(400, f"'{name}' must be true or false", param=name)
    if body.get("continue_final_message") is False or body.get("add_generation_prompt") is True:
        return chat
    if len(chat.messages) < 2 or chat.messages[-1].role != "assistant":
        return chat
    last = body["messages"][-1]
    reasoning = last.get("reasoning_content") if isinstance(last, dict) else None
    text = chat.messages[-1].content
    thinking = reasoning if isinstance(reasoning, str) and not text else ""
    return replace(chat, messages=chat.messages[:-1], prefill=text, prefill_reasoning=thinking)


def parse_request(body: Any, defaults: SamplingSettings) -> ChatRequest:
    """A checked ``/v1/chat/completions`` body, every field honoured or refused; ``ApiRequestError`` (400) if not."""
    chat = parse_chat_request(body, defaults)
    refuse_unknown(body)
    refuse_other_outputs(body)
    sampling = replace(chat.sampling, logit_bias=logit_bias_of(body))
    effort = reasoning_effort_of(body)
    chat = replace(chat, sampling=sampling, json_schema=json_schema_of(body), reasoning_effort=effort)
    return prefill_of(body, chat)
