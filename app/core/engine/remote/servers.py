"""Remote OpenAI-compatible servers: the one owner of their list (``remote_servers.json``, written atomically).

Their API keys never go in the list: they are kept in the key store (``app.core.config.secrets``).
There are no servers until the user adds one, so nothing leaves the computer by default.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from app.core import paths
from app.core.atomic import write_json_atomically
from app.core.config.secrets import KeyStore
from app.core.engine.remote.chunks import RemoteRequestError
from app.core.engine.remote.engine import list_model_ids
from app.core.errors import InvalidServerUrlError, RemoteServerError, StorageError

log = logging.getLogger("app.remote")


@dataclass(frozen=True)
class RemoteServer:
    id: str
    name: str
    base_url: str  # normalized: scheme, host, port and path, ending in /v1 unless the user gave another path
    send_memories: bool = False  # the user allowed their memories (app.core.memory) in prompts to this server
    # Every answer asks for the tokens' log-probabilities (``logprobs``), shown by "Look inside"; a persona
    # that looks inside every answer asks for them whatever this says.
    ask_logprobs: bool = False

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

    def allow_memories(self, server_id: str, allowed: bool) -> RemoteServer:
        """Lets (or stops) the user's memories go in the prompts sent to ``server_id``; off by default."""
        old = self.get(server_id)
        if old is None:
            raise RemoteServerError(host=server_id, reason="it is no longer configured")
        new = replace(old, send_memories=allowed)
        self._save([new if server.id == server_id else server for server in self._servers])
        return new

    def ask_for_logprobs(self, server_id: str, asked: bool) -> RemoteServer:
        """Makes every answer of ``server_id`` ask for its token probabilities (or not); off by default."""
        old = self.get(server_id)
        if old is None:
            raise RemoteServerError(host=server_id, reason="it is no longer configured")
        new = replace(old, ask_logprobs=asked)
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
                url = normalize_url(str(item["base_url"]))
                servers.append(
                    RemoteServer(str(item["id"]), str(item["name"]), url, item.get("send_memories") is True,
                                 item.get("ask_logprobs") is True)
                )  # fmt: skip
            except (KeyError, TypeError, InvalidServerUrlError):
                log.warning("remote servers: %r is not a server; skipped", item)
        return servers

    def _save(self, servers: list[RemoteServer]) -> None:
        data = [
            {"id": s.id, "name": s.name, "base_url": s.base_url, "send_memories": s.send_memories,
             "ask_logprobs": s.ask_logprobs}
            for s in servers
        ]  # fmt: skip
        try:
            write_json_atomically(self.file, data, prefix=".remote-servers-")
        except OSError as exc:
            raise StorageError(path=self.file, reason=exc.strerror or exc) from exc
        self._servers = servers
        for listener in list(self._listeners):
            listener()


def _account(server_id: str) -> str:
    return f"remote-server:{server_id}"
