"""Conversation mode in the window, with the real models: heard → sent → answered aloud → listening again;
speech over the answer (barge-in) silences it and stops the answer still being written; no microphone.

Only the microphone device is scripted (it hears speech the Piper voice synthesised); Whisper tiny.en, the
starter model, the voice, the reading and the null sink are the real ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6 import QtCore
from pytestqt.qtbot import QtBot

from app.core.config import settings as settings_module
from app.core.config.settings import Settings, SettingsStore
from app.core.history.store import Store
from app.core.voice import settings as voice_settings
from app.core.voice.devices import AudioDevice
from app.core.voice.service import VoiceService
from app.core.voice.settings import VoiceSettings
from app.core.voice.sinks import NullSink
from app.core.voice.synthesis import PiperSynthesizer
from app.ui.shell.application import build_services
from app.ui.shell.main_window import MainWindow
from tests.core.voice.microphone import MICROPHONE, ScriptedMicrophone
from tests.core.voice.speech_models import transcriber, voice, word_error_rate
from tests.ui.conftest import ANSWER_TIMEOUT_MS, TEST_SAMPLING, Engines

__all__ = ["transcriber", "voice"]

CTRL_SHIFT = QtCore.Qt.KeyboardModifier.ControlModifier | QtCore.Qt.KeyboardModifier.ShiftModifier
NO_MICROPHONE = "No microphone was found; connect one and try again."
SPEAKERS = AudioDevice(0, "HDMI output", inputs=0, outputs=2, default_rate=48_000)
QUESTION = "What is the capital of France?"
STORY = "Tell me a long story about a dragon."
INTERRUPTION = "Stop. Tell me about the moon instead."

WindowMaker = Callable[..., MainWindow]


class Sinks:
    def __init__(self, *, realtime: bool) -> None:
        self.realtime = realtime
        self.made: list[NullSink] = []

    def __call__(self) -> NullSink:
        self.made.append(NullSink(buffer_s=0.5, realtime=self.realtime))
        return self.made[-1]


@pytest.fixture
def make_voice_window(qtbot: QtBot, store: Store, starter_model: Path, engines: Engines) -> Iterator[WindowMaker]:
    del starter_model
    made: list[MainWindow] = []

    def make(
        sinks: Sinks, microphone: ScriptedMicrophone | None, max_tokens: int = 32, saved: VoiceSettings | None = None
    ) -> MainWindow:
        settings_module.save(Settings(sampling=replace(TEST_SAMPLING, max_tokens=max_tokens)))
        devices = [MICROPHONE] if microphone is not None else [SPEAKERS]
        initial = saved or VoiceSettings()
        service = (
            VoiceService(initial, sink_factory=sinks, devices=lambda: devices, microphone=microphone)
            if microphone is not None
            else VoiceService(initial, sink_factory=sinks, devices=lambda: devices)
        )
        window = MainWindow(build_services(store, SettingsStore(), engines, voice=service))
        qtbot.addWidget(window)
        window.show()
        window.activateWindow()
        qtbot.waitActive(window)
        made.append(window)
        return window

    yield make
    for window in made:
        window.shutdown()


def press_toggle(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window.composer.edit, QtCore.Qt.Key.Key_T, CTRL_SHIFT)


def test_one_round_heard_sent_answered_aloud_and_listening_again(
    qtbot: QtBot, make_voice_window: WindowMaker, voice: PiperSynthesizer
) -> None:
    microphone, sinks = ScriptedMicrophone(), Sinks(realtime=False)
    window = make_voice_window(sinks, microphone)
    conversation, button = window.services.conversation, window.composer.conversation
    window.new_conversation()  # the composer shows
    qtbot.waitUntil(lambda: window.services.voice.checked)
    assert button.look == "off" and button.button.accessibleName() == "Conversation mode"
    assert "Ctrl+Shift+T" in button.button.toolTip()

    press_toggle(qtbot, window)  # by keyboard, as a user would
    qtbot.waitUntil(lambda: conversation.listener is not None)
    assert button.look == "listening" and button.button.isChecked() and button.meter.isVisible()
    assert window.composer.edit.placeholderText().startswith("Listening")

    with qtbot.waitSignal(window.controller.answer_finished, timeout=ANSWER_TIMEOUT_MS) as finished:
        microphone.say(voice.synthesize(QUESTION), after_s=0.3)
    answer = finished.args[0]
    user = window.store.messages(answer.conversation_id)[-2]
    print(f"sent: {user.content!r}; answer: {answer.content!r}")
    assert user.role == "user" and word_error_rate(QUESTION, user.content) <= 0.2  # the transcript, in the chat
    assert answer.status == "complete" and answer.content.strip()

    qtbot.waitUntil(lambda: conversation.state == "listening", timeout=60_000)  # heard to the end, then again
    assert len(sinks.made) == 1 and sinks.made[0].frames > 0 and sinks.made[0].aborted_at is None
    assert conversation.listener is not None and conversation.listener.mode == "listening"
    assert voice_settings.load().conversation_mode  # Settings → Voice shows it on

    qtbot.keyClick(window.composer.edit, QtCore.Qt.Key.Key_Escape)  # Esc ends the mode
    assert conversation.state == "off" and button.look == "off" and not button.button.isChecked()
    qtbot.waitUntil(lambda: microphone.streams[0].closed)
    assert not voice_settings.load().conversation_mode


def test_speech_over_the_answer_silences_it_within_100_ms_and_stops_the_answer_being_written(
    qtbot: QtBot, make_voice_window: WindowMaker, voice: PiperSynthesizer
) -> None:
    microphone, sinks = ScriptedMicrophone(), Sinks(realtime=True)
    window = make_voice_window(sinks, microphone, max_tokens=400)
    conversation, controller = window.services.conversation, window.services.voice
    controller.update(replace(controller.settings, conversation_mode=True))  # Settings → Voice's switch, saved
    qtbot.waitUntil(lambda: conversation.listener is not None)
    microphone.say(voice.synthesize(STORY), after_s=0.3)
    qtbot.waitUntil(lambda: bool(sinks.made) and sinks.made[0].first_sound_at is not None, timeout=ANSWER_TIMEOUT_MS)
    sink = sinks.made[0]
    qtbot.waitUntil(lambda: sink.clock() > (sink.first_sound_at or 0) + 0.3)
    assert conversation.state == "speaking" and window.controller.is_busy  # the story is still being written

    with qtbot.waitSignal(window.controller.answer_finished, timeout=30_000) as stopped:
        microphone.say(voice.synthesize(INTERRUPTION))
    assert stopped.args[0].status == "stopped"  # the answer was stopped, as Stop does
    listener = conversation.listener
    assert listener is not None and listener.barged_in_at is not None
    print(f"the voice went quiet {1000 * (sink.sound_ended_at - listener.barged_in_at):.1f} ms after the barge-in, "
          f"{1000 * (listener.barged_in_at - microphone.spoke_at[1]):.0f} ms after the speech began")  # fmt: skip
    assert sink.aborted_at is not None and sink.sound_ended_at - listener.barged_in_at < 0.1
    assert conversation.state in ("listening", "transcribing")

    with qtbot.waitSignal(conversation.heard, timeout=60_000) as heard:
        pass
    print(f"heard next: {heard.args[0]!r}")
    assert word_error_rate(INTERRUPTION, heard.args[0]) <= 0.3  # the words that interrupted were kept
    controller.update(replace(controller.settings, conversation_mode=False))
    assert conversation.state == "off"


def test_without_a_microphone_the_toggle_says_why_and_the_mode_ends_at_once(
    qtbot: QtBot, make_voice_window: WindowMaker
) -> None:
    window = make_voice_window(Sinks(realtime=False), None)
    button = window.composer.conversation
    qtbot.waitUntil(lambda: button.look == "unavailable")
    assert button.button.toolTip() == NO_MICROPHONE == window.composer.microphone.button.toolTip()
    assert button.button.accessibleDescription() == NO_MICROPHONE and not button.button.isEnabled()

    conversation = window.services.conversation
    with qtbot.waitSignal(conversation.state_changed, check_params_cb=lambda state, error: state == "off"):
        conversation.start()  # Settings → Voice's way in, with no microphone
    assert button.look == "unavailable" and button.reason == NO_MICROPHONE
    assert window.banner.isVisible() and NO_MICROPHONE in window.banner.text()
    assert not voice_settings.load().conversation_mode


def test_a_conversation_mode_left_on_at_closing_does_not_open_the_microphone_at_the_next_start(
    qtbot: QtBot, make_voice_window: WindowMaker
) -> None:
    microphone = ScriptedMicrophone()
    window = make_voice_window(Sinks(realtime=False), microphone, saved=VoiceSettings(conversation_mode=True))
    window.new_conversation()
    qtbot.waitUntil(lambda: window.services.voice.checked)
    qtbot.wait(300)
    assert window.services.conversation.state == "off" and window.services.conversation.listener is None
    assert not microphone.streams, "the microphone was opened without the user asking"
    assert window.composer.conversation.look == "off" and not window.composer.conversation.button.isChecked()
    assert not window.services.voice.settings.conversation_mode  # Settings → Voice shows it off
