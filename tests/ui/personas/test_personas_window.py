"""Personas in the window, on the real engine: the menu beside "New chat", a persona change mid-conversation
(the divider, and the next request uses the new persona), the context meter, and both overflow policies
(the marker and the meter for "drop the oldest turns"; the offer for "stop and ask"), with the text of a
message that did not fit given back in the composer."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6 import QtCore
from pytestqt.qtbot import QtBot

from app.core.engine.protocol import GenerationRequest
from app.core.history.store import Store
from app.core.history.types import Message
from app.core.personas.persona import Persona, final_system_prompt
from app.ui.chat import persona_marks
from app.ui.shell.main_window import MainWindow
from tests.ui.conftest import ANSWER_TIMEOUT_MS, Engines, send_and_wait, turn_request

# About 11 tokens a sentence with SmolLM2's tokenizer: 22 of them take about 250 of a 512-token context.
LONG = "The quick brown fox jumps over the lazy dog near the river. " * 22


def _record(engines: Engines, monkeypatch: pytest.MonkeyPatch) -> list[GenerationRequest]:
    requests: list[GenerationRequest] = []
    engine = engines.created[0]
    generate = engine.generate

    def record(request: GenerationRequest) -> None:
        requests.append(request)
        generate(request)

    monkeypatch.setattr(engine, "generate", record)
    return requests


def _persona(window: MainWindow, key: str) -> Persona:
    return next(p for p in window.services.personas.all() if p.builtin == key)


def _send_text(qtbot: QtBot, window: MainWindow, text: str) -> Message:
    window.composer.set_text(text)
    with qtbot.waitSignal(window.controller.answer_finished, timeout=ANSWER_TIMEOUT_MS) as finished:
        window.composer.send_button.click()
    message: Message = finished.args[0]
    return message


def test_the_persona_menu_starts_a_conversation_with_the_translator_and_its_target_language(
    qtbot: QtBot, window: MainWindow, store: Store
) -> None:
    translator = _persona(window, "translator")
    menu = window.personas.menu
    window.personas._fill_menu()
    action = next(a for a in menu.actions() if a.data() == translator.id)
    assert "Translator" in action.text()

    action.trigger()

    conversation_id = window.conversation_id
    assert conversation_id is not None
    assert store.conversation(conversation_id).persona_id == translator.id
    assert "Translator" in window.header.persona_combo.currentText()
    assert window.header.target_combo.isVisible(), "a translating persona shows its target language"
    # One click on another target language changes what the persona translates into.
    window.header.target_combo.activated.emit(window.header.target_combo.findData("French"))
    assert window.services.personas.get(translator.id or 0).target_language == "French"
    assert window.header.target_combo.currentData() == "French"
    # Another persona hides it, and no divider is left in a conversation where nothing was said yet.
    tutor = _persona(window, "tutor")
    window.header.persona_combo.activated.emit(window.header.persona_combo.findData(tutor.id))
    assert not window.header.target_combo.isVisible()
    assert store.messages(conversation_id) == []


def test_the_header_says_once_that_the_starter_is_too_small_to_translate(qtbot: QtBot, window: MainWindow) -> None:
    notice = window.header.size_notice
    assert not notice.isVisible()  # the General assistant with the starter: nothing to say
    translator = _persona(window, "translator")
    window.personas.new_conversation_with(translator.id or 0)
    qtbot.waitUntil(notice.isVisible, timeout=60_000)
    assert "too small for" in notice.text() and "Translator" in notice.text()
    assert "135M" in notice.text() and "(135M)" not in notice.text() and "1B parameters or more" in notice.text()
    assert window.findChildren(type(notice)) == [notice]  # one notice, in the header
    tutor = _persona(window, "tutor")
    window.header.persona_combo.activated.emit(window.header.persona_combo.findData(tutor.id))
    qtbot.waitUntil(lambda: not notice.isVisible(), timeout=60_000)


def test_the_persona_menu_shows_an_ampersand_in_a_name_as_written(qtbot: QtBot, window: MainWindow) -> None:
    precise = _persona(window, "precise")
    assert "&" in precise.name
    window.personas._fill_menu()
    action = next(a for a in window.personas.menu.actions() if a.data() == precise.id)
    assert action.text().endswith("Q&&A, precise"), "a single & would be a mnemonic: \"QA\" with an underlined A"
    assert action.iconText().endswith("Q&A, precise")


def test_a_persona_change_mid_conversation_leaves_a_divider_and_the_next_answer_uses_it(
    qtbot: QtBot, window: MainWindow, store: Store, engines: Engines, monkeypatch: pytest.MonkeyPatch
) -> None:
    qtbot.mouseClick(window.welcome.start_button, QtCore.Qt.MouseButton.LeftButton)
    first = send_and_wait(qtbot, window, "Say hello.")
    general = _persona(window, "general")
    assert first.persona_id == general.id
    # The details line under the answer: model, persona, tokens, finish reason (whichever it was).
    assert "General assistant" in window.chat_view.toPlainText()
    assert persona_marks.finish_text(first.finish_reason, first.status) in window.chat_view.toPlainText()
    # The meter is shown, counted by the engine once the answer is in.
    qtbot.waitUntil(lambda: window.personas.meter.isVisible() and "≈" not in window.personas.meter.label.text())
    assert "Context:" in window.personas.meter.label.text()
    requests = _record(engines, monkeypatch)
    tutor = _persona(window, "tutor")

    window.header.persona_combo.activated.emit(window.header.persona_combo.findData(tutor.id))

    assert "── Persona: Tutor ──" in window.chat_view.toPlainText()
    conversation_id = window.conversation_id
    assert conversation_id is not None
    assert store.conversation(conversation_id).persona_id == tutor.id
    answer = send_and_wait(qtbot, window, "What is two plus two?")
    assert turn_request(requests, "What is two plus two?").messages[0].content == final_system_prompt(
        tutor, window.settings.current
    )
    assert answer.persona_id == tutor.id
    assert "Tutor" in window.chat_view.toPlainText().split("What is two plus two?")[-1]


def test_typing_a_long_message_updates_the_meter(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.mouseClick(window.welcome.start_button, QtCore.Qt.MouseButton.LeftButton)
    send_and_wait(qtbot, window, "Say hello.")
    meter = window.personas.meter
    qtbot.waitUntil(lambda: "≈" not in meter.label.text() and meter.bar.value() > 0)
    before = meter.label.text()

    window.composer.set_text(LONG * 3)

    qtbot.waitUntil(lambda: meter.label.text() != before, timeout=ANSWER_TIMEOUT_MS)
    assert meter.bar.value() > 0


def _small_context(window: MainWindow, overflow: str) -> None:
    """The default persona with a 512-token context, short answers, and ``overflow``."""
    book = window.services.personas
    general = _persona(window, "general")
    book.update(replace(general, n_ctx=512, overflow=overflow, sampling=replace(general.sampling, max_tokens=24)))


def test_drop_the_oldest_turns_marks_where_the_memory_begins_and_the_meter_counts_the_turns_out(
    qtbot: QtBot, window: MainWindow, store: Store
) -> None:
    _small_context(window, "drop_oldest")
    qtbot.mouseClick(window.welcome.start_button, QtCore.Qt.MouseButton.LeftButton)
    first = _send_text(qtbot, window, LONG)
    assert first.status == "complete"

    second = _send_text(qtbot, window, LONG.replace("fox", "cat"))

    assert second.status == "complete"
    conversation_id = window.conversation_id
    assert conversation_id is not None
    assert store.conversation(conversation_id).memory_start is not None
    assert "The model's memory begins here" in window.chat_view.toPlainText()
    qtbot.waitUntil(lambda: "1 turn out of memory" in window.personas.meter.label.text(), timeout=ANSWER_TIMEOUT_MS)


def test_stop_and_ask_gives_the_text_back_and_offers_a_summary_or_dropping_the_oldest_turns(
    qtbot: QtBot, window: MainWindow, store: Store
) -> None:
    _small_context(window, "stop")
    qtbot.mouseClick(window.welcome.start_button, QtCore.Qt.MouseButton.LeftButton)
    _send_text(qtbot, window, LONG)
    conversation_id = window.conversation_id
    assert conversation_id is not None
    second = LONG.replace("fox", "cat")
    window.composer.set_text(second)

    with qtbot.waitSignal(window.controller.turn_withdrawn, timeout=ANSWER_TIMEOUT_MS):
        window.composer.send_button.click()

    offer = window.personas.offer
    assert offer.isVisible() and "no longer fits" in offer.label.text()
    assert window.composer.text() == second, "nothing the user wrote is lost"
    assert [m.content for m in store.messages(conversation_id) if m.role == "user"] == [LONG]

    # A new conversation carrying a short summary, the message after it, with the same persona.
    offer.summary_button.click()
    new_id = window.conversation_id
    assert new_id is not None and new_id != conversation_id
    assert window.composer.text().startswith("A summary of our earlier conversation:\nUser: The quick brown fox")
    assert window.composer.text().endswith(second)
    assert not offer.isVisible()

    # Back in the full one, "drop the oldest turns" sends the message again and it is answered.
    window.show_conversation(conversation_id)
    window.composer.set_text(second)
    qtbot.waitUntil(window.composer.send_button.isEnabled, timeout=ANSWER_TIMEOUT_MS)
    with qtbot.waitSignal(window.controller.turn_withdrawn, timeout=ANSWER_TIMEOUT_MS):
        window.composer.send_button.click()
    with qtbot.waitSignal(window.controller.answer_finished, timeout=ANSWER_TIMEOUT_MS) as finished:
        offer.drop_button.click()
    assert finished.args[0].status == "complete"
    assert window.composer.text() == ""
    assert store.conversation(conversation_id).memory_start is not None
    assert "The model's memory begins here" in window.chat_view.toPlainText()


def test_a_message_longer_than_the_context_stays_in_the_composer(
    qtbot: QtBot, window: MainWindow, store: Store
) -> None:
    _small_context(window, "drop_oldest")
    qtbot.mouseClick(window.welcome.start_button, QtCore.Qt.MouseButton.LeftButton)
    huge = LONG * 3
    window.composer.set_text(huge)

    with qtbot.waitSignal(window.controller.turn_withdrawn, timeout=ANSWER_TIMEOUT_MS):
        window.composer.send_button.click()

    assert window.composer.text() == huge
    assert window.banner.isVisible() and "too long" in window.banner.text()
    conversation_id = window.conversation_id
    assert conversation_id is not None
    assert store.messages(conversation_id) == []
