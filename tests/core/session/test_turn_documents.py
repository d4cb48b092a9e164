"""Turns with documents on the real engine and starter model: whole or retrieved, cited, kept through
regenerate and edit, and whether a turn would send passages off this computer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.config.secrets import KeyStore
from app.core.config.settings import SettingsStore
from app.core.documents.types import Document, Page
from app.core.engine.local import LocalEngine
from app.core.engine.protocol import GenerationRequest
from app.core.engine.remote.servers import RemoteServers
from app.core.history.store import Store
from app.core.models.registry import ModelRegistry, remote_entry
from app.core.session.service import EngineService
from app.core.session.turns import TurnOutcome, TurnRunner
from tests.core.engine_helpers import GREEDY, EventLog

FACT = "The project's codename is Zorblax."
QUESTION = "What is the project's codename?"
TOPICS = ("rivers", "bread", "trains", "music", "weather", "gardens", "chess", "bridges", "coffee", "birds")


def brief() -> Document:
    return Document("/docs/brief.txt", "brief.txt", "text", len(FACT), (Page(1, FACT),))


def handbook(pages: int = 120, fact_page: int = 87) -> Document:
    """A long PDF-like document (about 60,000 characters, far more than a 4,096-token context) whose one
    page with the codename is ``fact_page``; the other pages are about anything else."""
    filler = []
    for number in range(1, pages + 1):
        topic = TOPICS[number % len(TOPICS)]
        text = f"Page {number} is about {topic}. " + f"People enjoy {topic} in many places and seasons. " * 10
        filler.append(Page(number, FACT + " " + text if number == fact_page else text))
    return Document("/docs/handbook.pdf", "handbook.pdf", "pdf", 500_000, tuple(filler), paged=True)


@pytest.fixture
def service() -> Iterator[EngineService]:
    made = EngineService(LocalEngine)
    yield made
    made.shutdown()


class _Turns:
    """A turn runner on the real engine, as the window builds it, recording what is sent."""

    def __init__(self, service: EngineService, starter_model: Path) -> None:
        self.settings = SettingsStore()
        self.registry = ModelRegistry(self.settings)
        self.store = Store()
        self.log = EventLog()
        self.sent: list[GenerationRequest] = []
        client = service.connect(self.log.put, "window")
        real_generate = client.generate

        def generate(request: GenerationRequest) -> None:
            self.sent.append(request)
            real_generate(request)

        client.generate = generate  # type: ignore[method-assign]
        self.runner = TurnRunner(self.store, client, self.settings, self.registry)
        self.entry = self.registry.resolve(str(starter_model))

    def finish(self) -> TurnOutcome:
        while True:
            update = self.runner.handle(self.log.next(timeout=120))
            if update is not None and update.outcome is not None:
                return update.outcome


def test_a_document_that_fits_is_read_whole_and_its_fact_answered(service: EngineService, starter_model: Path) -> None:
    turns = _Turns(service, starter_model)
    conversation = turns.store.create_conversation(model_name=turns.entry.name)

    turn = turns.runner.start(conversation.id, QUESTION, attachments=[brief()], model=turns.entry, sampling=GREEDY)
    outcome = turns.finish()

    assert outcome.status == "complete"
    assert "Zorblax" in outcome.text
    [attached] = turns.store.attachments(turn.user_message.id)
    assert (attached.name, attached.mode, attached.page_texts) == ("brief.txt", "whole", (FACT,))
    sent = turns.sent[-1].messages[-1]
    assert sent.role == "user" and FACT in sent.content and sent.content.endswith(QUESTION)
    assert turns.store.message(turn.user_message.id).content == QUESTION  # the user's own text, as typed

    # Regenerate sends the very same prompt (the block kept), and the new answer keeps the sources.
    turns.runner.regenerate(outcome.answer_id, sampling=GREEDY)
    regenerated = turns.finish()
    assert turns.sent[-1].messages == turns.sent[-2].messages
    assert turns.store.citations(regenerated.answer_id) == turns.store.citations(outcome.answer_id)

    # Edit carries the attachment over to the new version, and builds the block for the new text.
    turns.runner.edit(turn.user_message.id, "Repeat the project's codename.", sampling=GREEDY)
    edited = turns.finish()
    new_version = turns.store.messages(conversation.id)[0]
    assert new_version.id != turn.user_message.id and new_version.content == "Repeat the project's codename."
    assert [a.document() for a in turns.store.attachments(new_version.id)] == [brief()]
    assert FACT in turns.sent[-1].messages[-1].content
    assert edited.status == "complete"

    # A later turn replays the block as it was sent: the engine's cached prompt still matches.
    turns.runner.start(conversation.id, "Thanks.", model=turns.entry, sampling=GREEDY)
    turns.finish()
    assert turns.sent[-1].messages[: len(turns.sent[-2].messages)] == turns.sent[-2].messages
    turns.store.close()


def test_a_document_far_larger_than_the_context_goes_in_as_cited_passages(
    service: EngineService, starter_model: Path
) -> None:
    turns = _Turns(service, starter_model)
    conversation = turns.store.create_conversation(model_name=turns.entry.name)
    document = handbook()
    assert len(document.text) // 4 > turns.registry.spec_for(turns.entry).n_ctx * 3

    turn = turns.runner.start(conversation.id, QUESTION, attachments=[document], model=turns.entry, sampling=GREEDY)
    outcome = turns.finish()

    assert outcome.status == "complete", outcome.error
    [attached] = turns.store.attachments(turn.user_message.id)
    assert attached.mode == "passages" and 0 < attached.used < attached.total
    citations = turns.store.citations(outcome.answer_id)
    assert 87 in [passage.page for passage in citations]
    assert any(FACT in passage.text for passage in citations)
    assert outcome.stats is not None and outcome.stats.prompt_tokens <= turns.registry.spec_for(turns.entry).n_ctx
    turns.store.close()


def test_a_remote_model_would_get_the_passages_and_a_local_one_keeps_them(
    service: EngineService, starter_model: Path
) -> None:
    settings = SettingsStore()
    servers = RemoteServers(keys=KeyStore(use_keyring=False))
    servers.add("Lab box", "http://127.0.0.1:9", "")
    registry = ModelRegistry(settings, servers)
    store = Store()
    runner = TurnRunner(store, service.connect(EventLog().put, "window"), settings, registry)
    local = registry.resolve(str(starter_model))
    remote = remote_entry(servers.servers()[0], "some-model")
    conversation = store.create_conversation()

    assert runner.sends_documents_off_machine(conversation.id, attachments=True, model=remote)
    assert not runner.sends_documents_off_machine(conversation.id, attachments=False, model=remote)
    assert not runner.sends_documents_off_machine(conversation.id, attachments=True, model=local)
    store.close()
