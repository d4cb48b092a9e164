"""Versions on the real engine: regenerate and edit send only the branch on screen; titles from the model."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from app.core.config.settings import SettingsStore
from app.core.engine.protocol import ChatMessage, GenerationRequest
from app.core.errors import SchemaContinueError
from app.core.history.store import Store
from app.core.models.registry import ModelRegistry
from app.core.personas.book import PersonaBook
from app.core.session.service import EngineService
from app.core.session.titles import AutoTitler, clean_title
from app.core.session.turns import TurnRunner
from tests.core.engine_helpers import GREEDY, EventLog
from tests.core.turn_helpers import finish, recording


def _said(request: GenerationRequest) -> list[ChatMessage]:
    """The conversation in a request, without the settings' system prompt."""
    return [message for message in request.messages if message.role != "system"]


def test_only_the_branch_on_screen_reaches_the_engine(
    service: EngineService, starter_model: Path
) -> None:
    settings = SettingsStore()
    registry = ModelRegistry(settings)
    store = Store()
    log = EventLog()
    client = service.connect(log.put, "window")
    sent = recording(client)
    runner = TurnRunner(store, client, settings, registry)
    entry = registry.resolve(str(starter_model))
    conversation = store.create_conversation(model_name=entry.name)
    runner.start(conversation.id, "Name a fruit.", model=entry, sampling=GREEDY)
    first = finish(runner, log)
    runner.start(conversation.id, "Name a colour.", model=entry, sampling=GREEDY)
    colour = finish(runner, log)

    runner.regenerate(first.answer_id, sampling=GREEDY)
    regenerated = finish(runner, log)

    assert _said(sent[-1]) == [ChatMessage("user", "Name a fruit.")]  # not the old answer nor what followed
    assert regenerated.status == "complete" and regenerated.text
    shown = store.messages(conversation.id)
    assert [m.id for m in shown] == [shown[0].id, regenerated.answer_id]
    versions = store.versions(conversation.id)
    assert (versions[regenerated.answer_id].index, versions[regenerated.answer_id].count) == (2, 2)

    runner.edit(shown[0].id, "Name a vegetable.", sampling=GREEDY)
    edited = finish(runner, log)
    assert _said(sent[-1]) == [ChatMessage("user", "Name a vegetable.")]
    assert [m.content for m in store.messages(conversation.id)] == ["Name a vegetable.", edited.text]

    store.choose(shown[0].id)  # back to the first question: its answers and what followed are kept
    store.choose(first.answer_id)
    assert [m.content for m in store.messages(conversation.id)][:2] == ["Name a fruit.", first.text]
    assert len(store.messages(conversation.id)) == 4
    runner.start(conversation.id, "And a number?", model=entry, sampling=GREEDY)
    finish(runner, log)
    assert [m.content for m in _said(sent[-1])] == [
        "Name a fruit.", first.text, "Name a colour.", colour.text, "And a number?"
    ]
    store.close()


def test_continue_goes_on_from_where_a_stopped_answer_ended(
    service: EngineService, starter_model: Path
) -> None:
    settings = SettingsStore()
    registry = ModelRegistry(settings)
    store = Store()
    log = EventLog()
    runner = TurnRunner(store, service.connect(log.put, "window"), settings, registry)
    entry = registry.resolve(str(starter_model))
    conversation = store.create_conversation(model_name=entry.name)
    short = replace(GREEDY, max_tokens=6)
    runner.start(conversation.id, "Count from one to twenty in words.", model=entry, sampling=short)
    cut = finish(runner, log)

    runner.continue_answer(cut.answer_id, sampling=short)
    more = finish(runner, log)

    assert more.answer_id == cut.answer_id
    assert more.text.startswith(cut.text) and len(more.text) > len(cut.text)
    assert store.message(cut.answer_id).content == more.text
    assert len(store.all_messages(conversation.id)) == 2  # the same answer grew; nothing was added
    store.close()


def test_an_answer_held_to_a_json_schema_is_not_continued_and_stays_as_it_was(
    service: EngineService, starter_model: Path
) -> None:
    # Continuing would start the grammar again after the JSON already written: a broken answer.
    settings = SettingsStore()
    registry = ModelRegistry(settings)
    store = Store()
    book = PersonaBook(store)
    # The list is required, so the JSON cannot close within five tokens (greedy "{}" did on some CPUs).
    schema = (
        '{"type": "object", "properties": {"fruits": {"type": "array", "items": {"type": "string"}, '
        '"minItems": 3}}, "required": ["fruits"]}'
    )
    strict = book.create(replace(book.default(), name="Strict", json_schema=schema))
    log = EventLog()
    runner = TurnRunner(store, service.connect(log.put, "window"), settings, registry)
    entry = registry.resolve(str(starter_model))
    conversation = store.create_conversation(model_name=entry.name)
    book.assign(conversation.id, strict.id or 0)
    short = replace(GREEDY, max_tokens=5)
    runner.start(conversation.id, "List three fruits.", model=entry, sampling=short)
    cut = finish(runner, log)
    assert cut.text.startswith("{") and store.message(cut.answer_id).finish_reason == "length"

    with pytest.raises(SchemaContinueError) as refused:
        runner.continue_answer(cut.answer_id, sampling=short)

    assert "cannot be continued" in refused.value.user_message()
    kept = store.message(cut.answer_id)
    assert (kept.content, kept.status) == (cut.text, "complete")
    store.close()


def test_the_model_titles_the_conversation_but_never_over_the_users_title(
    service: EngineService, starter_model: Path
) -> None:
    registry = ModelRegistry(SettingsStore())
    spec = registry.spec_for(registry.resolve(str(starter_model)))
    store = Store()
    log = EventLog()
    titler = AutoTitler(store, service.connect(log.put, "titles"))
    conversations = []
    for _ in range(2):
        conversation = store.create_conversation()
        store.rename_conversation(conversation.id, "How do I bake bread at home", by_user=False)
        store.add_message(conversation.id, "user", "How do I bake bread at home?")
        store.add_message(conversation.id, "assistant", "Mix flour, water, salt and yeast, let it rise, then bake.")
        conversations.append(conversation.id)
    mine, theirs = conversations
    store.rename_conversation(mine, "My bread notes")  # the user's own title

    assert titler.after_answer(mine, spec) is None
    assert titler.after_answer(theirs, spec) is not None
    changed = []
    while len(changed) < 1:
        event = log.next(timeout=120)
        if (found := titler.handle(event)) is not None:
            changed.append(found)
    assert changed == [theirs]
    title = store.conversation(theirs).title
    assert title and title != "How do I bake bread at home" and "\n" not in title and len(title) <= 48
    assert store.conversation(mine).title == "My bread notes"
    assert titler.after_answer(theirs, spec) is None  # once per conversation
    titler.close()
    store.close()


def test_a_title_asked_for_steps_aside_when_the_user_sends(
    service: EngineService, starter_model: Path
) -> None:
    registry = ModelRegistry(SettingsStore())
    spec = registry.spec_for(registry.resolve(str(starter_model)))
    store = Store()
    log = EventLog()
    titler = AutoTitler(store, service.connect(log.put, "titles"))
    conversation = store.create_conversation()
    store.add_message(conversation.id, "user", "Hi")
    store.add_message(conversation.id, "assistant", "Hello! How can I help?")
    first = titler.after_answer(conversation.id, spec)
    titler.yield_to_user()
    while True:
        event = log.next(timeout=120)
        assert titler.handle(event) is None
        if getattr(event, "request_id", None) == first and event.__class__.__name__ == "GenerationFinished":
            break
    # Asked again after the user's answer, and now it gets through.
    second = titler.after_answer(conversation.id, spec)
    assert second is not None and second != first
    titler.close()
    store.close()


def test_a_models_reply_is_cleaned_into_a_title() -> None:
    assert clean_title('Title: "Baking Bread at Home."\nMore text') == "Baking Bread at Home"
    assert clean_title("标题：《北京三日游》。") == "北京三日游"
    assert clean_title("\n\n") == ""
