"""Dictation and reading aloud for the window, off the GUI thread: the Qt face of ``VoiceService``.

Dictation: ``toggle_dictation`` starts recording (PortAudio's thread reports the level through the relay) and,
the second time, stops and transcribes on the executor's long lane; the text arrives as ``dictated``. Reading:
``read`` says a whole answer, ``follow``/``follow_end`` say one as it streams, sentence by sentence; ``stop_reading``
silences it at once. ``download`` fetches a speech model (``SpeechDownload``: progress, resume, sha256).
Every ``AppError`` comes out as ``error_reported``; the microphone's own as the state "unavailable" with its
sentence.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from PySide6 import QtCore

from app.core.errors import AppError
from app.core.models.downloads import DownloadResult
from app.core.models.hub import HubConfig
from app.core.voice import catalog
from app.core.voice.devices import AudioDevice
from app.core.voice.downloads import SpeechDownload
from app.core.voice.playback import PlaybackEvent, Reading
from app.core.voice.recording import Recorder
from app.core.voice.service import VoiceService, text_language
from app.core.voice.settings import VoiceSettings
from app.core.voice.spoken_text import SpokenStream, spoken_sentences
from app.core.voice.transcription import Transcript
from app.ui.common.background import BackgroundExecutor, BackgroundOp
from app.ui.common.relay import GuiRelay

log = logging.getLogger("app.ui.voice")
READING_END_WAIT_S = 5.0  # a stopped reading ends once the sentence being synthesised is done


@dataclass
class _Following:
    """A streaming answer read aloud: its text so far, its sentences, whether its reading began."""

    answer_id: int
    stream: SpokenStream = field(default_factory=SpokenStream)
    parts: list[str] = field(default_factory=list)
    began: bool = False


class VoiceController(QtCore.QObject):
    state_changed = QtCore.Signal(str, object)  # DictationState, the AppError that makes it "unavailable" or None
    level_changed = QtCore.Signal(float)
    dictated = QtCore.Signal(str)  # the transcribed text (never empty)
    reading_changed = QtCore.Signal(bool)  # a reading began (True) or ended
    error_reported = QtCore.Signal(object)  # AppError
    download_progressed = QtCore.Signal(str, object)  # a speech model's id, DownloadProgress
    download_finished = QtCore.Signal(str, str)  # its id, how it ended ("installed", ..., "failed")
    settings_changed = QtCore.Signal(object)  # the VoiceSettings Settings → Voice saved

    def __init__(
        self,
        service: VoiceService,
        executor: BackgroundExecutor,
        hub_config: Callable[[], HubConfig] = HubConfig.from_settings,
        parent: QtCore.QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self._executor = executor
        self._relay = GuiRelay(self)
        self._recorder: Recorder | None = None
        self._state = "idle"
        self._checked = False
        self._reading: Reading | None = None
        self._readings = 0  # which reading the events are about: only the current one's end counts
        self._following: _Following | None = None  # the answer being read as it streams
        self._silenced_answer: int | None = None  # the streaming answer Stop silenced: not read on
        self._started: list[Reading] = []  # readings whose threads may still run (shutdown waits for them)
        self._downloads: dict[str, SpeechDownload] = {}
        self._hub_config = hub_config  # the endpoint and token of the window's settings
        self.read_every_answer = False  # conversation mode: answers are read as they stream, whatever the setting

    @property
    def settings(self) -> VoiceSettings:
        return self.service.settings

    def devices(self) -> list[AudioDevice] | AppError:
        """PortAudio's devices for Settings → Voice, or the error that says why there are none."""
        try:
            return self.service.devices()
        except AppError as error:
            return error

    def update(self, settings: VoiceSettings) -> None:
        """Settings → Voice was saved: used from the next recording or reading; the microphone is checked again."""
        self.service.update(settings)
        self.check()
        self.settings_changed.emit(settings)

    @property
    def state(self) -> str:
        return self._state

    @property
    def reading(self) -> bool:
        return self._reading is not None

    def check(self) -> None:
        """Finds out, off the GUI thread, whether dictation can work here; the state says."""
        BackgroundOp(run=self.service.check_microphone).on_success(self._on_microphone_found).on_failure(
            self._on_microphone_missing
        ).start(self._executor)

    @property
    def checked(self) -> bool:
        """Whether the first ``check`` has answered (the microphone's state is known)."""
        return self._checked

    def _on_microphone_found(self, _none: None) -> None:
        self._checked = True
        if self._state == "unavailable":
            self._set_state("idle")

    def _on_microphone_missing(self, error: AppError) -> None:
        self._checked = True
        self._set_state("unavailable", error)

    # -- dictation ------------------------------------------------------------------------------

    def toggle_dictation(self) -> None:
        if self._state == "recording":
            self._finish_recording()
        elif self._state in ("idle", "unavailable"):
            self._start_recording()

    def _start_recording(self) -> None:
        self.stop_reading()  # the voice never talks over the microphone
        try:
            self._recorder = self.service.recorder(self._relay.sink(self.level_changed.emit))
            self._recorder.start()
        except AppError as error:
            self._recorder = None
            self._set_state("unavailable", error)
            return
        self._set_state("recording")

    def _finish_recording(self) -> None:
        recorder, self._recorder = self._recorder, None
        if recorder is None:
            return
        clip = recorder.stop()
        self._set_state("transcribing")
        BackgroundOp(run=lambda: self.service.transcribe(clip)).on_success(self._on_transcribed).on_failure(
            self._on_failed
        ).on_end(lambda: self._set_state("idle") if self._state == "transcribing" else None).long_running().start(
            self._executor
        )

    def _on_transcribed(self, transcript: Transcript) -> None:
        log.info("dictated %.1f s of speech in %.2f s", transcript.audio_s, transcript.elapsed_s)
        if transcript.text:
            self.dictated.emit(transcript.text)

    def _on_failed(self, error: AppError) -> None:
        self.error_reported.emit(error)

    def _set_state(self, state: str, error: AppError | None = None) -> None:
        self._state = state
        self.state_changed.emit(state, error)

    # -- reading aloud --------------------------------------------------------------------------

    def read(self, markdown: str) -> None:
        """Reads a whole answer aloud, in the voice of its language; a reading already going stops first."""
        self.stop_reading()
        reading = self._begin(text_language(markdown))
        if reading is not None:
            reading.add(spoken_sentences(markdown, text_language(markdown)))
            reading.finish()

    def follow(self, answer_id: int, new_text: str) -> None:
        """More of a streaming answer: each sentence is said as soon as it is complete."""
        following = self._following
        if following is None or following.answer_id != answer_id:
            wanted = self.settings.read_aloud or self.read_every_answer
            if not wanted or answer_id == self._silenced_answer:
                return
            following = self._following = _Following(answer_id)
        following.parts.append(new_text)
        text = "".join(following.parts)
        if not following.began:  # the voice's language is settled by the text before the first sentence
            following.stream.language = text_language(text)
        sentences = following.stream.update(text)
        if not sentences:
            return
        if not following.began:
            following.began = True
            if self._begin(following.stream.language) is None:
                self._following = None
                return
        if self._reading is not None:
            self._reading.add(sentences)

    def follow_end(self, answer_id: int, markdown: str) -> None:
        """The streaming answer settled: its last sentences, then the reading ends."""
        following = self._following
        if following is None or following.answer_id != answer_id:
            return
        self._following = None
        if not following.began:
            following.stream.language = text_language(markdown)
        rest = following.stream.finish(markdown)
        if not following.began and rest and self._begin(following.stream.language) is None:
            return
        if self._reading is not None:
            self._reading.add(rest)
            self._reading.finish()

    def stop_reading(self) -> None:
        """Silences the voice at once; an answer still streaming is not read on."""
        if self._following is not None:
            self._silenced_answer = self._following.answer_id
            self._following = None
        self._stop_current()

    def _stop_current(self) -> None:
        if self._reading is not None:
            self._reading.stop()
            self._reading = None
            self.reading_changed.emit(False)

    def _begin(self, language: str) -> Reading | None:
        self._stop_current()
        self._readings += 1
        number = self._readings
        try:
            reading = self.service.reading(language, self._relay.sink(partial(self._on_playback_event, number)))
        except AppError as error:
            self.error_reported.emit(error)
            return None
        self._reading = reading
        self._started = [started for started in self._started if not started.wait(0)] + [reading]
        self.reading_changed.emit(True)
        return reading

    def _on_playback_event(self, number: int, event: PlaybackEvent) -> None:
        if event.kind == "failed" and event.error is not None:
            self.error_reported.emit(event.error)
        if event.kind in ("ended", "failed") and number == self._readings and self._reading is not None:
            self._reading = None
            self.reading_changed.emit(False)

    # -- downloads ------------------------------------------------------------------------------

    def download(self, model_id: str) -> None:
        """Downloads a speech model of the catalog on the long lane; progress and the end come as signals."""
        model = catalog.speech_model(model_id)
        if model is None or model_id in self._downloads:
            return
        op: BackgroundOp[DownloadResult]
        download = SpeechDownload(model, config=self._hub_config(), on_progress=lambda progress: op.report(progress))
        self._downloads[model_id] = download

        def failed(error: AppError) -> None:
            self.error_reported.emit(error)
            self.download_finished.emit(model_id, "failed")

        op = (
            BackgroundOp(run=download.run)
            .with_progress(lambda progress: self.download_progressed.emit(model_id, progress))
            .on_success(lambda result: self.download_finished.emit(model_id, result.status))
            .on_failure(failed)
            .on_end(lambda: self._forget_download(model_id))
            .long_running()
            .start(self._executor)
        )

    def _forget_download(self, model_id: str) -> None:
        self._downloads.pop(model_id, None)

    def shutdown(self) -> None:
        for download in self._downloads.values():
            download.pause()  # what arrived is kept: the next download resumes from there
        self.stop_reading()
        for reading in self._started:  # a thread still inside onnxruntime at exit aborts the process
            reading.stop()
            reading.wait(READING_END_WAIT_S)
        if self._recorder is not None:
            self._recorder.stop()
            self._recorder = None
        self._relay.close()
