"""Recording from the chosen microphone, with its level for a meter, until Stop or until the speaker falls silent.

PortAudio calls back on its own thread with each block; the ``Recorder`` keeps the blocks and reports the
level of each to ``on_level`` (the window relays it to the GUI thread). ``until_silence`` ends a recording
once speech was heard and then ``silence_s`` passed without it, for ``ask --listen`` and conversation mode.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from app.core.voice.audio import AudioClip, Samples, level
from app.core.voice.devices import DeviceLister, all_devices, input_device, open_input_stream

SPEECH_LEVEL = 0.35  # about -39 dBFS: louder than a quiet room, softer than speech near the microphone


class Recorder:
    def __init__(
        self,
        device_name: str | None = None,
        on_level: Callable[[float], None] | None = None,
        devices: DeviceLister = all_devices,
    ) -> None:
        self.device = input_device(device_name, devices)  # raises NoMicrophoneError before anything opens
        self._on_level = on_level
        self._blocks: list[Samples] = []
        self._lock = threading.Lock()
        self._stream: Any = None
        self._rate = self.device.default_rate or 16_000
        self._heard_at: float | None = None
        self._last_speech_at = 0.0
        self._changed = threading.Event()

    def start(self) -> None:
        self._stream = open_input_stream(self.device, self._rate, self._callback)
        self._stream.start()

    def _callback(self, data: Any, frames: int, time_info: Any, status: Any) -> None:
        del frames, time_info, status
        block = np.array(data[:, 0], dtype=np.float32)
        loudness = level(block)
        with self._lock:
            self._blocks.append(block)
            if loudness >= SPEECH_LEVEL:
                self._last_speech_at = time.monotonic()
                self._heard_at = self._heard_at or self._last_speech_at
        self._changed.set()
        if self._on_level is not None:
            self._on_level(loudness)

    def stop(self) -> AudioClip:
        """Ends the recording; what was heard, as one clip."""
        if self._stream is not None:
            self._stream.stop()
            self._stream.close()
            self._stream = None
        with self._lock:
            samples = np.concatenate(self._blocks) if self._blocks else np.zeros(0, np.float32)
        return AudioClip(samples.astype(np.float32), self._rate)

    def until_silence(self, silence_s: float = 1.2, max_s: float = 60.0) -> AudioClip:
        """Records from now until speech was heard and then ``silence_s`` passed quietly (or ``max_s``)."""
        self.start()
        begun = time.monotonic()
        while time.monotonic() - begun < max_s:
            self._changed.wait(0.1)
            self._changed.clear()
            with self._lock:
                heard, last = self._heard_at, self._last_speech_at
            if heard is not None and time.monotonic() - last >= silence_s:
                break
        return self.stop()
