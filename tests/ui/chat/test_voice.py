"""The voice in the window: the microphone's states, dictated text, "Read aloud" and Stop, reading as it streams."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6 import QtCore
from pytestqt.qtbot import QtBot

from app.core.config.settings import Settings, SettingsStore
from app.core.history.store import Store
from app.core.voice.devices import AudioDevice
from app.core.voice.service import VoiceService
from app.core.voice.settings import VoiceSettings
from app.core.voice.sinks import NullSink
from app.core.voice.spoken_text import spoken_sentences
from app.ui.shell.application import build_services
from app.ui.shell.main_window import MainWindow
from tests.ui.chat import screen
from tests.ui.conftest import Engines, send_and_wait, type_message

NO_MICROPHONE = "No microphone was found; connect one and try again."
SPEAKERS = AudioDevice(0, "HDMI output", inputs=0, outputs=2, default_rate=48_000)


class Sinks:
    """The null sinks the window's readings went to, newest last."""

    def __init__(self) -> None:
        self.made: list[NullSink] = []

    def __call__(self) -> NullSink:
        sink = NullSink(keep=True)
        self.made.append(sink)
        return sink


@pytest.fixture
def sinks() -> Sinks:
    return Sinks()


@pytest.fixture
def voice_window(
    qtbot: QtBot, store: Store, ui_settings: Settings, starter_model: Path, engines: Engines, sinks: Sinks
) -> Iterator[MainWindow]:
    del ui_settings, starter_model
    voice = VoiceService(VoiceSettings(), sink_factory=sinks, devices=lambda: [SPEAKERS])
    window = MainWindow(build_services(store, SettingsStore(), engines, voice=voice))
    qtbot.addWidget(window)
    window.show()
    yield window
    window.shutdown()


def test_without_a_microphone_the_button_says_why_and_stays_so(qtbot: QtBot, voice_window: MainWindow) -> None:
    microphone = voice_window.composer.microphone
    qtbot.waitUntil(lambda: microphone.state == "unavailable")
    assert microphone.button.toolTip() == NO_MICROPHONE
    assert microphone.button.accessibleDescription() == NO_MICROPHONE
    assert not microphone.button.isEnabled()

    voice_window.services.voice.toggle_dictation()  # the shortcut's way in, with no microphone
    assert microphone.state == "unavailable" and microphone.reason == NO_MICROPHONE


def test_dictated_text_lands_in_the_composer_to_edit_or_is_sent_at_once(qtbot: QtBot, voice_window: MainWindow) -> None:
    voice = voice_window.services.voice
    type_message(qtbot, voice_window, "Question:")
    voice.dictated.emit("what is the capital of France?")
    assert voice_window.composer.text() == "Question: what is the capital of France?"

    voice.service.settings = VoiceSettings(send_at_once=True)
    voice_window.composer.set_text("")
    with qtbot.waitSignal(voice_window.composer.send_requested) as sent:
        voice.dictated.emit("Say hello.")
    assert sent.args == ["Say hello."]


def test_read_aloud_says_the_answer_and_stop_silences_it_at_once(
    qtbot: QtBot, voice_window: MainWindow, sinks: Sinks
) -> None:
    answer = send_and_wait(qtbot, voice_window, "Tell me a short story about a cat.")
    view = voice_window.chat_view
    stop_reading = voice_window.composer.stop_reading_button
    assert not stop_reading.isVisible()

    screen.click_link(qtbot, view, screen.block_of(view, answer.id), "Read aloud")
    qtbot.waitUntil(lambda: bool(sinks.made) and sinks.made[-1].frames > 0, timeout=60_000)
    assert stop_reading.isVisible()
    sink = sinks.made[-1]

    qtbot.keyClick(voice_window.composer.edit, QtCore.Qt.Key.Key_Escape)
    assert sink.aborted_at is not None and sink.sound_ended_at <= sink.aborted_at
    qtbot.waitUntil(lambda: not stop_reading.isVisible())


def test_answers_are_read_aloud_as_they_stream_when_the_setting_is_on(
    qtbot: QtBot, voice_window: MainWindow, sinks: Sinks
) -> None:
    voice = voice_window.services.voice
    voice.service.settings = VoiceSettings(read_aloud=True)
    with qtbot.waitSignal(voice.reading_changed, timeout=120_000) as began:
        answer = send_and_wait(qtbot, voice_window, "Name three colours.")
    assert began.args == [True] and spoken_sentences(answer.content), answer.content
    with qtbot.waitSignal(voice.reading_changed, timeout=120_000) as ended:
        pass  # heard to the end, in real time, by the null sink
    assert ended.args == [False]
    assert sinks.made[-1].frames > 0 and sinks.made[-1].aborted_at is None
