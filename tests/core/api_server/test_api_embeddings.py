"""``POST /v1/embeddings`` of Parley's API server, driven by the official ``openai`` client and raw HTTP.

The server embeds with the real starter model, chosen in Settings as the embedding model.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import openai
import pytest

from app.core.api_server.server import ApiConfig
from tests.core.api_server.embedding_serving import start_embedding_server
from tests.core.api_server.serving import MODEL, Running


@pytest.fixture(scope="module")
def embedding_api(starter_model: Path) -> Iterator[Running]:
    running = start_embedding_server(starter_model, ApiConfig(port=0))
    yield running
    running.server.stop()
    running.service.shutdown()


def test_one_text_gives_one_unit_vector_with_its_usage(embedding_api: Running) -> None:
    reply = embedding_api.client().embeddings.create(model=MODEL, input="Parley runs models on your computer.")
    assert reply.object == "list" and reply.model == MODEL
    [item] = reply.data
    assert item.object == "embedding" and item.index == 0
    assert len(item.embedding) == 576 and np.isclose(np.linalg.norm(item.embedding), 1.0, atol=1e-5)
    assert reply.usage.prompt_tokens > 0 and reply.usage.total_tokens == reply.usage.prompt_tokens


def test_a_list_of_texts_keeps_its_order_and_float_and_base64_agree(embedding_api: Running) -> None:
    texts = ["The cat sat on the mat.", "A cat was sitting on the rug.", "Stock markets fell sharply today."]
    floats = embedding_api.client().embeddings.create(model=MODEL, input=texts, encoding_format="float")
    assert [item.index for item in floats.data] == [0, 1, 2]
    rows = np.array([item.embedding for item in floats.data], dtype=np.float32)
    assert float(rows[0] @ rows[1]) > float(rows[0] @ rows[2])  # the paraphrase is the nearer
    raw = httpx.post(
        f"{embedding_api.server.base_url}/embeddings",
        json={"model": MODEL, "input": texts, "encoding_format": "base64"}, timeout=120,
    )  # fmt: skip
    assert raw.status_code == 200
    decoded = np.array([np.frombuffer(base64.b64decode(d["embedding"]), dtype="<f4") for d in raw.json()["data"]])
    assert np.allclose(decoded, rows, atol=1e-6)


def test_token_arrays_are_refused_naming_input(embedding_api: Running) -> None:
    for tokens in ([1, 2, 3], [[1, 2], [3]]):
        with pytest.raises(openai.BadRequestError) as caught:
            embedding_api.client().embeddings.create(model=MODEL, input=tokens)
        assert caught.value.status_code == 400
        error = caught.value.body
        assert isinstance(error, dict) and error["param"] == "input" and "token arrays" in error["message"]


def test_bad_fields_are_refused_by_name(embedding_api: Running) -> None:
    url = f"{embedding_api.server.base_url}/embeddings"
    cases = [
        ({"model": MODEL, "input": []}, "input"),
        ({"model": MODEL, "input": ""}, "input"),
        ({"model": MODEL, "input": "hi", "encoding_format": "int8"}, "encoding_format"),
        ({"model": MODEL, "input": "hi", "dimensions": 64}, "dimensions"),
        ({"input": "hi"}, "model"),
    ]
    for body, param in cases:
        answer = httpx.post(url, json=body, timeout=120)
        assert answer.status_code == 400, body
        assert answer.json()["error"]["param"] == param


def test_another_model_name_is_not_found(embedding_api: Running) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        embedding_api.client().embeddings.create(model="text-embedding-3-small", input="hi")
    assert MODEL in str(caught.value)  # it says which model this server embeds with


def test_without_an_embedding_model_the_answer_says_so(api: Running) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        api.client().embeddings.create(model=MODEL, input="hi")
    error = caught.value.body
    assert isinstance(error, dict) and error["code"] == "embedding_model_not_set" and error["param"] == "model"
    assert "Settings" in error["message"]


def test_the_servers_guards_hold_for_embeddings(embedding_api: Running) -> None:
    url = f"{embedding_api.server.base_url}/embeddings"
    body = json.dumps({"model": MODEL, "input": "hi"})
    plain = httpx.post(url, content=body, headers={"Content-Type": "text/plain"}, timeout=30)
    assert plain.status_code == 415
    foreign = httpx.post(url, content=body, headers={"Content-Type": "application/json", "Host": "evil.example"})
    assert foreign.status_code == 403
    page = httpx.post(
        url, content=body, headers={"Content-Type": "application/json", "Origin": "https://evil.example"}
    )
    assert page.status_code == 403


def test_a_key_is_asked_for_when_the_server_has_one(starter_model: Path) -> None:
    running = start_embedding_server(starter_model, ApiConfig(port=0, api_key="secret-1"))
    try:
        with pytest.raises(openai.AuthenticationError):
            running.client("wrong").embeddings.create(model=MODEL, input="hi")
        assert len(running.client("secret-1").embeddings.create(model=MODEL, input="hi").data) == 1
    finally:
        running.server.stop()
        running.service.shutdown()
