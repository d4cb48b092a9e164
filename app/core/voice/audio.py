"""Mono float32 audio as it passes between the microphone, Whisper, Piper and the speakers; WAV files.

One clip type (``AudioClip``) crosses threads; resampling is linear (enough for speech going to Whisper's
16 kHz), and a WAV is 16-bit PCM, written atomically.
"""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from app.core.atomic import write_atomically

Samples = npt.NDArray[np.float32]


@dataclass(frozen=True)
class AudioClip:
    samples: Samples  # mono, -1..1
    sample_rate: int

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate if self.sample_rate else 0.0

    def resampled(self, rate: int) -> AudioClip:
        if rate == self.sample_rate or not len(self.samples):
            return AudioClip(self.samples, rate)
        count = max(1, round(len(self.samples) * rate / self.sample_rate))
        positions = np.linspace(0, len(self.samples) - 1, count)
        samples = np.interp(positions, np.arange(len(self.samples)), self.samples).astype(np.float32)
        return AudioClip(samples, rate)

    @staticmethod
    def joined(clips: list[AudioClip]) -> AudioClip:
        if not clips:
            return AudioClip(np.zeros(0, np.float32), 16_000)
        rate = clips[0].sample_rate
        return AudioClip(np.concatenate([clip.resampled(rate).samples for clip in clips]).astype(np.float32), rate)


def level(samples: Samples) -> float:
    """How loud ``samples`` are, 0 (silence, -60 dBFS or less) to 1 (full scale), for a level meter."""
    if not len(samples):
        return 0.0
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    if rms <= 1e-3:
        return 0.0
    return min(1.0, (20 * float(np.log10(rms)) + 60) / 60)


def wav_bytes(clip: AudioClip) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(clip.sample_rate)
        out.writeframes((np.clip(clip.samples, -1, 1) * 32767).astype("<i2").tobytes())
    return buffer.getvalue()


def write_wav(path: Path, clip: AudioClip) -> None:
    data = wav_bytes(clip)
    write_atomically(path, lambda out: out.write(data))


def read_wav(path: Path) -> AudioClip:
    """A 16-bit PCM WAV as a mono clip (channels averaged)."""
    with wave.open(str(path), "rb") as source:
        channels, width, rate = source.getnchannels(), source.getsampwidth(), source.getframerate()
        frames = source.readframes(source.getnframes())
    if width != 2:
        raise ValueError(f"{path} is not 16-bit PCM")
    data = np.frombuffer(frames, "<i2").astype(np.float32) / 32768
    if channels > 1:
        data = data.reshape(-1, channels).mean(axis=1)
    return AudioClip(data.astype(np.float32), rate)
