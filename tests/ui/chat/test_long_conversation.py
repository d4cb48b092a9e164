"""Long conversations in the chat view: a streaming answer re-renders only its tail, and a long scroll
keeps the document to a window of messages without losing any text on the way."""

from __future__ import annotations

from PySide6 import QtGui
from pytestqt.qtbot import QtBot

from app.core.history.types import Message, MessageStatus, Role
from app.ui.chat import paging
from app.ui.chat.stream_split import settled_length
from app.ui.chat.view import ChatView
from tests.ui.chat import screen

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


def body_lines(text: str, *, settled: bool) -> list[str]:
    """A block's body as shown: without its header and, once settled, its details and links."""
    lines = text.splitlines()[1 : -2 if settled else None]
    return [line for line in lines if line.strip()]


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
    changed: list[int] = []  # where each edit of the streaming document began
    streaming.document().contentsChange.connect(lambda position, _removed, _added: changed.append(position))
    step = 7
    for end in range(step, len(ANSWER) + step, step):
        changed.clear()
        streaming.append_to_answer(2, ANSWER[end - step : end])
        whole.show_conversation([message(2, "assistant", ANSWER[:end])])
        if ANSWER[:end].count("```") != 1:  # an open fence is rendered differently until it closes
            expected = body_lines(screen.texts(whole)[0], settled=True)
            qtbot.waitUntil(lambda want=expected: body_lines(screen.texts(streaming)[-1], settled=False) == want)
    # Most of the answer was rendered once, as settled: the last render began after it.
    answer = screen.blocks(streaming)[-1]
    cursor = QtGui.QTextCursor(streaming.document())
    cursor.setPosition(answer.firstPosition())
    cursor.setPosition(min(changed), QtGui.QTextCursor.MoveMode.KeepAnchor)
    assert "def count" in cursor.selection().toPlainText() and "another item" in cursor.selection().toPlainText()
    # The settled part was not rendered again: code in it still has the code format.
    found = streaming.document().find("totals")
    assert not found.isNull() and "monospace" in found.charFormat().fontFamilies()
    edits: list[None] = []
    streaming.document().contentsChanged.connect(lambda: edits.append(None))
    streaming.finish_answer(message(2, "assistant", ANSWER))
    assert len(edits) == 1, "the finished answer is rendered whole, once"
    assert screen.texts(streaming)[-1] == screen.texts(whole)[0]
    assert screen.link_line(streaming, 2) == ["Regenerate", "Copy", "Read aloud", "Look inside"]


def test_a_long_scroll_keeps_a_window_of_messages_and_loses_no_streamed_text(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    count = 400
    history = [message(n, "user" if n % 2 else "assistant", f"message {n}\n\n`code {n}`") for n in range(1, count)]
    messages = [*history, message(count, "assistant", "", "streaming")]
    view.show_conversation(messages)
    view.append_to_answer(count, "The first words")
    bar = view.verticalScrollBar()

    while screen.message_ids(view)[0] != 1:  # the user scrolls to the very top
        bar.setValue(0)
    ids = screen.message_ids(view)
    assert ids == list(range(1, len(ids) + 1)) and len(ids) <= paging.MAX_LAID_OUT
    assert all(text.splitlines()[1] == f"message {n}" for n, text in zip(ids, screen.texts(view), strict=True))
    view.append_to_answer(count, " and the next ones.")  # the answer goes on while the user reads up there
    view.finish_answer(message(count, "assistant", "The first words and the last ones.", "stopped"))
    assert screen.message_ids(view)[0] == 1, "the view stayed where the user reads"

    while screen.message_ids(view)[-1] != count:  # ... and back to the bottom
        bar.setValue(bar.maximum())
    ids = screen.message_ids(view)
    assert ids == list(range(count - len(ids) + 1, count + 1)) and len(ids) <= paging.MAX_LAID_OUT
    last = screen.text_of(view, count).splitlines()
    assert last[0] == "X · stopped" and body_lines(screen.text_of(view, count), settled=True) == [
        "The first words and the last ones."
    ]
    assert all(text.splitlines()[1] == f"message {n}" for n, text in zip(ids[:-1], screen.texts(view), strict=False))
    bar.setValue(bar.maximum())
    view.add_message(message(count + 1, "user", "And now?"))
    assert bar.value() == bar.maximum(), "back at the bottom, the view follows new messages again"


def test_an_answer_dropped_while_streaming_keeps_its_text(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    history = [message(n, "user" if n % 2 else "assistant", f"message {n}") for n in range(1, 300)]
    view.show_conversation([*history, message(300, "assistant", "", "streaming")])
    bar = view.verticalScrollBar()
    while screen.message_ids(view)[0] != 1:
        bar.setValue(0)
    assert not any("writing" in text for text in screen.texts(view)), "the streaming answer was dropped"
    view.append_to_answer(300, "Still ")
    view.append_to_answer(300, "writing")
    while not screen.texts(view)[-1].startswith("X · writing…"):
        bar.setValue(bar.maximum())
    assert body_lines(screen.texts(view)[-1], settled=False) == ["Still writing"]
