"""A scripted microphone: the one fake in the voice tests. It stands in for the device only; what it "hears" is
real audio (speech the Piper voice synthesised), handed to the app's callback block by block, in real time, on a
thread of its own, as PortAudio would."""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from app.core.voice.audio import AudioClip
from app.core.voice.devices import AudioDevice

RATE = 16_000
BLOCK_S = 0.02
MICROPHONE = AudioDevice(3, "Scripted microphone", inputs=1, outputs=0, default_rate=RATE)


class ScriptedMicrophone:
    """Pass it as the opener of input streams (``VoiceService(microphone=...)``); ``say`` queues what it hears."""

    def __init__(self, rate: int = RATE, block_s: float = BLOCK_S) -> None:
        self.rate = rate
        self.block = int(rate * block_s)
        self._script: collections.deque[tuple[Any, bool]] = collections.deque()  # (samples, speech not yet begun)
        self._lock = threading.Lock()
        self.streams: list[ScriptedStream] = []
        self.spoke_at: list[float] = []  # time.monotonic() when each ``say``'s speech began to be heard

    def say(self, clip: AudioClip, *, after_s: float = 0.0) -> None:
        """After ``after_s`` of silence, the microphone hears ``clip`` (then silence again)."""
        with self._lock:
            self._script.append((np.zeros(int(after_s * self.rate), np.float32), False))
            self._script.append((clip.resampled(self.rate).samples, True))

    def next_block(self) -> Any:
        """The next block heard: the script, else silence."""
        out = np.zeros(self.block, np.float32)
        filled = 0
        with self._lock:
            while filled < self.block and self._script:
                samples, begins = self._script[0]
                if begins:
                    self.spoke_at.append(time.monotonic())
                take = min(self.block - filled, len(samples))
                out[filled : filled + take] = samples[:take]
                filled += take
                if take == len(samples):
                    self._script.popleft()
                else:
                    self._script[0] = (samples[take:], False)
        return out.reshape(-1, 1)

    @property
    def quiet(self) -> bool:
        """Everything said was heard."""
        with self._lock:
            return not self._script

    def __call__(self, device: AudioDevice, rate: int, callback: Callable[..., None]) -> ScriptedStream:
        assert rate == self.rate, (device, rate)
        stream = ScriptedStream(self, callback)
        self.streams.append(stream)
        return stream


class ScriptedStream:
    """What ``sd.InputStream`` gives the app: start, stop, close; the callback runs on its own thread."""

    def __init__(self, microphone: ScriptedMicrophone, callback: Callable[..., None]) -> None:
        self._microphone = microphone
        self._callback = callback
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scripted-microphone", daemon=True)
        self.closed = False

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        step = self._microphone.block / self._microphone.rate
        begun = time.monotonic()
        count = 0
        while not self._stopped.is_set():
            block = self._microphone.next_block()
            self._callback(block, len(block), None, None)
            count += 1
            self._stopped.wait(max(0.0, begun + count * step - time.monotonic()))

    def stop(self) -> None:
        self._stopped.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(1.0)

    def close(self) -> None:
        self.stop()
        self.closed = True
