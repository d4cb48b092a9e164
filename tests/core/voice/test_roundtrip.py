"""Speech made by the Piper voice, heard back by Whisper: the same words."""

from __future__ import annotations

import numpy as np

from app.core.voice.audio import AudioClip, read_wav, write_wav
from app.core.voice.synthesis import PiperSynthesizer
from app.core.voice.transcription import Transcriber
from tests.core.voice.speech_models import word_error_rate

SENTENCES = (
    "The quick brown fox jumps over the lazy dog.",
    "Please remind me to water the plants on Sunday morning.",
)


def test_a_synthesised_wav_is_transcribed_back_to_the_same_words(
    voice: PiperSynthesizer, transcriber: Transcriber, tmp_path
) -> None:
    text = " ".join(SENTENCES)
    clip = AudioClip.joined([voice.synthesize(sentence) for sentence in SENTENCES])
    wav = tmp_path / "spoken.wav"
    write_wav(wav, clip)

    transcript = transcriber.transcribe(read_wav(wav))

    rate = word_error_rate(text, transcript.text)
    print(f"said: {text!r}\nheard: {transcript.text!r}")
    print(f"WER {rate:.2%}, real-time factor {transcript.real_time_factor:.2f}")
    assert rate <= 0.15
    assert transcript.language == "en"


def test_silence_around_speech_is_trimmed_and_not_heard_as_words(
    voice: PiperSynthesizer, transcriber: Transcriber
) -> None:
    speech = voice.synthesize("Good morning.")
    quiet = np.zeros(speech.sample_rate * 3, np.float32)
    clip = AudioClip(np.concatenate([quiet, speech.samples, quiet]), speech.sample_rate)

    transcript = transcriber.transcribe(clip)

    assert word_error_rate("Good morning.", transcript.text) == 0


def test_silence_alone_gives_no_text(transcriber: Transcriber) -> None:
    assert transcriber.transcribe(AudioClip(np.zeros(16_000 * 2, np.float32), 16_000)).text == ""


def test_the_tests_voice_says_a_sentence_the_same_way_every_time(voice: PiperSynthesizer) -> None:
    first, second = (voice.synthesize(SENTENCES[1]) for _ in range(2))
    assert voice.variation == 0.0 and np.array_equal(first.samples, second.samples)
