"""Recording from the chosen microphone, with its level for a meter, until Stop or until the speaker falls silent.

PortAudio calls back on its own thread with each block; the ``Recorder`` keeps the blocks and reports the
level of each to ``on_level`` (the window relays it to the GUI thread). The rule for "the speaker is done"
is ``PauseDetector``'s, counted in audio time: speech was heard (a block at ``SPEECH_LEVEL`` or louder), then
``PAUSE_S`` of quiet audio. ``until_silence`` uses it for ``ask --listen``, and conversation mode's
``Listener`` (``app.core.voice.listening``) for each thing the user says.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from app.core.voice.audio import AudioClip, Samples, level
from app.core.voice.devices import AudioDevice, DeviceLister, all_devices, input_device, open_input_stream

SPEECH_LEVEL = 0.35  # about -39 dBFS: louder than a quiet room, softer than speech near the microphone
PAUSE_S = 1.2  # this long without speech after speech: the speaker is done

# Opens an input stream on a device at a rate, calling back with each block (PortAudio's InputStream
# signature); the stream it returns has start, stop and close. Tests hand in a scripted microphone.
InputOpener = Callable[[AudioDevice, int, Callable[..., None]], Any]


class PauseDetector:
    """Speech, then ``pause_s`` of quiet: the end of what someone said. Fed block by block, in audio time."""

    def __init__(self, pause_s: float = PAUSE_S, speech_level: float = SPEECH_LEVEL) -> None:
        self.pause_s = pause_s
        self.speech_level = speech_level
        self.heard = False  # speech came at least once
        self.quiet_s = 0.0  # quiet audio since the last speech

    def feed(self, loudness: float, seconds: float) -> None:
        if loudness >= self.speech_level:
            self.heard = True
            self.quiet_s = 0.0
        else:
            self.quiet_s += seconds

    @property
    def ended(self) -> bool:
        return self.heard and self.quiet_s >= self.pause_s


class Recorder:
    def __init__(
        self,
        device_name: str | None = None,
        on_level: Callable[[float], None] | None = None,
        devices: DeviceLister = all_devices,
        opener: InputOpener = open_input_stream,
    ) -> None:
        self.device = input_device(device_name, devices)  # raises NoMicrophoneError before anything opens
        self._on_level = on_level
        self._opener = opener
        self._blocks: list[Samples] = []
        self._lock = threading.Lock()
        self._stream: Any = None
        self._rate = self.device.default_rate or 16_000
        self._pause = PauseDetector()
        self._changed = threading.Event()

    def start(self) -> None:
        self._stream = self._opener(self.device, self._rate, self._callback)
        self._stream.start()

    def _callback(self, data: Any, frames: int, time_info: Any, status: Any) -> None:
        del frames, time_info, status
        block = np.array(data[:, 0], dtype=np.float32)
        loudness = level(block)
        with self._lock:
            self._blocks.append(block)
            self._pause.feed(loudness, len(block) / self._rate)
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

    def until_silence(self, silence_s: float = PAUSE_S, max_s: float = 60.0) -> AudioClip:
        """Records from now until speech was heard and then ``silence_s`` passed quietly (or ``max_s``)."""
        with self._lock:
            self._pause = PauseDetector(silence_s)
        self.start()
        begun = time.monotonic()
        while time.monotonic() - begun < max_s:
            self._changed.wait(0.1)
            self._changed.clear()
            with self._lock:
                if self._pause.ended:
                    break
        return self.stop()
