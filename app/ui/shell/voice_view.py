"""The voice in the window: the composer's microphone, "Read aloud" under answers, reading answers as they stream.

It wires the ``VoiceController`` to the widgets: the microphone's state and level, dictated text into the
composer (or sent at once, a setting), the answers' "Read aloud" links, the "Stop reading" button and Esc.
"""

from __future__ import annotations

from PySide6 import QtCore

from app.core.errors import AppError
from app.core.history.types import Message
from app.ui.chat.composer import Composer
from app.ui.chat.view import ChatView
from app.ui.common.banner import Banner
from app.ui.controllers.chat_controller import ChatController
from app.ui.controllers.voice_controller import VoiceController


class VoiceView(QtCore.QObject):
    def __init__(
        self,
        voice: VoiceController,
        chat: ChatController,
        *,
        composer: Composer,
        chat_view: ChatView,
        banner: Banner,
        parent: QtCore.QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._voice, self._composer, self._chat_view, self._banner = voice, composer, chat_view, banner
        composer.microphone.toggled_by_user.connect(voice.toggle_dictation)
        composer.stop_reading_button.clicked.connect(voice.stop_reading)
        voice.state_changed.connect(self._on_voice_state_changed)
        voice.level_changed.connect(composer.microphone.set_level)
        voice.dictated.connect(self._on_voice_dictated)
        voice.reading_changed.connect(composer.stop_reading_button.setVisible)
        voice.error_reported.connect(self._on_voice_error_reported)
        chat_view.speak_requested.connect(self._on_chat_view_speak_requested)
        chat.answer_progressed.connect(voice.follow)
        chat.answer_finished.connect(self._on_chat_answer_finished)
        voice.check()

    def stop(self) -> None:
        """Esc: the voice stops too."""
        self._voice.stop_reading()

    @QtCore.Slot(str, object)
    def _on_voice_state_changed(self, state: str, error: AppError | None) -> None:
        self._composer.microphone.set_state(state, error)  # type: ignore[arg-type]

    @QtCore.Slot(str)
    def _on_voice_dictated(self, text: str) -> None:
        self._composer.insert_dictated(text)
        if self._voice.settings.send_at_once:
            self._composer.send_now()

    @QtCore.Slot(object)
    def _on_voice_error_reported(self, error: AppError) -> None:
        self._banner.show_error(error)

    @QtCore.Slot(int)
    def _on_chat_view_speak_requested(self, message_id: int) -> None:
        markdown = self._chat_view.message_markdown(message_id)
        if markdown:
            self._voice.read(markdown)

    @QtCore.Slot(object)
    def _on_chat_answer_finished(self, message: Message) -> None:
        self._voice.follow_end(message.id, message.content)
