"""Turns with documents on the real engine and starter model: whole or retrieved, cited, kept through
regenerate and edit, and whether a turn would send passages off this computer."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from app.core.config.secrets import KeyStore
from app.core.config.settings import SettingsStore
from app.core.documents.indexer import Indexer
from app.core.documents.library import Library
from app.core.documents.types import Document, Page
from app.core.engine.remote.servers import RemoteServers
from app.core.history.store import Store
from app.core.history.types import LibraryChoice
from app.core.models.registry import ModelRegistry, remote_entry
from app.core.session.service import EngineService
from app.core.session.turns import TurnOutcome, TurnRunner
from tests.core.engine_helpers import GREEDY, EventLog
from tests.core.turn_helpers import finish, recording

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


class _Turns:
    """A turn runner on the real engine, as the window builds it, recording what is sent."""

    def __init__(self, service: EngineService, starter_model: Path, library: Library | None = None) -> None:
        self.settings = SettingsStore()
        self.registry = ModelRegistry(self.settings)
        self.store = Store()
        self.log = EventLog()
        client = service.connect(self.log.put, "window")
        self.sent = recording(client)
        self.runner = TurnRunner(self.store, client, self.settings, self.registry, library=library)
        self.entry = self.registry.resolve(str(starter_model))

    def finish(self) -> TurnOutcome:
        return finish(self.runner, self.log)


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

    turns.runner.regenerate(outcome.answer_id, sampling=GREEDY)
    regenerated = turns.finish()
    assert turns.sent[-1].messages == turns.sent[-2].messages  # the same passages, not a new search
    assert turns.store.citations(regenerated.answer_id) == citations
    turns.store.close()


def test_a_remote_model_would_get_the_passages_and_a_local_one_keeps_them(
    service: EngineService, starter_model: Path, tmp_path: Path
) -> None:
    library = Library(tmp_path / "library.sqlite3")
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
    store.set_library_choice(conversation.id, LibraryChoice(True))
    # "Use my library" sends passages only where there is a library to search.
    assert not runner.sends_documents_off_machine(conversation.id, attachments=False, model=remote)
    with_library = TurnRunner(store, service.connect(EventLog().put, "window"), settings, registry, library=library)
    assert with_library.sends_documents_off_machine(conversation.id, attachments=False, model=remote)
    assert not with_library.sends_documents_off_machine(conversation.id, attachments=False, model=local)
    store.close()


def test_a_conversation_that_uses_the_library_gets_its_passages_and_hears_of_a_folder_being_indexed(
    service: EngineService, starter_model: Path, tmp_path: Path
) -> None:
    ready, pending = tmp_path / "ready", tmp_path / "pending"
    ready.mkdir()
    pending.mkdir()
    (ready / "vault.txt").write_text("The vault code is 4417 and it opens at dawn.", encoding="utf-8")
    (ready / "orchard.md").write_text("The orchard needs copper wire.", encoding="utf-8")
    (pending / "later.txt").write_text("Nothing about vaults yet.", encoding="utf-8")
    library = Library(tmp_path / "library.sqlite3")
    library.add_folder(str(ready))
    Indexer(library).run(progress=lambda _: None)
    library.add_folder(str(pending))  # added, not indexed yet
    turns = _Turns(service, starter_model, library)
    short = replace(GREEDY, max_tokens=16)
    off = turns.store.create_conversation(model_name=turns.entry.name)
    on = turns.store.create_conversation(model_name=turns.entry.name)
    turns.store.set_library_choice(on.id, LibraryChoice(True))

    turns.runner.start(off.id, "What is the vault code?", model=turns.entry, sampling=short)
    unaided = turns.finish()
    turns.runner.start(on.id, "What is the vault code?", model=turns.entry, sampling=short)
    aided = turns.finish()

    assert turns.store.citations(unaided.answer_id) == [] and turns.store.document_notes(unaided.answer_id) == []
    assert "4417" not in turns.sent[-2].messages[-1].content
    cited = turns.store.citations(aided.answer_id)
    assert cited and cited[0].name == "vault.txt" and "4417" in cited[0].text
    assert "4417" in turns.sent[-1].messages[-1].content
    [note] = turns.store.document_notes(aided.answer_id)
    assert str(pending.resolve()) in note and "indexed" in note

    # The folders the conversation chose are the only ones searched.
    elsewhere = turns.store.create_conversation(model_name=turns.entry.name)
    turns.store.set_library_choice(elsewhere.id, LibraryChoice(True, (str(pending.resolve()),)))
    turns.runner.start(elsewhere.id, "What is the vault code?", model=turns.entry, sampling=short)
    narrowed = turns.finish()
    assert all(passage.name != "vault.txt" for passage in turns.store.citations(narrowed.answer_id))
    turns.store.close()
