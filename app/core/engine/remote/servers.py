"""Remote OpenAI-compatible servers: the one owner of their list and of their API keys.

The list (a name and a base URL for each) is ``remote_servers.json`` in the config folder, written
atomically. The keys never go there: they go into the OS keychain through ``keyring`` when a
backend is available, otherwise into ``remote_keys.json`` beside it, readable by the user only
(0600). ``KeyStore.where`` says which, so the window can tell the user. There are no servers until
the user adds one, so nothing leaves the computer by default.

``fetch_models`` asks a server for its models (``GET /v1/models``); the model registry lists them
beside the installed ones.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from app.core import paths
from app.core.atomic import write_json_atomically
from app.core.engine.remote.engine import RemoteRequestError, list_model_ids
from app.core.errors import InvalidServerUrlError, RemoteServerError, StorageError

log = logging.getLogger("app.remote")

KEYRING_SERVICE = "Parley"
KeyPlace = Literal["keyring", "file"]


@dataclass(frozen=True)
class RemoteServer:
    id: str
    name: str
    base_url: str  # normalized: scheme, host, port and path, ending in /v1 unless the user gave another path

    @property
    def host(self) -> str:
        """The host (and port, when given) that conversations with this server go to."""
        return urlsplit(self.base_url).netloc

    @property
    def label(self) -> str:
        """How an answer records the server: its name and host."""
        return f"{self.name} ({self.host})"


def normalize_url(url: str) -> str:
    """``url`` as a base URL (``http(s)://host[:port]/v1``); ``InvalidServerUrlError`` when it is not one."""
    text = url.strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidServerUrlError(url=url)
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        raise InvalidServerUrlError(url=url) from exc
    path = parts.path if parts.path not in ("", "/") else "/v1"
    return f"{parts.scheme}://{parts.netloc}{path}"


class KeyStore:
    """API keys by account name: the OS keychain when ``keyring`` has a usable backend, else a 0600 file."""

    def __init__(self, file: Path | None = None, *, use_keyring: bool = True) -> None:
        self._file = file
        self._keyring = _usable_keyring() if use_keyring else None

    @property
    def where(self) -> KeyPlace:
        return "keyring" if self._keyring is not None else "file"

    @property
    def file(self) -> Path:
        return self._file or paths.config_dir() / "remote_keys.json"

    def get(self, account: str) -> str:
        if self._keyring is not None:
            return self._keyring.get_password(KEYRING_SERVICE, account) or ""
        return self._read_file().get(account, "")

    def set(self, account: str, key: str) -> None:
        """Stores ``key`` (an empty one deletes it); ``StorageError`` when the file cannot be written."""
        if not key:
            self.delete(account)
            return
        if self._keyring is not None:
            self._keyring.set_password(KEYRING_SERVICE, account, key)
            return
        keys = self._read_file()
        keys[account] = key
        self._write_file(keys)

    def delete(self, account: str) -> None:
        if self._keyring is not None:
            import keyring.errors

            with contextlib.suppress(keyring.errors.PasswordDeleteError):  # there was none
                self._keyring.delete_password(KEYRING_SERVICE, account)
            return
        keys = self._read_file()
        if keys.pop(account, None) is not None:
            self._write_file(keys)

    def _read_file(self) -> dict[str, str]:
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("the key file %s cannot be read: %s", self.file, exc)
            return {}
        return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)} if isinstance(
            data, dict
        ) else {}

    def _write_file(self, keys: dict[str, str]) -> None:
        target = self.file
        try:
            # Created 0600 before any key is in it, then replaced atomically by a file with the same mode.
            fd = os.open(target.parent / f".{target.name}.tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(keys, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(target.parent / f".{target.name}.tmp", target)
        except OSError as exc:
            raise StorageError(path=target, reason=exc.strerror or exc) from exc


def _usable_keyring() -> _CheckedKeyring | None:
    """The keyring backend, or None when keyring has none that works here (no keychain, no D-Bus)."""
    try:
        import keyring
        import keyring.backends.fail
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # any backend's set-up failure means "no keychain here"
        log.info("no keyring backend: %s", exc)
        return None
    if isinstance(backend, keyring.backends.fail.Keyring):
        return None
    children = getattr(backend, "backends", None)
    if children is not None and not children:  # a ChainerBackend with nothing to chain
        return None
    return _CheckedKeyring(backend)


class _CheckedKeyring:
    """A keyring backend whose failures become ``StorageError`` (a locked or refusing keychain)."""

    def __init__(self, backend: object) -> None:
        self.backend = backend

    def _call(self, method: str, *args: str) -> str | None:
        import keyring.errors

        try:
            result = getattr(self.backend, method)(*args)
        except keyring.errors.PasswordDeleteError:
            raise
        except keyring.errors.KeyringError as exc:
            raise StorageError(path="keyring", reason=exc) from exc
        return result if isinstance(result, str) else None

    def get_password(self, service: str, account: str) -> str | None:
        return self._call("get_password", service, account)

    def set_password(self, service: str, account: str, key: str) -> None:
        self._call("set_password", service, account, key)

    def delete_password(self, service: str, account: str) -> None:
        self._call("delete_password", service, account)


ServersListener = Callable[[], None]


class RemoteServers:
    """The configured servers and their keys. Use it from one thread (the GUI thread in the window)."""

    def __init__(self, file: Path | None = None, keys: KeyStore | None = None) -> None:
        self._file = file
        self.keys = keys or KeyStore()
        self._servers = self._load()
        self._listeners: list[ServersListener] = []

    @property
    def file(self) -> Path:
        return self._file or paths.config_dir() / "remote_servers.json"

    def servers(self) -> list[RemoteServer]:
        return list(self._servers)

    def get(self, server_id: str) -> RemoteServer | None:
        return next((server for server in self._servers if server.id == server_id), None)

    def key_for(self, server_id: str) -> str:
        return self.keys.get(_account(server_id))

    def connection(self, server_id: str) -> tuple[str, str] | None:
        """The base URL and key of ``server_id``; None when it is not configured (any more)."""
        server = self.get(server_id)
        return (server.base_url, self.key_for(server_id)) if server is not None else None

    def add(self, name: str, url: str, key: str) -> RemoteServer:
        base_url = normalize_url(url)
        server = RemoteServer(uuid.uuid4().hex[:12], name.strip() or urlsplit(base_url).netloc, base_url)
        self.keys.set(_account(server.id), key)
        self._save([*self._servers, server])
        return server

    def update(self, server_id: str, *, name: str, url: str, key: str | None) -> RemoteServer:
        """Changes a server; ``key`` None keeps its key, "" removes it."""
        old = self.get(server_id)
        if old is None:
            raise RemoteServerError(host=server_id, reason="it is no longer configured")
        new = replace(old, name=name.strip() or old.name, base_url=normalize_url(url))
        if key is not None:
            self.keys.set(_account(server_id), key)
        self._save([new if server.id == server_id else server for server in self._servers])
        return new

    def remove(self, server_id: str) -> None:
        self.keys.delete(_account(server_id))
        self._save([server for server in self._servers if server.id != server_id])

    def fetch_models(self, server: RemoteServer, timeout: float = 10.0) -> list[str]:
        """The model ids ``server`` offers (``GET /v1/models``); ``RemoteServerError`` says why not."""
        try:
            return list_model_ids(server.base_url, self.key_for(server.id), timeout=timeout)
        except RemoteRequestError as failure:
            raise RemoteServerError(host=server.host, reason=failure.reason) from failure

    def add_listener(self, listener: ServersListener) -> None:
        self._listeners.append(listener)

    def _load(self) -> list[RemoteServer]:
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            log.warning("remote servers: %s cannot be read (%s); none are used", self.file, exc)
            return []
        servers: list[RemoteServer] = []
        for item in data if isinstance(data, list) else []:
            try:
                servers.append(RemoteServer(str(item["id"]), str(item["name"]), normalize_url(str(item["base_url"]))))
            except (KeyError, TypeError, InvalidServerUrlError):
                log.warning("remote servers: %r is not a server; skipped", item)
        return servers

    def _save(self, servers: list[RemoteServer]) -> None:
        data = [{"id": s.id, "name": s.name, "base_url": s.base_url} for s in servers]
        try:
            write_json_atomically(self.file, data, prefix=".remote-servers-")
        except OSError as exc:
            raise StorageError(path=self.file, reason=exc.strerror or exc) from exc
        self._servers = servers
        for listener in list(self._listeners):
            listener()


def _account(server_id: str) -> str:
    return f"remote-server:{server_id}"
