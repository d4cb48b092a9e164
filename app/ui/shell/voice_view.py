"""The voice in the window: the composer's microphone, "Read aloud" under answers, reading answers as they stream,
and conversation mode.

It wires the ``VoiceController`` and the ``ConversationController`` to the widgets: the microphone's state and
level, dictated text into the composer (or sent at once, a setting), the answers' "Read aloud" links, the
"Stop reading" button and Esc; conversation mode's toggle (and Settings → Voice's switch for it, which it keeps
in step; a mode left on when Parley closed is off at the next start, so the microphone never opens unasked),
what it heard sent as the user's message, a barge-in stopping the answer, and its turns followed.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6 import QtCore

from app.core.errors import AppError, VoiceError
from app.core.history.types import Message
from app.core.voice.settings import VoiceSettings
from app.ui.chat.composer import Composer
from app.ui.chat.view import ChatView
from app.ui.common.banner import Banner
from app.ui.controllers.chat_controller import ChatController
from app.ui.controllers.conversation_controller import ConversationController
from app.ui.controllers.voice_controller import VoiceController


class VoiceView(QtCore.QObject):
    def __init__(
        self,
        voice: VoiceController,
        conversation: ConversationController,
        chat: ChatController,
        *,
        composer: Composer,
        chat_view: ChatView,
        banner: Banner,
        parent: QtCore.QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._voice, self._conversation, self._chat = voice, conversation, chat
        self._composer, self._chat_view, self._banner = composer, chat_view, banner
        composer.microphone.toggled_by_user.connect(self._on_microphone_toggled_by_user)
        composer.stop_reading_button.clicked.connect(voice.stop_reading)
        voice.state_changed.connect(self._on_voice_state_changed)
        voice.level_changed.connect(composer.microphone.set_level)
        voice.dictated.connect(self._on_voice_dictated)
        voice.reading_changed.connect(composer.stop_reading_button.setVisible)
        voice.error_reported.connect(self._on_voice_error_reported)
        voice.settings_changed.connect(self._on_voice_settings_changed)
        chat_view.speak_requested.connect(self._on_chat_view_speak_requested)
        chat.answer_progressed.connect(voice.follow)
        chat.answer_finished.connect(self._on_chat_answer_finished)
        chat.turn_started.connect(self._on_chat_turn_started)
        composer.conversation.toggled_by_user.connect(conversation.toggle)
        conversation.state_changed.connect(self._on_conversation_state_changed)
        conversation.level_changed.connect(composer.conversation.set_level)
        conversation.heard.connect(self._on_conversation_heard)
        conversation.stop_answer_requested.connect(chat.stop)
        voice.check()
        if voice.settings.conversation_mode:  # left on when Parley last closed: the microphone opens only when asked
            self._save_conversation_mode(False)

    def stop(self) -> None:
        """Esc: the voice stops too, and conversation mode ends."""
        self._voice.stop_reading()
        self._conversation.end()

    @QtCore.Slot()
    def _on_microphone_toggled_by_user(self) -> None:
        self._conversation.end()  # one thing listens at a time: dictating ends conversation mode
        self._voice.toggle_dictation()

    @QtCore.Slot(str, object)
    def _on_voice_state_changed(self, state: str, error: AppError | None) -> None:
        self._composer.microphone.set_state(state, error)  # type: ignore[arg-type]
        button = self._composer.conversation
        if state == "unavailable" and not self._conversation.active:
            button.set_look("unavailable", error)  # the microphone's own sentence
        elif state != "unavailable" and button.look == "unavailable":
            button.set_look("off")

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
    def _on_chat_turn_started(self, turn: object) -> None:
        del turn
        self._conversation.answer_started()

    @QtCore.Slot(object)
    def _on_chat_answer_finished(self, message: Message) -> None:
        self._voice.follow_end(message.id, message.content)
        self._conversation.answer_finished()

    # -- conversation mode ----------------------------------------------------------------------

    @QtCore.Slot(str, object)
    def _on_conversation_state_changed(self, state: str, error: AppError | None) -> None:
        button = self._composer.conversation
        if error is not None:
            button.set_look("unavailable" if isinstance(error, VoiceError) else "off", error)
            self._banner.show_error(error)
        else:
            button.set_look(state)  # type: ignore[arg-type]
        on = state != "off"
        if on != self._voice.settings.conversation_mode:  # Settings → Voice shows it as it is
            self._save_conversation_mode(on)

    def _save_conversation_mode(self, on: bool) -> None:
        try:
            self._voice.service.update(replace(self._voice.settings, conversation_mode=on))
        except AppError as failure:
            self._banner.show_error(failure)

    @QtCore.Slot(str)
    def _on_conversation_heard(self, text: str) -> None:
        """What was said goes out as the user's message; a draft in the message box waits in it."""
        draft = self._composer.text()
        self._composer.set_text(text)
        self._composer.send_now()
        if self._chat.is_busy:
            self._composer.set_text(draft)
            return
        # Not sent (a model still loading, an error the banner shows): the words stay for the user to send.
        self._composer.set_text(f"{draft} {text}".strip())
        self._conversation.end()

    @QtCore.Slot(object)
    def _on_voice_settings_changed(self, settings: VoiceSettings) -> None:
        if settings.conversation_mode and not self._conversation.active:
            self._conversation.start()
        elif not settings.conversation_mode and self._conversation.active:
            self._conversation.end()
