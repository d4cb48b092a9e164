"""Export and import: Markdown and JSON out, Parley's and ChatGPT's JSON in, and the command line."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from app.cli.history import run_history_command
from app.core.engine.protocol import ModelSpec, SamplingSettings
from app.core.errors import HistoryFileError
from app.core.history import exchange
from app.core.history.store import Store
from app.core.personas.book import PersonaBook
from app.core.session import versions as chat_versions
from app.core.session.records import TurnContext

CHATGPT = Path(__file__).parent.parent.parent / "data" / "chatgpt" / "conversations.json"
MODEL = ModelSpec("/models/x.gguf", "X")


def _history_with_branches(store: Store) -> int:
    conversation = store.create_conversation("Fruit 水果")
    store.add_message(conversation.id, "user", "Name a fruit")
    apple = store.add_message(conversation.id, "assistant", "Apple", model_name="X")
    store.add_message(conversation.id, "user", "Another?")
    store.add_message(conversation.id, "assistant", "Pear")
    turn = chat_versions.begin_regenerate(store, apple.id, TurnContext(MODEL, "", SamplingSettings()))
    store.update_message(
        turn.answer.id, "香蕉", status="stopped", n_tokens=3, tokens_per_second=12.5, ttft_seconds=0.25
    )
    store.choose(apple.id)
    store.set_pinned(conversation.id, True)
    translator = PersonaBook(store).find("Translator")
    assert translator.id is not None
    store.set_conversation_persona(conversation.id, translator.id, translator.name)
    store.add_message(conversation.id, "user", "Good morning")
    cut = store.add_message(conversation.id, "assistant", "早上", persona_id=translator.id)
    store.update_message(cut.id, "早上", finish_reason="length")
    store.create_conversation("Empty")
    return conversation.id


def test_export_import_export_gives_the_same_bytes(tmp_path: Path) -> None:
    store = Store()
    _history_with_branches(store)
    first = exchange.export_json(store)
    store.close()
    path = tmp_path / "all.json"
    exchange.write(path, first)
    other = Store(tmp_path / "other.sqlite3")

    report = exchange.import_file(other, path)

    assert (report.imported, report.skipped, report.messages) == (2, 0, 8)
    assert exchange.export_json(other) == first
    fruit = next(c for c in other.conversations() if c.title == "Fruit 水果")
    assert fruit.pinned
    shown = [m.content for m in other.messages(fruit.id)]
    assert shown == ["Name a fruit", "Apple", "Another?", "Pear", "Translator", "Good morning", "早上"]
    translator = PersonaBook(other).find("Translator")
    assert fruit.persona_id == translator.id
    divider, answer = other.messages(fruit.id)[4], other.messages(fruit.id)[-1]
    assert (divider.kind, divider.persona_id) == ("persona", translator.id)
    assert (answer.persona_id, answer.finish_reason) == (translator.id, "length")
    document = json.loads(first)
    assert (document["format"], document["version"]) == ("parley-history", 1)
    banana = next(m for c in document["conversations"] for m in c["messages"] if m["content"] == "香蕉")
    found = (banana["parent"], banana["status"], banana["tokens_per_second"], banana["chosen"])
    assert found == (1, "stopped", 12.5, False)
    cut_short = next(m for c in document["conversations"] for m in c["messages"] if m["content"] == "早上")
    assert (cut_short["persona"], cut_short["finish_reason"]) == ("Translator", "length")
    other.close()


def test_importing_again_skips_or_copies_as_the_user_chooses(tmp_path: Path) -> None:
    store = Store()
    _history_with_branches(store)
    path = tmp_path / "all.json"
    exchange.write(path, exchange.export_json(store))

    assert exchange.import_file(store, path).skipped == 2
    assert len(store.conversations()) == 2
    copied = exchange.import_file(store, path, on_conflict="copy")
    assert (copied.imported, copied.skipped) == (2, 0)
    titles = sorted(c.title for c in store.conversations())
    assert titles == ["Empty", "Empty", "Fruit 水果", "Fruit 水果"]
    assert len({c.uuid for c in store.conversations()}) == 4
    store.close()


def test_markdown_export_is_the_branch_on_screen() -> None:
    store = Store()
    conversation_id = _history_with_branches(store)
    text = exchange.export_markdown(store, conversation_id)
    assert text.startswith("# Fruit 水果\n")
    assert "Apple" in text and "Pear" in text and "香蕉" not in text
    store.close()


def test_chatgpt_export_becomes_conversations_with_branches() -> None:
    store = Store()

    report = exchange.import_file(store, CHATGPT)

    assert (report.imported, report.messages) == (2, 6)
    by_title = {c.title: c for c in store.conversations()}
    sourdough = by_title["Sourdough starter"]
    assert sourdough.uuid == "6650a1b2-1111-4222-8333-444455556666"
    shown = store.messages(sourdough.id)
    # current_node's branch is on screen; the other answer is a version beside it.
    assert [m.content for m in shown] == [
        "How often should I feed a sourdough starter?",
        "Feed it every 12 hours if it lives on the counter, or once a week in the fridge.",
        "Thanks!",
    ]
    assert shown[1].model_name == "gpt-4o-mini"
    versions = store.versions(sourdough.id)
    assert (versions[shown[1].id].index, versions[shown[1].id].count) == (2, 2)
    store.choose(versions[shown[1].id].previous_id or 0)
    assert [m.content for m in store.messages(sourdough.id)][1] == "Once a day at room temperature."
    beijing = store.messages(by_title["北京三日游"].id)  # the hidden thoughts are left out
    assert [m.role for m in beijing] == ["user", "assistant"]
    assert beijing[1].content.startswith("第一天")
    assert exchange.import_file(store, CHATGPT).skipped == 2
    store.close()


def test_a_file_that_is_not_an_export_is_refused_with_a_sentence(tmp_path: Path) -> None:
    store = Store()
    path = tmp_path / "notes.json"
    path.write_text('{"hello": 1}', encoding="utf-8")
    with pytest.raises(HistoryFileError) as caught:
        exchange.import_file(store, path)
    assert "notes.json" in caught.value.user_message()
    store.close()


def test_the_command_line_exports_and_imports(tmp_path: Path) -> None:
    store = Store()
    conversation_id = _history_with_branches(store)
    store.close()
    out, err = io.StringIO(), io.StringIO()

    markdown = ["export", "--conversation", str(conversation_id), str(tmp_path / "c.md")]
    assert run_history_command(markdown, out, err) == 0
    assert (tmp_path / "c.md").read_text(encoding="utf-8").startswith("# Fruit 水果")
    assert run_history_command(["export", str(tmp_path / "all.json")], out, err) == 0
    assert run_history_command(["import", str(CHATGPT)], out, err) == 0
    assert "imported 2 conversations" in out.getvalue()
    assert run_history_command(["import", "--copies", str(tmp_path / "all.json")], out, err) == 0
    store = Store()
    assert len(store.conversations()) == 6
    store.close()
    assert run_history_command(["export", "--format", "md", str(tmp_path / "x.md")], out, err) == 2
    assert run_history_command(["export", "--conversation", "999", str(tmp_path / "x.json")], out, err) == 2
    assert "999" in err.getvalue()
