"""The window's side of the local API server: it runs while Settings → Local API server says so.

It starts, restarts and stops ``app.core.api_server.ApiServer`` as the settings change, keeps the
models it may serve in step with the registry, and tells the window when an API request is using
the model (``activity_changed``), through ``GuiRelay`` since requests run on the server's thread.
"""

from __future__ import annotations

import logging

from PySide6 import QtCore

from app.core.api_server.app import ApiBackend, ModelChoices, choices_from
from app.core.api_server.server import API_KEY_ACCOUNT, ApiConfig, ApiServer
from app.core.config.secrets import KeyStore
from app.core.config.settings import Settings, SettingsStore
from app.core.errors import AppError
from app.core.models.registry import ModelRegistry
from app.core.session.service import EngineService
from app.ui.common.relay import GuiRelay

log = logging.getLogger("app.ui.api")


class ApiServerController(QtCore.QObject):
    """GUI thread only."""

    activity_changed = QtCore.Signal(int)  # API completions queued or running now
    state_changed = QtCore.Signal()  # started, stopped, or failed to start
    error_reported = QtCore.Signal(object)  # AppError

    def __init__(
        self,
        settings: SettingsStore,
        registry: ModelRegistry,
        session: EngineService,
        keys: KeyStore,
        parent: QtCore.QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._registry = registry
        self.keys = keys
        self._relay = GuiRelay(self)
        self._choices = ModelChoices()
        self._backend = ApiBackend(session, self._choices, on_activity=self._relay.sink(self.activity_changed.emit))
        self._server: ApiServer | None = None
        self._config: ApiConfig | None = None
        self.error: AppError | None = None
        settings.add_listener(self._on_settings_changed)
        registry.add_listener(self._on_registry_changed)

    @property
    def base_url(self) -> str | None:
        """Where it serves now; None when it is off."""
        return self._server.base_url if self._server is not None and self._server.running else None

    @property
    def api_key(self) -> str:
        return self.keys.get(API_KEY_ACCOUNT)

    def set_api_key(self, key: str) -> None:
        """Stores the key (the keychain or the 0600 file) and restarts the server with it."""
        self.keys.set(API_KEY_ACCOUNT, key)
        self.apply()

    def apply(self) -> None:
        """Starts, restarts or stops the server to match the settings."""
        current = self._settings.current
        choices_from(self._registry, current, self._choices)
        config = _config(current, self.api_key) if current.api_enabled else None
        if config == self._config and (config is None or self.base_url is not None):
            return
        self._stop()
        self._config = config
        self.error = None
        if config is not None:
            server = ApiServer(self._backend, config)
            try:
                server.start()
            except AppError as err:
                log.warning("the local API server did not start: %s", err)
                self.error = err
                self.error_reported.emit(err)
            else:
                self._server = server
        self.state_changed.emit()

    def shutdown(self) -> None:
        self._stop()
        self._relay.close()

    def _stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def _on_settings_changed(self, settings: Settings) -> None:
        del settings
        self.apply()

    def _on_registry_changed(self) -> None:
        choices_from(self._registry, self._settings.current, self._choices)


def _config(settings: Settings, key: str) -> ApiConfig:
    return ApiConfig(host=settings.api_host, port=settings.api_port, api_key=key, cors=settings.api_cors)
