"""The main window: it puts the sidebar, the chat and the composer together and wires them to the controllers.

Left, the conversations; right, a header (title and model picker), the conversation, a banner for
errors and the composer. With no conversations yet, a welcome panel takes the conversation's place.
The window is handed its services (``application.build_services``): it builds widgets only, wires
the controllers' signals to them, and is the one writer of the status line.

Every error meant for the user passes through ``report_error``: a history found damaged while
Parley runs is recovered there (``HistoryController.recover``) instead of being shown as an error.
When the model a conversation showed leaves the installed models (deleted on the Models page, or
its file gone from the disk), the banner says which model the conversation uses now.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6 import QtCore, QtGui, QtWidgets

from app.core.engine import gpu_plan
from app.core.engine.protocol import ModelLoaded, ModelSpec
from app.core.errors import AppError, DatabaseDamagedInUseError
from app.core.history.types import Conversation, Message, Thinking
from app.core.models.downloads import DownloadResult
from app.core.models.installed import ModelEntry
from app.core.models.recommended import RecommendedModel
from app.core.session import records
from app.core.session.records import Turn
from app.ui.chat.composer import Composer
from app.ui.chat.header import ChatHeader
from app.ui.chat.page import ChatPage, PageStack
from app.ui.chat.view import ChatView
from app.ui.common import announce, icons, markdown_render, retranslate, style
from app.ui.common.background import BackgroundOp
from app.ui.common.banner import Banner
from app.ui.common.gpu_text import capability_for, capability_sentence, offload_sentence
from app.ui.common.i18n import error_text, model_label
from app.ui.controllers.download_controller import DownloadJob
from app.ui.controllers.exchange_controller import HistoryExchange
from app.ui.controllers.persona_controller import PersonaFlow
from app.ui.models.find import FindModelsPage
from app.ui.models.manager import GgufDropFilter, ModelManager
from app.ui.models.mirror import MirrorOffer
from app.ui.models.welcome import WelcomePanel
from app.ui.settings.data_tab import DataTab
from app.ui.settings.dialog import SettingsDialog
from app.ui.settings.remote_pages import apply_remote_tabs, remote_tabs
from app.ui.shell.actions import WindowActions
from app.ui.shell.api_status import ApiStatusLabel
from app.ui.sidebar.download_panel import DownloadsPanel
from app.ui.sidebar.panel import Sidebar, display_title

if TYPE_CHECKING:
    from app.ui.shell.application import Services

log = logging.getLogger("app.ui")


class MainWindow(QtWidgets.QMainWindow):
    """Parley's window. GUI thread only."""

    def __init__(self, services: Services, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Parley")
        self.setWindowIcon(icons.app_icon())
        self.resize(1120, 760)
        # An explicit minimum: the layout's own changes as panels show and hide, and offscreen Qt
        # warns each time a window's minimum size changes.
        self.setMinimumSize(720, 480)
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
            services.remote, services.api,
        ):  # fmt: skip
            controller.setParent(self)
        self._conversation_id: int | None = None
        self._processor = ""  # "CPU" or "GPU", from the last model load
        self._shut_down = False
        self._styled_for: tuple[int, ...] = ()
        self._editing: int | None = None  # the user message being edited in the composer
        self._reshow_turn = False  # the next turn adds a version: the branch on screen is shown anew

        self.sidebar = Sidebar(self.store, self)
        self.exchange = HistoryExchange(self.store, self)  # export and import (sidebar, Settings → Data)
        self.welcome = WelcomePanel(self)
        self.welcome.attach_downloads(self.downloads)
        self.find_models = FindModelsPage(self.downloads, self.registry, services.executor, self)
        self.mirror = MirrorOffer(lambda: self.downloads.hub_config().endpoint, services.executor, self)
        self.find_models.attach_mirror(self.mirror)
        self.downloads_panel = DownloadsPanel(self.downloads, self)
        self.models_page = ModelManager(self.models, services.executor, self)
        self.chat_view = ChatView(self)
        self.banner = Banner(self)
        self.composer = Composer(self)
        self.header = ChatHeader(self)
        self.title_label = self.header.title_label
        self.loading_indicator = self.header.loading_indicator
        self.thinking_combo = self.header.thinking_combo
        self.model_picker = self.header.model_picker
        self.status_label = QtWidgets.QLabel(self)
        self.status_label.setObjectName("modelStatus")
        self.status_label.setContentsMargins(8, 0, 8, 0)
        self.statusBar().addPermanentWidget(self.status_label, 1)
        self.api_status = ApiStatusLabel(services.api, self)  # when a program uses the model through the API
        self.statusBar().addPermanentWidget(self.api_status)
        self.statusBar().setSizeGripEnabled(False)
        self._build_layout()
        self._set_tab_order()
        self._build_actions()
        self._connect()
        # Personas (app.ui.controllers.persona_controller): the menu beside "New chat", the header's persona, the meter.
        self.personas = PersonaFlow(self, services.personas, services.settings)
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
        splitter.setSizes([260, 860])
        self.sidebar.setMinimumWidth(180)
        self.setCentralWidget(splitter)
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
            self.sidebar.list,
            self.find_models_button,
            self.models_button,
            self.settings_button,
            self.header.thinking_combo,
            self.model_picker,
            self.chat_view,
            self.composer.edit,
            self.composer.stop_button,
            self.composer.send_button,
        ]
        for first, second in pairwise(chain):
            QtWidgets.QWidget.setTabOrder(first, second)

    def _build_actions(self) -> None:
        """The keyboard shortcuts and menus (``app.ui.shell.actions``), and files dropped on the window."""
        self.window_actions = WindowActions(self)
        self.new_action = self.window_actions.new_action
        self.settings_action = self.window_actions.settings_action
        # Files dropped anywhere on the window, the message box included, are imported.
        self.drop_filter = GgufDropFilter(self)
        self.setAcceptDrops(True)
        self.installEventFilter(self.drop_filter)
        self.composer.edit.viewport().installEventFilter(self.drop_filter)

    def _connect(self) -> None:
        self.sidebar.conversation_selected.connect(self._on_sidebar_conversation_selected)
        self.sidebar.new_conversation_requested.connect(self._on_sidebar_new_conversation_requested)
        self.sidebar.conversation_renamed.connect(self._on_sidebar_conversation_renamed)
        self.sidebar.conversation_deleted.connect(self._on_sidebar_conversation_deleted)
        self.sidebar.error_reported.connect(self._on_any_error_reported)
        self.sidebar.export_requested.connect(self._on_sidebar_export_requested)
        self.exchange.history_imported.connect(self._on_exchange_history_imported)
        self.sidebar.search.result_opened.connect(self._on_search_result_opened)
        self.sidebar.search.error_reported.connect(self._on_any_error_reported)
        self.chat_view.version_requested.connect(self._on_chat_view_version_requested)
        self.chat_view.edit_requested.connect(self._on_chat_view_edit_requested)
        self.chat_view.regenerate_requested.connect(self._on_chat_view_regenerate_requested)
        self.chat_view.continue_requested.connect(self._on_chat_view_continue_requested)
        self.welcome.start_requested.connect(self._on_welcome_start_requested)
        self.welcome.open_file_requested.connect(self._on_welcome_open_file_requested)
        self.welcome.find_models_requested.connect(self._on_find_models_requested)
        self.welcome.download_requested.connect(self._on_welcome_download_requested)
        self.find_models.back_requested.connect(self._on_find_models_back_requested)
        self.downloads.download_finished.connect(self._on_downloads_download_finished)
        self.downloads.download_failed.connect(self._on_downloads_download_failed)
        self.composer.send_requested.connect(self._on_composer_send_requested)
        self.composer.stop_requested.connect(self._on_composer_stop_requested)
        self.model_picker.model_chosen.connect(self._on_model_picker_model_chosen)
        self.header.thinking_chosen.connect(self._on_header_thinking_chosen)
        self.model_picker.file_opened.connect(self._on_model_picker_file_opened)
        self.settings_button.clicked.connect(self._on_settings_button_clicked)
        self.drop_filter.files_dropped.connect(self._on_drop_filter_files_dropped)
        self.mirror.endpoint_chosen.connect(self._on_mirror_endpoint_chosen)
        self.models_page.use_requested.connect(self._on_models_page_use_requested)
        self.models_page.default_requested.connect(self._on_models_page_default_requested)
        self.controller.turn_started.connect(self._on_controller_turn_started)
        self.controller.answer_progressed.connect(self._on_controller_answer_progressed)
        self.controller.reasoning_progressed.connect(self._on_controller_reasoning_progressed)
        self.controller.answer_finished.connect(self._on_controller_answer_finished)
        self.controller.busy_changed.connect(self._on_controller_busy_changed)
        self.controller.error_reported.connect(self._on_any_error_reported)
        self.controller.notice_reported.connect(self._on_models_notice_reported)
        self.controller.conversations_changed.connect(self._on_controller_conversations_changed)
        self.controller.model_load_started.connect(self.models.load_started_for_answer)
        self.models.loading_changed.connect(self._on_models_loading_changed)
        self.models.status_changed.connect(self._write_status)
        # What this build and machine can do, said once at start-up (the probe may run nvidia-smi: off the GUI thread).
        self._probe = (
            BackgroundOp(run=lambda: capability_for(None))
            .on_success(self._on_probe_finished)
            .on_failure(self._on_any_error_reported)
            .start(self.services.executor)
        )
        self.models.error_reported.connect(self._on_any_error_reported)
        self.models.notice_reported.connect(self._on_models_notice_reported)
        self.models.model_loaded.connect(self._on_models_model_loaded)
        self.models.model_switch_failed.connect(self._on_models_model_switch_failed)
        self.models.models_changed.connect(self._on_models_models_changed)
        self.models.settings_changed.connect(self._on_models_models_changed)
        self.history.notice_reported.connect(self._on_history_notice_reported)
        self.history.error_reported.connect(self._on_any_error_reported)
        self.services.api.error_reported.connect(self._on_any_error_reported)
        self.history.history_replaced.connect(self._on_history_history_replaced)
        self.history.history_lost.connect(self._on_history_history_lost)

    def _apply_style(self) -> None:
        """Styles the window for its palette; returns at once when the palette has not changed."""
        palette = self.palette()
        key = tuple(palette.color(role).rgba() for role in style.THEME_ROLES)
        if key == self._styled_for:
            return
        self._styled_for = key
        self.setStyleSheet(style.style_sheet(palette))
        if self._conversation_id is not None:
            self.show_conversation(self._conversation_id)  # the bubbles take their colours when drawn

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
        self._conversation_id = None
        self.welcome.set_model(self.registry.default_model())
        self.welcome.set_installed(self.registry.models())
        self.stack.setCurrentWidget(self.welcome)
        self.header.hide()
        self.composer.hide()
        self._set_status(None, [])

    def show_conversation(
        self, conversation_id: int, *, focus: int | None = None, focus_composer: bool = True
    ) -> None:
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
        self._conversation_id = conversation_id
        live = self.controller.live_answer()
        if live is not None:
            # The store lags the stream by up to a checkpoint; show what has arrived so far.
            messages = [replace(m, content=live[1], reasoning=live[2]) if m.id == live[0] else m for m in messages]
        self.personas.prepare(conversation, messages)
        self.chat_view.show_conversation(messages, versions, focus=focus)
        self.title_label.setText(display_title(conversation.title))
        self._refresh_picker(conversation)
        self.stack.setCurrentWidget(self.chat_view)
        self.header.show()
        self.composer.show()
        if focus_composer:
            self.composer.focus_edit()
        self._set_status(conversation, messages)
        if self.sidebar.current_id() != conversation_id:
            self.sidebar.refresh(select_id=conversation_id)
        if messages:
            self.controller.prepare(conversation_id)  # its saved state goes back while the user reads

    def new_conversation(self) -> int | None:
        """Opens an empty conversation (the current one when it is still empty); returns its id."""
        try:
            if self._conversation_id is not None and not self.store.messages(self._conversation_id):
                conversation_id = self._conversation_id
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

    def open_chat_with(self, entry: ModelEntry) -> int | None:
        """Opens a new conversation that uses ``entry``, which new conversations use from now on too."""
        conversation_id = self.new_conversation()
        if conversation_id is None:
            return None
        try:
            self.models.choose_model(conversation_id, entry)
        except AppError as err:
            self.report_error(err)
        self.show_conversation(conversation_id)
        return conversation_id

    def chat_now_with(self, entry: ModelEntry) -> None:
        """A new conversation with ``entry`` (the banner's "Chat now"); the default model stays as it is."""
        if self.new_conversation() is None:
            return
        self.use_model(entry, make_default=False)
        self.show_page(self.chat_page)
        self.composer.focus_edit()

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
        self._shut_down = True
        self.sidebar.apply_pending_deletes()  # a delete waiting for Undo is applied when the window closes
        self.find_models.shutdown()
        self.mirror.shutdown()
        self.models_page.shutdown()
        self._probe.cancel()
        self.services.shutdown()

    def use_model(self, entry: ModelEntry, *, make_default: bool = True) -> None:
        """Switches the open conversation (and, with ``make_default``, new ones) to ``entry``, loading it now."""
        try:
            self.models.switch_model(self._conversation_id, entry, make_default=make_default)
        except AppError as err:
            self.report_error(err)
            return
        self._refresh_picker(self._current_conversation())

    def open_settings(self) -> None:
        conversation = self._current_conversation()
        last = self.models.last_loaded
        dialog = SettingsDialog(
            self.settings.current,
            self.registry.models(),
            default=self.registry.default_model(),
            current=self.registry.model_for(conversation) if conversation is not None else None,
            follows_default=conversation is not None and conversation.model_name is None,
            gpu_offload=last.gpu_offload if last is not None else None,
            data_tab=DataTab(self.history, self.exchange),
            extra_tabs=remote_tabs(self.services.settings.current, self.services.remote, self.services.api),
            parent=self,
            capability=capability_sentence(capability_for(last)),
        )
        try:
            if dialog.run():
                values = apply_remote_tabs(dialog, self.services.api)
                self.models.apply_settings(values, self._conversation_id, switch_current=dialog.switch_current())
                self._refresh_picker(self._current_conversation())
        finally:
            dialog.deleteLater()

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

    def _current_conversation(self) -> Conversation | None:
        if self._conversation_id is None:
            return None
        try:
            return self.store.conversation(self._conversation_id)
        except AppError:
            return None

    def _refresh_picker(self, conversation: Conversation | None) -> None:
        entry = self.registry.model_for(conversation)
        models = self.registry.all_models()
        if entry is not None and entry not in models:
            models.append(entry)  # a remote model whose server did not answer yet: still shown, still marked
        self.header.show_models(
            models,
            entry,
            thinking=conversation.thinking if conversation is not None else None,
            can_think=conversation is not None and self.models.can_switch_thinking(entry),
        )
        self.welcome.set_model(self.registry.default_model())
        self.models_page.open_model = entry if conversation is not None else None

    def _on_probe_finished(self, capability: gpu_plan.Capability) -> None:
        if not self.status_label.text():  # anything the window said meanwhile is newer
            self._write_status(capability_sentence(capability))

    def _write_status(self, text: str) -> None:
        """The status line's one writer."""
        self.status_label.setText(text)

    def _set_status(self, conversation: Conversation | None, messages: list[Message]) -> None:
        for message in reversed(messages):
            if message.role == "assistant" and message.tokens_per_second is not None:
                self._show_stats(message)
                return
        entry = self.registry.model_for(conversation)
        self._write_status(model_label(entry.name) if entry is not None else self.tr("No model is installed"))

    def _show_stats(self, message: Message) -> None:
        if message.tokens_per_second is None or message.ttft_seconds is None:
            self._write_status(model_label(message.model_name or ""))
            return
        model = model_label(message.model_name or "")
        self._write_status(
            self.tr("{model} · {speed} tokens/s · first token {ttft} s").format(
                model=f"{model} · {self._processor}" if self._processor else model,
                speed=f"{message.tokens_per_second:.1f}",
                ttft=f"{message.ttft_seconds:.2f}",
            )
        )

    def _import_file(self, path: Path, *, new_conversation: bool = False) -> ModelEntry | None:
        """Lists a file the user opened and loads it for the open conversation (a new one when
        ``new_conversation``). It becomes the default for new conversations only once it has
        loaded (``ModelsController.use_new_file``)."""
        try:
            entry = self.models.import_in_place(path)
        except AppError as err:
            self.report_error(err)
            return None
        if new_conversation and self.new_conversation() is None:
            return None
        try:
            self.models.use_new_file(self._conversation_id, entry)
        except AppError as err:
            self.report_error(err)
            return None
        self._refresh_picker(self._current_conversation())
        self._write_status(entry.name)
        return entry

    # -- Qt overrides ---------------------------------------------------------------------------

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.shutdown()
        super().closeEvent(event)

    def changeEvent(self, event: QtCore.QEvent) -> None:  # noqa: N802 - Qt's name
        # A window that was shut down no longer reads the store (it may be closed by now).
        if event.type() == QtCore.QEvent.Type.PaletteChange and not self._shut_down:
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

    @QtCore.Slot(int)
    def _on_sidebar_conversation_selected(self, conversation_id: int) -> None:
        if conversation_id != self._conversation_id:
            # From the keyboard in the list, focus stays there, so F2 and Del act on the conversation.
            self.show_conversation(conversation_id, focus_composer=not self.sidebar.list.hasFocus())
        self.show_page(self.chat_page)

    @QtCore.Slot()
    def _on_sidebar_new_conversation_requested(self) -> None:
        self.new_conversation()

    @QtCore.Slot(int)
    def _on_sidebar_conversation_renamed(self, conversation_id: int) -> None:
        if conversation_id == self._conversation_id:
            conversation = self._current_conversation()
            if conversation is not None:
                self.title_label.setText(display_title(conversation.title))

    @QtCore.Slot(int)
    def _on_sidebar_conversation_deleted(self, conversation_id: int) -> None:
        if self.controller.active_conversation_id == conversation_id:
            self.controller.stop()
        if conversation_id != self._conversation_id:
            return
        following = self.sidebar.current_id()
        if following is None:
            self.show_welcome()
        else:
            self.show_conversation(following)

    @QtCore.Slot()
    def _on_welcome_start_requested(self) -> None:
        self.new_conversation()

    @QtCore.Slot()
    def _on_welcome_open_file_requested(self) -> None:
        path = self.model_picker.choose_gguf_file()
        if path is not None:
            self._import_file(path, new_conversation=True)

    @QtCore.Slot()
    def _on_find_models_requested(self) -> None:
        self.show_find_models()

    @QtCore.Slot()
    def _on_find_models_back_requested(self) -> None:
        self.show_page(self.chat_page)

    @QtCore.Slot(object)
    def _on_welcome_download_requested(self, model: RecommendedModel) -> None:
        self.banner.hide()
        self.downloads.start(model.repo, model.file, label=model.name, open_when_done=True)

    @QtCore.Slot(str, object)
    def _on_downloads_download_finished(self, key: str, result: DownloadResult) -> None:
        job = self.downloads.job(key)
        self.registry.refresh()  # the Models page, the pickers and the welcome list follow its signal
        entry = self.registry.entry_for_path(result.model_path) if result.model_path is not None else None
        if entry is None:
            return
        if job is not None and job.open_when_done:
            self.open_chat_with(entry)
        else:
            self._download_banner().show_notice(
                self.tr("{model} is downloaded. Choose it in the model menu to chat with it.").format(model=entry.name),
                action=self.tr("Chat now"),
                on_action=lambda: self.chat_now_with(entry),
            )

    @QtCore.Slot(str, object)
    def _on_downloads_download_failed(self, key: str, error: AppError) -> None:
        banner = self._download_banner()
        job = self.downloads.job(key)  # still there while its failure is told; gone after it when nothing arrived
        if job is None or not self.mirror.offer(banner, error, lambda: self._download_again(job)):
            banner.show_error(error)

    def _download_again(self, job: DownloadJob) -> None:
        """Starts ``job``'s download again (from the mirror just chosen); it resumes what had arrived."""
        self.downloads.start(
            job.repo, job.file, revision=job.revision, label=job.label, open_when_done=job.open_when_done
        )

    @QtCore.Slot(str)
    def _on_mirror_endpoint_chosen(self, endpoint: str) -> None:
        self.models.update_settings(replace(self.settings.current, hub_endpoint=endpoint))

    def _download_banner(self) -> Banner:
        """Where news of a download goes: the "Find models" page's own banner while it shows."""
        return self.find_models.banner if self.pages.currentWidget() is self.find_models else self.banner

    @QtCore.Slot(str)
    def _on_composer_send_requested(self, text: str) -> None:
        if self._editing is not None:
            editing, self._editing = self._editing, None
            self._reshow_turn = True
            if not self.controller.edit(editing, text):
                self._reshow_turn = False
                self.composer.set_text(text)
            return
        conversation_id = self._conversation_id if self._conversation_id is not None else self.new_conversation()
        if conversation_id is None or not self.controller.send(conversation_id, text):
            self.composer.set_text(text)  # nothing was sent: the user keeps what they wrote

    @QtCore.Slot()
    def _on_composer_stop_requested(self) -> None:
        self.controller.stop()

    @QtCore.Slot(object)
    def _on_model_picker_model_chosen(self, entry: ModelEntry) -> None:
        self.use_model(entry, make_default=False)  # one chat's choice; the default is Settings' and the Models page's

    @QtCore.Slot(object)
    def _on_model_picker_file_opened(self, path: Path) -> None:
        self._import_file(path)

    # -- slots: the chat flow -------------------------------------------------------------------

    @QtCore.Slot()
    def _on_settings_button_clicked(self) -> None:
        self.open_settings()

    @QtCore.Slot(object)
    def _on_drop_filter_files_dropped(self, files: list[Path]) -> None:
        self.show_page(self.models_page)
        self.models_page.import_files(files)

    @QtCore.Slot(object)
    def _on_models_page_use_requested(self, entry: ModelEntry) -> None:
        if self._conversation_id is None and self.new_conversation() is None:
            return
        self.use_model(entry)
        self.show_page(self.chat_page)

    @QtCore.Slot(object)
    def _on_models_page_default_requested(self, entry: ModelEntry) -> None:
        conversation = self._current_conversation()
        follows = conversation is not None and conversation.model_name is None
        self.models.apply_settings(
            replace(self.settings.current, model_name=entry.name), self._conversation_id, switch_current=follows
        )
        self._refresh_picker(self._current_conversation())

    # -- slots: the chat flow -------------------------------------------------------------------

    @QtCore.Slot(object)
    def _on_controller_turn_started(self, turn: Turn) -> None:
        self.banner.hide()
        if self._reshow_turn:
            self._reshow_turn = False
            if turn.conversation_id == self._conversation_id:
                self.show_conversation(turn.conversation_id)
        elif turn.conversation_id == self._conversation_id:
            self.chat_view.add_message(turn.user_message)
            self.chat_view.add_message(turn.answer)
            self._write_status(model_label(turn.request.model.name))
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
        if message.conversation_id == self._conversation_id:
            self._show_stats(message)
            if message.content.strip():
                sentence = announce.first_sentence(markdown_render.plain_text(message.content))
                announce.announce(self.status_label, self.tr("Answer ready: {sentence}").format(sentence=sentence))

    @QtCore.Slot(bool)
    def _on_controller_busy_changed(self, busy: bool) -> None:
        self.composer.set_busy(busy)
        if not busy:
            self.models.set_answering(None)
        self.model_picker.setEnabled(not busy and self.models.loading_model is None)

    @QtCore.Slot(object)
    def _on_any_error_reported(self, error: AppError) -> None:
        self.report_error(error)

    @QtCore.Slot(str)
    def _on_history_notice_reported(self, text: str) -> None:
        self.banner.show_notice(text)

    @QtCore.Slot()
    def _on_history_history_replaced(self) -> None:
        """Restored or recovered: the conversations are read again; the open one stays open if it is there."""
        current = self._conversation_id
        self.sidebar.refresh(select_id=current)
        if current is not None and current in self.sidebar.ids():
            self.show_conversation(current)
        else:
            self.reload()

    @QtCore.Slot(object)
    def _on_history_history_lost(self, error: AppError) -> None:
        self.show_history_lost(error)
        self.close()

    @QtCore.Slot(str)
    def _on_models_notice_reported(self, text: str) -> None:
        self.banner.show_notice(text)

    @QtCore.Slot(object)
    def _on_models_loading_changed(self, spec: ModelSpec | None) -> None:
        self.header.set_loading(spec.name if spec is not None else None)
        self.composer.set_waiting(spec is not None and self.models.loading_model is not None)
        self.model_picker.setEnabled(spec is None and not self.controller.is_busy)

    @QtCore.Slot(object)
    def _on_models_model_loaded(self, event: ModelLoaded) -> None:
        self._processor = self.tr("GPU") if event.gpu_offload else self.tr("CPU")
        offload = event.offload
        if offload is not None and (offload.layers_on_gpu or offload.failed_attempts):
            self._processor = offload_sentence(offload)  # "24/33 layers on GPU · 5.1 GB VRAM", or why not
        self._refresh_picker(self._current_conversation())
        if self._conversation_id is not None:
            self.controller.prepare(self._conversation_id)

    @QtCore.Slot(object)
    def _on_header_thinking_chosen(self, thinking: Thinking | None) -> None:
        if self._conversation_id is None:
            return
        try:
            self.store.set_thinking(self._conversation_id, thinking)
        except AppError as err:
            self.report_error(err)

    @QtCore.Slot(object)
    def _on_models_model_switch_failed(self, event: object) -> None:
        del event
        self._refresh_picker(self._current_conversation())

    @QtCore.Slot()
    def _on_models_models_changed(self) -> None:
        shown = self.model_picker.current_entry() if self._conversation_id is not None else None
        conversation = self._current_conversation()
        self.welcome.set_installed(self.registry.models())
        self._refresh_picker(conversation)
        self.models_page.refresh()
        self.find_models.refresh_installed()
        if shown is not None and self.registry.entry_for_path(shown.path) is None:
            self._say_model_gone(shown.name, self.registry.model_for(conversation))

    def _say_model_gone(self, gone: str, now: ModelEntry | None) -> None:
        """The conversation's model left the installed models: the banner and the status line say what follows."""
        if now is None:
            text = self.tr("{model} is no longer on this computer, and no other model is installed.")
        else:
            text = self.tr("{model} is no longer on this computer; this conversation now uses {other}.")
        self.banner.show_notice(text.format(model=gone, other=now.name if now is not None else ""))
        self._write_status(now.name if now is not None else self.tr("No model is installed"))

    @QtCore.Slot()
    def _on_controller_conversations_changed(self) -> None:
        self.sidebar.refresh()
        conversation = self._current_conversation()
        if conversation is not None:
            self.title_label.setText(display_title(conversation.title))

    # -- slots: history -------------------------------------------------------------------------

    @QtCore.Slot(int, int)
    def _on_sidebar_export_requested(self, conversation_id: int, fmt: str) -> None:
        try:
            notice = self.exchange.export_conversation(conversation_id, "md" if fmt == "md" else "json")
        except AppError as err:
            self.report_error(err)
            return
        if notice is not None:
            self.banner.show_notice(notice)

    def _on_exchange_history_imported(self, report: object) -> None:
        del report
        if self._conversation_id is None:
            self.reload()  # the welcome panel gives way to the imported conversations
        else:
            self.sidebar.refresh()

    def _on_search_result_opened(self, conversation_id: int, message_id: int) -> None:
        try:
            if message_id >= 0:
                self.store.show_message(message_id)  # a result in another version is put on screen
        except AppError as err:
            self.report_error(err)
            return
        self.show_conversation(conversation_id, focus=message_id if message_id >= 0 else None)
        self.show_page(self.chat_page)

    @QtCore.Slot(int)
    def _on_chat_view_version_requested(self, message_id: int) -> None:
        if self.controller.is_busy or self._conversation_id is None:
            return
        try:
            self.store.choose(message_id)
        except AppError as err:
            self.report_error(err)
            return
        self.show_conversation(self._conversation_id, focus=message_id)

    @QtCore.Slot(int)
    def _on_chat_view_edit_requested(self, message_id: int) -> None:
        try:
            text = self.store.message(message_id).content
        except (AppError, LookupError):
            return
        self._editing = message_id
        self.composer.set_text(text)
        self.composer.focus_edit()
        self.banner.show_notice(
            self.tr("Editing your message: sending it makes a new version, and the earlier one stays (‹ ›).")
        )

    @QtCore.Slot(int)
    def _on_chat_view_regenerate_requested(self, message_id: int) -> None:
        self._reshow_turn = True
        if not self.controller.regenerate(message_id):
            self._reshow_turn = False

    @QtCore.Slot(int)
    def _on_chat_view_continue_requested(self, message_id: int) -> None:
        self._reshow_turn = True
        if not self.controller.continue_answer(message_id):
            self._reshow_turn = False
