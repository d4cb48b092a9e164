"""Opening the Settings dialog from the window and saving what it returns (the models controller applies it)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6 import QtCore, QtWidgets

from app.core.history.types import Conversation
from app.ui.common.gpu_text import capability_for, capability_sentence
from app.ui.controllers.exchange_controller import ExchangeController
from app.ui.settings.data_tab import DataTab
from app.ui.settings.dialog import SettingsDialog
from app.ui.settings.documents_tab import DocumentsTab
from app.ui.settings.remote_pages import apply_remote_tabs, remote_tabs
from app.ui.shell.services import Services


def open_settings(
    services: Services,
    exchange: ExchangeController,
    conversation_id: int | None,
    conversation: Conversation | None,
    parent: QtWidgets.QWidget,
    get_models: Callable[[], None] | None = None,
) -> bool:
    """Runs the dialog for the open conversation; True when the user saved (the settings are applied then).
    Documents' "Get models" closes the dialog unsaved and calls ``get_models``."""
    registry, models = services.registry, services.models
    last = models.last_loaded
    documents_tab = DocumentsTab(services.documents, services.settings.current)
    dialog = SettingsDialog(
        services.settings.current,
        registry.models(),
        default=registry.default_model(),
        current=registry.model_for(conversation) if conversation is not None else None,
        follows_default=conversation is not None and conversation.model_name is None,
        gpu_offload=last.gpu_offload if last is not None else None,
        data_tab=DataTab(services.history, exchange),
        extra_tabs=[
            *remote_tabs(services.settings.current, services.remote, services.api),
            (documents_tab, QtCore.QCoreApplication.translate("DocumentsTab", "Documents")),
        ],
        parent=parent,
        capability=capability_sentence(capability_for(last)),
    )
    wants_models: list[bool] = []

    def leave_for_models() -> None:
        wants_models.append(True)
        dialog.reject()

    documents_tab.get_models_requested.connect(leave_for_models)
    try:
        if not dialog.run():
            if wants_models and get_models is not None:
                get_models()
            return False
        values = documents_tab.apply(apply_remote_tabs(dialog, services.api))
        models.apply_settings(values, conversation_id, switch_current=dialog.switch_current())
        return True
    finally:
        dialog.deleteLater()
