"""Continue and a branch from a word on a remote server's answer: the request sends the kept text as a final
assistant message (the "assistant prefill" llama-server, Ollama and Parley's own API server continue), so the
same answer grows, and a branch starts with exactly the kept words and the alternative.

The server is the suite's own: Parley's API server on the real starter model, on 127.0.0.1. What it writes
after a prefill is compared with what this computer's engine writes after the same prefill.
"""

from __future__ import annotations

import queue
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from app.core.api_server.server import ApiConfig
from app.core.config.secrets import KeyStore
from app.core.config.settings import SettingsStore
from app.core.engine.protocol import (
    ChatMessage,
    EngineEvent,
    GenerationFailed,
    GenerationFinished,
    GenerationRequest,
    ModelLoadFailed,
    ModelSpec,
    SamplingSettings,
)
from app.core.engine.remote.engine import PREFILL_FIELDS, RemoteEngine
from app.core.engine.remote.servers import RemoteServers
from app.core.engine.router import routing_factory
from app.core.history.store import Store
from app.core.models.registry import ModelRegistry, remote_entry
from app.core.personas.book import PersonaBook
from app.core.session import look_inside
from app.core.session.service import EngineService, local_engine_factory
from app.core.session.turns import TurnOutcome, TurnRunner
from tests.core.api_server.serving import MODEL, N_CTX, start
from tests.core.engine.misbehaving_server import MODEL as ODD_MODEL
from tests.core.engine.misbehaving_server import delta, misbehaving_server
from tests.core.engine_helpers import EventLog, running_engine, spec_for

GREEDY = SamplingSettings(temperature=0.0, top_k=1, max_tokens=12, seed=1, repeat_penalty=1.0)


class _Turns:
    """A turn runner whose model is one remote server's, and what it sent."""

    def __init__(self, url: str) -> None:
        self.servers = RemoteServers(keys=KeyStore(use_keyring=False))
        self.server = self.servers.add("Lab", url, "none")
        self.store = Store()
        self.settings = SettingsStore()
        self.registry = ModelRegistry(self.settings, self.servers)
        self.service = EngineService(routing_factory(local_engine_factory(), self.servers.connection))
        self.events: queue.Queue[EngineEvent] = queue.Queue()
        client = self.service.connect(self.events.put)
        self.sent: list[GenerationRequest] = []
        real_generate = client.generate

        def generate(request: GenerationRequest) -> None:
            self.sent.append(request)
            real_generate(request)

        client.generate = generate  # type: ignore[method-assign]
        self.runner = TurnRunner(self.store, client, self.settings, self.registry)
        self.entry = remote_entry(self.server, MODEL)
        book = PersonaBook(self.store)
        self.persona = book.create(replace(book.default(), name="Curious", look_inside=True))

    def finish(self) -> TurnOutcome:
        while True:
            update = self.runner.handle(self.events.get(timeout=120))
            if update is not None and update.outcome is not None:
                return update.outcome

    def answer(self, text: str, sampling: SamplingSettings = GREEDY) -> TurnOutcome:
        conversation = self.store.create_conversation(persona_id=self.persona.id)
        self.runner.start(conversation.id, text, model=self.entry, sampling=sampling)
        return self.finish()

    def close(self) -> None:
        self.service.shutdown()
        self.store.close()


@pytest.fixture
def turns(parley_home: Path, starter_model: Path) -> Iterator[_Turns]:
    running = start(starter_model, ApiConfig(port=0))
    made = _Turns(running.server.base_url)
    yield made
    made.close()
    running.server.stop()
    running.service.shutdown()


def _written_after(starter_model: Path, sent: list[GenerationRequest], prefill: str) -> str:
    """What this computer's engine writes after the last of ``sent`` with ``prefill``, greedily, once it wrote
    the answers before it as the server did (its cache then holds the same tokens)."""
    model = spec_for(starter_model, N_CTX)
    with running_engine() as (engine, log):
        for earlier in sent[:-1]:
            engine.generate(replace(earlier, model=model))
            log.wait_for(GenerationFinished)
        engine.generate(replace(sent[-1], model=model, prefill=prefill, prefill_reasoning=""))
        return log.wait_for(GenerationFinished).text


def test_continue_on_a_remote_answer_grows_the_same_answer(turns: _Turns, starter_model: Path) -> None:
    first = turns.answer("Tell me about the moon.", replace(GREEDY, max_tokens=6))
    assert first.status == "complete" and first.finish_reason == "length", first
    turns.runner.continue_answer(first.answer_id, sampling=GREEDY)
    grown = turns.finish()

    assert grown.answer_id == first.answer_id and grown.status == "complete"
    assert grown.text.startswith(first.text) and len(grown.text) > len(first.text)
    went_on = grown.text[len(first.text) :]
    assert went_on == _written_after(starter_model, turns.sent, first.text)
    assert not went_on.lstrip().startswith(first.text.strip()[:12])  # not the answer over again


def test_a_branch_from_a_remote_answers_word_starts_with_the_kept_words_and_the_alternative(
    turns: _Turns, starter_model: Path
) -> None:
    first = turns.answer("Name three fruits.")
    data = turns.store.look_inside(first.answer_id)
    assert data is not None and data.source == "streamed" and data.tokens
    position = len(data.tokens) // 2
    while not data.tokens[position].alternatives[1].text.startswith(" "):  # a word of its own
        position += 1
    alternative = data.tokens[position].alternatives[1]
    prefix = look_inside.branch_prefix(data.tokens, position, alternative)
    kept = b"".join(t.token.piece for t in data.tokens[:position]).decode("utf-8")
    assert prefix == kept + alternative.text and first.text.startswith(kept) and not first.text.startswith(prefix)

    turns.runner.branch_from(first.answer_id, prefix, sampling=GREEDY)
    branch = turns.finish()

    assert turns.sent[-1].model.server == turns.server.id  # by the server that wrote it
    assert branch.status == "complete" and branch.text.startswith(prefix) and len(branch.text) > len(prefix)
    assert branch.text[len(prefix) :] == _written_after(starter_model, turns.sent, prefix)
    versions = turns.store.versions(branch.conversation_id)
    assert (versions[first.answer_id].index, versions[branch.answer_id].index) == (1, 2)
    assert versions[branch.answer_id].count == 2
    assert turns.store.message(first.answer_id).content == first.text  # the old version is kept


def test_a_server_that_refuses_vllms_prefill_fields_is_asked_again_without_them_and_not_again() -> None:
    bodies: list[dict[str, object]] = []
    log = EventLog()
    engine = RemoteEngine(log.put)
    asked = GenerationRequest(
        "r", ModelSpec("", ODD_MODEL, server="s"), (ChatMessage("user", "Name a colour."),), GREEDY, prefill="Blue"
    )
    try:
        with misbehaving_server([delta(" sky."), "[DONE]"], refuse=PREFILL_FIELDS[0], bodies=bodies) as url:
            for request_id in ("first", "second"):
                engine.generate(replace(asked, request_id=request_id, model=replace(asked.model, path=url)))
                finished = log.collect_until((GenerationFinished, GenerationFailed, ModelLoadFailed), timeout=60)[-1]
                assert isinstance(finished, GenerationFinished) and finished.text == " sky.", finished
    finally:
        engine.shutdown()
    assert [PREFILL_FIELDS[0] in body for body in bodies] == [True, False, False]
    assert bodies[0]["add_generation_prompt"] is False
    for body in bodies:  # the kept text goes as a final assistant message all the same
        assert body["messages"] == [
            {"role": "user", "content": "Name a colour."}, {"role": "assistant", "content": "Blue"}
        ]
