"""Conversation mode's ear: one microphone stream, open for the whole mode, that hears each thing the user says
and notices when the user speaks over the answer (barge-in).

A ``Listener`` is in one of three modes, switched from any thread. ``listening``: the audio is kept, and once
``PauseDetector`` says the speaker is done (the same rule as ``ask --listen``) the clip goes to
``on_utterance`` and the ear goes idle. ``guarding`` (the answer is being written or read aloud): only the
last ``PREROLL_S`` is kept; ``BARGE_IN_S`` of speech within ``BARGE_IN_WINDOW_S`` calls ``on_barge_in`` at
once, on PortAudio's thread, so the voice can be silenced without waiting for the window, and the ear listens
on with that speech kept, so the user's first words are part of what is heard next. ``idle`` (transcribing):
nothing is kept. Every callback runs on PortAudio's thread; the window relays them to its own.

Without echo cancellation, loudspeakers near the microphone can make the voice interrupt itself; the level
and duration thresholds only lessen that (headphones avoid it).
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable
from typing import Any, Literal

import numpy as np

from app.core.voice.audio import AudioClip, Samples, level
from app.core.voice.devices import DeviceLister, all_devices, input_device, open_input_stream
from app.core.voice.recording import PAUSE_S, SPEECH_LEVEL, InputOpener, PauseDetector

BARGE_IN_S = 0.2  # this much speech over the answer interrupts it (a cough or a click does not)
BARGE_IN_WINDOW_S = 0.4  # ... within this long
PREROLL_S = 0.5  # kept from before the speech began, so its first syllable is not cut
MAX_UTTERANCE_S = 60.0  # one thing said is cut off here

ListenMode = Literal["idle", "listening", "guarding"]


class Listener:
    def __init__(
        self,
        device_name: str | None = None,
        *,
        on_utterance: Callable[[AudioClip], None],
        on_barge_in: Callable[[float], None] | None = None,
        on_level: Callable[[float], None] | None = None,
        devices: DeviceLister = all_devices,
        opener: InputOpener = open_input_stream,
        pause_s: float = PAUSE_S,
    ) -> None:
        self.device = input_device(device_name, devices)  # raises NoMicrophoneError before anything opens
        self._on_utterance = on_utterance
        self._on_barge_in = on_barge_in
        self._on_level = on_level
        self._opener = opener
        self._pause_s = pause_s
        self._rate = self.device.default_rate or 16_000
        self._lock = threading.Lock()
        self._mode: ListenMode = "idle"
        self._blocks: collections.deque[Samples] = collections.deque()
        self._kept_s = 0.0
        self._pause = PauseDetector(pause_s)
        self._recent: collections.deque[tuple[float, bool]] = collections.deque()  # (seconds, speech?) while guarding
        self._stream: Any = None
        self._closed = False
        self.barged_in_at: float | None = None  # time.monotonic() of the last barge-in

    def open(self) -> None:
        """Opens the microphone (it stays open until ``close``); raises the ``AppError`` that says why not."""
        stream = self._opener(self.device, self._rate, self._callback)
        stream.start()
        with self._lock:
            self._stream = stream

    @property
    def mode(self) -> ListenMode:
        with self._lock:
            return self._mode

    def listen(self) -> None:
        """Hears the next thing said; a listening already begun (by a barge-in) goes on with what it has."""
        with self._lock:
            if self._mode != "listening":
                self._restart("listening")

    def guard(self) -> None:
        """The answer is on its way: speech over it is a barge-in."""
        with self._lock:
            self._restart("guarding")

    def pause(self) -> None:
        """Nothing is kept until ``listen`` or ``guard``."""
        with self._lock:
            self._restart("idle")

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._restart("idle")
            stream, self._stream = self._stream, None
        if stream is not None:
            stream.stop()
            stream.close()

    def _restart(self, mode: ListenMode) -> None:
        self._mode = mode
        self._blocks.clear()
        self._kept_s = 0.0
        self._pause = PauseDetector(self._pause_s)
        self._recent.clear()

    def _keep(self, block: Samples, seconds: float, limit_s: float) -> None:
        self._blocks.append(block)
        self._kept_s += seconds
        while self._blocks and self._kept_s - len(self._blocks[0]) / self._rate >= limit_s:
            self._kept_s -= len(self._blocks.popleft()) / self._rate

    def _callback(self, data: Any, frames: int, time_info: Any, status: Any) -> None:
        del frames, time_info, status
        block = np.array(data[:, 0], dtype=np.float32)
        loudness = level(block)
        seconds = len(block) / self._rate
        heard: AudioClip | None = None
        barged_at: float | None = None
        with self._lock:
            if self._closed:
                return
            if self._mode == "listening":
                self._pause.feed(loudness, seconds)
                self._keep(block, seconds, MAX_UTTERANCE_S if self._pause.heard else PREROLL_S)
                if self._pause.ended or self._kept_s >= MAX_UTTERANCE_S:
                    heard = AudioClip(np.concatenate(self._blocks).astype(np.float32), self._rate)
                    self._restart("idle")
            elif self._mode == "guarding":
                self._keep(block, seconds, PREROLL_S)
                self._recent.append((seconds, loudness >= SPEECH_LEVEL))
                while sum(length for length, _ in self._recent) > BARGE_IN_WINDOW_S:
                    self._recent.popleft()
                if sum(length for length, speech in self._recent if speech) >= BARGE_IN_S:
                    barged_at = self.barged_in_at = time.monotonic()
                    kept = list(self._blocks)
                    self._restart("listening")
                    self._blocks.extend(kept)
                    self._kept_s = sum(len(kept_block) for kept_block in kept) / self._rate
                    self._pause.feed(1.0, 0.0)  # the speech that interrupted counts as heard
        if self._on_level is not None:
            self._on_level(loudness)
        if barged_at is not None and self._on_barge_in is not None:
            self._on_barge_in(barged_at)
        if heard is not None:
            self._on_utterance(heard)
