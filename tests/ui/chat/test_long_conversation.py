"""Long conversations in the chat view: a streaming answer re-renders only its tail, and a long scroll
keeps the document to a window of messages without losing any text on the way."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.core.history.types import Message, MessageStatus, Role
from app.ui.chat import view as chat_view_module
from app.ui.chat.stream_split import settled_length
from app.ui.chat.view import ChatView

ANSWER = """Here is the plan, in three parts.

1. Read the **input** line by line.
2. Keep a running total in a `dict`.

```python
def count(lines):

    totals = {}
    return totals
```

| word | count |
|------|-------|
| 北京 | 3 |
| alpha | 2 |

- one item
- another item

That is *all*; ask again for more.
"""


def message(message_id: int, role: Role, content: str, status: MessageStatus = "complete") -> Message:
    return Message(message_id, 1, role, content, status, "X" if role == "assistant" else None, 0.0)


def make_view(qtbot: QtBot) -> ChatView:
    view = ChatView()
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    return view


def body_lines(view: ChatView, message_id: int) -> list[str]:
    return [line for line in view.shown_text(message_id).splitlines()[1:] if line.strip()]


def test_a_cut_is_made_only_between_paragraphs_outside_code() -> None:
    text = "First.\n\n```\ncode\n\nmore code\n```\n\nSecond\n\n- item\n\n  still the item"
    cut = settled_length(text)
    assert text[:cut] == "First.\n\n```\ncode\n\nmore code\n```\n\nSecond\n\n"
    assert settled_length("```\nopen fence\n\nstill code") == 0
    assert settled_length(text, cut) == cut


def test_a_streaming_answer_shows_the_same_text_as_the_whole_answer(qtbot: QtBot) -> None:
    streaming = make_view(qtbot)
    streaming.show_conversation([message(1, "user", "Plan?"), message(2, "assistant", "", "streaming")])
    whole = make_view(qtbot)
    step = 7
    for end in range(step, len(ANSWER) + step, step):
        streaming.append_to_answer(2, ANSWER[end - step : end])
        streaming._on_render_timer_timeout()  # the render tick, now
        whole.show_conversation([message(2, "assistant", ANSWER[:end])])
        if ANSWER[:end].count("```") != 1:  # an open fence is rendered differently until it closes
            assert body_lines(streaming, 2) == body_lines(whole, 2), ANSWER[:end]
    assert streaming._shown[2].settled > len(ANSWER) // 2, "most of the answer was rendered once, as settled"
    # The settled part was not rendered again: code in it still has the code format.
    found = streaming.document().find("totals")
    assert not found.isNull() and "monospace" in found.charFormat().fontFamilies()
    renders = streaming.render_count
    streaming.finish_answer(message(2, "assistant", ANSWER))
    assert streaming.render_count == renders + 1
    assert streaming.shown_text(2).splitlines()[1:] == whole.shown_text(2).splitlines()[1:]
    assert streaming.action_links(2) == ["Regenerate", "Copy"]


def test_a_long_scroll_keeps_a_window_of_messages_and_loses_no_streamed_text(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    count = 400
    history = [message(n, "user" if n % 2 else "assistant", f"message {n}\n\n`code {n}`") for n in range(1, count)]
    messages = [*history, message(count, "assistant", "", "streaming")]
    view.show_conversation(messages)
    view.append_to_answer(count, "The first words")
    bar = view.verticalScrollBar()

    while view.message_ids()[0] != 1:  # the user scrolls to the very top
        bar.setValue(0)
    ids = view.message_ids()
    assert ids == list(range(1, len(ids) + 1)) and len(ids) <= chat_view_module.MAX_LAID_OUT
    assert count not in ids and not view.is_following_bottom()
    assert all(f"message {n}" in view.shown_text(n) for n in ids)
    view.append_to_answer(count, " and the next ones.")  # the answer goes on while the user reads up there
    view.finish_answer(message(count, "assistant", "The first words and the last ones.", "stopped"))

    while view.message_ids()[-1] != count:  # ... and back to the bottom
        bar.setValue(bar.maximum())
    ids = view.message_ids()
    assert ids == list(range(count - len(ids) + 1, count + 1)) and len(ids) <= chat_view_module.MAX_LAID_OUT
    assert view.shown_text(count).splitlines()[1:] == ["The first words and the last ones."]
    assert view.shown_text(count).splitlines()[0].endswith("stopped")
    assert all(f"message {n}" in view.shown_text(n) for n in ids[:-1])
    bar.setValue(bar.maximum())
    assert view.is_following_bottom()


def test_an_answer_dropped_while_streaming_keeps_its_text(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    history = [message(n, "user" if n % 2 else "assistant", f"message {n}") for n in range(1, 300)]
    view.show_conversation([*history, message(300, "assistant", "", "streaming")])
    bar = view.verticalScrollBar()
    while view.message_ids()[0] != 1:
        bar.setValue(0)
    view.append_to_answer(300, "Still ")
    view.append_to_answer(300, "writing")
    while view.message_ids()[-1] != 300:
        bar.setValue(bar.maximum())
    assert body_lines(view, 300) == ["Still writing"]
