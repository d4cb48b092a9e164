"""A reasoning model in the window: the thinking streams apart, collapsed, and never lands in the answer.

The real starter model runs under a QwQ/DeepSeek-R1-shaped test template whose generation prompt
opens ``<think>``, with a few worked examples so the 135M model closes it and then answers.
"""

from __future__ import annotations

import dataclasses

import pytest
from PySide6 import QtCore
from pytestqt.qtbot import QtBot

from app.core.engine.protocol import GenerationRequest, ModelSpec
from app.core.engine.reasoning import MARKUP
from app.core.history.store import Store
from app.core.models.installed import ModelEntry
from app.core.session.records import history_for_engine
from app.ui.shell.main_window import MainWindow
from tests.core.template_helpers import template_source
from tests.ui.chat import screen
from tests.ui.conftest import (
    ANSWER_TIMEOUT_MS,
    TEST_SAMPLING,
    Engines,
    send_and_wait,
    turn_request,
    type_message,
)

EXAMPLES = [
    ("Hi!", "A greeting.", "Hello! How can I help?"),
    ("What is 2+2?", "Simple sum.", "4."),
    ("Name a colour.", "Any colour.", "Blue."),
]


def use_template(window: MainWindow, monkeypatch: pytest.MonkeyPatch, source: str) -> None:
    """Every model the window loads uses ``source`` as its chat template (a real model's shape, on the starter)."""
    real_spec_for = window.registry.spec_for

    def spec_for(entry: ModelEntry, settings: object = None) -> ModelSpec:
        return dataclasses.replace(real_spec_for(entry), chat_template=source)

    monkeypatch.setattr(window.registry, "spec_for", spec_for)


@pytest.fixture
def thinking_window(window: MainWindow, store: Store, monkeypatch: pytest.MonkeyPatch) -> tuple[MainWindow, int]:
    """The window on a conversation with worked examples, its model under the opens-think template."""
    use_template(window, monkeypatch, template_source("opens_think"))
    window.settings.update(
        dataclasses.replace(
            window.settings.current,
            system_prompt="Think first, then answer.",
            sampling=dataclasses.replace(TEST_SAMPLING, max_tokens=80),
        )
    )
    conversation = store.create_conversation("Examples")
    for question, reasoning, answer in EXAMPLES:
        store.add_message(conversation.id, "user", question)
        saved = store.add_message(conversation.id, "assistant", "", status="streaming")
        store.update_message(saved.id, answer, status="complete", reasoning=reasoning)
    window.reload()
    assert window.conversation_id == conversation.id
    return window, conversation.id


def no_markup(text: str) -> bool:
    return not any(marker in text for marker in MARKUP)


def test_thinking_streams_apart_collapsed_and_the_answer_is_stored_clean(
    qtbot: QtBot, thinking_window: tuple[MainWindow, int], store: Store
) -> None:
    window, conversation_id = thinking_window
    seen_while_thinking: list[str] = []
    order: list[str] = []
    window.controller.reasoning_progressed.connect(lambda *_: order.append("reasoning"))
    window.controller.answer_progressed.connect(lambda *_: order.append("answer"))

    def look(message_id: int, reasoning: str) -> None:
        # Connected after the window's own slot: the view has just taken this first piece of reasoning.
        # Rendering the answer now, as it stands (its thinking closed, as it is), shows what the next
        # render tick would, before any more of the model's output is handled.
        if not seen_while_thinking:
            window.chat_view.set_thinking_open(message_id, False)
            seen_while_thinking.extend([screen.texts(window.chat_view)[-1], reasoning])

    window.controller.reasoning_progressed.connect(look)
    answer = send_and_wait(qtbot, window, "What is the capital of France?")

    assert answer.status == "complete"
    assert "Paris" in answer.content and no_markup(answer.content)
    assert answer.reasoning and "France" in answer.reasoning and no_markup(answer.reasoning)
    assert order and order[0] == "reasoning" and "answer" in order
    # While it thought, the answer showed a collapsed "Thinking…" line, not the reasoning.
    shown, _first_reasoning = seen_while_thinking
    header, *lines = shown.splitlines()
    assert header.endswith(" · writing…") and lines == ["▸ Thinking…", "…"]  # no reasoning text, no answer yet
    # Settled: collapsed, the answer alone below; a click opens the reasoning.
    lines = screen.text_of(window.chat_view, answer.id).splitlines()
    assert lines[1] == "▸ Show thinking" and answer.reasoning.strip() not in "\n".join(lines)
    window.chat_view.anchorClicked.emit(QtCore.QUrl(f"parley-thinking:{answer.id}"))
    opened = screen.text_of(window.chat_view, answer.id)
    assert opened.splitlines()[1] == "▾ Hide thinking" and answer.reasoning.strip() in opened
    # Reopening the conversation shows the same, from the store.
    window.show_conversation(conversation_id)
    assert screen.text_of(window.chat_view, answer.id).splitlines()[1] == "▾ Hide thinking"


def test_the_next_request_sends_the_answer_and_its_reasoning_apart(
    qtbot: QtBot,
    thinking_window: tuple[MainWindow, int],
    store: Store,
    engines: Engines,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window, _conversation_id = thinking_window
    first = send_and_wait(qtbot, window, "What is the capital of France?")
    engine = engines.created[0]
    requests: list[GenerationRequest] = []
    generate = engine.generate
    monkeypatch.setattr(engine, "generate", lambda request: (requests.append(request), generate(request)))
    send_and_wait(qtbot, window, "And of Italy?")
    request = turn_request(requests, "And of Italy?")
    sent = request.messages[-2]
    assert sent.role == "assistant" and sent.content == first.content and sent.reasoning == first.reasoning
    assert all(no_markup(m.content) for m in request.messages)
    # Templates that print a date get today's (the day the conversation began may be long past).
    assert request.date == QtCore.QDate.currentDate().toString("yyyy-MM-dd")


def test_a_stopped_thought_keeps_what_was_shown(qtbot: QtBot, thinking_window: tuple[MainWindow, int]) -> None:
    window, _conversation_id = thinking_window
    type_message(qtbot, window, "What is the capital of France?")
    with qtbot.waitSignal(window.controller.reasoning_progressed, timeout=ANSWER_TIMEOUT_MS):
        qtbot.keyClick(window.composer.edit, QtCore.Qt.Key.Key_Return)
    with qtbot.waitSignal(window.controller.answer_finished, timeout=ANSWER_TIMEOUT_MS) as finished:
        qtbot.mouseClick(window.composer.stop_button, QtCore.Qt.MouseButton.LeftButton)
    message = finished.args[0]
    # What had streamed when Stop was pressed is kept, reasoning apart, with no markup in either.
    assert message.status == "stopped" and no_markup(message.content)
    assert message.reasoning and no_markup(message.reasoning)


def test_the_thinking_switch_shows_for_a_template_that_reads_it_and_reaches_the_request(
    qtbot: QtBot, window: MainWindow, store: Store, engines: Engines, monkeypatch: pytest.MonkeyPatch
) -> None:
    qtbot.mouseClick(window.welcome.start_button, QtCore.Qt.MouseButton.LeftButton)
    send_and_wait(qtbot, window, "Say hello.")
    assert window.thinking_combo.isHidden(), "ChatML reads no thinking switch: none is offered"

    use_template(window, monkeypatch, template_source("think_strip"))  # Qwen3-shaped: reads enable_thinking
    send_and_wait(qtbot, window, "Say hello again.")
    assert not window.thinking_combo.isHidden()
    assert window.thinking_combo.currentData() is None  # the model's own default until the user picks

    engine = engines.created[0]
    requests: list[GenerationRequest] = []
    generate = engine.generate
    monkeypatch.setattr(engine, "generate", lambda request: (requests.append(request), generate(request)))
    window.thinking_combo.activated.emit(window.thinking_combo.findText("Thinking: off"))
    assert window.conversation_id is not None
    assert store.conversation(window.conversation_id).thinking == "off"
    send_and_wait(qtbot, window, "Once more.")
    turn = turn_request(requests, "Once more.")
    assert turn.enable_thinking is False and turn.reasoning_effort == "low"


def test_a_template_that_does_not_compile_is_told_apart_from_a_model_without_one(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_template(window, monkeypatch, "{% for message in messages %}{{ message.content }}{% unknowntag %}{% endfor %}")
    qtbot.mouseClick(window.welcome.start_button, QtCore.Qt.MouseButton.LeftButton)
    notices: list[str] = []
    window.models.notice_reported.connect(notices.append)
    answer = send_and_wait(qtbot, window, "Say hello.")
    assert answer.status == "complete"  # ChatML carries on
    (notice,) = notices
    assert "could not be used" in notice and "unknowntag" in notice
    assert "has no chat template of its own" not in notice


def test_an_answer_stopped_before_its_first_token_does_not_lock_a_strict_template(
    qtbot: QtBot, window: MainWindow, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Gemma 2 / Mistral Nemo style: two user turns in a row make the template refuse.
    use_template(window, monkeypatch, template_source("alternating"))
    qtbot.mouseClick(window.welcome.start_button, QtCore.Qt.MouseButton.LeftButton)
    type_message(qtbot, window, "Tell me a long story about a dragon.")
    with qtbot.waitSignal(window.controller.answer_finished, timeout=ANSWER_TIMEOUT_MS) as finished:
        qtbot.keyClick(window.composer.edit, QtCore.Qt.Key.Key_Return)
        window.controller.stop()  # before the first token
    stopped = finished.args[0]
    assert stopped.status == "stopped" and stopped.content == ""

    answer = send_and_wait(qtbot, window, "Say hello.")
    assert answer.status == "complete" and answer.content.strip()
    assert "alternate" not in window.banner.text()


def _longest_answer(window: MainWindow, conversation_id: int, max_tokens: int) -> None:
    """The conversation's persona answers with at most ``max_tokens``."""
    book = window.controller.personas
    persona = book.for_conversation(window.store.conversation(conversation_id))
    book.update(dataclasses.replace(persona, sampling=dataclasses.replace(persona.sampling, max_tokens=max_tokens)))


def test_an_answer_cut_while_thinking_stays_and_continue_thinks_on(
    qtbot: QtBot,
    thinking_window: tuple[MainWindow, int],
    store: Store,
    engines: Engines,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window, conversation_id = thinking_window
    _longest_answer(window, conversation_id, 4)  # the opens-think template: the output starts inside the reasoning
    cut = send_and_wait(qtbot, window, "What is the capital of France?")
    assert (cut.status, cut.finish_reason, cut.content) == ("complete", "length", "") and cut.reasoning
    # Shown as an unfinished answer, with Continue.
    lines = screen.text_of(window.chat_view, cut.id).splitlines()
    assert lines[1] == "▸ Show thinking" and "cut off while the model was still thinking" in lines[2]
    assert "Continue" in screen.link_line(window.chat_view, cut.id)
    # It stays in the conversation the model sees: the question is not merged into the next one.
    history = history_for_engine(store.messages(conversation_id), "")
    assert [m.role for m in history[-2:]] == ["user", "assistant"] and history[-1].reasoning == cut.reasoning

    _longest_answer(window, conversation_id, 80)
    engine = engines.created[0]
    requests: list[GenerationRequest] = []
    generate = engine.generate
    monkeypatch.setattr(engine, "generate", lambda request: (requests.append(request), generate(request)))
    with qtbot.waitSignal(window.controller.answer_finished, timeout=ANSWER_TIMEOUT_MS) as finished:
        screen.click_link(qtbot, window.chat_view, screen.block_of(window.chat_view, cut.id), "Continue")
    grown = finished.args[0]
    continued = turn_request(requests, "What is the capital of France?")  # not the title asked beside it
    assert continued.prefill == "" and continued.prefill_reasoning == cut.reasoning  # it resumes inside the reasoning
    # The model thought on from where it was cut (here it closed its reasoning at once) and answered.
    assert grown.id == cut.id and grown.reasoning.startswith(cut.reasoning) and "Paris" in grown.content
    assert no_markup(grown.reasoning) and no_markup(grown.content)


def test_an_answer_saved_raw_by_an_older_parley_is_split_on_display(window: MainWindow, store: Store) -> None:
    conversation = store.create_conversation("Old")
    raw = {
        "think": "<think>\nThe user greets me.\n</think>\n\nHello there!",
        "opened in the prompt": "The user greets me.\n</think>\n\nHello there!",
        "harmony": "<|channel|>analysis<|message|>The user greets me.<|end|>"
        "<|start|>assistant<|channel|>final<|message|>Hello there!",
    }
    ids = {}
    for name, content in raw.items():
        store.add_message(conversation.id, "user", "Hi")
        saved = store.add_message(conversation.id, "assistant", "", status="streaming")
        store.update_message(saved.id, content, status="complete")
        ids[name] = saved.id
    quoted = store.add_message(conversation.id, "user", "What does </think> do?")
    answer = store.add_message(conversation.id, "assistant", "", status="streaming", parent_id=quoted.id)
    store.update_message(answer.id, "It ends a <think> block: `</think>`.", status="complete")
    window.reload()
    window.show_conversation(conversation.id)
    for name, message_id in ids.items():
        lines = screen.text_of(window.chat_view, message_id).splitlines()
        assert lines[1] == "▸ Show thinking" and lines[2] == "Hello there!", (name, lines)
        assert no_markup("\n".join(lines)), name
        assert store.message(message_id).content == raw[name]  # the stored row keeps what it has
        window.chat_view.set_thinking_open(message_id, True)
        assert "The user greets me." in screen.text_of(window.chat_view, message_id)
    # An answer that merely quotes a tag is not raw output.
    assert "It ends a <think> block" in screen.text_of(window.chat_view, answer.id)
