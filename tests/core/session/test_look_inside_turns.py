"""Looking inside a stored answer through the turn runner, on the real engine, and a branch from an alternative:
a new version that keeps the tokens before, takes the alternative, and goes on."""

from __future__ import annotations

from pathlib import Path

from app.core.config.settings import SettingsStore
from app.core.engine.protocol import AnswerInspected
from app.core.history.look_inside import LookInside
from app.core.history.store import Store
from app.core.models.registry import ModelRegistry
from app.core.session import look_inside
from app.core.session.service import EngineService
from app.core.session.turns import TurnRunner
from tests.core.engine_helpers import GREEDY, EventLog
from tests.core.turn_helpers import finish


def test_a_branch_from_an_alternative_keeps_the_tokens_before_and_takes_it(
    service: EngineService, starter_model: Path
) -> None:
    settings = SettingsStore()
    registry = ModelRegistry(settings)
    store = Store()
    log = EventLog()
    client = service.connect(log.put, "window")
    runner = TurnRunner(store, client, settings, registry)
    entry = registry.resolve(str(starter_model))
    conversation = store.create_conversation(model_name=entry.name)
    runner.start(conversation.id, "Name three fruits.", model=entry, sampling=GREEDY)
    first = finish(runner, log)
    runner.start(conversation.id, "Name a colour.", model=entry, sampling=GREEDY)  # the cache moves on
    finish(runner, log)

    client.inspect(runner.inspect_request(first.answer_id))
    inspected = log.wait_for(AnswerInspected)
    tokens = inspected.tokens
    assert b"".join(t.token.piece for t in tokens).decode("utf-8") == store.message(first.answer_id).content
    store.save_look_inside(first.answer_id, LookInside(tokens, entry.name))
    position = len(tokens) // 2
    while not tokens[position].alternatives[1].text.startswith(" "):  # a word of its own, not half of one
        position += 1
    alternative = tokens[position].alternatives[1]
    prefix = look_inside.branch_prefix(tokens, position, alternative)

    runner.branch_from(first.answer_id, prefix, sampling=GREEDY)
    branch = finish(runner, log)

    assert branch.status == "complete" and branch.text.startswith(prefix) and len(branch.text) > len(prefix)
    versions = store.versions(conversation.id)
    assert (versions[branch.answer_id].index, versions[branch.answer_id].count) == (2, 2)
    assert store.look_inside(first.answer_id) is not None  # the old version keeps its own
    assert store.look_inside(branch.answer_id) is None
    client.inspect(runner.inspect_request(branch.answer_id))
    again = log.wait_for(AnswerInspected).tokens
    kept = [t.token.id for t in tokens[:position]] + [alternative.id]
    assert [t.token.id for t in again[: position + 1]] == kept
    summary = look_inside.summary(tokens)
    assert 0 < summary.overall < 1 and summary.hesitations
    assert summary.hesitations[0].token.token.logprob == min(
        t.token.logprob for t in tokens if t.token.text.strip()
    )
    store.close()
