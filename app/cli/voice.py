"""``ask --listen`` and ``ask --speak``: the question spoken into the microphone, the answer spoken back.

``--listen`` records from Settings → Voice's microphone until the speaker has been quiet for a moment,
transcribes it (what was heard goes to stderr) and asks that. ``--speak`` reads the settled answer aloud
through the speakers, Markdown as text and code blocks as "code block"; with ``--speak-to FILE`` it writes a
16-bit WAV instead. Ctrl+C while speaking stops the voice at once.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from app.core.errors import StorageError
from app.core.voice.audio import AudioClip, write_wav
from app.core.voice.service import VoiceService, text_language
from app.core.voice.spoken_text import spoken_sentences


def add_arguments(ask: argparse.ArgumentParser) -> None:
    ask.add_argument(
        "--listen", action="store_true", help="say the message into the microphone (recording ends at a pause)"
    )
    ask.add_argument("--speak", action="store_true", help="read the answer aloud (code blocks are not read out)")
    ask.add_argument("--speak-to", metavar="FILE", help="write the spoken answer to a WAV file instead of playing it")


def listen(err: TextIO, service: VoiceService | None = None) -> str:
    """Records until a pause and returns what was said; raises the ``AppError`` that says why it cannot."""
    service = service or VoiceService()
    print("parley: listening… (stop talking to send)", file=err, flush=True)
    clip = service.recorder().until_silence()
    text = service.transcribe(clip).text
    print(f"parley: heard: {text}", file=err, flush=True)
    return text


def speak(markdown: str, speak_to: str | None, service: VoiceService | None = None) -> None:
    """Says ``markdown`` through the speakers, or writes it to ``speak_to`` as a WAV file."""
    service = service or VoiceService()
    language = text_language(markdown)
    sentences = spoken_sentences(markdown, language)
    if speak_to:
        voice = service.voice(language)
        target = Path(speak_to)
        try:
            write_wav(target, AudioClip.joined([voice.synthesize(sentence) for sentence in sentences]))
        except OSError as exc:
            raise StorageError(path=target, reason=exc.strerror or str(exc)) from exc
        return
    reading = service.reading(language)
    reading.add(sentences)
    reading.finish()
    try:
        while not reading.wait(0.1):
            pass
    except KeyboardInterrupt:
        reading.stop()
        raise
