"""Speech to text with Whisper through faster-whisper (CTranslate2): the only ``faster_whisper`` import.

The model loads on first use on the caller's thread (a worker thread in the window: CTranslate2 releases the
GIL, so the window never waits on it). Silero voice-activity detection trims silence before decoding. The
language is detected, or fixed ("en", "zh"...); an English-only model is always English.

Whisper decodes greedily and, where that output looks wrong (repeating itself, or unsure), decodes again
sampling at rising temperatures (faster-whisper's fallback, as Whisper's authors use it). The sampling's
random generator is seeded before each transcription (``SEED``), so the same recording always gives the
same words.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import Any

from app.core.errors import SpeechModelBrokenError, SpeechModelMissingError
from app.core.voice import catalog
from app.core.voice.audio import AudioClip

log = logging.getLogger("app.voice")
WHISPER_RATE = 16_000
AUTO_LANGUAGE = ""
SEED = 0  # CTranslate2's sampling seed, set before each transcription


@dataclass(frozen=True)
class Transcript:
    text: str
    language: str
    audio_s: float
    elapsed_s: float  # decoding time, the model's load not counted

    @property
    def real_time_factor(self) -> float:
        return self.elapsed_s / self.audio_s if self.audio_s else 0.0


class Transcriber:
    def __init__(self, model: catalog.SpeechModel, threads: int | None = None) -> None:
        self.model = model
        self._threads = threads or max(1, min(4, os.cpu_count() or 1))
        self._loaded: Any = None
        self._lock = threading.Lock()

    def load(self) -> None:
        with self._lock:
            self._whisper()

    def _whisper(self) -> Any:
        if self._loaded is None:
            folder = catalog.model_dir(self.model)
            if folder is None:
                raise SpeechModelMissingError(name=self.model.name)
            from faster_whisper import WhisperModel

            try:
                self._loaded = WhisperModel(str(folder), device="cpu", compute_type="int8", cpu_threads=self._threads)
            except (RuntimeError, ValueError, OSError) as exc:
                raise SpeechModelBrokenError(name=self.model.name, reason=str(exc)) from exc
            log.info("loaded the speech model %s from %s", self.model.id, folder)
        return self._loaded

    def transcribe(self, clip: AudioClip, language: str = AUTO_LANGUAGE) -> Transcript:
        """The words in ``clip``; ``language`` "" detects it (a multilingual model only)."""
        audio = clip.resampled(WHISPER_RATE).samples
        fixed = "en" if self.model.language == "en" else (language.split("_")[0] or None)
        with self._lock:
            whisper = self._whisper()
            import ctranslate2  # faster-whisper's own engine, imported late as it is

            started = time.perf_counter()
            ctranslate2.set_random_seed(SEED)  # the fallback's sampling: the same every time
            segments, info = whisper.transcribe(audio, language=fixed, vad_filter=True, beam_size=1)
            text = " ".join(segment.text.strip() for segment in segments).strip()
            elapsed = time.perf_counter() - started
        return Transcript(text, str(info.language), clip.duration_s, elapsed)
