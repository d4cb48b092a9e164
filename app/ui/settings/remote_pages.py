"""The Settings dialog's pages for remote servers and the local API server, and what Save does with them.

``remote_tabs`` builds the two pages for ``SettingsDialog(extra_tabs=…)``; ``apply_remote_tabs``
stores the dialog's secrets (the API key, the Hub token) in the key store, never settings.json, and
returns the dialog's settings with the API page's values in them.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from app.core.config.settings import Settings
from app.ui.controllers.api_controller import ApiServerController
from app.ui.controllers.remote_controller import RemoteModelsController
from app.ui.settings.api_server_tab import ApiServerTab
from app.ui.settings.dialog import SettingsDialog
from app.ui.settings.remote_servers_tab import RemoteServersTab


def remote_tabs(
    settings: Settings, remote: RemoteModelsController, api: ApiServerController
) -> list[tuple[QtWidgets.QWidget, str]]:
    translate = QtCore.QCoreApplication.translate
    return [
        (RemoteServersTab(remote), translate("RemoteSettings", "Remote servers")),
        (
            ApiServerTab(settings, api.api_key, api.keys),
            translate("RemoteSettings", "Local API server"),
        ),
    ]


def apply_remote_tabs(dialog: SettingsDialog, api: ApiServerController) -> Settings:
    """The settings to save: the dialog's, with the API page's; the secrets are stored on the way."""
    dialog.save_hub_token()
    values = dialog.values()
    for index in range(dialog.pages.count()):
        page = dialog.pages.widget(index)
        if isinstance(page, ApiServerTab):
            if page.key() != api.api_key:
                api.set_api_key(page.key())
            values = page.apply(values)
    return values
