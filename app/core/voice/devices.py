"""The audio devices, through sounddevice (PortAudio): the only ``sounddevice`` import.

Why PortAudio and not Qt Multimedia: the command line (``ask --listen``/``--speak``) records and plays without
Qt, and sounddevice is 130 KB over a system library, where Qt Multimedia comes in PySide6-Addons. The rule:
every PortAudio failure becomes an ``AppError`` with one sentence: no PortAudio, no microphone, a device that
cannot be opened (a denied permission) or that cannot record or play this format.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.core.errors import (
    AudioDeviceUnsupportedError,
    AudioUnavailableError,
    MicrophoneDeniedError,
    NoMicrophoneError,
)

log = logging.getLogger("app.voice")


@dataclass(frozen=True)
class AudioDevice:
    index: int
    name: str
    inputs: int
    outputs: int
    default_rate: int


_IMPORT_LOCK = threading.Lock()
_imported: list[Any] = []  # sounddevice, or the OSError its import raised: imported once


def _sounddevice() -> Any:
    # One import, under a lock: two threads importing it at once while it fails can leave one of them
    # holding the half-initialised module (Python's import-deadlock escape returns it).
    with _IMPORT_LOCK:
        if not _imported:
            try:
                import sounddevice

                _imported.append(sounddevice)
            except OSError as exc:  # sounddevice imports, then fails to find the PortAudio library
                log.info("no PortAudio: %s", exc)
                _imported.append(exc)
        found = _imported[0]
    if isinstance(found, OSError):
        raise AudioUnavailableError() from found
    return found


def all_devices() -> list[AudioDevice]:
    """Every device PortAudio sees; raises ``AudioUnavailableError`` without PortAudio."""
    sd = _sounddevice()
    return [
        AudioDevice(int(info["index"]), str(info["name"]), int(info["max_input_channels"]),
                    int(info["max_output_channels"]), int(info["default_samplerate"]))
        for info in sd.query_devices()
    ]  # fmt: skip


DeviceLister = Callable[[], list[AudioDevice]]


def input_device(name: str | None, devices: DeviceLister = all_devices) -> AudioDevice:
    """The microphone called ``name`` (or the first one when ``name`` is empty or gone); raises if none."""
    inputs = [device for device in devices() if device.inputs > 0]
    if not inputs:
        raise NoMicrophoneError()
    for device in inputs:
        if device.name == name:
            return device
    return inputs[0]


def _opened(device_name: str, opening: Callable[[], Any], *, recording: bool) -> Any:
    sd = _sounddevice()
    try:
        return opening()
    except sd.PortAudioError as exc:
        text = str(exc)
        log.warning("%s could not be opened: %s", device_name, text)
        if recording and ("denied" in text.lower() or "busy" in text.lower() or "unavailable" in text.lower()):
            raise MicrophoneDeniedError(device=device_name) from exc
        raise AudioDeviceUnsupportedError(device=device_name, reason=text) from exc


def open_input_stream(device: AudioDevice, sample_rate: int, callback: Callable[..., None]) -> Any:
    sd = _sounddevice()
    return _opened(
        device.name,
        lambda: sd.InputStream(device=device.index, samplerate=sample_rate, channels=1, dtype="float32",
                               callback=callback),
        recording=True,
    )  # fmt: skip


def open_output_stream(device: AudioDevice | None, sample_rate: int, callback: Callable[..., None]) -> Any:
    sd = _sounddevice()
    return _opened(
        device.name if device else "default",
        lambda: sd.OutputStream(device=device.index if device else None, samplerate=sample_rate, channels=1,
                                dtype="float32", callback=callback),
        recording=False,
    )  # fmt: skip
