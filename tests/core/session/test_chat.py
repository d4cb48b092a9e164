"""A chat turn as stored: the user's message first, then the checkpointed answer."""

from __future__ import annotations

import sqlite3

from app.core.engine.protocol import ChatMessage, GenerationStats, ModelSpec, SamplingSettings
from app.core.history.store import Store
from app.core.personas.book import PersonaBook
from app.core.session.records import (
    CHECKPOINT_SECONDS,
    AnswerRecorder,
    TurnContext,
    begin_turn,
    history_for_engine,
    title_from,
    turns_out_of_memory,
)

MODEL = ModelSpec("/models/x.gguf", "X")


def test_begin_turn_commits_the_users_message_before_generation() -> None:
    store = Store()
    conversation = store.create_conversation()
    turn = begin_turn(store, conversation.id, "What is 2+2?", TurnContext(MODEL, "Be brief.", SamplingSettings()))
    # Another connection (as a reader after a crash would) already sees the message and the empty answer.
    other = sqlite3.connect(store.path)
    rows = other.execute("SELECT role, content, status FROM messages ORDER BY id").fetchall()
    assert rows == [("user", "What is 2+2?", "complete"), ("assistant", "", "streaming")]
    assert other.execute("SELECT title FROM conversations").fetchone()[0] == "What is 2+2?"
    assert turn.request.messages == (ChatMessage("system", "Be brief."), ChatMessage("user", "What is 2+2?"))
    assert turn.answer.model_name == "X"


def test_the_turn_context_reaches_the_answer_and_the_request() -> None:
    store = Store()
    conversation = store.create_conversation()
    persona = PersonaBook(store).find("Translator")
    assert persona is not None and persona.id is not None
    sampling = SamplingSettings(temperature=0.1, max_tokens=7)
    context = TurnContext(MODEL, "Translate.", sampling, persona_id=persona.id, overflow="stop", server="lab")
    turn = begin_turn(store, conversation.id, "Bonjour", context)
    assert (turn.answer.persona_id, turn.answer.server, turn.answer.model_name) == (persona.id, "lab", "X")
    assert turn.request.model == MODEL and turn.request.sampling == sampling and turn.request.overflow == "stop"
    assert turn.request.messages[0] == ChatMessage("system", "Translate.")


def test_turns_out_of_memory_count_the_users_turns_before_the_memory_start() -> None:
    store = Store()
    conversation = store.create_conversation()
    book = PersonaBook(store)
    first = store.add_message(conversation.id, "user", "One")
    store.add_message(conversation.id, "assistant", "1")
    store.set_conversation_persona(conversation.id, book.all()[0].id or 0, "General")  # a divider is not a turn
    store.add_message(conversation.id, "user", "Two")
    store.add_message(conversation.id, "assistant", "2")
    third = store.add_message(conversation.id, "user", "Three")
    messages = store.messages(conversation.id)
    assert turns_out_of_memory(messages, None) == 0
    assert turns_out_of_memory(messages, first.id) == 0
    assert turns_out_of_memory(messages, third.id) == 2
    assert turns_out_of_memory(messages, third.id + 1) == 3


def test_history_keeps_stopped_answers_and_skips_failed_ones() -> None:
    store = Store()
    c = store.create_conversation()
    store.add_message(c.id, "user", "one")
    store.add_message(c.id, "assistant", "partial", status="stopped")
    store.add_message(c.id, "user", "two")
    store.add_message(c.id, "assistant", "", status="failed")
    history = history_for_engine(store.messages(c.id), "sys")
    assert [m.content for m in history] == ["sys", "one", "partial", "two"]


def test_recorder_checkpoints_at_least_once_a_second() -> None:
    store = Store()
    c = store.create_conversation()
    answer = store.add_message(c.id, "assistant", "", status="streaming")
    now = [0.0]
    recorder = AnswerRecorder(store, answer.id, clock=lambda: now[0])
    recorder.append("Hel")
    assert store.message(answer.id).content == ""  # not yet: less than the interval has passed
    now[0] += CHECKPOINT_SECONDS
    recorder.append("lo")
    assert store.message(answer.id).content == "Hello"
    recorder.finish("complete", GenerationStats(5, 5, 2, 0.1, 50.0))
    saved = store.message(answer.id)
    assert (saved.content, saved.status, saved.tokens_per_second) == ("Hello", "complete", 50.0)


def test_titles_are_one_short_line() -> None:
    assert title_from("  hello\n  world ") == "hello world"
    assert len(title_from("x" * 500)) <= 48
