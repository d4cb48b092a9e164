"""Remote servers' list and keys: the key goes to the keychain (the suite's own here) or a 0600 file, never the list."""

from __future__ import annotations

import stat
from collections.abc import Iterator

import pytest

from app.core.config.secrets import KeyStore
from app.core.config.settings import SettingsStore
from app.core.engine.remote.servers import RemoteServers, normalize_url
from app.core.errors import InvalidServerUrlError, RemoteServerError
from app.core.models.registry import ModelRegistry
from tests.keychains import MemoryKeychain, installed
from tests.llama_server import API_KEY, MODEL_ALIAS, LlamaServer


@pytest.fixture
def file_keyring() -> Iterator[MemoryKeychain]:
    """The suite's own keychain, as the process's keyring."""
    with installed(MemoryKeychain()) as backend:
        assert isinstance(backend, MemoryKeychain)
        yield backend


def test_a_key_is_stored_in_the_keyring_and_read_back_and_never_written_to_the_list(
    file_keyring: MemoryKeychain
) -> None:
    servers = RemoteServers()
    assert servers.keys.where == "keyring"
    server = servers.add("Lab box", "http://10.0.0.5:8000", "sk-secret-1")
    assert RemoteServers().key_for(server.id) == "sk-secret-1"  # a new instance reads it back
    assert file_keyring.get_password("Parley", f"remote-server:{server.id}") == "sk-secret-1"
    assert "sk-secret-1" not in servers.file.read_text()
    assert not servers.keys.file.exists()
    servers.remove(server.id)
    assert file_keyring.get_password("Parley", f"remote-server:{server.id}") is None
    assert RemoteServers().servers() == []


def test_without_a_keyring_the_key_goes_to_a_file_only_the_user_can_read() -> None:
    servers = RemoteServers()  # the suite's keyring is keyring's "fail" backend: no keychain here
    assert servers.keys.where == "file"
    server = servers.add("", "https://gpu.example.org/v1/", "sk-secret-2")
    assert server.name == "gpu.example.org" and server.base_url == "https://gpu.example.org/v1"
    assert stat.S_IMODE(servers.keys.file.stat().st_mode) == 0o600
    assert RemoteServers().key_for(server.id) == "sk-secret-2"
    assert "sk-secret-2" not in servers.file.read_text()
    servers.update(server.id, name="Renamed", url="https://gpu.example.org/v1", key=None)
    assert RemoteServers().key_for(server.id) == "sk-secret-2"  # None keeps the key
    assert RemoteServers().servers()[0].name == "Renamed"


def test_addresses_are_normalized_and_non_addresses_refused() -> None:
    assert normalize_url("http://127.0.0.1:11434") == "http://127.0.0.1:11434/v1"
    assert normalize_url(" http://h:1/api/v1/ ") == "http://h:1/api/v1"
    for bad in ("localhost:8000", "ftp://h/v1", "http://", "http://h:port/v1"):
        with pytest.raises(InvalidServerUrlError):
            normalize_url(bad)


def test_the_servers_models_come_from_v1_models_and_are_listed_as_remote(
    llama_server: LlamaServer
) -> None:
    servers = RemoteServers(keys=KeyStore(use_keyring=False))
    server = servers.add("Lab box", llama_server.base_url, API_KEY)
    registry = ModelRegistry(SettingsStore(), servers)
    registry.set_remote_models(server.id, servers.fetch_models(server))
    [entry] = registry.remote_models()
    assert entry.source == "remote" and entry.name == f"{MODEL_ALIAS} @ Lab box"
    assert entry.server_host == server.host
    assert all(model.source != "remote" for model in registry.models())  # the installed list stays local
    spec = registry.spec_for(entry)
    assert (spec.path, spec.name, spec.server) == (llama_server.base_url, MODEL_ALIAS, server.id)
    servers.update(server.id, name="Lab box", url=llama_server.base_url, key="wrong")
    with pytest.raises(RemoteServerError, match="refused the API key"):
        servers.fetch_models(server)
