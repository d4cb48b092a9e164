"""Who may talk to the local API server: the ``Host`` it is reached by and the web page a request comes from.

``RequestGuard`` wraps the whole ASGI app. A ``Host`` that is not an address the server listens on
(``allowed_hosts``) is refused, so a DNS-rebinding page cannot read answers; an ``Origin`` other than the
server's own is refused unless CORS is on. Both answer 403 with OpenAI's error body and are logged.
"""

from __future__ import annotations

import ipaddress
import logging

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.api_server.openai_shapes import error_body

log = logging.getLogger("app.api")

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
WILDCARD_HOSTS = ("", "0.0.0.0", "::")


def host_name(host: str) -> str:
    """``host`` as it appears in a ``Host`` header: an IPv6 address in brackets, lower case."""
    host = host.strip().lower()
    try:
        if ipaddress.ip_address(host).version == 6:
            return f"[{host}]"
    except ValueError:
        pass
    return host


def allowed_hosts(configured: str, port: int) -> frozenset[str] | None:
    """The ``Host`` values a server listening on ``configured``:``port`` answers; None: any.

    A server on every network (0.0.0.0, ::) is reached by names this computer cannot list, and it
    always has an API key, which a rebinding page does not know: it answers any ``Host``.
    """
    if configured.strip() in WILDCARD_HOSTS:
        return None
    names = {*LOOPBACK_NAMES, host_name(configured)}
    hosts = {f"{name}:{port}" for name in names}
    if port == 80:
        hosts |= names  # a client leaves out the default port
    return frozenset(hosts)


class RequestGuard:
    """ASGI middleware refusing a foreign ``Host``, and a foreign ``Origin`` unless ``cross_origin``."""

    def __init__(self, app: ASGIApp, *, hosts: frozenset[str] | None, cross_origin: bool) -> None:
        self.app = app
        self.hosts = hosts
        self.cross_origin = cross_origin

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        host = headers.get("host", "").strip().lower()
        origin = headers.get("origin")
        if self.hosts is not None and host not in self.hosts:
            log.info("refused a request for host %r: the server is not reached by that name", host)
            await _refuse(f"the host '{host}' is not an address of this server", "host_not_allowed")(
                scope, receive, send
            )
            return
        if origin is not None and not self.cross_origin and origin.strip().lower() != f"http://{host}":
            log.info("refused a request from the web page %r: CORS is off", origin)
            await _refuse(
                f"requests from web pages of other origins ({origin}) are refused; turn on CORS to allow them",
                "origin_not_allowed",
            )(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _refuse(message: str, code: str) -> JSONResponse:
    body = error_body(message, kind="invalid_request_error", code=code)
    return JSONResponse(body, status_code=403, headers={"Connection": "close"})
