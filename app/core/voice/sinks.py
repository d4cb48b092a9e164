"""Where spoken audio goes: the speakers (PortAudio through sounddevice) or a null sink that plays silently.

Both keep at most ``buffer_s`` of audio queued ahead of what is sounding, so ``write`` blocks at the pace of
playback, and ``abort`` drops the queue at once (a write waiting on it returns): that is what makes Stop
immediate. The null sink keeps time by its own clock, so CI, the tests and the bench can see when sound
would have started and ended without any audio hardware.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from app.core.voice.audio import Samples
from app.core.voice.devices import AudioDevice, open_output_stream

DEFAULT_BUFFER_S = 0.3


class AudioSink(Protocol):
    def start(self, sample_rate: int) -> None: ...
    def write(self, samples: Samples) -> None: ...
    def drain(self) -> None: ...
    def abort(self) -> None: ...
    def close(self) -> None: ...


class NullSink:
    """Plays nothing, at real speed: ``first_sound_at`` and ``sound_ended_at`` are on its own ``clock``."""

    def __init__(
        self,
        buffer_s: float = DEFAULT_BUFFER_S,
        clock: Callable[[], float] = time.monotonic,
        keep: bool = False,
        realtime: bool = True,
    ) -> None:
        self.clock = clock
        self._realtime = realtime  # False: nothing waits for the audio to "play" (a test that only listens)
        self.kept: list[Samples] | None = [] if keep else None  # what was written, for a test to listen to
        self._buffer_s = buffer_s
        self._rate = 22_050
        self._end = 0.0  # when the audio queued so far stops sounding
        self._aborted = threading.Event()
        self._lock = threading.Lock()
        self.first_sound_at: float | None = None
        self.aborted_at: float | None = None
        self.frames = 0

    def start(self, sample_rate: int) -> None:
        with self._lock:
            self._rate = sample_rate
            self._aborted.clear()
            self._end = max(self._end, self.clock())

    def write(self, samples: Samples) -> None:
        with self._lock:
            if self._aborted.is_set():
                return
            now = self.clock()
            begin = max(now, self._end)
            if self.first_sound_at is None:
                self.first_sound_at = begin
            self._end = begin + len(samples) / self._rate
            self.frames += len(samples)
            if self.kept is not None:
                self.kept.append(np.array(samples, np.float32))
            wait = self._end - now - self._buffer_s
        if wait > 0 and self._realtime:
            self._aborted.wait(wait)

    def drain(self) -> None:
        with self._lock:
            wait = self._end - self.clock()
        if wait > 0 and self._realtime:
            self._aborted.wait(wait)

    def abort(self) -> None:
        with self._lock:
            now = self.clock()
            if not self._aborted.is_set():
                self.aborted_at = now
                self._end = min(self._end, now)
            self._aborted.set()

    def close(self) -> None:
        self.abort()

    @property
    def sample_rate(self) -> int:
        return self._rate

    @property
    def sound_ended_at(self) -> float:
        """When the last queued sample stops (or stopped) sounding."""
        with self._lock:
            return self._end


class SpeakerSink:
    """The chosen output device, fed from a queue by PortAudio's callback; an abort empties the queue."""

    def __init__(self, device: AudioDevice | None = None, buffer_s: float = DEFAULT_BUFFER_S) -> None:
        self._device = device
        self._buffer_s = buffer_s
        self._queue: collections.deque[Samples] = collections.deque()
        self._queued = 0
        self._lock = threading.Lock()
        self._room = threading.Condition(self._lock)
        self._aborted = False
        self._stream: Any = None
        self._rate = 22_050

    def start(self, sample_rate: int) -> None:
        with self._lock:
            self._aborted = False
        if self._stream is None or self._rate != sample_rate:
            self.close()
            self._rate = sample_rate
            self._stream = open_output_stream(self._device, sample_rate, self._callback)
            self._stream.start()

    def _callback(self, out: Any, frames: int, time_info: Any, status: Any) -> None:
        del time_info, status
        buffer = out[:, 0]
        filled = 0
        with self._lock:
            while filled < frames and self._queue:
                head = self._queue[0]
                take = min(frames - filled, len(head))
                buffer[filled : filled + take] = head[:take]
                if take == len(head):
                    self._queue.popleft()
                else:
                    self._queue[0] = head[take:]
                filled += take
                self._queued -= take
            self._room.notify_all()
        buffer[filled:] = 0

    def write(self, samples: Samples) -> None:
        limit = int(self._buffer_s * self._rate)
        with self._room:
            while not self._aborted and self._queued > limit:
                self._room.wait(0.05)
            if self._aborted:
                return
            self._queue.append(np.asarray(samples, np.float32))
            self._queued += len(samples)

    def drain(self) -> None:
        with self._room:
            while not self._aborted and self._queued > 0:
                self._room.wait(0.05)

    def abort(self) -> None:
        with self._room:
            self._aborted = True
            self._queue.clear()
            self._queued = 0
            self._room.notify_all()

    def close(self) -> None:
        self.abort()
        if self._stream is not None:
            self._stream.close()
            self._stream = None
