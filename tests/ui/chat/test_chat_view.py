"""The conversation view: Markdown answers, marks, batched streaming, scrolling and big texts."""

from __future__ import annotations

import time
from dataclasses import replace

from PySide6 import QtCore, QtGui
from pytestqt.qtbot import QtBot

from app.core.history.types import Message, MessageStatus, Role
from app.ui.chat.streaming_tail import RENDER_INTERVAL_MS
from app.ui.chat.view import ChatView
from tests.ui.chat import screen

MODEL = "SmolLM2 135M (starter, offline)"
ANSWER = """Here is a function:

```python
def fib(n: int) -> int:
    return n if n < 2 else fib(n - 1) + fib(n - 2)
```

Call `fib(10)` to get **55**.
"""


def message(
    message_id: int, role: Role, content: str, status: MessageStatus = "complete", model: str | None = MODEL
) -> Message:
    return Message(message_id, 1, role, content, status, model if role == "assistant" else None, 0.0)


def make_view(qtbot: QtBot) -> ChatView:
    view = ChatView()
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    return view


def char_format_at(view: ChatView, text: str) -> QtGui.QTextCharFormat:
    """The character format of the first character of ``text`` in the view."""
    found = view.document().find(text)
    assert not found.isNull(), text
    cursor = QtGui.QTextCursor(view.document())
    cursor.setPosition(found.selectionStart() + 1)
    return cursor.charFormat()


def test_answers_are_rendered_as_markdown_with_code_in_the_code_font(qtbot: QtBot) -> None:
    # Whether that font looks monospaced on screen is measured in test_markdown_render (a font flag
    # such as QFontInfo.fixedPitch() depends on which fonts are installed: fonts-noto-cjk changes it).
    view = make_view(qtbot)
    view.show_conversation([message(1, "user", "Write fib, **please**"), message(2, "assistant", ANSWER)])
    shown = screen.texts(view)[1]
    assert "```" not in shown and "**" not in shown and "`fib(10)`" not in shown
    assert "def fib(n: int) -> int:" in shown and "Call fib(10) to get 55." in shown
    code_font = char_format_at(view, "def fib(n: int)").fontFamilies()
    for code in ("return n if", "fib(10)"):
        assert char_format_at(view, code).fontFamilies() == code_font, code
    assert char_format_at(view, "Here is").fontFamilies() != code_font
    assert char_format_at(view, "55").fontWeight() >= QtGui.QFont.Weight.Bold
    # The user's own text is shown exactly as typed, Markdown and all.
    assert "Write fib, **please**" in screen.texts(view)[0]


def test_user_and_assistant_messages_look_different(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    view.show_conversation([message(1, "user", "Hi"), message(2, "assistant", "Hello!")])
    assert [text.splitlines()[0] for text in screen.texts(view)] == ["You", MODEL]
    frames = view.document().rootFrame().childFrames()
    user, answer = (frame.frameFormat() for frame in frames)
    assert user.background().color() != answer.background().color()
    assert user.leftMargin() > answer.leftMargin()


def test_each_answer_names_its_model_and_how_it_ended(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    statuses: list[MessageStatus] = ["complete", "stopped", "interrupted", "failed"]
    view.show_conversation([message(n, "assistant", "Some text", status) for n, status in enumerate(statuses)])
    headers = [text.splitlines()[0] for text in screen.texts(view)]
    assert headers == [MODEL, f"{MODEL} · stopped", f"{MODEL} · interrupted", f"{MODEL} · failed"]


def test_an_answer_that_ended_before_its_first_word_says_so(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    view.show_conversation([message(1, "assistant", "", "failed"), message(2, "assistant", "Half", "stopped")])
    failed, stopped = (text.splitlines() for text in screen.texts(view))
    assert failed == [f"{MODEL} · failed", "No answer was written.", f"{MODEL} · failed", "Regenerate   Copy"]
    assert stopped == [
        f"{MODEL} · stopped", "Half", f"{MODEL} · stopped", "Regenerate   Copy   Continue   Read aloud   Look inside"
    ]


def test_html_in_an_answer_is_shown_as_text(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    view.show_conversation([message(1, "assistant", "Use <b>bold</b> and <img src='file:///etc/passwd'>")])
    assert "<b>bold</b>" in screen.texts(view)[0]


def test_streamed_text_is_rendered_in_batches_not_per_token(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    view.show_conversation([message(1, "user", "Count"), message(2, "assistant", "", "streaming")])
    renders: list[float] = []  # each re-render is one edit of the document
    view.document().contentsChanged.connect(lambda: renders.append(time.monotonic()))
    started = time.monotonic()
    tokens = 0
    for _ in range(40):  # tokens come faster than the event loop turns: five between two turns
        for _ in range(5):
            view.append_to_answer(2, f"word{tokens} ")
            tokens += 1
        qtbot.wait(1)
    qtbot.waitUntil(lambda: f"word{tokens - 1}" in screen.texts(view)[1], timeout=60_000)
    took_ms = (time.monotonic() - started) * 1000
    # Counted: at most one render per turn of the loop, never one per token, and (on a machine of
    # any speed) no more often than the render interval.
    assert 1 <= len(renders) <= tokens // 5 + 1
    assert len(renders) <= took_ms / RENDER_INTERVAL_MS + 3
    view.finish_answer(message(2, "assistant", "The final text.", "complete"))
    assert screen.texts(view)[1].splitlines()[:2] == [MODEL, "The final text."]


def test_the_view_follows_new_text_unless_the_user_scrolled_up(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    history = [message(n, "user" if n % 2 else "assistant", f"Message {n}\n\n" + "text " * 200) for n in range(1, 21)]
    view.show_conversation([*history, message(99, "assistant", "", "streaming")])
    bar = view.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == bar.maximum()

    view.append_to_answer(99, "more text\n\n" * 40)
    qtbot.waitUntil(lambda: "more text" in screen.texts(view)[-1])
    assert bar.value() == bar.maximum()

    bar.setValue(bar.maximum() // 3)  # the user scrolls up: the view stays there
    kept = bar.value()
    view.append_to_answer(99, "even more\n\n" * 40)
    qtbot.waitUntil(lambda: "even more" in screen.texts(view)[-1])
    assert bar.value() == kept

    bar.setValue(bar.maximum())
    view.append_to_answer(99, "the end\n\n" * 40)
    qtbot.waitUntil(lambda: "the end" in screen.texts(view)[-1])
    assert bar.value() == bar.maximum()


def test_a_huge_paste_and_a_long_answer_are_shown_whole(qtbot: QtBot) -> None:
    # How quickly: bench/render.py (the 100k paste shown, one re-render of a long answer).
    view = make_view(qtbot)
    paste = ("All work and no play makes Jack a dull boy. " * 2300)[:100_000]
    view.show_conversation([message(1, "user", paste), message(2, "assistant", "", "streaming")])
    assert screen.texts(view)[0] == f"You\n{paste}\nEdit   Copy"

    # A long answer, streamed piece by piece, then one more render tick with a code block.
    paragraph = "The quick brown fox jumps over the lazy dog, `again` and **again**. " * 6 + "\n\n"
    for _ in range(60):
        view.append_to_answer(2, paragraph)
    qtbot.waitUntil(lambda: screen.texts(view)[1].count("lazy dog") == 360, timeout=60_000)
    with qtbot.waitSignal(view.document().contentsChanged, timeout=60_000):  # the next render tick
        view.append_to_answer(2, "```\ncode\n```\n")
    qtbot.waitUntil(lambda: "code" in screen.texts(view)[1].splitlines(), timeout=60_000)
    assert screen.texts(view)[1].count("lazy dog") == 360


def test_links_in_answers_do_not_navigate_the_view(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    view.show_conversation([message(1, "assistant", "See [the docs](relative/page.html).")])
    assert not view.openLinks()
    assert view.source() == QtCore.QUrl()


def test_a_persona_change_shows_as_a_divider_and_the_memory_marker_above_its_message(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    divider = replace(message(3, "system", "Translator"), kind="persona", persona_id=7)
    view.persona_names = {7: "Translator"}
    view.memory_start = 4
    view.show_conversation(
        [message(1, "user", "Hi"), message(2, "assistant", "Hello"), divider, message(4, "user", "Bonjour")]
    )
    assert screen.message_ids(view) == [1, 2, None, 4]  # the divider has no links
    hi, hello, persona, bonjour = (text.splitlines() for text in screen.texts(view))
    assert hi[0] == "You" and hello[0] == MODEL
    assert persona == ["── Persona: Translator ──"]
    assert "memory begins here" in bonjour[0] and bonjour[1:] == ["You", "Bonjour", "Edit   Copy"]
