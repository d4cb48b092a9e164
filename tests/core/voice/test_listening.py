"""Conversation mode's ear with real speech: a pause ends what was said, and speech over the answer stops the voice.

The microphone is scripted (it hears what the Piper voice synthesised); the listener, Whisper, the voice, the
reading and the null sink are the real ones.
"""

from __future__ import annotations

import threading

import pytest

from app.core.errors import NoMicrophoneError
from app.core.voice.audio import AudioClip
from app.core.voice.listening import Listener
from app.core.voice.playback import Reading
from app.core.voice.recording import PAUSE_S, Recorder
from app.core.voice.sinks import NullSink
from app.core.voice.spoken_text import spoken_sentences
from app.core.voice.synthesis import PiperSynthesizer
from app.core.voice.transcription import Transcriber
from tests.core.voice.microphone import MICROPHONE, ScriptedMicrophone
from tests.core.voice.speech_models import word_error_rate

QUESTION = "What is the capital of France?"
INTERRUPTION = "Stop, please tell me about Spain instead."


class Heard:
    def __init__(self) -> None:
        self.clips: list[AudioClip] = []
        self.barge_ins: list[float] = []
        self.event = threading.Event()

    def utterance(self, clip: AudioClip) -> None:
        self.clips.append(clip)
        self.event.set()


def test_a_pause_after_speech_ends_what_was_said_and_whisper_hears_the_words(
    voice: PiperSynthesizer, transcriber: Transcriber
) -> None:
    microphone, heard = ScriptedMicrophone(), Heard()
    listener = Listener(on_utterance=heard.utterance, devices=lambda: [MICROPHONE], opener=microphone)
    speech = voice.synthesize(QUESTION)
    listener.open()
    try:
        listener.listen()
        microphone.say(speech, after_s=2.0)  # a long quiet first: the listener keeps only a moment of it
        assert heard.event.wait(speech.duration_s + 10)
    finally:
        listener.close()

    [clip] = heard.clips
    assert speech.duration_s + PAUSE_S - 0.1 <= clip.duration_s <= speech.duration_s + PAUSE_S + 0.8
    text = transcriber.transcribe(clip).text
    print(f"heard: {text!r} ({clip.duration_s:.2f} s of audio for {speech.duration_s:.2f} s of speech)")
    assert word_error_rate(QUESTION, text) <= 0.2
    assert listener.mode == "idle" and microphone.streams[0].closed


def test_ask_listen_records_until_the_pause_with_the_same_rule(
    voice: PiperSynthesizer, transcriber: Transcriber
) -> None:
    microphone = ScriptedMicrophone()
    microphone.say(voice.synthesize(QUESTION), after_s=0.3)
    clip = Recorder(devices=lambda: [MICROPHONE], opener=microphone).until_silence(max_s=20)
    assert word_error_rate(QUESTION, transcriber.transcribe(clip).text) <= 0.2


def test_speech_over_the_answer_stops_the_voice_within_100_ms_and_is_heard_next(
    voice: PiperSynthesizer, transcriber: Transcriber
) -> None:
    microphone, heard = ScriptedMicrophone(), Heard()
    sink = NullSink(buffer_s=0.5)  # half a second queued ahead, as a sound card's buffer would hold
    reading = Reading(voice, sink)
    listener = Listener(
        on_utterance=heard.utterance, on_barge_in=lambda at: (reading.stop(), heard.barge_ins.append(at)),
        devices=lambda: [MICROPHONE], opener=microphone,
    )  # fmt: skip
    listener.open()
    try:
        listener.guard()
        reading.add(spoken_sentences("This answer goes on for a long while, sentence after sentence. " * 6))
        reading.finish()
        while sink.first_sound_at is None or sink.clock() < sink.first_sound_at + 0.5:
            assert not reading.wait(0.02), "the reading ended before anyone could speak over it"
        microphone.say(voice.synthesize(INTERRUPTION))
        assert heard.event.wait(30)
    finally:
        listener.close()

    [barged_at] = heard.barge_ins
    [spoke_at] = microphone.spoke_at
    stopped_after = sink.sound_ended_at - barged_at
    print(f"speech detected {1000 * (barged_at - spoke_at):.0f} ms after it began; "
          f"the voice went quiet {1000 * stopped_after:.1f} ms after that")  # fmt: skip
    assert reading.stopped and stopped_after < 0.1
    assert barged_at - spoke_at < 0.6
    text = transcriber.transcribe(heard.clips[0]).text
    print(f"heard next: {text!r}")
    assert word_error_rate(INTERRUPTION, text) <= 0.25  # its first words were kept from before the barge-in


def test_no_microphone_device_gives_the_sentence_before_anything_opens() -> None:
    with pytest.raises(NoMicrophoneError) as caught:
        Listener(on_utterance=lambda clip: None, devices=lambda: [])
    assert caught.value.user_message() == "No microphone was found; connect one and try again."
