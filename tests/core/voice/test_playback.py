"""Reading aloud into the null sink: what is heard, in what order, and Stop."""

from __future__ import annotations

import numpy as np

from app.core.voice.audio import AudioClip
from app.core.voice.playback import PlaybackEvent, Reading
from app.core.voice.sinks import NullSink
from app.core.voice.spoken_text import spoken_sentences
from app.core.voice.synthesis import PiperSynthesizer
from app.core.voice.transcription import Transcriber
from tests.core.voice.speech_models import word_error_rate

ANSWER = """Here is how to print a greeting.

```python
import sys
print("launch the rocket", file=sys.stderr)
```

Run it with Python."""


def heard(sink: NullSink) -> AudioClip:
    assert sink.kept is not None
    return AudioClip(np.concatenate(sink.kept), sink.sample_rate)


def test_an_answer_with_a_code_block_is_read_without_its_code(
    voice: PiperSynthesizer, transcriber: Transcriber
) -> None:
    sink = NullSink(keep=True, realtime=False)
    events: list[PlaybackEvent] = []
    reading = Reading(voice, sink, events.append)
    reading.add(spoken_sentences(ANSWER))
    reading.finish()
    assert reading.wait(60)

    text = transcriber.transcribe(heard(sink)).text
    print("heard:", text)
    assert [event.sentence for event in events if event.kind == "sentence"] == [
        "Here is how to print a greeting.", "Code block.", "Run it with Python."
    ]
    # Piper samples its voice's noise afresh each time, so the words heard vary a little from run to run.
    assert word_error_rate("Here is how to print a greeting. Code block. Run it with Python.", text) <= 0.35, text
    assert "code block" in text.lower(), text
    assert "rocket" not in text.lower() and "import" not in text.lower(), text


def test_stop_silences_playback_within_100_ms_by_the_sinks_clock(voice: PiperSynthesizer) -> None:
    sink = NullSink(buffer_s=0.5)  # half a second queued ahead, as a sound card's buffer would hold
    sentences = spoken_sentences("This is a long answer that goes on. " * 6)
    events: list[PlaybackEvent] = []
    reading = Reading(voice, sink, events.append)
    reading.add(sentences)
    reading.finish()
    while sink.first_sound_at is None or sink.clock() < sink.first_sound_at + 0.8:
        assert not reading.wait(0.02), "the reading ended before it could be stopped"

    asked = sink.clock()
    reading.stop()

    assert reading.wait(30)
    print(f"sound ended {1000 * (sink.sound_ended_at - asked):.1f} ms after Stop")
    assert sink.sound_ended_at - asked < 0.1
    assert events[-1].kind == "stopped"
    assert sink.frames < sum(len(voice.synthesize(s).samples) for s in sentences)


def test_a_reading_heard_to_the_end_says_so(voice: PiperSynthesizer) -> None:
    sink = NullSink(realtime=False)
    events: list[PlaybackEvent] = []
    reading = Reading(voice, sink, events.append)
    reading.add(["One.", "Two."])
    reading.finish()
    assert reading.wait(30)
    kinds = [(event.kind, event.sentence) for event in events]
    assert kinds == [("sentence", "One."), ("sentence", "Two."), ("ended", "")]
