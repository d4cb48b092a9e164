"""Text to speech with a Piper voice (onnxruntime): the only ``piper`` import.

A ``Synthesizer`` says one sentence at a time, so reading aloud can start while the answer is still being
written; the voice loads on first use, on the caller's thread (a worker thread in the window).
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Protocol

import numpy as np

from app.core.errors import SpeechModelBrokenError, SpeechModelMissingError
from app.core.voice import catalog
from app.core.voice.audio import AudioClip

log = logging.getLogger("app.voice")


class Synthesizer(Protocol):
    language: str

    def synthesize(self, sentence: str) -> AudioClip: ...


class PiperSynthesizer:
    """One Piper voice; ``synthesize`` is safe to call from one thread at a time (a lock sees to it)."""

    def __init__(self, voice: catalog.SpeechModel, *, variation: float = 1.0) -> None:
        """``variation`` scales the voice's own noise (how each saying of a sentence differs from the last): 1.0
        is the voice as its authors tuned it; 0.0 says a sentence the same way every time (the tests' voice)."""
        self.voice = voice
        self.variation = variation
        self.language = voice.language
        self._loaded: Any = None
        self._lock = threading.Lock()

    def _voice(self) -> Any:
        if self._loaded is None:
            folder = catalog.model_dir(self.voice)
            if folder is None:
                raise SpeechModelMissingError(name=self.voice.name)
            model, config = catalog.voice_files(self.voice, folder)
            from piper import PiperVoice

            try:
                self._loaded = PiperVoice.load(model, config_path=config)
            except Exception as exc:  # onnxruntime and json raise many kinds for a damaged voice
                raise SpeechModelBrokenError(name=self.voice.name, reason=str(exc)) from exc
            log.info("loaded the voice %s from %s", self.voice.id, folder)
        return self._loaded

    def _config(self, voice: Any) -> Any:
        if self.variation == 1.0:
            return None  # the voice's own settings
        from piper import SynthesisConfig

        noise, noise_w = voice.config.noise_scale, voice.config.noise_w_scale
        return SynthesisConfig(noise_scale=noise * self.variation, noise_w_scale=noise_w * self.variation)

    @property
    def sample_rate(self) -> int:
        return int(self._voice().config.sample_rate)

    def synthesize(self, sentence: str) -> AudioClip:
        with self._lock:
            voice = self._voice()
            chunks = [chunk.audio_float_array for chunk in voice.synthesize(sentence, syn_config=self._config(voice))]
        samples = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
        return AudioClip(samples, int(voice.config.sample_rate))
