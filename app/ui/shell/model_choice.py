"""The window's side of choosing a model: the header's picker and thinking switch, the Models page's buttons,
files opened or dropped, and what follows a load, a failed switch or a model that left the disk.

When the model a conversation showed leaves the installed models (deleted on the Models page, or
its file gone from the disk), the banner says which model the conversation uses now.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6 import QtCore

from app.core.engine.protocol import ModelLoaded, ModelSpec
from app.core.errors import AppError, RemoteServerError
from app.core.history.types import Conversation, Thinking
from app.core.models.installed import ModelEntry
from app.ui.chat.composer import Composer
from app.ui.chat.header import ChatHeader
from app.ui.chat.page import ChatPage
from app.ui.common.banner import Banner
from app.ui.common.i18n import error_text, model_label
from app.ui.models.find import FindModelsPage
from app.ui.models.manager import GgufDropFilter, ModelManager
from app.ui.models.welcome import WelcomePanel
from app.ui.shell.host import WindowHost
from app.ui.shell.services import Services
from app.ui.shell.status_line import StatusLine

translate = QtCore.QCoreApplication.translate


class ModelChoice(QtCore.QObject):
    """GUI thread only. Owned by the window."""

    def __init__(
        self,
        host: WindowHost,
        services: Services,
        *,
        header: ChatHeader,
        welcome: WelcomePanel,
        models_page: ModelManager,
        find_models: FindModelsPage,
        chat_page: ChatPage,
        composer: Composer,
        banner: Banner,
        drop_filter: GgufDropFilter,
        status: StatusLine,
        parent: QtCore.QObject,
    ) -> None:
        super().__init__(parent)
        self.host, self.services = host, services
        self.registry, self.models, self.chat = services.registry, services.models, services.chat
        self.header, self.model_picker, self.welcome = header, header.model_picker, welcome
        self.models_page, self.find_models, self.chat_page = models_page, find_models, chat_page
        self.composer, self.banner, self.status = composer, banner, status
        self.model_picker.model_chosen.connect(self._on_model_picker_model_chosen)
        self.model_picker.file_opened.connect(self._on_model_picker_file_opened)
        header.thinking_chosen.connect(self._on_header_thinking_chosen)
        welcome.open_file_requested.connect(self._on_welcome_open_file_requested)
        drop_filter.files_dropped.connect(self._on_drop_filter_files_dropped)
        models_page.use_requested.connect(self._on_models_page_use_requested)
        models_page.default_requested.connect(self._on_models_page_default_requested)
        self.models.loading_changed.connect(self._on_models_loading_changed)
        self.models.model_loaded.connect(self._on_models_model_loaded)
        self.models.model_switch_failed.connect(self._on_models_model_switch_failed)
        self.models.switch_offered.connect(self._on_models_switch_offered)
        # Queued: after the window's error path has put the turn's failure in the banner.
        self.chat.error_reported.connect(self._on_chat_error_reported, QtCore.Qt.ConnectionType.QueuedConnection)
        self.models.models_changed.connect(self._on_models_models_changed)
        self.models.settings_changed.connect(self._on_models_settings_changed)

    # -- public ---------------------------------------------------------------------------------

    def refresh_picker(self, conversation: Conversation | None) -> None:
        """The header's picker, the welcome panel's model and the Models page's "open" mark follow ``conversation``."""
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

    def use_model(self, entry: ModelEntry, *, make_default: bool = True) -> None:
        """Switches the open conversation (and, with ``make_default``, new ones) to ``entry``, loading it now."""
        try:
            self.models.switch_model(self.host.conversation_id, entry, make_default=make_default)
        except AppError as err:
            self.host.report_error(err)
            return
        self.refresh_picker(self.host.current_conversation())

    def open_chat_with(self, entry: ModelEntry) -> int | None:
        """Opens a new conversation that uses ``entry``, which new conversations use from now on too."""
        conversation_id = self.host.new_conversation()
        if conversation_id is None:
            return None
        try:
            self.models.choose_model(conversation_id, entry)
        except AppError as err:
            self.host.report_error(err)
        self.host.show_conversation(conversation_id)
        return conversation_id

    def chat_now_with(self, entry: ModelEntry) -> None:
        """A new conversation with ``entry`` (the banner's "Chat now"); the default model stays as it is."""
        if self.host.new_conversation() is None:
            return
        self.use_model(entry, make_default=False)
        self.host.show_page(self.chat_page)
        self.composer.focus_edit()

    def import_file(self, path: Path, *, new_conversation: bool = False) -> ModelEntry | None:
        """Lists a file the user opened and loads it for the open conversation (a new one when
        ``new_conversation``). It becomes the default for new conversations only once it has
        loaded (``ModelsController.use_new_file``)."""
        try:
            entry = self.models.import_in_place(path)
        except AppError as err:
            self.host.report_error(err)
            return None
        if new_conversation and self.host.new_conversation() is None:
            return None
        try:
            self.models.use_new_file(self.host.conversation_id, entry)
        except AppError as err:
            self.host.report_error(err)
            return None
        self.refresh_picker(self.host.current_conversation())
        self.status.write(entry.name)
        return entry

    # -- slots: the user ------------------------------------------------------------------------

    @QtCore.Slot(object)
    def _on_model_picker_model_chosen(self, entry: ModelEntry) -> None:
        self.use_model(entry, make_default=False)  # one chat's choice; the default is Settings' and the Models page's

    @QtCore.Slot(object)
    def _on_model_picker_file_opened(self, path: Path) -> None:
        self.import_file(path)

    @QtCore.Slot()
    def _on_welcome_open_file_requested(self) -> None:
        path = self.model_picker.choose_gguf_file()
        if path is not None:
            self.import_file(path, new_conversation=True)

    @QtCore.Slot(object)
    def _on_header_thinking_chosen(self, thinking: Thinking | None) -> None:
        conversation_id = self.host.conversation_id
        if conversation_id is None:
            return
        try:
            self.services.store.set_thinking(conversation_id, thinking)
        except AppError as err:
            self.host.report_error(err)

    @QtCore.Slot(object)
    def _on_drop_filter_files_dropped(self, files: list[Path]) -> None:
        self.host.show_page(self.models_page)
        self.models_page.import_files(files)

    @QtCore.Slot(object)
    def _on_models_page_use_requested(self, entry: ModelEntry) -> None:
        if self.host.conversation_id is None and self.host.new_conversation() is None:
            return
        self.use_model(entry)
        self.host.show_page(self.chat_page)

    @QtCore.Slot(object)
    def _on_models_page_default_requested(self, entry: ModelEntry) -> None:
        conversation = self.host.current_conversation()
        follows = conversation is not None and conversation.model_name is None
        self.models.apply_settings(
            replace(self.services.settings.current, model_name=entry.name),
            self.host.conversation_id,
            switch_current=follows,
        )
        self.refresh_picker(self.host.current_conversation())

    # -- slots: the models controller -----------------------------------------------------------

    @QtCore.Slot(object)
    def _on_models_loading_changed(self, spec: ModelSpec | None) -> None:
        self.header.set_loading(spec.name if spec is not None else None)
        self.composer.set_waiting(spec is not None and self.models.loading_model is not None)
        self.model_picker.setEnabled(spec is None and not self.chat.is_busy)

    @QtCore.Slot(object)
    def _on_models_model_loaded(self, event: ModelLoaded) -> None:
        self.status.model_loaded(event)
        self.refresh_picker(self.host.current_conversation())
        conversation_id = self.host.conversation_id
        if conversation_id is not None:
            self.chat.prepare(conversation_id)

    @QtCore.Slot(object)
    def _on_models_model_switch_failed(self, event: object) -> None:
        del event
        self.refresh_picker(self.host.current_conversation())

    @QtCore.Slot(object)
    def _on_chat_error_reported(self, error: AppError) -> None:
        """A turn on a remote server failed: the model stays, and the banner offers one on this computer."""
        if not isinstance(error, RemoteServerError) or not self.banner.isVisible():
            return
        chosen = self.registry.model_for(self.host.current_conversation())
        local = self.registry.default_model()
        if chosen is None or chosen.source != "remote" or local is None or self.banner.text() != error_text(error):
            return
        self._on_models_switch_offered(error, local)

    @QtCore.Slot(object, object)
    def _on_models_switch_offered(self, error: AppError, offer: ModelEntry | None) -> None:
        if offer is None:
            self.banner.show_error(error)
            return
        action = translate("MainWindow", "Use {model}").format(model=model_label(offer.name))
        self.banner.show_error(error, action=action, on_action=lambda: self.use_model(offer, make_default=False))

    @QtCore.Slot()
    def _on_models_models_changed(self) -> None:
        shown = self.model_picker.current_entry() if self.host.conversation_id is not None else None
        conversation = self.host.current_conversation()
        self.welcome.set_installed(self.registry.models())
        self.refresh_picker(conversation)
        self.models_page.refresh()
        self.find_models.refresh_installed()
        self.status.models_changed(conversation)
        # Only a file can leave this computer: a remote model whose list is being fetched again is not gone.
        if shown is not None and shown.source != "remote" and self.registry.entry_for_path(shown.path) is None:
            now = self.registry.model_for(conversation)
            if now is None or now.name != shown.name:
                self._say_model_gone(shown.name, now)

    @QtCore.Slot(object)
    def _on_models_settings_changed(self, settings: object) -> None:
        del settings  # the picker and the pages read the settings again
        self._on_models_models_changed()

    def _say_model_gone(self, gone: str, now: ModelEntry | None) -> None:
        """The conversation's model left the installed models: the banner and the status line say what follows."""
        if now is None:
            text = translate("MainWindow", "{model} is no longer on this computer, and no other model is installed.")
        else:
            text = translate("MainWindow", "{model} is no longer on this computer; this conversation now uses {other}.")
        self.banner.show_notice(text.format(model=gone, other=now.name if now is not None else ""))
        self.status.show_model(now)
