"""``ask`` with a reasoning model: stdout carries the answer only; --show-reasoning adds the thinking on stderr."""

from __future__ import annotations

import argparse
import dataclasses
import io
from pathlib import Path

import pytest

from app.cli.ask import run_ask
from app.core.config import settings
from app.core.engine.protocol import ModelSpec, SamplingSettings
from app.core.engine.reasoning import MARKUP
from app.core.history.store import Store
from app.core.models.installed import ModelEntry
from app.core.models.registry import ModelRegistry
from tests.core.template_helpers import template_source

EXAMPLES = [
    ("Hi!", "A greeting.", "Hello! How can I help?"),
    ("What is 2+2?", "Simple sum.", "4."),
    ("Name a colour.", "Any colour.", "Blue."),
]
GREEDY = SamplingSettings(temperature=0.0, top_k=1, repeat_penalty=1.0, max_tokens=80, seed=1)


def ask_args(conversation: int, show_reasoning: bool) -> argparse.Namespace:
    return argparse.Namespace(
        prompt="What is the capital of France?", model=None, conversation=conversation,
        max_tokens=80, temperature=0.0, seed=1, show_reasoning=show_reasoning,
    )


@pytest.mark.parametrize("show_reasoning", [False, True])
def test_ask_prints_the_answer_alone_and_the_thinking_only_when_asked(
    starter_model: Path, monkeypatch: pytest.MonkeyPatch, show_reasoning: bool
) -> None:
    real_spec_for = ModelRegistry.spec_for

    def spec_for(self: ModelRegistry, entry: ModelEntry, values: object = None) -> ModelSpec:
        return dataclasses.replace(real_spec_for(self, entry), chat_template=template_source("opens_think"))

    monkeypatch.setattr(ModelRegistry, "spec_for", spec_for)
    settings.save(settings.Settings(system_prompt="Think first, then answer.", sampling=GREEDY))
    store = Store()
    conversation = store.create_conversation()
    for question, reasoning, answer in EXAMPLES:
        store.add_message(conversation.id, "user", question)
        saved = store.add_message(conversation.id, "assistant", "", status="streaming")
        store.update_message(saved.id, answer, status="complete", reasoning=reasoning)
    store.close()

    out, err = io.StringIO(), io.StringIO()
    assert run_ask(ask_args(conversation.id, show_reasoning), out, err) == 0, err.getvalue()

    store = Store()
    answer = store.messages(conversation.id)[-1]
    store.close()
    assert answer.reasoning and answer.content.strip()
    assert out.getvalue().strip() == answer.content.strip()
    assert not any(marker in out.getvalue() + err.getvalue() for marker in MARKUP)
    assert (answer.reasoning.strip()[:30] in err.getvalue()) is show_reasoning
