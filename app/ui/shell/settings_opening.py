"""Opening the Settings dialog from the window and saving what it returns (the models controller applies it)."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from app.core.history.types import Conversation
from app.ui.common.gpu_text import capability_for, capability_sentence
from app.ui.controllers.exchange_controller import ExchangeController
from app.ui.settings.data_tab import DataTab
from app.ui.settings.dialog import SettingsDialog
from app.ui.settings.documents_tab import DocumentsTab
from app.ui.settings.memory_tab import MemoryTab
from app.ui.settings.remote_pages import apply_remote_tabs, remote_tabs
from app.ui.settings.voice_tab import VoiceTab
from app.ui.shell.services import Services


def open_settings(
    services: Services,
    exchange: ExchangeController,
    conversation_id: int | None,
    conversation: Conversation | None,
    parent: QtWidgets.QWidget,
) -> bool:
    """Runs the dialog for the open conversation; True when the user saved (the settings are applied then).
    Documents' download button starts the embedder's download at once (the sidebar shows it)."""
    registry, models = services.registry, services.models
    last = models.last_loaded
    documents_tab = DocumentsTab(services.documents, services.settings.current)
    voice_tab = VoiceTab(services.voice.settings, services.voice.devices())
    voice_tab.download_requested.connect(services.voice.download)
    services.voice.download_progressed.connect(voice_tab.show_progress)  # bound slots: gone with the tab
    services.voice.download_finished.connect(voice_tab.show_finished)
    memory_tab = MemoryTab(services.chat.memory.memories, services.settings.current, services.remote.servers)
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
            (voice_tab, QtCore.QCoreApplication.translate("VoiceTab", "Voice")),
            (memory_tab, QtCore.QCoreApplication.translate("MemoryTab", "Memory")),
        ],
        parent=parent,
        capability=capability_sentence(capability_for(last)),
    )
    documents_tab.download_requested.connect(
        lambda model: services.downloads.start(
            model.repo, model.file, label=model.name, open_when_done=False, quantization=model.quantization
        )
    )
    try:
        if not dialog.run():
            return False
        values = memory_tab.apply(documents_tab.apply(apply_remote_tabs(dialog, services.api)))
        models.apply_settings(values, conversation_id, switch_current=dialog.switch_current())
        services.voice.update(voice_tab.values())
        return True
    finally:
        dialog.deleteLater()
