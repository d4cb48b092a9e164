"""Microphones: none, one, the chosen one; and what the user is told when there is none."""

from __future__ import annotations

import pytest

from app.core.errors import NoMicrophoneError
from app.core.voice.devices import AudioDevice, input_device
from app.core.voice.recording import Recorder

SPEAKERS = AudioDevice(0, "HDMI output", inputs=0, outputs=2, default_rate=48_000)
HEADSET = AudioDevice(1, "USB headset", inputs=1, outputs=2, default_rate=16_000)
WEBCAM = AudioDevice(2, "Webcam microphone", inputs=2, outputs=0, default_rate=44_100)


def test_no_microphone_device_gives_the_sentence() -> None:
    with pytest.raises(NoMicrophoneError) as caught:
        Recorder(devices=lambda: [SPEAKERS])
    assert caught.value.user_message() == "No microphone was found; connect one and try again."


def test_the_chosen_microphone_is_used_and_a_missing_one_falls_back_to_the_first() -> None:
    devices = [SPEAKERS, HEADSET, WEBCAM]
    assert input_device("Webcam microphone", lambda: devices) == WEBCAM
    assert input_device("Unplugged mic", lambda: devices) == HEADSET
    assert input_device("", lambda: devices) == HEADSET
