"""An answer's look-inside data in the history: kept compactly, dropped on an edit, kept by the version a
regenerate leaves behind, and carried through the JSON export and back."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from app.core.engine.protocol import ModelSpec, SamplingSettings, TokenChoice, TokenLogprobs
from app.core.history import exchange
from app.core.history.look_inside import LookInside
from app.core.history.store import Store
from app.core.session import versions as chat_versions
from app.core.session.records import TurnContext

MODEL = ModelSpec("/models/x.gguf", "X")


def _tokens() -> tuple[TokenLogprobs, ...]:
    def choice(token: int, piece: str, probability: float) -> TokenChoice:
        return TokenChoice(token, piece.encode("utf-8"), math.log(probability))

    hello = choice(9, "Hello", 0.8)
    world = choice(12, " 世界", 0.3)
    half = TokenChoice(40, "é".encode()[:1], math.log(0.2))  # half a character: kept byte for byte
    return (
        TokenLogprobs(hello, (hello, choice(10, "Hi", 0.1), choice(11, "Hey", 0.05))),
        TokenLogprobs(world, (choice(13, " world", 0.6), world, half)),
        TokenLogprobs(choice(14, "!", 0.9), ()),
    )


def _same(found: LookInside | None, expected: tuple[TokenLogprobs, ...]) -> None:
    assert found is not None and len(found.tokens) == len(expected)
    for got, want in zip(found.tokens, expected, strict=True):
        assert (got.token.id, got.token.piece) == (want.token.id, want.token.piece)
        assert got.token.logprob == pytest.approx(want.token.logprob, rel=1e-6)
        assert [(c.id, c.piece) for c in got.alternatives] == [(c.id, c.piece) for c in want.alternatives]
        assert [c.logprob for c in got.alternatives] == pytest.approx([c.logprob for c in want.alternatives])


def test_kept_with_the_answer_dropped_on_an_edit_kept_by_the_old_version_on_regenerate() -> None:
    store = Store()
    conversation = store.create_conversation("Greeting")
    store.add_message(conversation.id, "user", "Say hello")
    answer = store.add_message(conversation.id, "assistant", "Hello 世界!", model_name="X")
    store.save_look_inside(answer.id, LookInside(_tokens(), "X"))
    _same(store.look_inside(answer.id), _tokens())

    turn = chat_versions.begin_regenerate(store, answer.id, TurnContext(MODEL, "", SamplingSettings()))
    store.update_message(turn.answer.id, "Hi there")
    assert store.look_inside(turn.answer.id) is None
    _same(store.look_inside(answer.id), _tokens())  # the old version keeps its own

    store.update_message(answer.id, "Hello 世界!", status="complete")  # the same text: still true
    assert store.look_inside(answer.id) is not None
    store.update_message(answer.id, "Hello, edited")
    assert store.look_inside(answer.id) is None
    store.close()


def test_survives_export_then_import(tmp_path: Path) -> None:
    store = Store()
    conversation = store.create_conversation("Greeting")
    store.add_message(conversation.id, "user", "Say hello")
    answer = store.add_message(conversation.id, "assistant", "Hello 世界!", model_name="X")
    store.save_look_inside(answer.id, LookInside(_tokens(), "X"))
    path = tmp_path / "all.json"
    first = exchange.export_json(store)
    exchange.write(path, first)
    other = Store(tmp_path / "other.sqlite3")

    exchange.import_file(other, path)

    imported = other.messages(other.conversations()[0].id)[-1]
    found = other.look_inside(imported.id)
    _same(found, _tokens())
    assert found is not None and found.model_name == "X"
    assert exchange.export_json(other) == first
    store.close()
    other.close()


def _textual() -> tuple[TokenLogprobs, ...]:
    """Tokens as a remote server names them: by their text, with no ids."""

    def choice(piece: str, probability: float) -> TokenChoice:
        return TokenChoice(-1, piece.encode("utf-8"), math.log(probability))

    blue, green = choice("Blue", 0.7), choice("Green", 0.2)
    return (TokenLogprobs(blue, (blue, green)), TokenLogprobs(choice(".", 0.9), (choice(".", 0.9), choice("!", 0.05))))


def test_a_servers_tokens_without_ids_the_thinking_and_a_note_are_kept_and_exported(tmp_path: Path) -> None:
    store = Store()
    conversation = store.create_conversation("Colours")
    store.add_message(conversation.id, "user", "Name a colour")
    remote = store.add_message(conversation.id, "assistant", "Blue.", model_name="gpt", server="lab (h:1)")
    silent = store.add_message(conversation.id, "assistant", "Green.", model_name="gpt", server="lab (h:1)")
    thought = store.add_message(conversation.id, "assistant", "Hello 世界!", model_name="X")
    store.update_message(thought.id, "Hello 世界!", reasoning="A greeting.")
    store.save_look_inside(remote.id, LookInside(_textual(), "gpt", source="streamed"))
    store.save_look_inside(silent.id, LookInside((), "gpt", source="streamed", note="refused"))
    store.save_look_inside(thought.id, LookInside(_tokens(), "X", thinking=_tokens()[:2]))

    found = store.look_inside(remote.id)
    _same(found, _textual())  # each text kept apart, though none has an id
    assert found is not None and found.source == "streamed" and not found.has_ids
    none = store.look_inside(silent.id)
    assert none is not None and none.tokens == () and none.note == "refused"
    both = store.look_inside(thought.id)
    assert both is not None and both.source == "evaluated" and both.has_ids
    _same(LookInside(both.thinking), _tokens()[:2])

    path = tmp_path / "all.json"
    first = exchange.export_json(store)
    exchange.write(path, first)
    other = Store(tmp_path / "other.sqlite3")
    exchange.import_file(other, path)
    assert exchange.export_json(other) == first
    imported = other.messages(other.conversations()[0].id)
    assert [other.look_inside(m.id) is not None for m in imported if m.role == "assistant"] == [True, True, True]

    store.update_message(thought.id, "Hello 世界!", reasoning="Another thought.")  # the thinking changed
    assert store.look_inside(thought.id) is None
    store.close()
    other.close()
