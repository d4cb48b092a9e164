"""The window's long-lived objects in one value: what ``application.build_services`` builds and the window is handed."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.config.settings import SettingsStore
from app.core.history.store import Store
from app.core.models.registry import ModelRegistry
from app.core.personas.book import PersonaBook
from app.core.session.service import EngineService
from app.ui.common.background import BackgroundExecutor
from app.ui.controllers.api_controller import ApiServerController
from app.ui.controllers.backup_controller import BackupController
from app.ui.controllers.chat_controller import ChatController
from app.ui.controllers.conversation_controller import ConversationController
from app.ui.controllers.documents_controller import DocumentsController
from app.ui.controllers.download_controller import DownloadController
from app.ui.controllers.models_controller import ModelsController
from app.ui.controllers.remote_controller import RemoteModelsController
from app.ui.controllers.voice_controller import VoiceController
from app.ui.shell.appearance import Appearance


@dataclass(frozen=True)
class Services:
    """The long-lived objects the window works with; ``shutdown`` ends them in order."""

    store: Store
    settings: SettingsStore
    registry: ModelRegistry
    session: EngineService
    downloads: DownloadController
    chat: ChatController
    models: ModelsController
    history: BackupController
    appearance: Appearance
    remote: RemoteModelsController
    api: ApiServerController
    personas: PersonaBook  # the one persona book: the turn runner's and the window's
    executor: BackgroundExecutor  # every job off the GUI thread; shut down last
    documents: DocumentsController  # attached files read, the library indexed (on the executor)
    voice: VoiceController  # dictation and reading aloud (app.core.voice)
    conversation: ConversationController  # conversation mode: listen, answer, speak, listen (over ``voice``)

    def shutdown(self) -> None:
        """Settles a running answer, pauses the downloads, ends the engine and the executor. Safe to call twice."""
        self.api.shutdown()
        self.conversation.shutdown()
        self.voice.shutdown()
        self.documents.shutdown()
        self.remote.shutdown()
        self.appearance.shutdown()
        self.history.shutdown()
        self.downloads.shutdown()
        self.models.shutdown()
        self.chat.shutdown()
        self.session.shutdown()
        self.executor.shutdown()
