"""A branch from a word of the thinking, on the real engine: the new version's thinking starts with exactly the
thinking's tokens before that word and the alternative, the model thinks on from there and then answers, and
the old version stays beside it (‹ 1/2 ›).

The starter thinks in <think> tags after a few worked examples, under a template that shows them
(``keeps_think``: the model writes the opening tag itself).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from app.core.config.model_settings import ModelSettings, ModelSettingsStore
from app.core.config.settings import SettingsStore
from app.core.engine.protocol import AnswerInspected
from app.core.history.look_inside import LookInside
from app.core.history.store import Store
from app.core.models.registry import ModelRegistry
from app.core.session import look_inside
from app.core.session.service import EngineService
from app.core.session.turns import TurnRunner
from tests.core.engine.test_templates_real import EXAMPLES
from tests.core.engine_helpers import GREEDY, EventLog
from tests.core.template_helpers import template_source
from tests.core.turn_helpers import finish, recording

THINKING = replace(GREEDY, max_tokens=80)


def test_a_branch_from_a_thinking_word_thinks_on_from_the_kept_thinking_and_the_alternative(
    service: EngineService, starter_model: Path
) -> None:
    settings = SettingsStore()
    settings.update(replace(settings.current, system_prompt=EXAMPLES[0].content))
    path = str(ModelRegistry(settings).resolve(str(starter_model)).path)
    ModelSettingsStore().set(path, ModelSettings(chat_template=template_source("keeps_think")))
    registry = ModelRegistry(settings)  # reads the model's settings as it starts
    entry = registry.resolve(str(starter_model))
    store = Store()
    log = EventLog()
    client = service.connect(log.put, "window")
    sent = recording(client)
    runner = TurnRunner(store, client, settings, registry)
    conversation = store.create_conversation("Examples", model_name=entry.name)
    for message in EXAMPLES[1:-1]:
        saved = store.add_message(conversation.id, message.role, "", status="streaming")
        store.update_message(saved.id, message.content, status="complete", reasoning=message.reasoning)
    runner.start(conversation.id, EXAMPLES[-1].content, model=entry, sampling=THINKING)
    first = finish(runner, log)
    assert first.status == "complete" and first.reasoning and first.text

    client.inspect(runner.inspect_request(first.answer_id))
    thinking = log.wait_for(AnswerInspected).thinking_tokens
    written = b"".join(t.token.piece for t in thinking)
    start = written.find(first.reasoning.strip().encode("utf-8"))
    assert start > 0  # after the opening tag
    store.save_look_inside(first.answer_id, LookInside((), entry.name, thinking))
    offsets = [sum(len(t.token.piece) for t in thinking[:i]) for i in range(len(thinking))]
    position = next(
        i for i, t in enumerate(thinking)
        if offsets[i] > start and len(t.alternatives) > 1 and t.alternatives[1].text.startswith(" ")
    )  # fmt: skip
    alternative = thinking[position].alternatives[1]
    prefix = look_inside.thinking_prefix(thinking, first.reasoning, position, alternative)
    assert prefix is not None
    assert prefix.encode("utf-8") == written[start : offsets[position]] + alternative.piece  # exactly those tokens

    runner.branch_from(first.answer_id, prefix, thinking=True, sampling=THINKING)
    branch = finish(runner, log)

    assert (sent[-1].prefill, sent[-1].prefill_reasoning) == ("", prefix)
    assert branch.status == "complete" and branch.answer_id != first.answer_id
    assert branch.reasoning.startswith(prefix) and len(branch.reasoning) > len(prefix)  # it thought on
    assert branch.text.strip() and "</think>" not in branch.text and "<think>" not in branch.reasoning
    stored = store.message(branch.answer_id)
    assert stored.reasoning is not None and stored.reasoning.startswith(prefix) and stored.content == branch.text
    versions = store.versions(conversation.id)
    assert (versions[first.answer_id].index, versions[branch.answer_id].index) == (1, 2)
    assert versions[branch.answer_id].count == 2
    assert store.message(first.answer_id).reasoning == first.reasoning  # the old version is kept as it was

    # The prompt the model went on from ends with the very tokens kept and the alternative: evaluated again,
    # the new version's thinking starts with them, as they are in the engine's cache.
    client.inspect(runner.inspect_request(branch.answer_id))
    again = log.wait_for(AnswerInspected).thinking_tokens
    kept = [t.token.id for t in thinking[:position]] + [alternative.id]
    assert [t.token.id for t in again[: position + 1]] == kept
    store.close()
