"""Every field the local API server gets is honoured or refused by name; nothing is dropped without a word.

Driven by the official ``openai`` client where it shows the behaviour, raw HTTP otherwise; the server
runs on the real starter model.
"""

from __future__ import annotations

import httpx
import openai
import pytest
from openai.types.chat import ChatCompletionMessageParam

from tests.core.api_server.serving import GREEDY, MODEL, N_CTX, Running

HI: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Say hello."}]


@pytest.mark.parametrize(
    ("extra", "param"),
    [
        ({"tools": [{"type": "function", "function": {"name": "now", "parameters": {"type": "object"}}}]}, "tools"),
        ({"tool_choice": "required"}, "tool_choice"),
        ({"functions": [{"name": "now", "parameters": {"type": "object"}}]}, "functions"),
        ({"logprobs": "yes"}, "logprobs"),
        ({"top_logprobs": 3}, "top_logprobs"),  # without "logprobs": true
        ({"logprobs": True, "top_logprobs": 21}, "top_logprobs"),
        ({"logit_bias": {"hello": 5}}, "logit_bias"),
        ({"logit_bias": {"42": 101}}, "logit_bias"),
        ({"presence_penalty": 0.5}, "presence_penalty"),
        ({"frequency_penalty": -1}, "frequency_penalty"),
        ({"modalities": ["text", "audio"]}, "modalities"),
        ({"response_format": "json"}, "response_format"),
        ({"response_format": {"type": "json_schema", "json_schema": {"schema": {}}}}, "response_format.json_schema"),
        (
            {"response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "obj"}}}},
            "response_format.json_schema.schema",
        ),
        ({"n": 3}, "n"),
        ({"verbosity": "low"}, "verbosity"),
        ({"prediction": {"type": "content", "content": "Hello"}}, "prediction"),
        ({"web_search_options": {}}, "web_search_options"),
        ({"reasoning_effort": "extreme"}, "reasoning_effort"),
        ({"temprature": 0.5}, "temprature"),  # a misspelt field is refused, not dropped
        ({"stream_options": {"include_usage": True}}, "stream_options"),  # without "stream": true
    ],
)
def test_a_field_the_server_cannot_honour_is_refused_by_name(
    api: Running, extra: dict[str, object], param: str
) -> None:
    api.server.backend.outcomes.clear()
    with pytest.raises(openai.BadRequestError) as refused:
        api.client().chat.completions.create(model=MODEL, messages=HI, extra_body=extra, **GREEDY)  # type: ignore[call-overload]
    assert refused.value.status_code == 400
    body = refused.value.body
    assert isinstance(body, dict) and body["param"] == param and body["type"] == "invalid_request_error"
    assert param in body["message"]
    assert not api.server.backend.outcomes  # refused before it reached the engine


def test_what_means_plain_text_anyway_is_accepted(api: Running) -> None:
    answer = api.client().chat.completions.create(
        model=MODEL,
        messages=HI,
        response_format={"type": "text"},
        tool_choice="none",
        logprobs=False,
        presence_penalty=0,
        frequency_penalty=0.0,
        modalities=["text"],
        user="someone",
        safety_identifier="someone",
        metadata={"job": "test"},
        store=False,
        service_tier="auto",
        prompt_cache_key="k",
        parallel_tool_calls=False,
        verbosity="medium",
        reasoning_effort="low",
        **GREEDY,
    )
    assert answer.choices[0].message.content
    api.outcome()


def test_stream_options_include_usage_ends_the_stream_with_the_usage(api: Running) -> None:
    stream = api.client().chat.completions.create(
        model=MODEL, messages=HI, stream=True, stream_options={"include_usage": True}, **GREEDY
    )
    chunks = list(stream)
    last = chunks[-1]
    assert last.choices == [] and last.usage is not None
    assert 0 < last.usage.completion_tokens <= 16 and last.usage.prompt_tokens > 0
    assert last.usage.total_tokens == last.usage.prompt_tokens + last.usage.completion_tokens
    assert all(chunk.usage is None for chunk in chunks[:-1])
    assert chunks[-2].choices[0].finish_reason in ("stop", "length")
    api.outcome()
    plain = list(api.client().chat.completions.create(model=MODEL, messages=HI, stream=True, **GREEDY))
    assert all(chunk.choices for chunk in plain)  # not asked for: no usage chunk
    api.outcome()


def test_models_retrieve_answers_for_an_installed_model_and_404_otherwise(api: Running) -> None:
    model = api.client().models.retrieve(MODEL)
    assert (model.id, model.object, model.owned_by) == (MODEL, "model", "parley")
    with pytest.raises(openai.NotFoundError) as unknown:
        api.client().models.retrieve("gpt-17")
    assert unknown.value.code == "model_not_found"
    nowhere = httpx.get(f"{api.server.base_url}/nothing-here")
    assert nowhere.status_code == 404 and nowhere.json()["error"]["type"] == "invalid_request_error"


@pytest.mark.parametrize("stream", [False, True])
def test_messages_beyond_the_context_are_a_400_context_length_exceeded(api: Running, stream: bool) -> None:
    api.server.backend.outcomes.clear()
    too_long: list[ChatCompletionMessageParam] = [{"role": "user", "content": "hello " * (2 * N_CTX)}]
    with pytest.raises(openai.BadRequestError) as refused:
        api.client().chat.completions.create(model=MODEL, messages=too_long, stream=stream, **GREEDY)  # type: ignore[call-overload]
    assert refused.value.code == "context_length_exceeded"
    assert isinstance(refused.value.body, dict) and refused.value.body["param"] == "messages"
    assert api.outcome().reason == "failed"


def test_a_conversation_beyond_the_context_is_refused_not_silently_shortened(api: Running) -> None:
    api.server.backend.outcomes.clear()
    turns: list[ChatCompletionMessageParam] = []
    for index in range(12):
        turns += [
            {"role": "user", "content": f"Question {index}: " + "tell me more " * 30},
            {"role": "assistant", "content": "More words in the answer. " * 20},
        ]
    turns.append({"role": "user", "content": "And now?"})
    with pytest.raises(openai.BadRequestError) as refused:
        api.client().chat.completions.create(model=MODEL, messages=turns, **GREEDY)
    assert refused.value.code == "context_length_exceeded"
    api.outcome()


def test_a_final_assistant_message_is_continued_and_the_answer_is_only_what_follows(api: Running) -> None:
    client = api.client()
    whole = client.chat.completions.create(model=MODEL, messages=HI, **GREEDY).choices[0].message.content
    assert whole and len(whole) > 8
    kept = whole[: whole.rindex(" ", 0, len(whole) // 2)]  # cut before a word: its tokens are the model's own
    prefilled: list[ChatCompletionMessageParam] = [*HI, {"role": "assistant", "content": kept}]
    went_on = client.chat.completions.create(model=MODEL, messages=prefilled, **GREEDY).choices[0].message.content
    afresh = client.chat.completions.create(
        model=MODEL, messages=prefilled, extra_body={"continue_final_message": False}, **GREEDY
    ).choices[0].message.content
    assert went_on and not went_on.startswith(kept)  # only the continuation comes back, as llama-server sends it
    assert went_on.startswith(whole[len(kept) : len(kept) + 6])  # greedy: it goes on as it wrote the whole
    assert afresh and afresh != went_on  # a finished message: a new answer after it
    with pytest.raises(openai.BadRequestError) as refused:
        client.chat.completions.create(model=MODEL, messages=prefilled, extra_body={"add_generation_prompt": "no"})
    assert refused.value.body["param"] == "add_generation_prompt"  # type: ignore[index]
