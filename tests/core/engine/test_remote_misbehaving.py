"""A remote server that sends chunks not shaped like OpenAI's: the answer ends as failed, with one sentence.

The server is the suite's own (``misbehaving_server``) on 127.0.0.1: real HTTP and real server-sent
events, with the chunks each test gives it.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from app.core.config.secrets import KeyStore
from app.core.engine.protocol import (
    ChatMessage,
    GenerationFailed,
    GenerationFinished,
    GenerationRequest,
    ModelLoadFailed,
    ModelSpec,
    SamplingSettings,
)
from app.core.engine.remote.engine import RemoteEngine
from app.core.engine.remote.servers import RemoteServers
from app.core.errors import RemoteServerError
from app.core.models.registry import remote_entry
from app.core.session.service import EngineService
from tests.core.engine.misbehaving_server import MODEL, delta, misbehaving_server
from tests.core.engine.test_remote_engine import _Turns
from tests.core.engine_helpers import EventLog

SAMPLING = SamplingSettings(temperature=0.0, max_tokens=16)
MESSAGES = (ChatMessage("user", "Hi"),)

MALFORMED: dict[str, tuple[Any, str]] = {
    "choices as an object": ({"choices": {"0": {"delta": {"content": "x"}}}}, "“choices” is dict, not a list"),
    "an integer content": (delta(7), "“content” is int, not text"),
    "null choices": ({"choices": None}, "“choices” is null, not a list"),
    "a choice that is text": ({"choices": ["x"]}, "a choice that is str, not an object"),
    "a chunk that is a list": ("[1, 2]", "a chunk that is list, not an object"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_every_malformed_chunk_ends_the_answer_as_failed_keeping_what_arrived(case: str) -> None:
    bad, words = MALFORMED[case]
    log = EventLog()
    engine = RemoteEngine(log.put)
    try:
        with misbehaving_server([delta("Hello"), delta(" there"), bad, delta(" never read"), "[DONE]"]) as url:
            engine.generate(GenerationRequest("r", ModelSpec(url, MODEL, server="s"), MESSAGES, SAMPLING))
            events = log.collect_until((GenerationFinished, GenerationFailed, ModelLoadFailed), timeout=60)
    finally:
        engine.shutdown()
    failed = events[-1]
    assert isinstance(failed, GenerationFailed), failed
    assert failed.text == "Hello there"
    assert failed.reason == f"127.0.0.1:{url.split(':')[2].split('/')[0]} sent an answer Parley cannot read ({words})"
    assert not failed.traceback  # the server's fault, not a bug


def test_a_usage_only_chunk_and_an_empty_choice_list_are_not_faults() -> None:
    log = EventLog()
    engine = RemoteEngine(log.put)
    chunks = [delta("Hi"), {"choices": [], "usage": {"prompt_tokens": 3}}, {"choices": None, "usage": {}}, "[DONE]"]
    try:
        with misbehaving_server(chunks) as url:
            engine.generate(GenerationRequest("r", ModelSpec(url, MODEL, server="s"), MESSAGES, SAMPLING))
            events = log.collect_until((GenerationFinished, GenerationFailed, ModelLoadFailed), timeout=60)
    finally:
        engine.shutdown()
    finished = events[-1]
    assert isinstance(finished, GenerationFinished), finished
    assert finished.text == "Hi" and finished.stats.prompt_tokens == 3


def test_in_a_turn_the_answer_is_stored_failed_with_the_text_and_one_sentence(parley_home: Path) -> None:
    with misbehaving_server([delta("Partial"), delta(5), "[DONE]"]) as url:
        servers = RemoteServers(keys=KeyStore(use_keyring=False))
        server = servers.add("Odd box", url, "")
        turns = _Turns(servers)
        try:
            conversation = turns.store.create_conversation()
            outcome = turns.run(conversation.id, "Hi", remote_entry(server, MODEL).name)
        finally:
            turns.close()
    assert outcome.status == "failed"
    assert isinstance(outcome.error, RemoteServerError)
    assert "sent an answer Parley cannot read (“content” is int, not text)" in outcome.error.user_message()
    assert outcome.message is not None and outcome.message.status == "failed"
    assert outcome.message.content == "Partial"


def test_a_request_sent_the_moment_the_last_one_finished_is_answered_too() -> None:
    # As the window asks for a title as soon as an answer ends: the finished event reaches the client on
    # the engine's own thread, before that thread is done with the service. The next request must not
    # wait for it (a deadlock on the service's lock, or joining the thread from itself).
    finished: list[GenerationFinished] = []
    done = threading.Event()
    service = EngineService(RemoteEngine)
    try:
        with misbehaving_server([delta("Blue"), delta("."), "[DONE]"]) as url:
            spec = ModelSpec(url, MODEL, server="s")

            def deliver(event: object) -> None:
                if isinstance(event, GenerationFinished):
                    finished.append(event)
                    if len(finished) == 1:
                        client.generate(GenerationRequest("second", spec, MESSAGES, SAMPLING))
                    else:
                        done.set()

            client = service.connect(deliver, "titles")
            client.generate(GenerationRequest("first", spec, MESSAGES, SAMPLING))
            assert done.wait(60), "the second request was never answered"
    finally:
        service.shutdown()
    assert [(f.request_id, f.text) for f in finished] == [("first", "Blue."), ("second", "Blue.")]


def test_a_server_that_refuses_the_extra_sampling_fields_is_asked_again_without_them_and_not_again() -> None:
    bodies: list[dict[str, object]] = []
    log = EventLog()
    engine = RemoteEngine(log.put)
    try:
        with misbehaving_server([delta("Blue"), delta("."), "[DONE]"], refuse="top_k", bodies=bodies) as url:
            for request_id in ("first", "second"):
                engine.generate(GenerationRequest(request_id, ModelSpec(url, MODEL, server="s"), MESSAGES, SAMPLING))
                ended = log.collect_until((GenerationFinished, GenerationFailed, ModelLoadFailed), timeout=60)[-1]
                assert isinstance(ended, GenerationFinished) and ended.text == "Blue.", ended
    finally:
        engine.shutdown()
    assert [("top_k" in body, "min_p" in body, "temperature" in body) for body in bodies] == [
        (True, True, True), (False, False, True), (False, False, True)
    ]
