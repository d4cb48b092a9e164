"""A remote server's ``logprobs`` reach the answer's events as the local engine's do: the remote engine against
Parley's own API server (a real OpenAI-compatible server that returns them) on the real starter model."""

from __future__ import annotations

import uuid
from pathlib import Path

from app.core.api_server.server import ApiConfig
from app.core.engine.protocol import (
    ChatMessage,
    GenerationFailed,
    GenerationFinished,
    GenerationRequest,
    InspectRequest,
    ModelSpec,
    SamplingSettings,
    TokensReceived,
)
from app.core.engine.remote.engine import RemoteEngine
from tests.core.api_server.serving import MODEL, start
from tests.core.engine_helpers import EventLog

GREEDY = SamplingSettings(temperature=0.0, top_k=1, max_tokens=16, seed=1, repeat_penalty=1.0)


def test_a_servers_logprobs_stream_with_the_answer_and_looking_inside_says_why_not(starter_model: Path) -> None:
    running = start(starter_model, ApiConfig(port=0))
    log = EventLog()
    engine = RemoteEngine(log.put, api_key="none")
    try:
        spec = ModelSpec(running.server.base_url, MODEL, server="parley")
        messages = (ChatMessage("user", "Name a colour."),)
        engine.generate(GenerationRequest(uuid.uuid4().hex, spec, messages, GREEDY, top_logprobs=3))
        events = log.collect_until((GenerationFinished,))
        engine.inspect(InspectRequest(uuid.uuid4().hex, spec, messages, "Blue."))
        refused = log.wait_for(GenerationFailed)
    finally:
        engine.shutdown()
        running.server.stop()
        running.service.shutdown()
    finished = events[-1]
    assert isinstance(finished, GenerationFinished) and finished.text
    tokens = [t for e in events if isinstance(e, TokensReceived) for t in e.logprobs]
    assert b"".join(t.token.piece for t in tokens).decode("utf-8") == finished.text
    assert all(len(t.alternatives) == 3 and t.token.logprob <= 0 for t in tokens)
    assert all(t.alternatives[0].piece == t.token.piece for t in tokens)  # temperature 0: the likeliest
    assert refused.code == "not_local" and "remote server" in refused.reason
