"""The remote engine against an OpenAI-compatible server on 127.0.0.1.

The server is the test suite's own, and behind it answers the real starter model through the
local engine, so what streams back is a real model's answer, not canned text.
"""

from __future__ import annotations

import json
import queue
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from app.core.engine.local import LocalEngine
from app.core.engine.protocol import (
    ChatMessage,
    EngineEvent,
    GenerationFinished,
    GenerationRequest,
    ModelLoaded,
    ModelLoadFailed,
    ModelSpec,
    SamplingSettings,
    TokensReceived,
)
from app.core.engine.remote import RemoteEngine
from tests.core.engine_helpers import EventLog

MODEL_ID = "smollm2-135m"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        del format, args

    def do_GET(self) -> None:
        if self.path != "/v1/models":
            self.send_error(404)
            return
        body = json.dumps({"object": "list", "data": [{"id": MODEL_ID, "object": "model"}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.seen_auth = self.headers.get("Authorization", "")
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for text, finish in self.server.answer(request):
            chunk = {"choices": [{"index": 0, "delta": {"content": text} if text else {}, "finish_reason": finish}]}
            try:
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()
            except OSError:
                self.server.engine.request_stop()  # the client went away: stop generating
                return
        self.wfile.write(b"data: [DONE]\n\n")


class _Server(ThreadingHTTPServer):
    def __init__(self, model_path: Path) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.events: queue.Queue[EngineEvent] = queue.Queue()
        self.engine = LocalEngine(self.events.put)
        self.model = ModelSpec(str(model_path), MODEL_ID)
        self.seen_auth = ""

    def answer(self, body: dict[str, Any]) -> Iterator[tuple[str, str | None]]:
        messages = tuple(ChatMessage(m["role"], m["content"]) for m in body["messages"])
        sampling = SamplingSettings(
            temperature=body["temperature"], max_tokens=body["max_tokens"], seed=body.get("seed")
        )
        self.engine.generate(GenerationRequest(uuid.uuid4().hex, self.model, messages, sampling))
        while True:
            event = self.events.get(timeout=60)
            if isinstance(event, TokensReceived):
                yield event.text, None
            elif isinstance(event, GenerationFinished):
                yield "", "length" if event.reason == "length" else "stop"
                return


@pytest.fixture
def openai_server(starter_model: Path) -> Iterator[str]:
    server = _Server(starter_model)
    _servers.append(server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.engine.shutdown()
        server.server_close()
        _servers.remove(server)


_servers: list[_Server] = []


def test_remote_answer_streams_through_the_same_protocol(openai_server: str) -> None:
    log = EventLog()
    engine = RemoteEngine(log.put, api_key="secret")
    model = ModelSpec(openai_server, MODEL_ID)
    messages = (ChatMessage("system", "You are a helpful assistant."), ChatMessage("user", "Name three colours."))
    engine.generate(GenerationRequest("r1", model, messages, SamplingSettings(temperature=0.0, max_tokens=32, seed=1)))
    events = log.collect_until((GenerationFinished,))
    engine.shutdown()
    chunks = [e.text for e in events if isinstance(e, TokensReceived)]
    finished = events[-1]
    assert isinstance(finished, GenerationFinished)
    assert any(isinstance(e, ModelLoaded) for e in events)
    assert len(chunks) >= 3 and "".join(chunks) == finished.text and finished.text.strip()
    assert finished.stats.generated_tokens == len(chunks)
    assert _servers[-1].seen_auth == "Bearer secret"


def test_remote_stop_keeps_the_partial_answer(openai_server: str) -> None:
    log = EventLog()
    engine = RemoteEngine(log.put)
    model = ModelSpec(openai_server, MODEL_ID)
    messages = (ChatMessage("user", "Write a long story about the sea."),)
    engine.generate(GenerationRequest("r2", model, messages, SamplingSettings(temperature=0.0, max_tokens=400)))
    for _ in range(3):
        log.wait_for(TokensReceived)
    engine.request_stop()
    finished = log.wait_for(GenerationFinished)
    engine.shutdown()
    assert finished.reason == "stopped"
    assert finished.text.strip()
    assert finished.stats.generated_tokens < 400


def test_unreachable_server_is_a_load_failure(tmp_path: Path) -> None:
    log = EventLog()
    engine = RemoteEngine(log.put)
    engine.load(ModelSpec("http://127.0.0.1:9/v1", "anything"))
    failed = log.wait_for(ModelLoadFailed, timeout=30)
    engine.shutdown()
    assert "could not be reached" in failed.reason


def test_unknown_model_id_is_a_load_failure(openai_server: str) -> None:
    log = EventLog()
    engine = RemoteEngine(log.put)
    engine.load(ModelSpec(openai_server, "no-such-model"))
    failed = log.wait_for(ModelLoadFailed)
    engine.shutdown()
    assert MODEL_ID in failed.reason
