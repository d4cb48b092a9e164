"""``RemoteEmbedder`` against a real OpenAI-compatible server: Parley's own API server on the starter model.

(The suite's llama-cpp-python server is started without embeddings, so it cannot serve them.) The
server's key comes from the key store, as for a chat model on a remote server.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from app.core.api_server.server import ApiConfig
from app.core.config.secrets import KeyStore
from app.core.config.settings import Settings, SettingsStore
from app.core.engine.embedding import LocalEmbedder, embedder_for
from app.core.engine.remote.embeddings import TEXTS_PER_REQUEST, RemoteEmbedder
from app.core.engine.remote.servers import RemoteServers
from app.core.errors import RemoteServerError
from app.core.models.registry import ModelRegistry
from tests.core.api_server.embedding_serving import start_embedding_server
from tests.core.api_server.serving import MODEL, Running
from tests.core.engine.misbehaving_server import misbehaving_server
from tests.llama_server import free_port

KEY = "embed-key-7"


@pytest.fixture(scope="module")
def keyed_api(starter_model: Path) -> Iterator[Running]:
    running = start_embedding_server(starter_model, ApiConfig(port=0, api_key=KEY))
    yield running
    running.server.stop()
    running.service.shutdown()


def _served(running: Running) -> LocalEmbedder:
    embedder = running.server.backend.models.embedder.current
    assert isinstance(embedder, LocalEmbedder)
    return embedder


def test_the_settings_choice_of_a_servers_model_embeds_there_with_its_stored_key(keyed_api: Running) -> None:
    servers = RemoteServers(keys=KeyStore(use_keyring=False))
    servers.add("Lab box", keyed_api.server.base_url, KEY)
    settings = Settings(embedding_model=f"{MODEL} @ Lab box")
    embedder = embedder_for(settings, ModelRegistry(SettingsStore(settings), servers))
    assert isinstance(embedder, RemoteEmbedder) and embedder.name == f"{MODEL} @ Lab box"
    texts = ["The cat sat on the mat.", "A cat was sitting on the rug.", "Stock markets fell sharply today."]
    rows = embedder.embed(texts)
    assert rows.dtype == np.float32 and rows.shape == (3, 576)
    assert np.allclose(rows, _served(keyed_api).embed(texts), atol=1e-5)  # what the server's model gives


def test_many_texts_go_in_several_requests_and_keep_their_order(keyed_api: Running) -> None:
    last = ["The river froze in January.", "Compilers turn source code into machines' code.", "Tea needs hot water."]
    texts = [f"Line {i} of a long list." for i in range(TEXTS_PER_REQUEST + 3)] + last
    rows = RemoteEmbedder(keyed_api.server.base_url, MODEL, KEY).embed(texts)
    assert rows.shape == (len(texts), 576)
    # Each of the last rows is its own text's (to rounding: the server batched it with other texts).
    similarity = rows[-3:] @ _served(keyed_api).embed(last).T
    assert (np.diag(similarity) > 0.9999).all() and (similarity.argmax(axis=1) == [0, 1, 2]).all()


def test_a_refused_key_is_one_sentence(keyed_api: Running) -> None:
    with pytest.raises(RemoteServerError, match="refused the API key") as caught:
        RemoteEmbedder(keyed_api.server.base_url, MODEL, "wrong").embed(["hi"])
    assert str(caught.value).startswith(f"The server 127.0.0.1:{keyed_api.port} could not be used: ")


def test_a_model_the_server_does_not_have_is_one_sentence(keyed_api: Running) -> None:
    with pytest.raises(RemoteServerError, match=r"does not have what was asked for \(404: The model 'nope'"):
        RemoteEmbedder(keyed_api.server.base_url, "nope", KEY).embed(["hi"])


def test_nothing_answering_is_one_sentence() -> None:
    port = free_port()
    with pytest.raises(RemoteServerError, match=f"nothing answers at 127.0.0.1:{port}; is the server running"):
        RemoteEmbedder(f"http://127.0.0.1:{port}/v1", MODEL).embed(["hi"])


def test_a_reply_of_another_shape_is_one_sentence() -> None:
    refused = pytest.raises(RemoteServerError, match="sent embeddings Parley cannot read")
    with misbehaving_server(['{"choices": []}']) as base_url, refused:  # an event stream, not an embeddings reply
        RemoteEmbedder(base_url, "odd-model").embed(["hi"])
