"""The one key store: the Hub token joins the remote servers' and the API server's keys, and leaves settings.json."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from app.core import paths
from app.core.api_server.server import API_KEY_ACCOUNT
from app.core.config import secrets, settings
from app.core.config.secrets import HUB_TOKEN_ACCOUNT, KeyStore
from app.core.config.settings import Settings, SettingsStore
from app.core.errors import StorageError
from app.core.models.hub import HubConfig
from tests.keychains import MemoryKeychain, PlainFileKeyring, installed


def _write_old_settings(**values: object) -> None:
    paths.settings_path().write_text(json.dumps({"hub_endpoint": "", **values}), encoding="utf-8")


def test_a_token_in_an_older_settings_file_moves_to_the_key_store_and_still_reaches_the_hub() -> None:
    _write_old_settings(hub_token=" hf_old ", language="en")
    loaded = settings.load()
    assert loaded.hub_token == "" and loaded.language == "en"
    on_disk = json.loads(paths.settings_path().read_text(encoding="utf-8"))
    assert "hub_token" not in on_disk and on_disk["language"] == "en"
    keys = KeyStore()
    assert keys.get(HUB_TOKEN_ACCOUNT) == "hf_old"
    assert stat.S_IMODE(keys.file.stat().st_mode) == 0o600
    assert HubConfig.from_settings(loaded).token == "hf_old"
    assert HubConfig.from_settings(SettingsStore().current).token == "hf_old"  # and after another start


def test_the_hub_token_shares_the_store_with_the_other_keys() -> None:
    keys = KeyStore()
    keys.set(API_KEY_ACCOUNT, "api-key")
    _write_old_settings(hub_token="hf_old")
    settings.load()
    stored = json.loads(keys.file.read_text(encoding="utf-8"))
    assert stored == {API_KEY_ACCOUNT: "api-key", HUB_TOKEN_ACCOUNT: "hf_old"}


def test_a_token_already_in_the_store_wins_over_a_stale_one_in_the_file() -> None:
    KeyStore().set(HUB_TOKEN_ACCOUNT, "hf_new")
    _write_old_settings(hub_token="hf_stale")
    settings.load()
    assert secrets.hub_token() == "hf_new"
    assert "hf_stale" not in paths.settings_path().read_text(encoding="utf-8")


def test_when_the_store_refuses_the_token_stays_in_the_file_and_keeps_working(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def refuse(self: KeyStore, account: str, key: str) -> None:
        raise StorageError(path="keyring", reason="locked")

    monkeypatch.setattr(KeyStore, "set", refuse)
    _write_old_settings(hub_token="hf_old")
    loaded = settings.load()
    assert loaded.hub_token == "hf_old"
    assert "locked" in caplog.text
    assert HubConfig.from_settings(loaded).token == "hf_old"


def test_without_a_token_the_hub_is_asked_anonymously_and_no_key_file_is_made() -> None:
    _write_old_settings(hub_token="")
    assert HubConfig.from_settings(settings.load()).token is None
    assert HubConfig.from_settings(Settings()).token_arg is False
    assert not KeyStore().file.exists()


def test_an_empty_token_removes_the_stored_one() -> None:
    keys = KeyStore()
    keys.set(HUB_TOKEN_ACCOUNT, "hf_x")
    keys.set(HUB_TOKEN_ACCOUNT, "")
    assert secrets.hub_token(keys) == ""
    assert json.loads(keys.file.read_text(encoding="utf-8")) == {}


def test_a_file_backend_standing_in_for_a_keychain_is_passed_over_for_parleys_own_file() -> None:
    # keyrings.alt's file backends (priority below 1) are what a source install with the test extras
    # would pick up: their keys would sit in a plain file while the page said "system keychain".
    with installed(PlainFileKeyring()) as backend:
        keys = KeyStore()
        keys.set(API_KEY_ACCOUNT, "api-key")
        assert keys.where == "file" and keys.keychain_name == ""
        assert isinstance(backend, PlainFileKeyring) and backend.passwords == {}
        assert json.loads(keys.file.read_text(encoding="utf-8")) == {API_KEY_ACCOUNT: "api-key"}
        assert stat.S_IMODE(keys.file.stat().st_mode) == 0o600


def test_a_keychain_is_used_and_named() -> None:
    with installed(MemoryKeychain()) as backend:
        keys = KeyStore()
        keys.set(API_KEY_ACCOUNT, "api-key")
        assert keys.where == "keyring" and keys.keychain_name == backend.name == "keychains MemoryKeychain"
        assert isinstance(backend, MemoryKeychain) and backend.passwords == {("Parley", API_KEY_ACCOUNT): "api-key"}
        assert not keys.file.exists()


def test_nothing_outside_the_tests_depends_on_keyrings_alt() -> None:
    root = Path(__file__).resolve().parents[3]
    imports = ("import keyrings", "from keyrings")
    sources = {path: path.read_text(encoding="utf-8") for path in (root / "app").rglob("*.py")}
    users = [path for path, text in sources.items() if any(i in text for i in imports)]
    assert users == []
    assert "keyrings.alt" not in (root / "pyproject.toml").read_text(encoding="utf-8")
