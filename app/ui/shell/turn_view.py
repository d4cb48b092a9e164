"""The turn on screen: sending from the composer, the edit/regenerate/continue state, and the answer's stream.

While the user edits a message (``editing``), Send makes a new version of it; a turn that adds a
version (edit, regenerate, continue) shows the branch on screen anew when it starts (``reshow``).
The composer's attachments go with the message; they leave the composer once the turn started, and
come back if the prompt did not fit. Before the first send with attachments to a remote server in a
conversation, the user confirms that the passages go there (``confirm_remote``, a seam for tests).
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from app.core.documents.types import Document
from app.core.errors import AppError
from app.core.history.store import Store
from app.core.history.types import Message
from app.core.session.records import Turn
from app.core.session.turns import TurnOutcome
from app.ui.chat import inside_render
from app.ui.chat.composer import Composer
from app.ui.chat.model_picker import ModelPicker
from app.ui.chat.view import ChatView
from app.ui.common.banner import Banner
from app.ui.common.i18n import model_label
from app.ui.controllers.chat_controller import ChatController
from app.ui.controllers.models_controller import ModelsController
from app.ui.shell.host import WindowHost
from app.ui.shell.status_line import StatusLine

translate = QtCore.QCoreApplication.translate


class TurnView(QtCore.QObject):
    """Wires the composer, the conversation's buttons and the chat controller's turn. GUI thread only."""

    def __init__(
        self,
        host: WindowHost,
        store: Store,
        controller: ChatController,
        models: ModelsController,
        *,
        chat_view: ChatView,
        composer: Composer,
        banner: Banner,
        model_picker: ModelPicker,
        status: StatusLine,
        parent: QtCore.QObject,
    ) -> None:
        super().__init__(parent)
        self.host, self.store, self.controller, self.models = host, store, controller, models
        self.chat_view, self.composer, self.banner, self.model_picker = chat_view, composer, banner, model_picker
        self.status = status
        self.editing: int | None = None  # the user message being edited in the composer
        self.reshow = False  # the next turn adds a version: the branch on screen is shown anew
        self._sent_attachments: list[Document] = []  # the last send's, given back if its prompt did not fit
        self._remote_confirmed: set[int] = set()  # conversations whose passages may go to their server
        composer.send_requested.connect(self._on_composer_send_requested)
        composer.stop_requested.connect(self._on_composer_stop_requested)
        chat_view.edit_requested.connect(self._on_chat_view_edit_requested)
        chat_view.regenerate_requested.connect(self._on_chat_view_regenerate_requested)
        chat_view.continue_requested.connect(self._on_chat_view_continue_requested)
        chat_view.look_inside_requested.connect(controller.look_inside)
        chat_view.branch_requested.connect(self._on_chat_view_branch_requested)
        chat_view.thinking_branch_requested.connect(self._on_chat_view_thinking_branch_requested)
        controller.looked_inside.connect(chat_view.show_look_inside)
        chat_view.set_inside_of(inside_render.stored_in(store))
        controller.turn_started.connect(self._on_controller_turn_started)
        controller.answer_progressed.connect(self._on_controller_answer_progressed)
        controller.reasoning_progressed.connect(self._on_controller_reasoning_progressed)
        controller.answer_finished.connect(self._on_controller_answer_finished)
        controller.busy_changed.connect(self._on_controller_busy_changed)
        controller.turn_withdrawn.connect(self._on_controller_turn_withdrawn)

    def confirm_remote(self) -> bool:
        """Asks once per conversation whether the passages of the attached files may go to the remote server."""
        answer = QtWidgets.QMessageBox.question(
            self.composer.window(),
            translate("MainWindow", "Send passages to the server?"),
            translate(
                "MainWindow",
                "This conversation's model runs on a remote server: the passages of your files that go into "
                "the question are sent to it. Nothing else leaves this computer.",
            ),
        )
        return answer == QtWidgets.QMessageBox.StandardButton.Yes

    # -- the user -------------------------------------------------------------------------------

    @QtCore.Slot(str)
    def _on_composer_send_requested(self, text: str) -> None:
        if self.editing is not None:
            editing, self.editing = self.editing, None
            self.reshow = True
            if not self.controller.edit(editing, text):
                self.reshow = False
                self.composer.set_text(text)
            return
        conversation_id = self.host.conversation_id
        if conversation_id is None:
            conversation_id = self.host.new_conversation()
        attachments = self.composer.attachments()
        if conversation_id is not None and attachments and not self._may_send_documents(conversation_id):
            self.composer.set_text(text)  # not sent: the user keeps what they wrote and attached
            return
        if conversation_id is None or not self.controller.send(conversation_id, text, attachments):
            self.composer.set_text(text)  # nothing was sent: the user keeps what they wrote
            return
        self._sent_attachments = attachments
        self.composer.clear_attachments()

    def _may_send_documents(self, conversation_id: int) -> bool:
        if conversation_id in self._remote_confirmed:
            return True
        if not self.controller.sends_documents_off_machine(conversation_id):
            return True
        if not self.confirm_remote():
            return False
        self._remote_confirmed.add(conversation_id)
        return True

    @QtCore.Slot(object)
    def _on_controller_turn_withdrawn(self, outcome: TurnOutcome) -> None:
        if self._sent_attachments and not self.composer.attachments():
            self.composer.set_attachments(self._sent_attachments)  # the files come back with the text

    @QtCore.Slot()
    def _on_composer_stop_requested(self) -> None:
        self.controller.stop()

    @QtCore.Slot(int)
    def _on_chat_view_edit_requested(self, message_id: int) -> None:
        try:
            text = self.store.message(message_id).content
        except AppError as err:
            self.host.report_error(err)  # a damaged history is recovered there, as every store failure is
            return
        self.editing = message_id
        self.composer.set_text(text)
        self.composer.focus_edit()
        self.banner.show_notice(
            translate(
                "MainWindow", "Editing your message: sending it makes a new version, and the earlier one stays (‹ ›)."
            )
        )

    @QtCore.Slot(int)
    def _on_chat_view_regenerate_requested(self, message_id: int) -> None:
        self.reshow = True
        if not self.controller.regenerate(message_id):
            self.reshow = False

    @QtCore.Slot(int)
    def _on_chat_view_continue_requested(self, message_id: int) -> None:
        self.reshow = True
        if not self.controller.continue_answer(message_id):
            self.reshow = False

    @QtCore.Slot(int, str)
    def _on_chat_view_branch_requested(self, message_id: int, prefix: str) -> None:
        self.reshow = True
        if not self.controller.branch_from(message_id, prefix):
            self.reshow = False

    @QtCore.Slot(int, str)
    def _on_chat_view_thinking_branch_requested(self, message_id: int, prefix: str) -> None:
        self.reshow = True
        if not self.controller.branch_from(message_id, prefix, thinking=True):
            self.reshow = False

    # -- the chat controller's turn -------------------------------------------------------------

    @QtCore.Slot(object)
    def _on_controller_turn_started(self, turn: Turn) -> None:
        self.banner.hide()
        shown = turn.conversation_id == self.host.conversation_id
        if self.reshow:
            self.reshow = False
            if shown:
                self.host.show_conversation(turn.conversation_id)
        elif shown:
            self.chat_view.add_message(turn.user_message)
            self.chat_view.add_message(turn.answer)
            self.status.write(model_label(turn.request.model.name))
        self.models.set_answering(turn.request.model)

    @QtCore.Slot(int, str)
    def _on_controller_answer_progressed(self, message_id: int, text: str) -> None:
        self.chat_view.append_to_answer(message_id, text)

    @QtCore.Slot(int, str)
    def _on_controller_reasoning_progressed(self, message_id: int, reasoning: str) -> None:
        self.chat_view.append_to_answer(message_id, "", reasoning)

    @QtCore.Slot(object)
    def _on_controller_answer_finished(self, message: Message) -> None:
        self.chat_view.finish_answer(message)
        if message.conversation_id == self.host.conversation_id:
            self.status.show_stats(message)
            self.status.announce_answer(message)

    @QtCore.Slot(bool)
    def _on_controller_busy_changed(self, busy: bool) -> None:
        self.composer.set_busy(busy)
        if not busy:
            self.models.set_answering(None)
        self.model_picker.setEnabled(not busy and self.models.loading_model is None)
