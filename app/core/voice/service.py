"""The voice as the window and the command line use it: one place that picks the models and keeps them loaded.

``VoiceService`` holds Settings → Voice, loads the chosen Whisper model and one Piper voice per language once
(each loads on the first call, on the caller's thread), says which language a text is in (so a Chinese answer
gets the Chinese voice), and starts recordings, conversation mode's listener and readings with the seams the
tests replace (the devices, the microphone's stream, the sink). ``silence`` stops every reading at once, from
any thread: a barge-in calls it on PortAudio's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from app.core.errors import SpeechModelMissingError
from app.core.voice import catalog
from app.core.voice import settings as voice_settings
from app.core.voice.audio import AudioClip
from app.core.voice.devices import AudioDevice, DeviceLister, all_devices, input_device, open_input_stream
from app.core.voice.listening import Listener
from app.core.voice.playback import PlaybackEvent, Reading
from app.core.voice.recording import InputOpener, Recorder
from app.core.voice.sinks import AudioSink, SpeakerSink
from app.core.voice.synthesis import PiperSynthesizer
from app.core.voice.transcription import Transcriber, Transcript

SinkFactory = Callable[[], AudioSink]


def text_language(text: str) -> str:
    """"zh" when most letters of ``text`` are Chinese characters, else "en"."""
    han = sum(1 for char in text if "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf")
    letters = sum(1 for char in text if char.isalpha())
    return "zh" if letters and han * 2 >= letters else "en"


class VoiceService:
    def __init__(
        self,
        settings: voice_settings.VoiceSettings | None = None,
        *,
        sink_factory: SinkFactory = SpeakerSink,
        devices: DeviceLister = all_devices,
        microphone: InputOpener = open_input_stream,
    ) -> None:
        self.settings = settings if settings is not None else voice_settings.load()
        self._sink_factory = sink_factory
        self._devices = devices
        self._microphone = microphone
        self._live: list[Reading] = []  # readings that may still sound (``silence`` stops them)
        self._transcribers: dict[str, Transcriber] = {}
        self._voices: dict[str, PiperSynthesizer] = {}
        self._lock = threading.Lock()

    def update(self, settings: voice_settings.VoiceSettings) -> None:
        """New settings from Settings → Voice; saved, and used from the next recording or reading."""
        voice_settings.save(settings)
        self.settings = settings

    def devices(self) -> list[AudioDevice]:
        return self._devices()

    def check_microphone(self) -> None:
        """Raises the ``AppError`` that explains why dictation cannot start here (no PortAudio, no microphone)."""
        input_device(self.settings.input_device, self._devices)

    def recorder(self, on_level: Callable[[float], None] | None = None) -> Recorder:
        return Recorder(self.settings.input_device, on_level, self._devices, self._microphone)

    def listener(
        self,
        on_utterance: Callable[[AudioClip], None],
        on_barge_in: Callable[[float], None] | None = None,
        on_level: Callable[[float], None] | None = None,
    ) -> Listener:
        """Conversation mode's ear on the chosen microphone (not opened yet); raises ``NoMicrophoneError``."""
        return Listener(
            self.settings.input_device, on_utterance=on_utterance, on_barge_in=on_barge_in, on_level=on_level,
            devices=self._devices, opener=self._microphone,
        )  # fmt: skip

    def transcriber(self) -> Transcriber:
        model = catalog.speech_model(self.settings.whisper_model)
        if model is None or catalog.model_dir(model) is None:
            model = next(iter(catalog.installed("whisper")), None)
        if model is None:
            raise SpeechModelMissingError(name=self.settings.whisper_model)
        with self._lock:
            return self._transcribers.setdefault(model.id, Transcriber(model))

    def transcribe(self, clip: AudioClip) -> Transcript:
        return self.transcriber().transcribe(clip, self.settings.language)

    def voice(self, language: str) -> PiperSynthesizer:
        """The voice for ``language``; an installed one of another language when it has none."""
        model = catalog.voice_for(language, self.settings.voices) or next(iter(catalog.installed("piper")), None)
        if model is None:
            raise SpeechModelMissingError(name=self.settings.voices.get(language, language))
        with self._lock:
            return self._voices.setdefault(model.id, PiperSynthesizer(model))

    def reading(self, language: str, on_event: Callable[[PlaybackEvent], None] | None = None) -> Reading:
        """A reading in ``language``'s voice, to the speakers (the null sink in tests), not begun until ``add``."""
        reading = Reading(self.voice(language), self._sink_factory(), on_event)
        with self._lock:
            self._live = [live for live in self._live if not live.wait(0)] + [reading]
        return reading

    def silence(self) -> None:
        """Stops every reading now; safe from any thread."""
        with self._lock:
            live = list(self._live)
        for reading in live:
            reading.stop()
