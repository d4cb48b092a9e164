"""Running the local API server: uvicorn on its own thread, bound where the settings say.

The socket is bound here, before uvicorn starts, so a port in use or an address that is not this
computer's is an ``ApiServerError`` for the user rather than uvicorn ending the process. The rule
for where it may listen is ``check_binding``: loopback addresses need nothing; any other address
(other computers can reach it) needs an API key. The app then answers only the ``Host`` names of
the address it listens on (``guard.allowed_hosts``).
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
import time
from dataclasses import dataclass

import uvicorn

from app.core.api_server.app import BODY_SECONDS, ApiBackend, build_app
from app.core.api_server.guard import allowed_hosts
from app.core.errors import ApiKeyRequiredError, ApiServerError

log = logging.getLogger("app.api")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8717
API_KEY_ACCOUNT = "local-api"  # the server's key in app.core.config.secrets (never in settings.json)
START_SECONDS = 10.0


@dataclass(frozen=True)
class ApiConfig:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    api_key: str = ""
    cors: bool = False
    body_seconds: float = BODY_SECONDS  # how long a request's body may take to arrive


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_binding(config: ApiConfig) -> None:
    """``ApiKeyRequiredError`` when ``config`` listens beyond this computer without a key."""
    if not is_loopback(config.host) and not config.api_key:
        raise ApiKeyRequiredError(host=config.host)


def bind(config: ApiConfig) -> socket.socket:
    """The listening socket for ``config``; ``ApiServerError`` says why it cannot be had."""
    check_binding(config)
    try:
        infos = socket.getaddrinfo(config.host, config.port, type=socket.SOCK_STREAM)
        family, kind, proto, _, address = infos[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise ApiServerError(reason=f"{config.host} is not an address of this computer ({exc})") from exc
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(64)
    except OSError as exc:
        sock.close()
        raise ApiServerError(reason=f"{config.host}:{config.port} cannot be used ({exc.strerror or exc})") from exc
    sock.set_inheritable(True)
    return sock


class ApiServer:
    """The server on a background thread; ``start`` returns once it listens, ``stop`` once it is gone."""

    def __init__(self, backend: ApiBackend, config: ApiConfig) -> None:
        self.backend = backend
        self.config = config
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    @property
    def address(self) -> tuple[str, int]:
        """Where it listens (the real port when the config asked for port 0)."""
        if self._socket is None:
            return self.config.host, self.config.port
        name = self._socket.getsockname()
        return str(name[0]), int(name[1])

    @property
    def base_url(self) -> str:
        host, port = self.address
        return f"http://{'[' + host + ']' if ':' in host else host}:{port}/v1"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self.backend.api_key = self.config.api_key
        sock = bind(self.config)
        hosts = allowed_hosts(self.config.host, int(sock.getsockname()[1]))
        app = build_app(self.backend, hosts=hosts, cors=self.config.cors, body_seconds=self.config.body_seconds)
        uconfig = uvicorn.Config(
            app, log_level="warning", lifespan="off", access_log=False, timeout_graceful_shutdown=2
        )
        server = uvicorn.Server(uconfig)
        self._socket, self._server = sock, server
        self._thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="parley-api", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + START_SECONDS
        while self._thread.is_alive() and not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        if not server.started:
            self.stop()
            raise ApiServerError(reason="the server did not start")
        log.info("the local API listens on %s", self.base_url)

    def stop(self) -> None:
        server, thread, sock = self._server, self._thread, self._socket
        self._server = self._thread = self._socket = None
        if server is not None:
            server.should_exit = True
        if thread is not None:
            thread.join(START_SECONDS)
        if sock is not None:
            sock.close()
        self.backend.models.embedder.close()  # its process; the next request after a start begins another
