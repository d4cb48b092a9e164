"""Reading a streaming answer aloud: one reading per answer, from its first sentence; Stop is for the rest of it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from app.core.voice.service import VoiceService
from app.core.voice.settings import VoiceSettings
from app.core.voice.sinks import NullSink
from app.ui.common.background import BackgroundExecutor
from app.ui.controllers.voice_controller import VoiceController

ANSWER = "Paris is the capital of France. It lies on the Seine.\n\n```\nprint(1)\n```\n\nEnjoy it!"


class Sinks:
    def __init__(self) -> None:
        self.made: list[NullSink] = []

    def __call__(self) -> NullSink:
        self.made.append(NullSink(realtime=False))
        return self.made[-1]


@pytest.fixture
def sinks() -> Sinks:
    return Sinks()


@pytest.fixture
def controller(sinks: Sinks) -> Iterator[VoiceController]:
    executor = BackgroundExecutor()
    voice = VoiceService(VoiceSettings(read_aloud=True), sink_factory=sinks, devices=lambda: [])
    made = VoiceController(voice, executor)
    yield made
    made.shutdown()
    executor.shutdown()


def pieces(text: str) -> list[str]:
    return [text[i : i + 4] for i in range(0, len(text), 4)]


def test_a_streaming_answer_is_read_in_one_reading_that_begins_with_its_first_sentence(
    qtbot: QtBot, controller: VoiceController, sinks: Sinks
) -> None:
    first_sentence_end = ANSWER.index(". ") + 2
    given = 0
    for piece in pieces(ANSWER):
        controller.follow(7, piece)
        given += len(piece)
        if given <= first_sentence_end:
            assert not controller.reading  # nothing complete to say yet
    assert controller.reading and len(sinks.made) == 1
    with qtbot.waitSignal(controller.reading_changed, timeout=60_000) as ended:
        controller.follow_end(7, ANSWER)
    assert ended.args == [False]
    assert len(sinks.made) == 1 and sinks.made[0].frames > 0 and sinks.made[0].aborted_at is None


def test_stop_silences_a_streaming_answer_for_the_rest_of_it(
    qtbot: QtBot, controller: VoiceController, sinks: Sinks
) -> None:
    parts = pieces(ANSWER)
    half = len(parts) // 2
    for piece in parts[:half]:
        controller.follow(8, piece)
    assert controller.reading
    controller.stop_reading()
    assert not controller.reading and sinks.made[0].aborted_at is not None
    for piece in parts[half:]:
        controller.follow(8, piece)
    controller.follow_end(8, ANSWER)
    assert not controller.reading and len(sinks.made) == 1

    for piece in pieces(ANSWER):  # the next answer is read again
        controller.follow(9, piece)
    assert controller.reading and len(sinks.made) == 2


def test_with_the_setting_off_nothing_is_read(controller: VoiceController, sinks: Sinks) -> None:
    controller.service.settings = VoiceSettings(read_aloud=False)
    for piece in pieces(ANSWER):
        controller.follow(3, piece)
    controller.follow_end(3, ANSWER)
    assert not controller.reading and sinks.made == []
