"""``python -m app explain``, run as a user would: an answer's tokens with their probabilities and alternatives."""

from __future__ import annotations

import json
from pathlib import Path

from app.core.config.model_settings import ModelSettings, ModelSettingsStore
from app.core.config.settings import SettingsStore
from app.core.history.store import Store
from app.core.models.registry import ModelRegistry
from tests.cli.test_cli import parley
from tests.core.template_helpers import template_source


def test_explain_prints_the_answers_tokens_as_a_table_and_as_json_and_keeps_them(parley_home: Path) -> None:
    asked = parley(parley_home, "ask", "--max-tokens", "16", "--temperature", "0", "Name a fruit.")
    assert asked.returncode == 0, asked.stderr
    store = Store()
    (conversation,) = store.conversations()
    answer = store.messages(conversation.id)[-1]
    store.close()

    table = parley(parley_home, "explain", "--conversation", str(conversation.id), "--top", "3")

    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["#", "token", "prob", "alternatives"]
    assert "sure per token on average" in table.stdout and "temperature 1" in table.stdout
    store = Store()
    kept = store.look_inside(answer.id)
    store.close()
    assert kept is not None and b"".join(t.token.piece for t in kept.tokens).decode("utf-8") == answer.content
    assert len([line for line in lines[1:] if line[:4].strip().isdigit()]) == len(kept.tokens)

    as_json = parley(parley_home, "explain", "--conversation", str(conversation.id), "--message", str(answer.id),
                     "--top", "3", "--json")  # fmt: skip
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    assert data["message"] == answer.id and len(data["tokens"]) == len(kept.tokens)
    assert "".join(t["token"] for t in data["tokens"]) == answer.content
    for token, stored in zip(data["tokens"], kept.tokens, strict=True):
        assert len(token["alternatives"]) == 3
        assert abs(token["probability"] - stored.token.probability) < 1e-6  # printed from what was stored
        assert sum(a["probability"] for a in token["alternatives"]) <= 1 + 1e-6

    wrong = parley(parley_home, "explain", "--conversation", str(conversation.id), "--message", "1")
    assert wrong.returncode == 2 and "is not an answer" in wrong.stderr


def test_explain_thinking_prints_what_the_model_wrote_before_the_answer_and_a_remote_answer_says_why_not(
    parley_home: Path, starter_model: Path
) -> None:
    # The starter under a template that shows earlier answers' thinking (a reasoning model's shape).
    registry = ModelRegistry(SettingsStore())
    entry = registry.resolve(str(starter_model))
    ModelSettingsStore().set(str(entry.path), ModelSettings(chat_template=template_source("keeps_think")))
    store = Store()
    conversation = store.create_conversation("Capitals", model_name=entry.name)
    store.add_message(conversation.id, "user", "What is the capital of France?")
    answer = store.add_message(conversation.id, "assistant", "", status="streaming", model_name=entry.name)
    store.update_message(answer.id, "Paris.", status="complete", reasoning="The capital of France is Paris.")
    remote = store.create_conversation("Remote", model_name="gpt @ Lab")
    store.add_message(remote.id, "user", "Name a colour.")
    store.add_message(remote.id, "assistant", "Blue.", model_name="gpt", server="Lab (h:1)")
    store.close()

    table = parley(parley_home, "explain", "--conversation", str(conversation.id), "--thinking")
    assert table.returncode == 0, table.stderr
    thinking, _, rest = table.stdout.partition("\nAnswer:\n")
    assert thinking.startswith("Thinking") and "  think  " in thinking and "sure per token on average" in thinking
    assert "Paris" in rest and "temperature 1" in rest
    as_json = parley(parley_home, "explain", "--conversation", str(conversation.id), "--thinking", "--json")
    data = json.loads(as_json.stdout)
    written = "".join(t["token"] for t in data["thinking_tokens"])
    assert written == "<think>\nThe capital of France is Paris.\n</think>\n\n"  # in the template's own tags
    assert "".join(t["token"] for t in data["tokens"]) == "Paris."
    store = Store()
    kept = store.look_inside(answer.id)
    store.close()
    assert kept is not None and len(kept.thinking) == len(data["thinking_tokens"])

    refused = parley(parley_home, "explain", "--conversation", str(remote.id))
    assert refused.returncode == 2
    assert "written without asking the server for token probabilities" in refused.stderr
