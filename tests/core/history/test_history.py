"""The history sent to the engine: roles that alternate, and reasoning that goes along."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.engine.protocol import ChatMessage
from app.core.history.store import Store
from app.core.history.types import Message
from app.core.session.records import history_for_engine
from tests.core.template_helpers import template


def test_user_messages_left_side_by_side_by_failed_answers_become_one() -> None:
    store = Store()
    c = store.create_conversation()
    store.add_message(c.id, "user", "one")
    store.add_message(c.id, "assistant", "", status="failed")
    store.add_message(c.id, "user", "two")
    store.add_message(c.id, "assistant", "", status="complete")  # empty: left out too
    store.add_message(c.id, "user", "three")
    store.add_message(c.id, "assistant", "", status="streaming")  # the answer being written now
    history = history_for_engine(store.messages(c.id), "sys")
    assert history == (ChatMessage("system", "sys"), ChatMessage("user", "one\n\ntwo\n\nthree"))
    # A template that insists on alternating roles renders it.
    assert "one\n\ntwo\n\nthree" in template("alternating").render(history)


def test_the_history_alternates_after_the_system_prompt() -> None:
    store = Store()
    c = store.create_conversation()
    store.add_message(c.id, "user", "one")
    store.add_message(c.id, "assistant", "partial", status="stopped")
    store.add_message(c.id, "user", "two")
    store.add_message(c.id, "assistant", "cut short", status="interrupted")
    store.add_message(c.id, "user", "three")
    store.add_message(c.id, "assistant", "no", status="failed")
    store.add_message(c.id, "user", "four")
    history = history_for_engine(store.messages(c.id), "")
    assert [(m.role, m.content) for m in history] == [
        ("user", "one"),
        ("assistant", "partial"),
        ("user", "two"),
        ("assistant", "cut short"),
        ("user", "three\n\nfour"),
    ]


@dataclass(frozen=True)
class _MessageWithReasoning(Message):
    reasoning: str | None = None


def test_saved_reasoning_goes_along_with_its_answer() -> None:
    def message(role: str, content: str, reasoning: str | None = None) -> Message:
        return _MessageWithReasoning(0, 1, role, content, "complete", None, 0.0, reasoning=reasoning)  # type: ignore[arg-type]

    history = history_for_engine([message("user", "Hi"), message("assistant", "Hello!", "A greeting.")], "")
    assert history[-1] == ChatMessage("assistant", "Hello!", reasoning="A greeting.")
    plain = history_for_engine([message("user", "Hi"), message("assistant", "Hello!", "")], "")
    assert plain[-1].reasoning is None
