"""Conversation mode for the window: listen → answer → speak → listen, with barge-in; the Qt face of ``Listener``.

The states: "off"; "listening" (the microphone hears the next thing said; its level comes as
``level_changed``); "transcribing" (Whisper, on the executor's long lane); "answering" (what was heard went out
as the user's message through ``heard``, and the answer is being written); "speaking" (the voice reads it as
it streams: ``VoiceController`` reads every answer while the mode is on). When the reading is over, "listening"
again. While answering or speaking the microphone stays open: speech over the answer (``Listener``'s
barge-in) silences the voice at once, on PortAudio's thread, then here stops an answer still being written
(``stop_answer_requested``, what Stop does) and goes on listening. ``end`` (the toggle, Esc) or a failure ends
the mode; a failure's ``AppError`` comes with the "off" state. Opening and closing the microphone run on the
executor, like all the audio; PortAudio's callbacks reach this thread through the relay.
"""

from __future__ import annotations

import logging
import time
from functools import partial
from typing import Literal

from PySide6 import QtCore

from app.core.errors import AppError
from app.core.voice.audio import AudioClip
from app.core.voice.listening import Listener
from app.core.voice.transcription import Transcript
from app.ui.common.background import BackgroundExecutor, BackgroundOp
from app.ui.common.relay import GuiRelay
from app.ui.controllers.voice_controller import VoiceController

log = logging.getLogger("app.ui.voice")
ConversationState = Literal["off", "listening", "transcribing", "answering", "speaking"]


class ConversationController(QtCore.QObject):
    state_changed = QtCore.Signal(str, object)  # ConversationState, the AppError that ended the mode or None
    level_changed = QtCore.Signal(float)
    heard = QtCore.Signal(str)  # what the user said (never empty): the window sends it as their message
    stop_answer_requested = QtCore.Signal()  # a barge-in: the answer still being written stops, as Stop does

    def __init__(
        self, voice: VoiceController, executor: BackgroundExecutor, parent: QtCore.QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._voice = voice
        self._executor = executor
        self._relay = GuiRelay(self)
        self._state: ConversationState = "off"
        self._run = 0  # which run of the mode the microphone's news belongs to
        self._listener: Listener | None = None
        self._answering = False  # an answer is being written (the window says when it starts and ends)
        voice.reading_changed.connect(self._on_voice_reading_changed)

    @property
    def state(self) -> ConversationState:
        return self._state

    @property
    def active(self) -> bool:
        return self._state != "off"

    @property
    def listener(self) -> Listener | None:
        return self._listener

    def toggle(self) -> None:
        if self.active:
            self.end()
        else:
            self.start()

    def start(self) -> None:
        """Opens the microphone (off the GUI thread) and listens; an answer being written is waited for first."""
        if self.active:
            return
        self._run += 1
        run = self._run
        self._voice.read_every_answer = True
        self._set_state("answering" if self._answering else "speaking" if self._voice.reading else "listening")
        service, relay = self._voice.service, self._relay

        def on_barge_in(at: float) -> None:  # PortAudio's thread: the voice stops now, not when the window gets to it
            service.silence()
            relay.post(partial(self._on_listener_barged_in, run, at))

        def opened() -> Listener:
            listener = service.listener(
                relay.sink(partial(self._on_listener_heard, run)), on_barge_in,
                relay.sink(partial(self._on_listener_level, run)),
            )  # fmt: skip
            listener.open()
            return listener

        BackgroundOp(run=opened).on_success(partial(self._on_listener_opened, run)).on_failure(
            partial(self._on_failed, run)
        ).start(self._executor)

    def end(self, error: AppError | None = None) -> None:
        """Ends the mode: the microphone closes and the voice stops; ``error`` says why, for a failure."""
        if not self.active:
            return
        self._run += 1
        self._close_listener()
        self._voice.read_every_answer = False
        self._voice.stop_reading()
        self._set_state("off", error)

    def answer_started(self) -> None:
        """A turn began (the heard message, or one typed): the microphone guards against speech over it."""
        self._answering = True
        if self._state in ("listening", "transcribing", "answering"):
            self._guard()
            self._set_state("speaking" if self._voice.reading else "answering")

    def answer_finished(self) -> None:
        """The answer settled; once its reading is over, the next thing said is listened for."""
        self._answering = False
        if self._state in ("answering", "speaking") and not self._voice.reading:
            self._listen()

    def shutdown(self) -> None:
        self._run += 1
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        self._relay.close()

    # -- the microphone -------------------------------------------------------------------------

    def _on_listener_opened(self, run: int, listener: Listener) -> None:
        if run != self._run:  # the mode ended while the microphone was opening
            BackgroundOp(run=listener.close).start(self._executor)
            return
        self._listener = listener
        if self._answering or self._voice.reading:
            self._guard()
        else:
            listener.listen()

    def _on_listener_level(self, run: int, value: float) -> None:
        if run == self._run and self._state == "listening":
            self.level_changed.emit(value)

    def _on_listener_heard(self, run: int, clip: AudioClip) -> None:
        if run != self._run or self._state != "listening":
            return
        self._set_state("transcribing")
        service = self._voice.service
        BackgroundOp(run=lambda: service.transcribe(clip)).on_success(partial(self._on_transcribed, run)).on_failure(
            partial(self._on_failed, run)
        ).long_running().start(self._executor)

    def _on_transcribed(self, run: int, transcript: Transcript) -> None:
        if run != self._run:
            return
        log.info("conversation: heard %.1f s of speech in %.2f s", transcript.audio_s, transcript.elapsed_s)
        if not transcript.text.strip():
            self._listen()  # a noise, or nothing Whisper could make out
            return
        self._set_state("answering")
        self._guard()
        self.heard.emit(transcript.text.strip())

    def _on_listener_barged_in(self, run: int, at: float) -> None:
        if run != self._run or self._state not in ("answering", "speaking"):
            return
        log.info("conversation: barge-in, the voice silenced %.0f ms ago", 1000 * (time.monotonic() - at))
        self._set_state("listening")  # the listener goes on with the speech that interrupted
        self._voice.stop_reading()
        if self._answering:
            self.stop_answer_requested.emit()

    def _on_failed(self, run: int, error: AppError) -> None:
        if run == self._run:
            self.end(error)

    # -- the voice ------------------------------------------------------------------------------

    @QtCore.Slot(bool)
    def _on_voice_reading_changed(self, reading: bool) -> None:
        if reading and self._state in ("listening", "answering"):
            self._guard()  # the voice is never heard as the user (a "Read aloud" while listening too)
            self._set_state("speaking")
        elif not reading and self._state == "speaking" and not self._answering:
            self._listen()

    # -- internals ------------------------------------------------------------------------------

    def _guard(self) -> None:
        if self._listener is not None:
            self._listener.guard()

    def _listen(self) -> None:
        self._set_state("listening")
        if self._listener is not None:
            self._listener.listen()

    def _close_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            BackgroundOp(run=listener.close).start(self._executor)

    def _set_state(self, state: ConversationState, error: AppError | None = None) -> None:
        self._state = state
        self.state_changed.emit(state, error)
