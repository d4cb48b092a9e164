"""The Settings dialog's pages for remote servers and the local API server, and what Save does with them.

``remote_tabs`` builds the two pages for ``SettingsDialog(extra_tabs=…)``; ``apply_remote_tabs``
stores the API key (the key store, not settings.json) and returns the dialog's settings with the
API page's values in them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6 import QtCore, QtWidgets

from app.core.settings import Settings
from app.ui.api_server_tab import ApiServerTab
from app.ui.remote_servers_tab import RemoteServersTab
from app.ui.settings_dialog import SettingsDialog

if TYPE_CHECKING:
    from app.ui.application import Services


def remote_tabs(services: Services) -> list[tuple[QtWidgets.QWidget, str]]:
    translate = QtCore.QCoreApplication.translate
    return [
        (RemoteServersTab(services.remote), translate("RemoteSettings", "Remote servers")),
        (
            ApiServerTab(services.settings.current, services.api.api_key),
            translate("RemoteSettings", "Local API server"),
        ),
    ]


def apply_remote_tabs(dialog: SettingsDialog, services: Services) -> Settings:
    """The settings to save: the dialog's, with the API page's; its key is stored on the way."""
    values = dialog.values()
    for index in range(dialog.tabs.count()):
        page = dialog.tabs.widget(index)
        if isinstance(page, ApiServerTab):
            if page.key() != services.api.api_key:
                services.api.set_api_key(page.key())
            values = page.apply(values)
    return values
