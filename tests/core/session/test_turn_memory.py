"""Memory in real turns on the starter model: extraction JSON from the grammar, a fact from one
conversation in the next one's system prompt, "forget that", temporary chats and memory off."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from app.core.config.settings import SettingsStore
from app.core.engine.local import LocalEngine
from app.core.engine.protocol import GenerationFinished
from app.core.history.store import Store
from app.core.memory import extraction
from app.core.memory.block import HEADING
from app.core.models.registry import ModelRegistry
from app.core.session.memory import MemoryKeeper
from app.core.session.service import EngineService
from app.core.session.turns import TurnOutcome, TurnRunner
from tests.core.engine_helpers import GREEDY, EventLog
from tests.core.turn_helpers import finish, recording

STATED = "I'm vegetarian, so can you suggest a dinner for tonight?"


@pytest.fixture(scope="module")
def service() -> Iterator[EngineService]:
    made = EngineService(LocalEngine)
    yield made
    made.shutdown()


class _Chat:
    """A turn runner and a memory keeper on one history, as the window wires them."""

    def __init__(self, service: EngineService, starter_model: Path) -> None:
        self.settings = SettingsStore()
        self.registry = ModelRegistry(self.settings)
        self.store = Store()
        self.log = EventLog()
        client = service.connect(self.log.put, "window")
        self.sent = recording(client)
        self.runner = TurnRunner(self.store, client, self.settings, self.registry)
        self.keeper_log = EventLog()
        self.keeper = MemoryKeeper(self.runner.memory, self.store, service.connect(self.keeper_log.put, "memory"))
        self.entry = self.registry.resolve(str(starter_model))
        self.spec = self.registry.spec_for(self.entry)

    def turn(self, conversation_id: int, text: str) -> TurnOutcome:
        self.runner.start(conversation_id, text, model=self.entry, sampling=replace(GREEDY, max_tokens=16))
        return finish(self.runner, self.log, timeout=180)

    def extract(self, answer_id: int) -> list[str]:
        """Runs the keeper after an answer, to its end; the texts it saved."""
        request_id = self.keeper.after_answer(answer_id, self.spec)
        if request_id is None:
            return []
        while True:
            event = self.keeper_log.next(timeout=300)
            change = self.keeper.handle(event)
            if isinstance(event, GenerationFinished) and event.request_id == request_id:
                return [m.text for m in change.saved] if change is not None else []

    def close(self) -> None:
        self.keeper.close()
        self.store.close()


@pytest.fixture
def chat(service: EngineService, starter_model: Path) -> Iterator[_Chat]:
    made = _Chat(service, starter_model)
    yield made
    made.close()


def test_the_extraction_prompt_and_schema_give_valid_json_from_the_starter(chat: _Chat) -> None:
    replies = []
    for text in (STATED, "What is the capital of France?"):
        request = extraction.extraction_request(text, [], chat.spec)
        request_id = request.request_id
        chat.keeper._client.generate(request)  # the keeper's own client: what it would send
        finished = chat.keeper_log.wait_for(GenerationFinished, timeout=300)
        assert finished.request_id == request_id
        replies.append(json.loads(finished.text))  # valid JSON, held to the schema by llama.cpp's grammar
    for reply in replies:
        assert isinstance(reply["facts"], list)
        for fact in reply["facts"]:
            assert isinstance(fact["fact"], str) and isinstance(fact["confidence"], int | float)
            assert isinstance(fact["replaces"], list)


def test_a_fact_stated_in_one_conversation_is_in_the_next_ones_system_prompt(chat: _Chat) -> None:
    first = chat.store.create_conversation(model_name=chat.entry.name)
    outcome = chat.turn(first.id, STATED)
    saved = chat.extract(outcome.answer_id)
    assert any("vegetarian" in text.lower() for text in saved), saved
    second = chat.store.create_conversation(model_name=chat.entry.name)
    outcome = chat.turn(second.id, "What should I cook this weekend?")
    system = chat.sent[-1].messages[0]
    assert system.role == "system" and HEADING in system.content and "vegetarian" in system.content.lower()
    used = chat.runner.memory.memories.of_answer(outcome.answer_id, "used")
    assert [text for _, text in used] == saved  # the details line reads these

    # "forget that …" is honoured at once, without the model: this very turn has it no more.
    third = chat.store.create_conversation(model_name=chat.entry.name)
    outcome = chat.turn(third.id, "Forget that I'm vegetarian.")
    assert chat.runner.memory.memories.active() == []
    assert "vegetarian" not in chat.sent[-1].messages[0].content.lower()
    assert [t for _, t in chat.runner.memory.memories.of_answer(outcome.answer_id, "forgotten")] == saved
    assert chat.extract(outcome.answer_id) == []  # a command is not asked of the model again


def test_a_temporary_chat_reads_and_writes_no_memory_and_is_not_kept(chat: _Chat) -> None:
    memories = chat.runner.memory.memories
    memories.add("The user's cat is called Tom.", added_by_user=True)
    temporary = chat.store.create_conversation(model_name=chat.entry.name)
    memories.mark_temporary(temporary.id)
    outcome = chat.turn(temporary.id, "Remember that I live in Leeds. " + STATED)
    assert "Tom" not in chat.sent[-1].messages[0].content  # nothing read
    assert chat.extract(outcome.answer_id) == []
    assert [m.text for m in memories.active()] == ["The user's cat is called Tom."]  # nothing written
    assert temporary.id not in [c.id for c in chat.store.conversations()]
    memories.drop_temporary()
    assert chat.store.messages(temporary.id) == []


def test_with_memory_off_nothing_is_written_or_read(chat: _Chat) -> None:
    memories = chat.runner.memory.memories
    memories.add("The user's cat is called Tom.", added_by_user=True)
    chat.settings.update(replace(chat.settings.current, memory_enabled=False))
    conversation = chat.store.create_conversation(model_name=chat.entry.name)
    outcome = chat.turn(conversation.id, "Remember that I live in Leeds.")
    assert "Tom" not in chat.sent[-1].messages[0].content
    outcome = chat.turn(conversation.id, STATED)
    assert chat.extract(outcome.answer_id) == []
    assert [m.text for m in memories.active()] == ["The user's cat is called Tom."]


def test_the_context_meter_counts_the_memory_block(chat: _Chat) -> None:
    chat.runner.memory.memories.add("The user's cat is called Tom.", added_by_user=True)
    conversation = chat.store.create_conversation(model_name=chat.entry.name)
    counted = chat.runner.count_request(conversation.id, "Hello")
    assert counted.messages[0].role == "system" and "- The user's cat is called Tom." in counted.messages[0].content
    assert HEADING in counted.messages[0].content


def test_an_answer_being_asked_about_is_asked_once_even_when_told_twice(chat: _Chat) -> None:
    conversation = chat.store.create_conversation(model_name=chat.entry.name)
    outcome = chat.turn(conversation.id, STATED)
    asked = chat.keeper.after_answer(outcome.answer_id, chat.spec)
    assert asked is not None
    chat.keeper.yield_to_user()  # stepped aside for the user, then the same answer is told again
    assert chat.keeper.after_answer(outcome.answer_id, chat.spec) is None  # asked again once, not twice
    ended = []
    while len(ended) < 2:  # the stopped request, then the one asked again
        event = chat.keeper_log.next(timeout=300)
        chat.keeper.handle(event)
        if isinstance(event, GenerationFinished):
            ended.append(event)
    assert ended[0].request_id == asked and ended[0].reason == "stopped"
    assert ended[1].reason != "stopped"
