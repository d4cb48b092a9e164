"""``parley ask --speak-to FILE`` and ``--listen`` with the real models: the answer spoken into a WAV; no microphone."""

from __future__ import annotations

from pathlib import Path

from app.core.history.store import Store
from app.core.voice.audio import read_wav
from app.core.voice.spoken_text import spoken_sentences
from app.core.voice.transcription import Transcriber
from tests.cli.test_cli import parley
from tests.core.voice.speech_models import word_error_rate

GREEDY_FLAGS = ("--temperature", "0", "--seed", "1", "--max-tokens", "24")


def test_the_answer_is_spoken_into_a_wav_file(parley_home: Path, tmp_path: Path, transcriber: Transcriber) -> None:
    wav = tmp_path / "answer.wav"
    result = parley(parley_home, "ask", "Say hello to me.", *GREEDY_FLAGS, "--speak-to", str(wav))

    assert result.returncode == 0, result.stderr
    store = Store()
    [conversation] = store.conversations()
    answer = store.messages(conversation.id)[-1].content
    store.close()
    heard = transcriber.transcribe(read_wav(wav)).text
    said = " ".join(spoken_sentences(answer))
    print(f"answer: {said!r}\nheard: {heard!r}")
    assert word_error_rate(said, heard) <= 0.5


def test_listening_without_a_microphone_says_so_and_sends_nothing(parley_home: Path) -> None:
    result = parley(parley_home, "ask", "--listen")

    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert last in (
        "parley: No microphone was found; connect one and try again.",
        "parley: Sound does not work here because the PortAudio library is missing (on Linux: libportaudio2).",
    )
    store = Store()
    assert store.conversations() == []
    store.close()
