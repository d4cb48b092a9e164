"""Chinese with the multilingual Whisper base from PyPI: Mandarin heard as Chinese characters, English detected.

What exists offline (see ``tests/core/voice/mandarin.py`` and the README's Voice section): a multilingual Whisper
base split over two MIT packages, and no Chinese Piper voice at all, so the Mandarin is espeak-ng's formant
voice from inside piper-tts. Its speech is hard to understand, for people and for Whisper base alike: the
character error rate printed here is that voice's as much as the model's, and detection takes it for Thai or
English, so the language is fixed to Chinese (Settings → Voice's "中文"). Skipped when the packages are absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.voice import catalog
from app.core.voice.synthesis import PiperSynthesizer
from app.core.voice.transcription import Transcriber
from tests.core.voice.mandarin import character_error_rate, mandarin, whisper_base_files
from tests.core.voice.speech_models import word_error_rate

SENTENCES = (
    "你好，谢谢你。",
    "今天天气很好。",
    "我想喝一杯茶。",
    "请打开窗户。",
    "北京是中国的首都。",
    "我们明天去学校。",
)


@pytest.fixture(scope="session")
def whisper_base_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return whisper_base_files(tmp_path_factory.mktemp("whisper-base"))


@pytest.fixture
def whisper_base(whisper_base_folder: Path) -> Transcriber:
    """Whisper base as Parley finds a downloaded one: its files in ``<models>/speech/whisper-base``."""
    model = catalog.speech_model("whisper-base")
    assert model is not None
    folder = catalog.speech_dir() / model.id
    folder.mkdir(parents=True)
    for file in whisper_base_folder.iterdir():
        (folder / file.name).symlink_to(file)
    assert catalog.model_dir(model) == folder
    return Transcriber(model, threads=2)


def test_mandarin_is_heard_as_chinese_characters(whisper_base: Transcriber, tmp_path: Path) -> None:
    rates, in_characters = [], 0
    for sentence in SENTENCES:
        transcript = whisper_base.transcribe(mandarin(sentence, tmp_path), "zh")
        rates.append(character_error_rate(sentence, transcript.text))
        print(f"said {sentence} heard {transcript.text} CER {rates[-1]:.0%} (real-time factor "
              f"{transcript.real_time_factor:.2f})")  # fmt: skip
        assert transcript.language == "zh"
        in_characters += any("\u4e00" <= char <= "\u9fff" for char in transcript.text)
    # Where greedy decoding of that robotic voice looks wrong, Whisper samples again (seeded, so every run hears
    # the same): a sentence may come back romanised ("Pay King" for 北京), but most come back in characters.
    assert in_characters >= 4, f"only {in_characters} of {len(SENTENCES)} sentences came back in Chinese characters"
    mean = sum(rates) / len(rates)
    print(f"character error rate over {len(SENTENCES)} sentences of espeak-ng's Mandarin: {mean:.0%}")
    # Measured here (seeded, so every run): 0.90 over the six, the best two 0.57 and 0.67. A bound for a working path,
    # not a measure of Chinese dictation: that needs a natural Chinese voice, which no package ships.
    assert mean <= 1.0
    assert sorted(rates)[1] <= 0.7  # two sentences at least come back more right than wrong


def test_the_multilingual_model_detects_english_and_hears_it(
    whisper_base: Transcriber, voice: PiperSynthesizer
) -> None:
    said = "Please remind me to water the plants on Sunday morning."
    transcript = whisper_base.transcribe(voice.synthesize(said))  # the language left to detect
    print(f"detected {transcript.language}: {transcript.text!r}")
    assert transcript.language == "en"
    assert word_error_rate(said, transcript.text) <= 0.15
