"""Personas with the real starter model: every field reaches llama.cpp, and the context is never cut silently."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from app.core.config.settings import SettingsStore
from app.core.engine.local import LocalEngine
from app.core.engine.protocol import ModelLoaded, SamplingSettings, TokensCounted
from app.core.errors import ContextFullError, ContextTooLongError
from app.core.history.store import Store
from app.core.models.installed import ModelEntry
from app.core.models.registry import ModelRegistry
from app.core.personas import fit
from app.core.personas.book import PersonaBook
from app.core.personas.persona import Persona
from app.core.session import records
from app.core.session.service import EngineService
from app.core.session.turns import TurnOutcome, TurnRunner
from tests.core.engine_helpers import EventLog

GREEDY = SamplingSettings(temperature=0.0, top_k=1, repeat_penalty=1.0, max_tokens=40, seed=1)


@dataclass
class Chat:
    store: Store
    book: PersonaBook
    settings: SettingsStore
    registry: ModelRegistry
    runner: TurnRunner
    log: EventLog
    entry: ModelEntry

    def persona(self, **values: object) -> Persona:
        base = replace(self.book.default(), name=str(values.pop("name", "Test persona")), sampling=GREEDY)
        return self.book.create(replace(base, **values))  # type: ignore[arg-type]

    def conversation(self, persona: Persona | None = None, *, model: bool = True) -> int:
        model_name = self.entry.name if model else None
        return self.store.create_conversation(model_name=model_name, persona_id=persona and persona.id).id

    def turn(self, conversation_id: int, text: str) -> TurnOutcome:
        self.runner.start(conversation_id, text)
        while True:
            update = self.runner.handle(self.log.next(timeout=180))
            if update is not None and update.outcome is not None:
                return update.outcome


@pytest.fixture
def talk(starter_model: Path) -> Iterator[Chat]:
    settings = SettingsStore()
    registry = ModelRegistry(settings)
    store = Store()
    book = PersonaBook(store)
    service = EngineService(LocalEngine)
    log = EventLog()
    runner = TurnRunner(store, service.connect(log.put, "test"), settings, registry, personas=book)
    try:
        yield Chat(store, book, settings, registry, runner, log, registry.resolve(str(starter_model)))
    finally:
        service.shutdown()
        store.close()


def test_the_translator_translates_good_morning_into_french(talk: Chat) -> None:
    # SmolLM2-135M handles English -> French for a greeting: "Good morning" -> "Bonjour".
    shipped = talk.book.find("Translator")
    translator = talk.book.update(  # the shipped prompt and temperature (0); a short answer keeps the test quick
        replace(shipped, target_language="French", sampling=replace(shipped.sampling, max_tokens=8))
    )
    outcome = talk.turn(talk.conversation(translator), "Good morning")
    assert outcome.text.strip().startswith("Bonjour"), outcome.text
    assert outcome.message is not None and outcome.message.persona_id == translator.id
    assert outcome.message.finish_reason in ("done", "length")  # the starter model may chatter on after it


def test_seed_temperature_longest_answer_and_stop_strings_reach_llama_cpp(talk: Chat) -> None:
    question = "Write a short poem about the sea."
    seeded = talk.persona(
        name="Seeded", sampling=SamplingSettings(temperature=1.2, top_k=0, top_p=1.0, seed=5, max_tokens=24)
    )
    first = talk.turn(talk.conversation(seeded), question).text
    assert talk.turn(talk.conversation(seeded), question).text == first, "a fixed seed repeats the answer"
    other = talk.book.update(replace(seeded, sampling=replace(seeded.sampling, seed=6)))
    assert talk.turn(talk.conversation(other), question).text != first, "another seed changes it"

    greedy = talk.persona(name="Greedy", sampling=SamplingSettings(temperature=0.0, max_tokens=30))
    answers = {talk.turn(talk.conversation(greedy), question).text for _ in range(2)}
    assert len(answers) == 1, "temperature 0 is deterministic without a seed"

    short = talk.persona(name="Short", sampling=replace(GREEDY, max_tokens=5))
    outcome = talk.turn(talk.conversation(short), question)
    assert outcome.stats is not None and outcome.stats.generated_tokens == 5
    assert outcome.message is not None and outcome.message.finish_reason == "length"

    (full,) = answers
    words = full.split()
    stop_word = words[len(words) // 2]
    stopping = talk.persona(name="Stopping", sampling=replace(greedy.sampling, stop=(stop_word,)))
    stopped = talk.turn(talk.conversation(stopping), question)
    assert stop_word not in stopped.text and full.startswith(stopped.text.rstrip())
    assert stopped.message is not None and stopped.message.finish_reason == "done"


def test_the_preferred_model_and_context_length_are_loaded_when_a_conversation_starts(
    talk: Chat, starter_model: Path, tmp_path: Path
) -> None:
    preferred = tmp_path / "preferred.gguf"
    shutil.copyfile(starter_model, preferred)
    persona = talk.persona(name="Prefers", model_name=str(preferred), n_ctx=1024)
    conversation = talk.conversation(persona, model=False)
    talk.turn(conversation, "Hi")
    loaded = [e for e in talk.log.seen if isinstance(e, ModelLoaded)]
    assert loaded[-1].model.path == str(preferred) and loaded[-1].n_ctx == 1024
    assert talk.store.conversation(conversation).model_name == talk.registry.resolve(str(preferred)).name


def test_a_persona_change_mid_conversation_leaves_a_divider_and_the_next_answer_uses_it(talk: Chat) -> None:
    conversation = talk.conversation()
    talk.turn(conversation, "Hello!")
    translator = talk.book.update(replace(talk.book.find("Translator"), target_language="French"))
    translator = talk.book.update(replace(translator, sampling=replace(translator.sampling, max_tokens=8)))
    talk.store.set_conversation_persona(conversation, translator.id or 0, translator.name)
    outcome = talk.turn(conversation, "Good morning")
    kinds = [(m.role, m.kind, m.content if m.kind else "") for m in talk.store.messages(conversation)]
    assert kinds[2] == ("system", "persona", "Translator")
    assert outcome.message is not None and outcome.message.persona_id == translator.id
    assert talk.runner.count_request(conversation).messages[0].content.startswith("You are a translator")


def test_about_you_reaches_the_model_in_the_system_prompt(talk: Chat) -> None:
    about = "My name is Mei and I am a nurse in Shanghai."
    talk.settings.update(replace(talk.settings.current, about_you=about, about_you_enabled=True))
    conversation = talk.conversation(talk.persona(name="Plain"))
    turn = talk.runner.start(conversation, "What is my job?")
    assert turn.request.messages[0].content.endswith(about)
    while (update := talk.runner.handle(talk.log.next(timeout=180))) is None or update.outcome is None:
        pass


def _question(number: int) -> str:
    return f"Question {number}: one fact about rivers and rain?"


def test_drop_oldest_turns_moves_the_memory_in_chunks_and_reuses_the_cache_between_them(talk: Chat) -> None:
    persona = talk.persona(name="Small", n_ctx=256, overflow="drop_oldest", sampling=replace(GREEDY, max_tokens=16))
    conversation = talk.conversation(persona)
    chunks: list[int] = []
    evaluated_between: list[tuple[int, int]] = []
    for number in range(1, 11):
        outcome = talk.turn(conversation, _question(number))
        assert outcome.status == "complete" and outcome.stats is not None
        if outcome.memory_start is not None:
            chunks.append(number)
        elif chunks:
            evaluated_between.append((outcome.stats.prompt_tokens_evaluated, outcome.stats.prompt_tokens))
    assert len(chunks) >= 2, "the conversation went past the context more than once"
    assert chunks[1] - chunks[0] > 1, "a chunk frees room for several turns"
    assert evaluated_between and all(done < total / 3 for done, total in evaluated_between), evaluated_between
    # The marker: where the model's memory begins, and how many turns are out of it.
    stored = talk.store.conversation(conversation)
    messages = talk.store.messages(conversation)
    assert stored.memory_start is not None and records.turns_out_of_memory(messages, stored.memory_start) > 0
    request = talk.runner.count_request(conversation, "And one more?")
    assert request.messages[0].role == "system" and _question(1) not in [m.content for m in request.messages]
    talk.runner._client.count_tokens(request)
    counted = talk.log.wait_for(TokensCounted, timeout=120)
    assert counted.request_id == request.request_id and 0 < counted.tokens <= counted.limit < counted.n_ctx == 256


def test_stop_and_ask_does_not_start_the_answer_and_gives_the_message_back(talk: Chat) -> None:
    persona = talk.persona(name="Strict", n_ctx=256, overflow="stop", sampling=replace(GREEDY, max_tokens=16))
    conversation = talk.conversation(persona)
    for number in range(1, 12):
        outcome = talk.turn(conversation, _question(number))
        if outcome.withdrawn is not None:
            break
    assert isinstance(outcome.error, ContextFullError) and outcome.withdrawn == _question(number)
    assert "answer did not start" in outcome.error.user_message()
    assert _question(number) not in [m.content for m in talk.store.messages(conversation)]
    assert talk.store.conversation(conversation).memory_start is None, "nothing was dropped"


def test_a_message_longer_than_the_context_is_given_back_and_does_not_poison_later_turns(talk: Chat) -> None:
    """The Zorblax scenario: before, the failed paste stayed in the history and later turns lost the name."""
    persona = talk.persona(name="Small", n_ctx=256, sampling=replace(GREEDY, max_tokens=16))
    conversation = talk.conversation(persona)
    talk.turn(conversation, "My name is Zorblax.")
    paste = "lorem ipsum dolor sit amet " * 80
    failed = talk.turn(conversation, paste)
    assert isinstance(failed.error, ContextTooLongError) and failed.withdrawn == paste
    assert "too long for this model's context" in failed.error.user_message()
    assert paste not in [m.content for m in talk.store.messages(conversation)]
    turn = talk.runner.start(conversation, "What is my name?")
    assert turn.request.messages[1].content == "My name is Zorblax."
    assert paste not in [m.content for m in turn.request.messages]
    while (update := talk.runner.handle(talk.log.next(timeout=180))) is None or update.outcome is None:
        pass
    assert update.outcome.stats is not None and update.outcome.stats.truncated_messages == 0
    assert "Zorblax" in update.outcome.text


def test_a_translation_with_the_starter_does_not_carry_about_you(talk: Chat) -> None:
    about = "My name is Ana and I live in Lisbon."
    talk.settings.update(replace(talk.settings.current, about_you=about, about_you_enabled=True, language="en"))
    shipped = talk.book.find("Translator")
    translator = talk.book.update(
        replace(shipped, target_language="French", sampling=replace(shipped.sampling, max_tokens=8))
    )
    conversation = talk.conversation(translator)
    turn = talk.runner.start(conversation, "Good morning")
    system = turn.request.messages[0]
    assert system.role == "system" and "French" in system.content
    assert "Ana" not in system.content and "Lisbon" not in system.content
    while (update := talk.runner.handle(talk.log.next(timeout=180))) is None or update.outcome is None:
        pass
    assert "Lisbon" not in update.outcome.text and "Ana" not in update.outcome.text


def test_the_starter_is_too_small_for_the_translator_and_big_enough_for_the_rest(talk: Chat) -> None:
    count = fit.parameter_count(talk.entry)
    assert count is not None and 100_000_000 < count < 200_000_000  # SmolLM2 135M, from its GGUF header
    assert fit.too_small(talk.book.find("Translator"), talk.entry) == count
    assert fit.size_text(count) == "135M" and fit.size_text(1_000_000_000) == "1B"
    assert all(fit.too_small(p, talk.entry) is None for p in talk.book.all() if p.builtin != "translator")


CITY_SCHEMA = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "maxLength": 24},
        "population": {"type": "integer"},
        "sights": {"type": "array", "items": {"type": "string", "maxLength": 24}, "minItems": 1, "maxItems": 2},
    },
    "required": ["city", "population", "sights"],
    "additionalProperties": False,
}


def test_a_persona_with_a_json_schema_gets_a_stored_answer_that_parses_and_follows_it(talk: Chat) -> None:
    sampling = replace(GREEDY, max_tokens=160)
    persona = talk.persona(name="City facts", json_schema=json.dumps(CITY_SCHEMA), sampling=sampling)
    outcome = talk.turn(talk.conversation(persona), "Tell me about Paris.")
    assert outcome.status == "complete", outcome.error
    stored = talk.store.message(outcome.answer_id)
    assert stored.persona_id == persona.id
    answer = json.loads(stored.content)
    assert set(answer) == {"city", "population", "sights"}
    assert isinstance(answer["city"], str) and len(answer["city"]) <= 24
    assert isinstance(answer["population"], int) and not isinstance(answer["population"], bool)
    assert isinstance(answer["sights"], list) and 1 <= len(answer["sights"]) <= 2
    assert all(isinstance(sight, str) and len(sight) <= 24 for sight in answer["sights"])
