"""The Settings pages say truly where the keys are: the keychain by name, or Parley's own file by its path."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.core.config.secrets import KeyStore
from app.core.config.settings import Settings
from app.ui.settings.api_server_tab import ApiServerTab
from app.ui.settings.remote_servers_tab import key_place
from tests.keychains import MemoryKeychain, PlainFileKeyring, installed


def test_the_api_page_names_the_keychain_that_holds_the_key(qtbot: QtBot) -> None:
    with installed(MemoryKeychain()):
        tab = ApiServerTab(Settings(), "", KeyStore())
    qtbot.addWidget(tab)
    assert tab.key_place_label.text() == "API keys are kept in the system keychain: keychains MemoryKeychain."


def test_without_a_keychain_both_pages_give_the_files_path(qtbot: QtBot) -> None:
    with installed(PlainFileKeyring()):  # a plain file standing in for a keychain is not one
        keys = KeyStore()
        tab = ApiServerTab(Settings(), "", keys)
    qtbot.addWidget(tab)
    said = tab.key_place_label.text()
    assert said == key_place(keys)
    assert said == (
        f"No system keychain is available, so API keys are kept in Parley's own file {keys.file}, "
        "readable only by you."
    )
    assert "keychain:" not in said
