"""Output that follows a schema, logit_bias, seed and n through the local API server, with the official
``openai`` client on the real starter model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openai
import pytest
from openai.types.chat import ChatCompletionMessageParam
from pydantic import BaseModel, Field

from tests.core.api_server.serving import GREEDY, MODEL, Running
from tests.core.engine import direct_llama

HI: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Say hello."}]
PARIS: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Describe Paris as JSON."}]
ROOM = {"temperature": 0.0, "seed": 1, "max_tokens": 120}


class City(BaseModel):
    name: str = Field(max_length=20)
    country: str = Field(max_length=20)
    population: int


CITY_FORMAT: Any = {
    "type": "json_schema",
    "json_schema": {"name": "city", "schema": City.model_json_schema(), "strict": True},
}


def _token(model: Path, text: str) -> int:
    """The id of ``text`` in the starter's own vocabulary, to name a token as a client would."""
    ids = direct_llama.token_ids(model, text)
    assert len(ids) == 1, f"{text!r} is {len(ids)} tokens"
    return int(ids[0])


def _streamed(api: Running, **asked: Any) -> str:
    chunks = api.client().chat.completions.create(model=MODEL, stream=True, **asked)
    return "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)


def _follows_city(answer: dict[str, Any]) -> None:
    assert set(answer) == {"name", "country", "population"}
    assert isinstance(answer["name"], str) and len(answer["name"]) <= 20
    assert isinstance(answer["country"], str) and len(answer["country"]) <= 20
    assert isinstance(answer["population"], int) and not isinstance(answer["population"], bool)


def test_the_official_parse_with_a_pydantic_model_gets_an_answer_that_validates(api: Running) -> None:
    completion = api.client().chat.completions.parse(model=MODEL, messages=PARIS, response_format=City, **ROOM)  # type: ignore[arg-type]
    city = completion.choices[0].message.parsed
    assert isinstance(city, City), completion.choices[0].message.content
    _follows_city(json.loads(completion.choices[0].message.content or ""))
    api.outcome()


def test_a_json_schema_answer_streams_into_json_that_follows_the_schema(api: Running) -> None:
    text = _streamed(api, messages=PARIS, response_format=CITY_FORMAT, **ROOM)
    _follows_city(json.loads(text))
    api.outcome()


@pytest.mark.parametrize("stream", [False, True])
def test_json_object_gets_a_json_object_plain_and_streamed(api: Running, stream: bool) -> None:
    asked: dict[str, Any] = {"messages": PARIS, "response_format": {"type": "json_object"}, **ROOM}
    if stream:
        text = _streamed(api, **asked)
    else:
        text = api.client().chat.completions.create(model=MODEL, **asked).choices[0].message.content or ""
    assert isinstance(json.loads(text), dict), text
    api.outcome()


def test_logit_bias_minus_100_keeps_a_token_out_and_plus_100_forces_one(api: Running, starter_model: Path) -> None:
    client = api.client()
    first = client.chat.completions.create(model=MODEL, messages=HI, **(GREEDY | {"max_tokens": 1}))
    greedy_start = first.choices[0].message.content or ""
    banned = _token(starter_model, greedy_start)
    api.outcome()
    kept_out = client.chat.completions.create(model=MODEL, messages=HI, logit_bias={str(banned): -100}, **GREEDY)
    assert not (kept_out.choices[0].message.content or "").startswith(greedy_start), greedy_start
    api.outcome()
    forced = _token(starter_model, "purple")
    pushed = client.chat.completions.create(
        model=MODEL, messages=HI, logit_bias={str(forced): 100}, **(GREEDY | {"max_tokens": 3})
    )
    assert pushed.choices[0].message.content == "purple" * 3
    api.outcome()


def test_a_logit_bias_on_a_token_the_model_does_not_have_is_a_400(api: Running) -> None:
    with pytest.raises(openai.BadRequestError) as refused:
        api.client().chat.completions.create(model=MODEL, messages=HI, logit_bias={"99999999": 5}, **GREEDY)
    assert isinstance(refused.value.body, dict) and "99999999" in refused.value.body["message"]
    api.outcome()


def test_the_same_seed_gives_the_same_sampled_answer_and_other_seeds_others(api: Running) -> None:
    def answer(seed: int) -> str:
        asked = {"temperature": 1.5, "top_p": 1.0, "seed": seed, "max_tokens": 12}
        text = api.client().chat.completions.create(model=MODEL, messages=HI, **asked).choices[0].message.content
        api.outcome()
        return text or ""

    assert answer(7) == answer(7)
    assert len({answer(seed) for seed in (1, 2, 3, 4)}) > 1


def test_n_above_one_is_refused_with_the_reason(api: Running) -> None:
    api.server.backend.outcomes.clear()
    with pytest.raises(openai.BadRequestError) as refused:
        api.client().chat.completions.create(model=MODEL, messages=HI, n=2, **GREEDY)
    body = refused.value.body
    assert isinstance(body, dict) and body["param"] == "n" and "one answer at a time" in body["message"]
    assert not api.server.backend.outcomes
