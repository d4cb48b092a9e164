"""The remote engine against a real OpenAI-compatible server: llama-cpp-python's own, on 127.0.0.1.

The server (``tests/llama_server.py``) serves the starter model with an API key, so what streams
back is a real model's answer over real HTTP, and a wrong key is refused by the server itself.
"""

from __future__ import annotations

import json
import queue
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from app.core.config.secrets import KeyStore
from app.core.config.settings import SettingsStore
from app.core.engine.protocol import (
    ChatMessage,
    EngineEvent,
    GenerationFailed,
    GenerationFinished,
    GenerationRequest,
    ModelLoaded,
    ModelLoadFailed,
    ModelSpec,
    SamplingSettings,
    TokensReceived,
)
from app.core.engine.remote.engine import RemoteEngine, failure_from_response, request_body
from app.core.engine.remote.servers import RemoteServers
from app.core.engine.router import routing_factory
from app.core.errors import RemoteServerError, RemoteStreamCutError
from app.core.history.store import Store
from app.core.models.registry import ModelRegistry, remote_entry
from app.core.session.service import EngineService, local_engine_factory
from app.core.session.turns import TurnOutcome, TurnRunner
from tests.core.engine_helpers import EventLog
from tests.llama_server import API_KEY, MODEL_ALIAS, LlamaServer, free_port, start_llama_server

GREEDY = SamplingSettings(temperature=0.0, top_k=1, max_tokens=24, seed=1)
STORY = (ChatMessage("user", "Write a long story about the sea, with many chapters."),)


def _request(server: LlamaServer, request_id: str, sampling: SamplingSettings = GREEDY) -> GenerationRequest:
    messages = (ChatMessage("system", "You are a helpful assistant."), ChatMessage("user", "Name three colours."))
    return GenerationRequest(request_id, ModelSpec(server.base_url, MODEL_ALIAS, server="s"), messages, sampling)


@pytest.fixture
def engine_log() -> Iterator[tuple[RemoteEngine, EventLog]]:
    log = EventLog()
    engine = RemoteEngine(log.put, api_key=API_KEY)
    yield engine, log
    engine.shutdown()


def test_an_answer_streams_from_the_server_with_the_key(
    llama_server: LlamaServer, engine_log: tuple[RemoteEngine, EventLog]
) -> None:
    engine, log = engine_log
    engine.generate(_request(llama_server, "r1"))
    events = log.collect_until((GenerationFinished, GenerationFailed, ModelLoadFailed), timeout=120)
    finished = events[-1]
    assert isinstance(finished, GenerationFinished), finished
    chunks = [e.text for e in events if isinstance(e, TokensReceived)]
    assert any(isinstance(e, ModelLoaded) for e in events)
    assert len(chunks) >= 3 and "".join(chunks) == finished.text and finished.text.strip()
    assert finished.stats.generated_tokens == len(chunks) and finished.stats.ttft_seconds > 0
    assert finished.stats.tokens_per_second > 0


def test_stop_ends_the_stream_at_once_and_keeps_the_partial_answer(
    llama_server: LlamaServer, engine_log: tuple[RemoteEngine, EventLog]
) -> None:
    engine, log = engine_log
    model = ModelSpec(llama_server.base_url, MODEL_ALIAS, server="s")
    engine.generate(GenerationRequest("r2", model, STORY, SamplingSettings(temperature=0.0, max_tokens=400)))
    for _ in range(3):
        log.wait_for(TokensReceived, timeout=120)
    engine.request_stop()
    finished = log.wait_for(GenerationFinished, timeout=30)
    assert finished.reason == "stopped"
    assert finished.text.strip()
    assert finished.stats.generated_tokens < 400


def test_a_wrong_key_is_refused_with_a_sentence_about_the_key(llama_server: LlamaServer) -> None:
    log = EventLog()
    engine = RemoteEngine(log.put, api_key="not-the-key")
    engine.generate(_request(llama_server, "r3"))
    failed = log.wait_for(ModelLoadFailed, timeout=60)
    engine.shutdown()
    assert "refused the API key" in failed.reason and "401" in failed.reason
    assert failed.request_id == "r3"


def test_an_unknown_model_is_a_load_failure_that_names_the_servers_models(
    llama_server: LlamaServer, engine_log: tuple[RemoteEngine, EventLog]
) -> None:
    engine, log = engine_log
    engine.load(ModelSpec(llama_server.base_url, "no-such-model", server="s"))
    failed = log.wait_for(ModelLoadFailed, timeout=60)
    assert "no-such-model" in failed.reason and MODEL_ALIAS in failed.reason


def test_nothing_listening_is_said_plainly() -> None:
    log = EventLog()
    engine = RemoteEngine(log.put)
    port = free_port()  # bound and released: nothing listens there now
    engine.load(ModelSpec(f"http://127.0.0.1:{port}/v1", "anything", server="s"))
    failed = log.wait_for(ModelLoadFailed, timeout=30)
    engine.shutdown()
    assert failed.reason == f"nothing answers at 127.0.0.1:{port}; is the server running?"


def test_sampling_maps_onto_the_request_and_429_says_when_to_try_again() -> None:
    sampling = SamplingSettings(temperature=0.3, top_p=0.8, top_k=7, min_p=0.1, repeat_penalty=1.2, max_tokens=9,
                                seed=5, stop=("END",))  # fmt: skip
    body = request_body(GenerationRequest("x", ModelSpec("u", "m"), STORY, sampling))
    assert {k: body[k] for k in ("temperature", "top_p", "max_tokens", "seed", "stop", "top_k", "min_p")} == {
        "temperature": 0.3, "top_p": 0.8, "max_tokens": 9, "seed": 5, "stop": ["END"], "top_k": 7, "min_p": 0.1,
    }  # fmt: skip
    assert "top_k" not in request_body(GenerationRequest("x", ModelSpec("u", "m"), STORY, sampling), extras=False)
    limited = httpx.Response(429, headers={"Retry-After": "20"}, json={"error": {"message": "slow down"}})
    assert failure_from_response(limited, "https://api.example.com/v1/x").reason == (
        "api.example.com is limiting requests (429: slow down); try again in 20 s"
    )
    broken = httpx.Response(502, text="Bad Gateway")
    assert "server error (502: Bad Gateway)" in failure_from_response(broken, "http://h:1/v1").reason


# -- whole turns: routing, the stored answer, a server killed in the middle --------------------------


class _Turns:
    def __init__(self, servers: RemoteServers) -> None:
        self.store = Store()
        self.settings = SettingsStore()
        self.registry = ModelRegistry(self.settings, servers)
        self.service = EngineService(routing_factory(local_engine_factory(), servers.connection))
        self.events: queue.Queue[EngineEvent] = queue.Queue()
        self.runner = TurnRunner(self.store, self.service.connect(self.events.put), self.settings, self.registry)

    def start(self, conversation_id: int, text: str, entry_name: str, sampling: SamplingSettings = GREEDY) -> None:
        entry = self.registry.remote_entry(entry_name) or self.registry.resolve(entry_name)
        self.runner.start(conversation_id, text, model=entry, sampling=sampling)

    def wait(self, *, until_tokens: int = 0) -> TurnOutcome | None:
        """The turn's outcome; with ``until_tokens``, None once that many pieces of text arrived."""
        seen = 0
        while True:
            update = self.runner.handle(self.events.get(timeout=120))
            if update is None:
                continue
            if update.text:
                seen += 1
                if seen == until_tokens:
                    return None
            if update.outcome is not None:
                return update.outcome

    def run(self, conversation_id: int, text: str, entry_name: str) -> TurnOutcome:
        self.start(conversation_id, text, entry_name)
        outcome = self.wait()
        assert outcome is not None
        return outcome

    def close(self) -> None:
        self.service.shutdown()
        self.store.close()


def _servers(home: Path, name: str, url: str, key: str) -> RemoteServers:
    servers = RemoteServers(keys=KeyStore(use_keyring=False))
    servers.add(name, url, key)
    return servers


def test_one_conversation_uses_a_local_then_a_remote_model_and_each_answer_records_its_writer(
    parley_home: Path, llama_server: LlamaServer, starter_model: Path
) -> None:
    servers = _servers(parley_home, "Lab box", llama_server.base_url, API_KEY)
    turns = _Turns(servers)
    try:
        conversation = turns.store.create_conversation()
        local = turns.run(conversation.id, "Hi!", turns.registry.models()[0].name)
        remote_name = remote_entry(servers.servers()[0], MODEL_ALIAS).name
        remote = turns.run(conversation.id, "And again?", remote_name)
    finally:
        turns.close()
    assert local.status == "complete" and remote.status == "complete", (local.error, remote.error)
    assert local.message is not None and remote.message is not None
    assert local.message.server is None
    assert remote.message.model_name == MODEL_ALIAS
    assert remote.message.server == f"Lab box (127.0.0.1:{llama_server.base_url.split(':')[2].split('/')[0]})"
    assert remote.text.strip()


def test_a_server_killed_mid_stream_keeps_the_partial_answer_marked_interrupted(
    parley_home: Path, starter_model: Path, tmp_path: Path
) -> None:
    doomed = start_llama_server(starter_model, tmp_path / "doomed.log", n_ctx=512)
    servers = _servers(parley_home, "Doomed", doomed.base_url, "")
    turns = _Turns(servers)
    try:
        conversation = turns.store.create_conversation()
        name = remote_entry(servers.servers()[0], MODEL_ALIAS).name
        turns.start(conversation.id, STORY[0].content, name, SamplingSettings(temperature=0.0, max_tokens=400))
        assert turns.wait(until_tokens=3) is None
        doomed.process.kill()
        outcome = turns.wait()
        assert outcome is not None
    finally:
        doomed.stop()
        turns.close()
    assert outcome.status == "interrupted"
    assert isinstance(outcome.error, RemoteStreamCutError)
    assert outcome.message is not None and outcome.message.status == "interrupted"
    assert outcome.message.content.strip() and outcome.message.content == outcome.text


def test_a_refused_key_in_a_turn_is_the_servers_error_not_a_model_files(
    parley_home: Path, llama_server: LlamaServer
) -> None:
    servers = _servers(parley_home, "Lab box", llama_server.base_url, "wrong")
    turns = _Turns(servers)
    try:
        conversation = turns.store.create_conversation()
        outcome = turns.run(conversation.id, "Hi", remote_entry(servers.servers()[0], MODEL_ALIAS).name)
    finally:
        turns.close()
    assert outcome.status == "failed"
    assert isinstance(outcome.error, RemoteServerError)
    assert "refused the API key" in outcome.error.user_message()


def test_a_tls_failure_is_told_as_one(llama_server: LlamaServer) -> None:
    log = EventLog()
    engine = RemoteEngine(log.put, api_key=API_KEY)
    plain = llama_server.base_url.replace("http://", "https://")  # the server speaks plain HTTP: no TLS handshake
    engine.load(ModelSpec(plain, MODEL_ALIAS, server="s"))
    failed = log.wait_for(ModelLoadFailed, timeout=30)
    engine.shutdown()
    assert failed.reason.startswith(f"the secure connection to {plain.split('/')[2]} failed (TLS:")


def test_a_schema_goes_as_response_format_and_a_bias_as_logit_bias() -> None:
    schema = '{"type": "object", "properties": {"colour": {"type": "string"}}}'
    sampling = SamplingSettings(logit_bias=((42, -100.0),))
    body = request_body(GenerationRequest("x", ModelSpec("u", "m"), STORY, sampling, json_schema=schema))
    assert body["response_format"] == {
        "type": "json_schema", "json_schema": {"name": "answer", "schema": json.loads(schema), "strict": True},
    }  # fmt: skip
    assert body["logit_bias"] == {"42": -100.0}
    assert "response_format" not in request_body(GenerationRequest("x", ModelSpec("u", "m"), STORY, GREEDY))
    refused = httpx.Response(400, json={"error": {"message": "response_format is not supported"}})
    assert failure_from_response(refused, "https://api.example.com/v1/x", schema=True).reason == (
        "api.example.com refused to hold the answer to the persona's JSON Schema (400: response_format is not "
        "supported); use a model on this computer for this persona, or clear its schema"
    )


def test_a_server_that_refuses_the_schema_says_so_in_one_sentence(
    llama_server: LlamaServer, engine_log: tuple[RemoteEngine, EventLog]
) -> None:
    # llama-cpp-python's server takes response_format "json_object" only: json_schema fails there (a 500 naming it).
    engine, log = engine_log
    asked = replace(_request(llama_server, "s1"), json_schema='{"type": "object"}')
    engine.generate(asked)
    failed = log.collect_until((GenerationFinished, GenerationFailed, ModelLoadFailed), timeout=120)[-1]
    assert isinstance(failed, GenerationFailed | ModelLoadFailed), failed
    assert "refused to hold the answer to the persona's JSON Schema (500" in failed.reason
    assert failed.reason.endswith("use a model on this computer for this persona, or clear its schema")
