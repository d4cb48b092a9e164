"""Reading aloud: sentences synthesised and played in order on one thread, with a Stop that is immediate.

A ``Reading`` takes sentences as they come (a whole answer, or one streaming in), synthesises each and writes
it to the sink in short chunks. The rule for Stop: a flag the thread checks between chunks, and the sink's
``abort``, which silences what was queued at once; the thread may still finish synthesising a sentence, but
nothing more is heard. Events (a sentence begun, the end, a failure) go to ``on_event`` from that thread.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from app.core.errors import AppError
from app.core.voice.sinks import AudioSink
from app.core.voice.synthesis import Synthesizer

log = logging.getLogger("app.voice")
CHUNK_S = 0.02

PlaybackKind = Literal["sentence", "ended", "stopped", "failed"]


@dataclass(frozen=True)
class PlaybackEvent:
    kind: PlaybackKind
    sentence: str = ""
    error: AppError | None = None


class Reading:
    """One text read aloud. ``add`` sentences, then ``finish``; ``stop`` ends it at once."""

    def __init__(
        self,
        synthesizer: Synthesizer,
        sink: AudioSink,
        on_event: Callable[[PlaybackEvent], None] | None = None,
    ) -> None:
        self._synthesizer = synthesizer
        self._sink = sink
        self._on_event = on_event
        self._sentences: collections.deque[str] = collections.deque()
        self._changed = threading.Condition()
        self._finished = False
        self._stopped = threading.Event()
        self._done = threading.Event()
        self.first_audio_at: float | None = None  # time.perf_counter() when the first samples reached the sink
        self._thread = threading.Thread(target=self._run, name="parley-reading", daemon=True)
        self._thread.start()

    def add(self, sentences: Iterable[str]) -> None:
        with self._changed:
            self._sentences.extend(sentence for sentence in sentences if sentence.strip())
            self._changed.notify_all()

    def finish(self) -> None:
        """No more sentences: the reading ends after the last one is heard."""
        with self._changed:
            self._finished = True
            self._changed.notify_all()

    def stop(self) -> None:
        """Silences the sink now; the thread ends by itself soon after."""
        self._stopped.set()
        self._sink.abort()
        with self._changed:
            self._changed.notify_all()

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """True once the reading has ended (heard to the end, stopped, or failed)."""
        return self._done.wait(timeout)

    def _next(self) -> str | None:
        with self._changed:
            while not self._sentences and not self._finished and not self._stopped.is_set():
                self._changed.wait()
            if self._stopped.is_set() or not self._sentences:
                return None
            return self._sentences.popleft()

    def _emit(self, event: PlaybackEvent) -> None:
        if self._on_event is not None:
            self._on_event(event)

    def _run(self) -> None:
        try:
            started = False
            while (sentence := self._next()) is not None:
                clip = self._synthesizer.synthesize(sentence)
                if self._stopped.is_set():
                    break
                if not started:
                    self._sink.start(clip.sample_rate)
                    started = True
                self._emit(PlaybackEvent("sentence", sentence))
                step = max(1, int(clip.sample_rate * CHUNK_S))
                for offset in range(0, len(clip.samples), step):
                    if self._stopped.is_set():
                        break
                    if self.first_audio_at is None:
                        self.first_audio_at = time.perf_counter()
                    self._sink.write(clip.samples[offset : offset + step])
            if started and not self._stopped.is_set():
                self._sink.drain()
            self._emit(PlaybackEvent("stopped" if self._stopped.is_set() else "ended"))
        except AppError as error:
            log.warning("reading aloud failed: %s", error)
            self._emit(PlaybackEvent("failed", error=error))
        finally:
            self._done.set()
