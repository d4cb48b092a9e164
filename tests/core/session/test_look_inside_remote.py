"""A remote server's answers looked inside through the turn runner: a server cannot evaluate again, so an answer
that asks streams its tokens' figures and they are kept as its look-inside data; where a server sends none, or
refuses the field (the answer is asked for again without it), the answer keeps why.

The servers are the suite's own: Parley's API server on the real starter model (it returns ``logprobs``) and
the small OpenAI-shaped one that streams what a test gives it.
"""

from __future__ import annotations

import queue
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from app.core.api_server.server import ApiConfig
from app.core.config.secrets import KeyStore
from app.core.config.settings import SettingsStore
from app.core.engine.protocol import EngineEvent, SamplingSettings
from app.core.engine.remote.servers import RemoteServers
from app.core.engine.router import routing_factory
from app.core.history.store import Store
from app.core.models.registry import ModelRegistry, remote_entry
from app.core.personas.book import PersonaBook
from app.core.session import look_inside
from app.core.session.service import EngineService, local_engine_factory
from app.core.session.turns import TurnOutcome, TurnRunner
from tests.core.api_server.serving import MODEL, start
from tests.core.engine.misbehaving_server import MODEL as ODD_MODEL
from tests.core.engine.misbehaving_server import delta, misbehaving_server

GREEDY = SamplingSettings(temperature=0.0, top_k=1, max_tokens=16, seed=1, repeat_penalty=1.0)


class _Turns:
    """A turn runner whose models include one remote server's."""

    def __init__(self, url: str, model: str) -> None:
        self.servers = RemoteServers(keys=KeyStore(use_keyring=False))
        self.server = self.servers.add("Lab", url, "none")
        self.store = Store()
        self.settings = SettingsStore()
        self.registry = ModelRegistry(self.settings, self.servers)
        self.service = EngineService(routing_factory(local_engine_factory(), self.servers.connection))
        self.events: queue.Queue[EngineEvent] = queue.Queue()
        self.runner = TurnRunner(self.store, self.service.connect(self.events.put), self.settings, self.registry)
        self.book = PersonaBook(self.store)
        self.entry = remote_entry(self.server, model)

    def answer(self, text: str, *, looks_inside: bool) -> TurnOutcome:
        persona = self.book.default()
        if looks_inside:
            persona = self.book.create(replace(persona, name="Curious", look_inside=True))
        conversation = self.store.create_conversation(persona_id=persona.id)
        self.runner.start(conversation.id, text, model=self.entry, sampling=GREEDY)
        while True:
            update = self.runner.handle(self.events.get(timeout=120))
            if update is not None and update.outcome is not None:
                return update.outcome

    def close(self) -> None:
        self.service.shutdown()
        self.store.close()


@pytest.fixture
def parley_api(starter_model: Path) -> Iterator[str]:
    running = start(starter_model, ApiConfig(port=0))
    yield running.server.base_url
    running.server.stop()
    running.service.shutdown()


def test_a_persona_that_looks_inside_gets_the_servers_streamed_figures_kept_with_the_answer(
    parley_home: Path, parley_api: str
) -> None:
    turns = _Turns(parley_api, MODEL)
    try:
        asked = turns.answer("Name a colour.", looks_inside=True)
        unasked = turns.answer("Name a fruit.", looks_inside=False)
        turns.servers.ask_for_logprobs(turns.server.id, True)  # Settings → Remote servers: ask this server
        by_the_server = turns.answer("Name an animal.", looks_inside=False)
        kept = [turns.store.look_inside(outcome.answer_id) for outcome in (asked, unasked, by_the_server)]
    finally:
        turns.close()
    assert asked.status == unasked.status == by_the_server.status == "complete"
    data, without, with_server = kept
    assert data is not None and data.source == "streamed" and not data.note
    assert b"".join(t.token.piece for t in data.tokens).decode("utf-8") == asked.text
    assert all(len(t.alternatives) == look_inside.TOP for t in data.tokens)
    assert all(t.alternatives[0].piece == t.token.piece for t in data.tokens)  # temperature 0: the likeliest
    assert not data.has_ids  # a server names its tokens by their text: no branch from them
    assert without is None  # written without asking: nothing to look inside
    assert with_server is not None and with_server.tokens and with_server.source == "streamed"
    assert RemoteServers(keys=KeyStore(use_keyring=False)).get(turns.server.id).ask_logprobs  # type: ignore[union-attr]


def test_a_server_that_sends_no_figures_or_refuses_the_field_leaves_the_answer_saying_why(
    parley_home: Path,
) -> None:
    chunks = [delta("Blue"), delta("."), "[DONE]"]
    with misbehaving_server(chunks) as url:
        turns = _Turns(url, ODD_MODEL)
        try:
            silent = turns.answer("Name a colour.", looks_inside=True)
            none = turns.store.look_inside(silent.answer_id)
        finally:
            turns.close()
    bodies: list[Any] = []
    with misbehaving_server(chunks, refuse="logprobs", bodies=bodies) as url:
        turns = _Turns(url, ODD_MODEL)
        try:
            refused = turns.answer("Name a colour.", looks_inside=True)
            again = turns.answer("And another?", looks_inside=True)
            kept = [turns.store.look_inside(o.answer_id) for o in (refused, again)]
        finally:
            turns.close()
    assert silent.status == "complete" and silent.text == "Blue."
    assert none is not None and none.tokens == () and none.note == "none"
    assert refused.status == "complete" and refused.text == "Blue."  # asked for again, without the field
    assert [("logprobs" in body, "top_logprobs" in body) for body in bodies] == [(True, True), (False, False),
                                                                               (False, False)]  # fmt: skip
    assert all(data is not None and data.tokens == () and data.note == "refused" for data in kept)
