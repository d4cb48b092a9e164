"""The window's model flow: the Models page, Settings, switching a conversation's model, and dropped files.

Switching loads the new model at once (the engine unloads the old one first, so its memory is
really freed) while the header shows "Loading <model>…" and Send waits. The conversation's messages
are never touched; the engine renders them with the new model's own chat template on the next send.
A model that fails to load leaves the previous one in use, and the banner says why.

The Settings dialog changes the default model; the open conversation follows it when it has no
model of its own yet (no answer so far), or when the user ticks "Switch the open conversation".
Otherwise it keeps its model.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6 import QtCore, QtGui

from app.core import catalog
from app.core.catalog import ModelEntry
from app.core.engine.protocol import ModelLoaded, ModelLoadFailed, ModelSpec
from app.core.errors import AppError
from app.core.settings import Settings
from app.core.store import Conversation
from app.ui.model_manager import GgufDropFilter, ModelManager
from app.ui.settings_dialog import SettingsDialog

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


class ModelsFlow(QtCore.QObject):
    """Owned by the main window; GUI thread only."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._controller = window.controller
        self.page = ModelManager(window.controller, window)
        self.page_button = window.add_page(
            self.page, self.tr("Models"), self.tr("The installed models: import, delete, choose")
        )
        self.settings_action = QtGui.QAction(self.tr("Settings…"), window)
        self.settings_action.setShortcut(QtGui.QKeySequence("Ctrl+,"))
        self.settings_action.setMenuRole(QtGui.QAction.MenuRole.PreferencesRole)
        window.addAction(self.settings_action)
        self.settings_button = window.sidebar.add_page_button(self.tr("Settings…"), self.tr("Settings (Ctrl+,)"))
        self.settings_button.setCheckable(False)

        # Files dropped anywhere on the window, the message box included, are imported.
        self.drop_filter = GgufDropFilter(self)
        window.setAcceptDrops(True)
        window.installEventFilter(self.drop_filter)
        window.composer.edit.viewport().installEventFilter(self.drop_filter)

        self.settings_action.triggered.connect(self._on_settings_action_triggered)
        self.settings_button.clicked.connect(self._on_settings_action_triggered)
        self.drop_filter.files_dropped.connect(self._on_drop_filter_files_dropped)
        self.page.use_requested.connect(self._on_page_use_requested)
        self.page.default_requested.connect(self._on_page_default_requested)
        self.page.models_changed.connect(self._on_page_models_changed)
        self._controller.model_load_started.connect(self._on_controller_model_load_started)
        self._controller.model_loaded.connect(self._on_controller_model_loaded)
        # A load on the way to an answer ends with the model loaded or, when it fails, the answer discarded.
        self._controller.answer_discarded.connect(self._on_controller_answer_discarded)
        self._controller.model_switch_failed.connect(self._on_controller_model_switch_failed)
        self._controller.busy_changed.connect(self._on_controller_busy_changed)

    # -- public ---------------------------------------------------------------------------------

    def use_model(self, entry: ModelEntry) -> None:
        """Switches the open conversation (and new ones) to ``entry``, loading it now."""
        window = self._window
        try:
            self._controller.switch_model(window.conversation_id, entry)
        except AppError as err:
            window.banner.show_error(err)
            return
        self.refresh_picker()
        window.status_label.setText(entry.name)

    def open_settings(self) -> None:
        conversation = self._conversation()
        dialog = SettingsDialog(
            self._controller.settings,
            self._controller.installed_models(),
            default=self._controller.model_for(None),
            current=self._controller.model_for(conversation) if conversation is not None else None,
            follows_default=conversation is not None and conversation.model_name is None,
            gpu_offload=self._controller.last_loaded.gpu_offload if self._controller.last_loaded else None,
            parent=self._window,
        )
        try:
            if dialog.run():
                self.apply_settings(dialog.values(), switch_current=dialog.switch_current())
        finally:
            dialog.deleteLater()

    def apply_settings(self, new: Settings, *, switch_current: bool) -> None:
        """Saves ``new``; a new default model moves the open conversation too when ``switch_current``.

        Otherwise a conversation without a model of its own keeps the one it had.
        """
        controller, window = self._controller, self._window
        old = controller.settings
        conversation = self._conversation()
        before = controller.model_for(conversation) if conversation is not None else None
        default_changed = new.model_name != old.model_name
        try:
            # A switch sets the default itself, so that a model that does not load leaves the old one.
            controller.update_settings(replace(new, model_name=old.model_name) if switch_current else new)
            target = catalog.default_model(new.model_name, new.imported_models)
            if conversation is not None and switch_current and target is not None:
                self.use_model(target)
            elif conversation is not None and default_changed and conversation.model_name is None and before:
                window.store.set_conversation_model(conversation.id, before.name)  # it keeps the model it had
        except AppError as err:
            window.banner.show_error(err)
        self.refresh_picker()

    def refresh_picker(self) -> None:
        window = self._window
        conversation = self._conversation()
        window.model_picker.set_models(self._controller.installed_models(), self._controller.model_for(conversation))
        window.welcome.set_model(self._controller.model_for(None))

    def shutdown(self) -> None:
        self.page.shutdown()

    # -- helpers --------------------------------------------------------------------------------

    def _conversation(self) -> Conversation | None:
        conversation_id = self._window.conversation_id
        if conversation_id is None:
            return None
        try:
            return self._window.store.conversation(conversation_id)
        except AppError:
            return None

    def _set_loading(self, spec: ModelSpec | None) -> None:
        window = self._window
        if spec is None:
            window.loading_indicator.stop()
        else:
            window.loading_indicator.start(spec.name)
        window.composer.set_waiting(spec is not None)
        window.model_picker.setEnabled(spec is None and not self._controller.is_busy)

    # -- slots ----------------------------------------------------------------------------------

    @QtCore.Slot()
    def _on_settings_action_triggered(self) -> None:
        self.open_settings()

    @QtCore.Slot(object)
    def _on_drop_filter_files_dropped(self, files: list[Path]) -> None:
        self._window.show_page(self.page)
        self.page.import_files(files)

    @QtCore.Slot(object)
    def _on_page_use_requested(self, entry: ModelEntry) -> None:
        if self._window.conversation_id is None and self._window.new_conversation() is None:
            return
        self.use_model(entry)
        self._window.show_page(self._window.chat_page)

    @QtCore.Slot(object)
    def _on_page_default_requested(self, entry: ModelEntry) -> None:
        conversation = self._conversation()
        follows = conversation is not None and conversation.model_name is None
        self.apply_settings(replace(self._controller.settings, model_name=entry.name), switch_current=follows)

    @QtCore.Slot()
    def _on_page_models_changed(self) -> None:
        self.refresh_picker()

    @QtCore.Slot(object)
    def _on_controller_model_load_started(self, spec: ModelSpec) -> None:
        self._set_loading(spec)

    @QtCore.Slot(object)
    def _on_controller_model_loaded(self, event: ModelLoaded) -> None:
        if self._window.loading_indicator.isHidden() or self._controller.loading_model is not None:
            return
        self._set_loading(None)
        self._window.status_label.setText(
            self.tr("{model} is loaded ({seconds} s)").format(
                model=event.model.name, seconds=f"{event.load_seconds:.1f}"
            )
        )

    @QtCore.Slot(int, int)
    def _on_controller_answer_discarded(self, conversation_id: int, message_id: int) -> None:
        del conversation_id, message_id
        if self._controller.loading_model is None:
            self._set_loading(None)

    @QtCore.Slot(object)
    def _on_controller_model_switch_failed(self, event: ModelLoadFailed) -> None:
        del event
        self._set_loading(None)
        self.refresh_picker()
        entry = self._controller.model_for(self._conversation())
        self._window.status_label.setText(entry.name if entry is not None else "")

    @QtCore.Slot(bool)
    def _on_controller_busy_changed(self, busy: bool) -> None:
        self._window.model_picker.setEnabled(not busy and self._controller.loading_model is None)
