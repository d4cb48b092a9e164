"""The main window: it builds the widgets and hands them to its parts, and owns which conversation shows.

Left, the conversations; right, a header, the conversation (or, with none yet, a welcome panel), a
banner and the composer. Its parts (``turn_view``, ``model_choice``, ``conversation_list``,
``download_notices``, ``status_line``, ``actions``, ``settings_opening``, the persona controller)
get the widgets they work on and reach the window only through ``host.WindowHost``; ``geometry``
keeps its size and place. Every error meant for the user passes through ``report_error``: a
history found damaged is recovered there.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from itertools import pairwise

from PySide6 import QtCore, QtGui, QtWidgets

from app.core.engine import gpu_plan
from app.core.errors import AppError, DatabaseDamagedInUseError
from app.core.history.types import Conversation
from app.core.models import installed
from app.core.models.installed import ModelEntry
from app.core.session import records, speed_check
from app.ui.chat.composer import Composer
from app.ui.chat.header import ChatHeader
from app.ui.chat.page import ChatPage, PageStack
from app.ui.chat.view import ChatView
from app.ui.common import icons, retranslate, style
from app.ui.common.background import BackgroundOp
from app.ui.common.banner import Banner
from app.ui.common.gpu_text import capability_for
from app.ui.common.i18n import error_text
from app.ui.common.relay import GuiRelay
from app.ui.controllers.exchange_controller import ExchangeController
from app.ui.controllers.persona_controller import PersonaController
from app.ui.models.find import FindModelsPage
from app.ui.models.manager import GgufDropFilter, ModelManager
from app.ui.models.mirror import MirrorOffer
from app.ui.models.welcome import WelcomePanel
from app.ui.shell import geometry
from app.ui.shell.actions import WindowActions
from app.ui.shell.api_status import ApiStatusLabel
from app.ui.shell.attach_view import AttachView
from app.ui.shell.conversation_list import ConversationList
from app.ui.shell.download_notices import DownloadNotices
from app.ui.shell.memory_view import MemoryView
from app.ui.shell.model_choice import ModelChoice
from app.ui.shell.services import Services
from app.ui.shell.settings_opening import open_settings
from app.ui.shell.status_line import StatusLine
from app.ui.shell.turn_view import TurnView
from app.ui.shell.voice_view import VoiceView
from app.ui.sidebar.download_panel import DownloadsPanel
from app.ui.sidebar.panel import Sidebar, display_title
from app.ui.sidebar.project_dialog import ProjectChoices

log = logging.getLogger("app.ui")


class MainWindow(QtWidgets.QMainWindow):
    """Parley's window. GUI thread only."""

    def __init__(self, services: Services, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Parley")
        self.setWindowIcon(icons.app_icon())
        # An explicit minimum: the layout's own changes as panels show and hide, and offscreen Qt
        # warns each time a window's minimum size changes.
        self.setMinimumSize(geometry.MINIMUM_SIZE)
        self.services = services
        self.store = services.store
        self.settings = services.settings
        self.registry = services.registry
        self.session = services.session
        self.controller = services.chat
        self.models = services.models
        self.downloads = services.downloads
        self.history = services.history
        # The window keeps the controllers, so Qt deletes them (and their file watcher and relays)
        # on the GUI thread: a Python-owned QObject dies on whichever thread drops it last, which
        # can be the engine's reader thread, and Qt objects must not be deleted there.
        for controller in (
            services.chat, services.models, services.downloads, services.history, services.appearance,
            services.remote, services.api, services.documents, services.voice, services.conversation,
        ):  # fmt: skip
            controller.setParent(self)
        self._conversation_id: int | None = None
        self._shut_down = False
        self._styled_for: tuple[float, ...] = ()

        self.sidebar = Sidebar(self.store, self)
        self.exchange = ExchangeController(self.store, self)  # export and import (sidebar, Settings → Data)
        self.welcome = WelcomePanel(self)
        self.welcome.attach_downloads(self.downloads)
        self.find_models = FindModelsPage(self.downloads, self.registry, services.executor, self)
        self.mirror = MirrorOffer(lambda: self.downloads.hub_config().endpoint, services.executor, self)
        self.find_models.attach_mirror(self.mirror)
        self.downloads_panel = DownloadsPanel(self.downloads, self)
        self.models_page = ModelManager(self.models, services.executor, self)
        self.models_page.updates.attach_downloads(self.downloads)
        self.chat_view = ChatView(self)
        self.banner = Banner(self)
        self.composer = Composer(self)
        self.header = ChatHeader(self)
        self.title_label = self.header.title_label
        self.loading_indicator = self.header.loading_indicator
        self.thinking_combo = self.header.thinking_combo
        self.model_picker = self.header.model_picker
        self.status = StatusLine(self, self.registry)
        self.status_label = self.status.label
        self.api_status = ApiStatusLabel(services.api, self)  # when a program uses the model through the API
        self.statusBar().addPermanentWidget(self.api_status)
        self.statusBar().setSizeGripEnabled(False)
        self._build_layout()
        self._build_parts()
        self.sidebar.project_choices = self._project_choices
        self._set_tab_order()  # after the parts: the persona controller adds "Personas…"
        self._connect()
        self._apply_style()
        self.reload()

    # -- building -------------------------------------------------------------------------------

    def _build_layout(self) -> None:
        self.chat_page = ChatPage(self.header, self.welcome, self.chat_view, self.banner, self.composer, self)
        self.stack = self.chat_page.stack
        splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal, self)
        splitter.setChildrenCollapsible(False)
        splitter.setHandleWidth(1)
        self.pages = PageStack(self.chat_page, self)  # the chat first; others (Models, ...) through add_page
        splitter.addWidget(self.sidebar)
        splitter.addWidget(self.pages)
        splitter.setStretchFactor(1, 1)
        self.setCentralWidget(splitter)
        self.splitter = splitter
        self.placement = geometry.WindowPlacement(self, splitter, self.settings)  # size, place, sidebar width
        self.placement.restore()
        self.sidebar.add_status_widget(self.downloads_panel)
        self.find_models_button = self.add_page(
            self.find_models,
            self.tr("Get models"),
            self.tr("The recommended models, and a search of the Hugging Face Hub for more"),
        )
        self.models_button = self.add_page(
            self.models_page, self.tr("Models"), self.tr("The installed models: import, delete, choose")
        )
        self.settings_button = self.sidebar.add_page_button(self.tr("Settings…"), self.tr("Settings (Ctrl+,)"))
        self.settings_button.setCheckable(False)

    def _set_tab_order(self) -> None:
        """Tab goes as the eye reads: the sidebar top to bottom, then the header, the conversation, the composer."""
        chain = [
            self.sidebar.new_button,
            self.sidebar.persona_button,
            self.sidebar.new_project_button,
            self.sidebar.search.edit,
            self.sidebar.list,
            self.find_models_button,
            self.models_button,
            self.settings_button,
            self.personas.editor_button,
            self.header.persona_combo,
            self.header.target_combo,
            self.header.thinking_combo,
            self.header.library_switch,
            self.model_picker,
            self.chat_view,
            self.composer.microphone.button,
            self.composer.conversation.button,
            self.composer.attach_button,
            self.composer.edit,
            self.composer.stop_reading_button,
            self.composer.stop_button,
            self.composer.send_button,
        ]
        for first, second in pairwise(chain):
            QtWidgets.QWidget.setTabOrder(first, second)

    def _build_parts(self) -> None:
        """The parts that work on the widgets: shortcuts and menus, the turn, model choice, downloads, personas."""
        self.window_actions = WindowActions(
            self, self, self.controller, sidebar=self.sidebar, header=self.header, chat_page=self.chat_page,
            chat_view=self.chat_view, composer=self.composer, status=self.status,
        )  # fmt: skip
        self.new_action = self.window_actions.new_action
        self.settings_action = self.window_actions.settings_action
        # Files dropped anywhere on the window, the message box included, are imported.
        self.drop_filter = GgufDropFilter(self)
        self.setAcceptDrops(True)
        self.installEventFilter(self.drop_filter)
        self.composer.edit.viewport().installEventFilter(self.drop_filter)
        self.attach = AttachView(
            self, self.store, self.services.documents, chat_page=self.chat_page, header=self.header,
            chat_view=self.chat_view, composer=self.composer, parent=self,
        )  # fmt: skip
        self.memory_view = MemoryView(
            self, self.store, self.controller, header=self.header, chat_view=self.chat_view, parent=self
        )
        self.turns = TurnView(
            self, self.store, self.controller, self.models, chat_view=self.chat_view, composer=self.composer,
            banner=self.banner, model_picker=self.model_picker, status=self.status, parent=self,
        )  # fmt: skip
        self.model_choice = ModelChoice(
            self, self.services, header=self.header, welcome=self.welcome, models_page=self.models_page,
            find_models=self.find_models, chat_page=self.chat_page, composer=self.composer, banner=self.banner,
            drop_filter=self.drop_filter, status=self.status, parent=self,
        )  # fmt: skip
        self.conversations = ConversationList(
            self, self.store, self.controller, self.history, self.exchange, sidebar=self.sidebar, header=self.header,
            chat_page=self.chat_page, chat_view=self.chat_view, banner=self.banner, parent=self,
        )  # fmt: skip
        self.download_notices = DownloadNotices(
            self.services, welcome=self.welcome, find_models=self.find_models, pages=self.pages, mirror=self.mirror,
            banner=self.banner, parent=self,
        )  # fmt: skip
        self.voice = VoiceView(
            self.services.voice, self.services.conversation, self.controller, composer=self.composer,
            chat_view=self.chat_view, banner=self.banner, parent=self,
        )  # fmt: skip
        self.window_actions.stop_action.triggered.connect(self.voice.stop)
        # Personas: the menu beside "New chat", the header's persona, the meter, "stop and ask".
        self.personas = PersonaController(
            self, self.services.personas, self.settings, self.store, self.controller, sidebar=self.sidebar,
            header=self.header, chat_page=self.chat_page, chat_view=self.chat_view, composer=self.composer,
            banner=self.banner, conversation_id=lambda: self._conversation_id, new_conversation=self.new_conversation,
        )  # fmt: skip

    def _connect(self) -> None:
        self.welcome.start_requested.connect(self._on_welcome_start_requested)
        self.welcome.find_models_requested.connect(self._on_find_models_requested)
        self.find_models.back_requested.connect(self._on_find_models_back_requested)
        self.settings_button.clicked.connect(self._on_settings_button_clicked)
        self.download_notices.open_requested.connect(self.model_choice.open_chat_with)
        self.download_notices.chat_now_requested.connect(self.model_choice.chat_now_with)
        self.personas.show_requested.connect(self.show_conversation)
        self.controller.notice_reported.connect(self._on_any_notice_reported)
        self.controller.model_load_started.connect(self.models.load_started_for_answer)
        self.models.status_changed.connect(self.status.write)
        # What this build and machine can do, said once at start-up (the probe may run nvidia-smi: off the GUI thread).
        self._speed_check: speed_check.StarterSpeedCheck | None = None
        self._probe = (
            BackgroundOp(run=lambda: capability_for(None))
            .on_success(self._on_probe_finished)
            .on_failure(self._on_any_error_reported)
            .start(self.services.executor)
        )
        self.models.notice_reported.connect(self._on_any_notice_reported)
        self.history.notice_reported.connect(self._on_any_notice_reported)
        self.history.history_lost.connect(self._on_history_history_lost)
        for errors in (
            self.sidebar.error_reported, self.sidebar.search.error_reported, self.controller.error_reported,
            self.models.error_reported, self.history.error_reported, self.services.api.error_reported,
            self.personas.error_reported,
        ):  # fmt: skip
            errors.connect(self._on_any_error_reported)

    def _apply_style(self) -> None:
        """Styles the window for its palette and text size; returns at once when neither has changed."""
        palette = self.palette()
        points = QtWidgets.QApplication.font().pointSizeF()
        points = points if points > 0 else style.DEFAULT_POINTS
        key = (*(palette.color(role).rgba() for role in style.THEME_ROLES), points)
        if key == self._styled_for:
            return
        self._styled_for = key
        self.setStyleSheet(style.style_sheet(palette, points))
        if self._conversation_id is not None:
            self.show_conversation(self._conversation_id)  # the bubbles take their colours when drawn

    def _project_choices(self) -> ProjectChoices:
        """What the project dialog offers: the personas, the installed models, the library's folders."""
        personas = [(p.id, self.personas.name(p)) for p in self.services.personas.all() if p.id is not None]
        models = [entry.name for entry in self.registry.models()]
        return ProjectChoices(personas, models, [status.path for status in self.services.documents.folders()])

    # -- public ---------------------------------------------------------------------------------

    @property
    def conversation_id(self) -> int | None:
        return self._conversation_id

    def reload(self) -> None:
        """Shows the most recent conversation, or the welcome panel when there is none."""
        self.sidebar.refresh()
        ids = self.sidebar.ids()
        if ids:
            self.sidebar.select(ids[0])
            self.show_conversation(ids[0])
        else:
            self.show_welcome()

    def show_welcome(self) -> None:
        if self._conversation_id is not None:
            self._discard_if_empty(self._conversation_id)
            self.memory_view.leave(self._conversation_id)
        self._conversation_id = None
        self.welcome.set_model(self.registry.default_model())
        self.welcome.set_installed(self.registry.models())
        self.stack.setCurrentWidget(self.welcome)
        self.header.hide()
        self.composer.hide()
        self.status.show_for(None, [])

    def show_conversation(self, conversation_id: int, *, focus: int | None = None, focus_composer: bool = True) -> None:
        """Shows a conversation's branch on screen, at its end or scrolled to the message ``focus``."""
        try:
            conversation = self.store.conversation(conversation_id)
            messages = self.store.messages(conversation_id)
            versions = self.store.versions(conversation_id)
        except AppError as err:
            self.report_error(err)
            return
        if self._conversation_id is not None and self._conversation_id != conversation_id:
            self._discard_if_empty(self._conversation_id)
            self.memory_view.leave(self._conversation_id)  # a temporary chat goes once left
        self._conversation_id = conversation_id
        self.memory_view.show_for(conversation_id)
        live = self.controller.live_answer()
        if live is not None:
            # The store lags the stream by up to a checkpoint; show what has arrived so far.
            messages = [replace(m, content=live[1], reasoning=live[2]) if m.id == live[0] else m for m in messages]
        self.personas.prepare(conversation, messages)
        self.chat_view.show_conversation(messages, versions, focus=focus)
        self.title_label.setText(display_title(conversation.title))
        self.model_choice.refresh_picker(conversation)
        self.attach.show_library_choice(conversation_id)
        self.stack.setCurrentWidget(self.chat_view)
        self.header.show()
        self.composer.show()
        if focus_composer:
            self.composer.focus_edit()
        self.status.show_for(conversation, messages)
        if self.sidebar.current_id() != conversation_id:
            self.sidebar.refresh(select_id=conversation_id)
        if messages:
            self.controller.prepare(conversation_id)  # its saved state goes back while the user reads

    def new_temporary_conversation(self) -> int | None:
        """Opens a temporary chat: not kept in the history, no memory read or written (``MemoryView``)."""
        return self.memory_view.new_temporary()

    def new_conversation(self) -> int | None:
        """Opens an empty conversation (the current one when it is still empty); returns its id."""
        try:
            current = self._conversation_id
            if current is not None and not self.store.messages(current) and not self.memory_view.is_temporary(current):
                conversation_id = current
            else:
                conversation_id = self.store.create_conversation().id
        except AppError as err:
            self.report_error(err)
            return None
        self.sidebar.refresh(select_id=conversation_id)
        self.show_conversation(conversation_id)
        self.show_page(self.chat_page)
        return conversation_id

    def add_page(self, page: QtWidgets.QWidget, text: str, tooltip: str) -> QtWidgets.QPushButton:
        """Adds a page beside the sidebar, opened by a button at the sidebar's foot; clicking it again goes back."""
        button = self.sidebar.add_page_button(text, tooltip)
        self.pages.add_page(page, button)
        return button

    def show_page(self, page: QtWidgets.QWidget) -> None:
        """Shows one page (``chat_page`` for the conversation); the sidebar's page buttons follow."""
        self.pages.show_page(page)

    def show_find_models(self) -> None:
        """Shows the "Find models" page, ready to type a search."""
        self.show_page(self.find_models)
        self.find_models.focus_search()

    def report_error(self, error: AppError) -> None:
        """Shows ``error`` in the banner; a history found damaged is recovered instead (once a run)."""
        if isinstance(error, DatabaseDamagedInUseError) and self.history.recover(error):
            return
        self.banner.show_error(error)

    def show_history_lost(self, error: AppError) -> None:
        """Says that the history could not be recovered and Parley must close. A seam: tests replace it."""
        QtWidgets.QMessageBox.critical(self, self.tr("Parley must close"), error_text(error))

    def shutdown(self) -> None:
        """Settles a running answer, pauses the downloads and ends the engine. Safe to call twice."""
        if self._shut_down:
            return
        if self._conversation_id is not None:
            self._discard_if_empty(self._conversation_id, refresh=False)
            self.memory_view.leave(self._conversation_id)
        self._shut_down = True
        self.sidebar.apply_pending_deletes()  # a delete waiting for Undo is applied when the window closes
        self.find_models.shutdown()
        self.mirror.shutdown()
        self.models_page.shutdown()
        self._probe.cancel()
        if self._speed_check is not None:
            self._speed_check.cancel()
        self.services.shutdown()

    def check_speed_if_needed(self) -> None:
        """At first start (or with a new llama.cpp build), times one answer of the starter: the speed estimates'
        measurement of this computer (``speed_check``); the recommended models are estimated again after it."""
        self._speed_relay = GuiRelay(self)
        refresh = self._speed_relay.sink(lambda _calibration: self.welcome.recommended.refresh())
        self._speed_check = speed_check.check_if_needed(self.session, installed.starter_model_path(), refresh)

    def use_model(self, entry: ModelEntry, *, make_default: bool = True) -> None:
        """Switches the open conversation (and, with ``make_default``, new ones) to ``entry``, loading it now."""
        self.model_choice.use_model(entry, make_default=make_default)

    def open_settings(self) -> None:
        conversation = self.current_conversation()
        if open_settings(self.services, self.exchange, self._conversation_id, conversation, self):
            self.model_choice.refresh_picker(self.current_conversation())

    # -- helpers --------------------------------------------------------------------------------

    def _discard_if_empty(self, conversation_id: int, *, refresh: bool = True) -> None:
        """A conversation left before its first message is not kept: empty "New conversation"s never pile up."""
        if self.controller.active_conversation_id == conversation_id:
            return
        try:
            if self.store.messages(conversation_id):
                return
            records.delete_conversation(self.store, conversation_id)
        except AppError as err:
            if refresh:
                self.report_error(err)
            else:  # closing: there is no window left to say it in
                log.warning("an empty conversation could not be discarded: %s", err)
            return
        if refresh:
            # Later, not inside the sidebar's own selection signal that may have brought us here.
            QtCore.QTimer.singleShot(0, self._on_empty_conversation_discarded)

    @QtCore.Slot()
    def _on_empty_conversation_discarded(self) -> None:
        if not self._shut_down:
            self.sidebar.refresh(select_id=self._conversation_id)

    def current_conversation(self) -> Conversation | None:
        """The open conversation as stored; None with none open or when it cannot be read."""
        if self._conversation_id is None:
            return None
        try:
            return self.store.conversation(self._conversation_id)
        except AppError:
            return None

    def _on_probe_finished(self, capability: gpu_plan.Capability) -> None:
        self.status.show_capability(capability)

    # -- Qt overrides ---------------------------------------------------------------------------

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if not self._shut_down:
            self.placement.save()
        self.shutdown()
        super().closeEvent(event)

    def changeEvent(self, event: QtCore.QEvent) -> None:  # noqa: N802 - Qt's name
        # A window that was shut down no longer reads the store (it may be closed by now).
        restyle = (QtCore.QEvent.Type.PaletteChange, QtCore.QEvent.Type.FontChange)
        if event.type() in restyle and not self._shut_down:
            self._apply_style()
        elif event.type() == QtCore.QEvent.Type.LanguageChange and not self._shut_down:
            self.retranslate_ui()
        super().changeEvent(event)

    def retranslate_ui(self) -> None:
        """The language changed: every fixed string is re-translated, and what is built from data is redrawn."""
        retranslate.retranslate_tree(self)
        self.personas.retranslate()
        if self._conversation_id is not None:
            self.show_conversation(self._conversation_id, focus_composer=False)
        else:
            self.show_welcome()
        self.sidebar.refresh()
        self.welcome.set_installed(self.registry.models())
        self.welcome.recommended.refresh()
        self.models_page.refresh()
        self.find_models.refresh_installed()

    # -- slots: user ----------------------------------------------------------------------------

    @QtCore.Slot()
    def _on_welcome_start_requested(self) -> None:
        self.new_conversation()

    @QtCore.Slot()
    def _on_find_models_requested(self) -> None:
        self.show_find_models()

    @QtCore.Slot()
    def _on_find_models_back_requested(self) -> None:
        self.show_page(self.chat_page)

    @QtCore.Slot()
    def _on_settings_button_clicked(self) -> None:
        self.open_settings()

    # -- slots: the controllers -----------------------------------------------------------------

    @QtCore.Slot(object)
    def _on_any_error_reported(self, error: AppError) -> None:
        self.report_error(error)

    @QtCore.Slot(str)
    def _on_any_notice_reported(self, text: str) -> None:
        self.banner.show_notice(text)

    @QtCore.Slot(object)
    def _on_history_history_lost(self, error: AppError) -> None:
        self.show_history_lost(error)
        self.close()
