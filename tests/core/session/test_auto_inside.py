"""Looking inside every answer of a persona that asks for it, on the real engine: asked after the answer through a
client of its own, stepping aside when the user sends (the engine aborts the evaluation), asked again after the
user's answer, and stored as an on-demand look inside is."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from app.core.config.settings import SettingsStore
from app.core.engine.protocol import AnswerInspected, GenerationFailed
from app.core.history.store import Store
from app.core.models.registry import ModelRegistry
from app.core.personas.book import PersonaBook
from app.core.session.auto_inside import AutoInspector
from app.core.session.service import EngineService
from app.core.session.turns import TurnRunner
from tests.core.engine_helpers import GREEDY, EventLog
from tests.core.turn_helpers import finish

LONG = " ".join(f"Note {i}: the river rises in spring, floods the meadows and falls in autumn." for i in range(60))


def test_the_automatic_look_inside_steps_aside_when_the_user_sends_and_is_asked_again_after(
    service: EngineService, starter_model: Path
) -> None:
    settings = SettingsStore()
    registry = ModelRegistry(settings)
    store = Store()
    book = PersonaBook(store)
    curious = book.create(replace(book.default(), name="Curious", look_inside=True))
    plain = book.default()
    turns, inside = EventLog(), EventLog()
    runner = TurnRunner(store, service.connect(turns.put, "window"), settings, registry, personas=book)
    inspector = AutoInspector(store, service.connect(inside.put, "look inside"), book, runner.inspect_request)
    entry = registry.resolve(str(starter_model))
    # A long conversation the engine has never seen: looking inside its answer evaluates it all, for a while.
    conversation = store.create_conversation(model_name=entry.name, persona_id=curious.id)
    store.add_message(conversation.id, "user", f"Read this: {LONG}")
    old = store.add_message(conversation.id, "assistant", "I have read it.", model_name=entry.name,
                            persona_id=curious.id)  # fmt: skip
    other = store.create_conversation(model_name=entry.name, persona_id=plain.id)
    store.add_message(other.id, "user", "Hi")
    unasked = store.add_message(other.id, "assistant", "Hello!", model_name=entry.name, persona_id=plain.id)

    assert inspector.after_answer(unasked.id) is None  # its persona does not look inside every answer
    asked = inspector.after_answer(old.id)
    assert asked is not None
    inspector.yield_to_user()  # the user sends: the look inside steps aside at once
    runner.start(conversation.id, "Name three fruits.", model=entry, sampling=GREEDY)
    stepped_aside = inside.wait_for(GenerationFailed)
    new = finish(runner, turns, timeout=180)
    assert stepped_aside.request_id == asked and stepped_aside.code == "stopped"
    assert inspector.handle(stepped_aside) is None and store.look_inside(old.id) is None
    assert new.status == "complete"

    inspector.after_answer(new.answer_id)  # after the user's answer: that one, and the one that stepped aside
    found = {}
    while len(found) < 2:
        result = inspector.handle(inside.wait_for(AnswerInspected))
        if result is not None:
            found[result[0]] = result[1]
    assert set(found) == {old.id, new.answer_id}
    for answer_id, data in found.items():
        stored = store.look_inside(answer_id)
        assert stored is not None and stored.source == "evaluated"
        assert [t.token.id for t in stored.tokens] == [t.token.id for t in data.tokens]
        assert [t.token.logprob for t in stored.tokens] == pytest.approx([t.token.logprob for t in data.tokens])
        assert b"".join(t.token.piece for t in data.tokens).decode("utf-8") == store.message(answer_id).content
    assert inspector.after_answer(new.answer_id) is None  # looked inside already: not asked twice
    store.close()
