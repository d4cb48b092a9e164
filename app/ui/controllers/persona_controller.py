"""The window's side of personas: the persona menu beside "New chat", the persona (and the Translator's
target language) in the chat header, the context meter, the "stop and ask" offer, and the persona editor.

The window hands ``PersonaController`` the widgets it works on and wires its two signals (show a
conversation, report an error); it calls ``prepare`` before it shows a conversation. Rules live in
the core: which persona a turn uses and what the model gets (``app.core.session.turns``), the
counting (the engine), the summary (``app.core.personas.summary``).

"Stop and ask": when a conversation under the "stop" policy no longer fits, the answer does not
start, the message goes back into the composer, and an offer under the conversation proposes a new
conversation carrying a short (extractive) summary, or dropping the oldest turns in this one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6 import QtCore, QtGui, QtWidgets

from app.core.config.settings import SettingsStore
from app.core.engine import budget
from app.core.engine.protocol import TokensCounted
from app.core.errors import AppError, ContextFullError
from app.core.history.store import Store
from app.core.history.types import Conversation, Message
from app.core.personas.book import PersonaBook
from app.core.personas.persona import TARGET_LANGUAGES, TARGET_PLACEHOLDER, Persona, display_name
from app.core.personas.summary import extractive_summary
from app.core.session.records import turns_out_of_memory
from app.core.session.turns import TurnOutcome
from app.ui.chat.composer import Composer
from app.ui.chat.context_meter import ContextMeter, turn_characters, turns_to_drop
from app.ui.chat.header import ChatHeader
from app.ui.chat.page import ChatPage
from app.ui.chat.view import ChatView
from app.ui.common.banner import Banner
from app.ui.common.i18n import current_language, error_text
from app.ui.common.mnemonic import literal
from app.ui.controllers.chat_controller import ChatController
from app.ui.personas.editor import PersonaEditor
from app.ui.sidebar.panel import Sidebar


class OverflowOffer(QtWidgets.QFrame):
    """What "stop and ask" asks: a new conversation with a summary, or drop the oldest turns here."""

    summary_requested = QtCore.Signal()
    drop_oldest_requested = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setProperty("kind", "info")
        self.label = QtWidgets.QLabel(self)
        self.label.setObjectName("bannerText")
        self.label.setWordWrap(True)
        self.summary_button = QtWidgets.QPushButton(self.tr("New conversation with a summary"), self)
        self.summary_button.setToolTip(
            self.tr("Starts a new conversation with this persona; a short summary of this one goes before your message")
        )
        self.drop_button = QtWidgets.QPushButton(self.tr("Drop the oldest turns here"), self)
        self.drop_button.setToolTip(
            self.tr("From now on this conversation forgets its oldest turns when it is full; your message is sent")
        )
        self.close_button = QtWidgets.QToolButton(self)
        self.close_button.setObjectName("bannerClose")
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip(self.tr("Dismiss"))
        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(self.summary_button)
        buttons.addWidget(self.drop_button)
        buttons.addStretch(1)
        text = QtWidgets.QVBoxLayout()
        text.addWidget(self.label)
        text.addLayout(buttons)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 6, 8)
        layout.addLayout(text, 1)
        layout.addWidget(self.close_button, 0, QtCore.Qt.AlignmentFlag.AlignTop)
        self.summary_button.clicked.connect(self.summary_requested)
        self.drop_button.clicked.connect(self.drop_oldest_requested)
        self.close_button.clicked.connect(self.hide)
        self.conversation_id: int | None = None
        self.hide()

    def offer(self, conversation_id: int, error: AppError) -> None:
        self.conversation_id = conversation_id
        self.label.setText(error_text(error))
        self.show()


def target_names() -> list[tuple[str, str]]:
    """The Translator's target languages: (the value the prompt gets, the name shown)."""
    translate = QtCore.QCoreApplication.translate
    shown = {
        "": translate("PersonaController", "Into: auto"),
        "English": translate("PersonaController", "Into English"),
        "Chinese": translate("PersonaController", "Into Chinese"),
        "French": translate("PersonaController", "Into French"),
        "German": translate("PersonaController", "Into German"),
        "Spanish": translate("PersonaController", "Into Spanish"),
        "Japanese": translate("PersonaController", "Into Japanese"),
    }
    return [(value, shown.get(value, value)) for value in TARGET_LANGUAGES]


class PersonaController(QtCore.QObject):
    """GUI thread only. Owned by the window, which wires ``show_requested`` and ``error_reported``."""

    show_requested = QtCore.Signal(int)  # a conversation to show (again): its persona or its memory changed
    error_reported = QtCore.Signal(object)  # an AppError for the window's one error path

    def __init__(
        self,
        window: QtWidgets.QWidget,
        book: PersonaBook,
        settings: SettingsStore,
        store: Store,
        controller: ChatController,
        *,
        sidebar: Sidebar,
        header: ChatHeader,
        chat_page: ChatPage,
        chat_view: ChatView,
        composer: Composer,
        banner: Banner,
        conversation_id: Callable[[], int | None],
        new_conversation: Callable[[], int | None],
    ) -> None:
        super().__init__(window)
        self._window, self.book, self.settings, self.store, self.controller = window, book, settings, store, controller
        self.sidebar, self.header, self.chat_view, self.chat_page = sidebar, header, chat_view, chat_page
        self.composer, self.banner = composer, banner
        self._conversation_id, self._new_conversation = conversation_id, new_conversation
        self.meter = ContextMeter(window)
        self.offer = OverflowOffer(window)
        chat_page.add_above_composer(self.offer)
        chat_page.add_above_composer(self.meter)
        self.menu = QtWidgets.QMenu(sidebar)
        sidebar.persona_button.setMenu(self.menu)
        self.editor_button = sidebar.add_page_button(self.tr("Personas…"), self.tr("Edit the personas"))
        self.editor_button.setCheckable(False)
        self.editor_action = QtGui.QAction(self.tr("Edit personas…"), self)
        self._out_of_memory = 0
        self._turns: list[int] = []  # the characters of each turn in memory, for the meter's estimate
        self._fill_menu()
        self.menu.aboutToShow.connect(self._fill_menu)
        self.menu.triggered.connect(self._on_menu_triggered)
        self.editor_button.clicked.connect(self.open_editor)
        header.persona_chosen.connect(self._on_header_persona_chosen)
        header.target_language_chosen.connect(self._on_header_target_language_chosen)
        composer.edit.textChanged.connect(self._on_composer_text_changed)
        self.meter.count_requested.connect(self._on_meter_count_requested)
        self.offer.summary_requested.connect(self._on_offer_summary_requested)
        self.offer.drop_oldest_requested.connect(self._on_offer_drop_oldest_requested)
        self.controller.tokens_counted.connect(self._on_controller_tokens_counted)
        self.controller.answer_finished.connect(self._on_controller_answer_finished)
        self.controller.turn_withdrawn.connect(self._on_controller_turn_withdrawn)
        self.controller.busy_changed.connect(self._on_controller_busy_changed)
        chat_page.stack.currentChanged.connect(self._on_chat_page_changed)

    # -- public ---------------------------------------------------------------------------------

    def name(self, persona: Persona) -> str:
        return display_name(persona, current_language(), self.book.shipped)

    def prepare(self, conversation: Conversation, messages: list[Message]) -> None:
        """Before the window shows ``conversation``: the names its dividers and details lines use,
        where its memory begins, the header's persona, and the meter."""
        personas = self.book.all()
        chat_view = self.chat_view
        chat_view.persona_names = {p.id: self.name(p) for p in personas if p.id is not None}
        chat_view.json_personas = {p.id for p in personas if p.id is not None and p.json_schema}
        chat_view.inside_personas = {p.id for p in personas if p.id is not None and p.look_inside}
        chat_view.memory_start = conversation.memory_start
        current = self.book.for_conversation(conversation)
        self.header.size_notice.set_persona(current, self.name(current))
        translates = TARGET_PLACEHOLDER in current.system_prompt and conversation.system_prompt is None
        self.header.show_personas(
            [(p.id, f"{p.icon} {self.name(p)}".strip()) for p in personas if p.id is not None],
            current.id or 0,
            targets=target_names() if translates else None,
            target=current.target_language,
        )
        if self.offer.conversation_id != conversation.id:
            self.offer.hide()
        self._out_of_memory = turns_out_of_memory(messages, conversation.memory_start)
        self._turns = turn_characters(messages, conversation.memory_start)
        self.count(self.composer.text())

    def retranslate(self) -> None:
        """The language changed: the menu's persona names follow it (the header's follow ``prepare``)."""
        self._fill_menu()

    def count(self, draft: str = "") -> None:
        """Asks for the open conversation's count (``draft`` as the next message)."""
        conversation_id = self._conversation_id()
        if conversation_id is None or not self.controller.count_tokens(conversation_id, draft):
            self.meter.hide()

    def new_conversation_with(self, persona_id: int) -> int | None:
        """A new conversation that talks to ``persona_id``."""
        conversation_id = self._new_conversation()
        if conversation_id is None:
            return None
        try:
            self.book.assign(conversation_id, persona_id)
        except AppError as err:
            self.error_reported.emit(err)
        self.show_requested.emit(conversation_id)
        return conversation_id

    def change_persona(self, persona_id: int) -> None:
        """The open conversation talks to ``persona_id`` from its next answer; a divider says so."""
        conversation_id = self._conversation_id()
        if conversation_id is None:
            return
        try:
            conversation = self.store.conversation(conversation_id)
            if self.book.for_conversation(conversation).id == persona_id and conversation.system_prompt is None:
                return
            persona = self.book.get(persona_id)
            if conversation.system_prompt is not None:
                self.store.set_system_prompt(conversation_id, None)  # an older conversation's own prompt gives way
            if any(m.kind is None for m in self.store.messages(conversation_id)):
                self.store.set_conversation_persona(conversation_id, persona_id, self.name(persona))
            else:
                self.book.assign(conversation_id, persona_id)  # nothing said yet: no divider
        except AppError as err:
            self.error_reported.emit(err)
        self.show_requested.emit(conversation_id)

    def open_editor(self) -> None:
        editor = PersonaEditor(self.book, self.settings, current_language(), self._window)
        editor.error_reported.connect(self.error_reported.emit)
        try:
            self.run_editor(editor)
        finally:
            editor.deleteLater()
        self._fill_menu()
        conversation_id = self._conversation_id()
        if conversation_id is not None:
            self.show_requested.emit(conversation_id)

    def run_editor(self, editor: PersonaEditor) -> None:
        """Shows the editor until it is closed. A seam: tests replace it."""
        editor.exec()

    # -- helpers --------------------------------------------------------------------------------

    def _fill_menu(self) -> None:
        self.menu.clear()
        title = self.menu.addAction(self.tr("New chat with…"))
        title.setEnabled(False)
        for persona in self.book.all():
            action = self.menu.addAction(literal(f"{persona.icon} {self.name(persona)}".strip()))
            action.setData(persona.id)
            action.setToolTip(persona.description)
        self.menu.addSeparator()
        self.menu.addAction(self.editor_action)

    # -- slots ----------------------------------------------------------------------------------

    @QtCore.Slot(QtGui.QAction)
    def _on_menu_triggered(self, action: QtGui.QAction) -> None:
        if action is self.editor_action:
            self.open_editor()
        elif isinstance(action.data(), int):
            self.new_conversation_with(action.data())

    @QtCore.Slot(int)
    def _on_header_persona_chosen(self, persona_id: int) -> None:
        self.change_persona(persona_id)

    @QtCore.Slot(str)
    def _on_header_target_language_chosen(self, target: str) -> None:
        conversation_id = self._conversation_id()
        if conversation_id is None:
            return
        try:
            persona = self.book.for_conversation(self.store.conversation(conversation_id))
            self.book.update(replace(persona, target_language=target))
        except AppError as err:
            self.error_reported.emit(err)
        self.show_requested.emit(conversation_id)

    @QtCore.Slot()
    def _on_composer_text_changed(self) -> None:
        self.meter.draft_changed(self.composer.text())

    @QtCore.Slot(str)
    def _on_meter_count_requested(self, draft: str) -> None:
        self.count(draft)

    @QtCore.Slot(int, object)
    def _on_controller_tokens_counted(self, conversation_id: int, counted: TokensCounted) -> None:
        if conversation_id != self._conversation_id():
            return
        leaving_out = 0
        if counted.tokens > counted.limit and self._overflow(conversation_id) == "drop_oldest":
            target = budget.drop_target(counted.n_ctx, counted.limit)
            leaving_out = turns_to_drop(self._turns, counted.tokens, target)
        self.meter.show_count(
            counted.tokens, counted.limit, self._out_of_memory, estimated=counted.estimated,
            n_ctx=counted.n_ctx, leaving_out=leaving_out,
        )  # fmt: skip
        self.meter.show()

    def _overflow(self, conversation_id: int) -> str:
        """The conversation's overflow policy, as the turn runner resolves it."""
        try:
            persona = self.book.for_conversation(self.store.conversation(conversation_id))
            own = self.book.conversation_overflow(conversation_id)
            return own or persona.overflow or self.settings.current.overflow
        except AppError as err:
            self.error_reported.emit(err)
            return ""

    @QtCore.Slot(object)
    def _on_controller_answer_finished(self, message: Message) -> None:
        if message.conversation_id != self._conversation_id():
            return
        try:
            conversation = self.store.conversation(message.conversation_id)
        except AppError as err:
            self.error_reported.emit(err)  # a damaged history is recovered there
            return
        if conversation.memory_start != self.chat_view.memory_start:
            self.show_requested.emit(conversation.id)  # the marker moves: older turns fell out
        else:
            self.count(self.composer.text())

    @QtCore.Slot(object)
    def _on_controller_turn_withdrawn(self, outcome: TurnOutcome) -> None:
        """The prompt did not fit: nothing the user wrote is lost, it goes back into the composer."""
        if outcome.conversation_id == self._conversation_id():
            self.show_requested.emit(outcome.conversation_id)
        typed = self.composer.text()
        withdrawn = outcome.withdrawn or ""
        self.composer.set_text(f"{withdrawn}\n\n{typed}" if typed.strip() else withdrawn)
        self.composer.focus_edit()
        if isinstance(outcome.error, ContextFullError):
            self.banner.hide()
            self.offer.offer(outcome.conversation_id, outcome.error)
        elif outcome.error is not None:
            self.error_reported.emit(outcome.error)

    @QtCore.Slot(int)
    def _on_chat_page_changed(self, index: int) -> None:
        del index
        if self.chat_page.stack.currentWidget() is not self.chat_view:
            self.meter.hide()  # the welcome page has no conversation to measure

    @QtCore.Slot(bool)
    def _on_controller_busy_changed(self, busy: bool) -> None:
        self.header.persona_combo.setEnabled(not busy)
        if busy:
            self.offer.hide()

    @QtCore.Slot()
    def _on_offer_summary_requested(self) -> None:
        source = self.offer.conversation_id
        if source is None:
            return
        try:
            conversation = self.store.conversation(source)
            summary = extractive_summary(self.store.messages(source))
            persona = self.book.for_conversation(conversation)
            new = self.store.create_conversation(persona_id=persona.id, model_name=conversation.model_name)
        except AppError as err:
            self.error_reported.emit(err)
            return
        text = self.composer.text()
        self.offer.hide()
        self.sidebar.refresh(select_id=new.id)
        self.show_requested.emit(new.id)
        heading = self.tr("A summary of our earlier conversation:")
        self.composer.set_text(f"{heading}\n{summary}\n\n{text}" if summary else text)
        self.composer.focus_edit()

    @QtCore.Slot()
    def _on_offer_drop_oldest_requested(self) -> None:
        conversation_id = self.offer.conversation_id
        if conversation_id is None:
            return
        try:
            self.book.set_conversation_overflow(conversation_id, "drop_oldest")
        except AppError as err:
            self.error_reported.emit(err)
            return
        self.offer.hide()
        text = self.composer.text()
        if conversation_id == self._conversation_id() and text.strip():
            self.composer.set_text("")
            if not self.controller.send(conversation_id, text):
                self.composer.set_text(text)  # nothing was sent: the user keeps what they wrote
