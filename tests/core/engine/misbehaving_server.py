"""A small OpenAI-shaped server of the suite's own, on 127.0.0.1, that streams the chunks a test gives it.

``GET /v1/models`` lists one model; ``POST /v1/chat/completions`` answers with server-sent events,
one ``data:`` line per chunk of ``chunks`` (dicts are sent as JSON, strings as they are). It can refuse a
field of the request as OpenAI's API refuses one it does not take (``refuse``: a 400 naming it), and keeps
the bodies it was sent (``bodies``).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODEL = "odd-model"


@contextmanager
def misbehaving_server(
    chunks: list[Any], *, key: str | None = None, refuse: str = "", bodies: list[Any] | None = None
) -> Iterator[str]:
    """Serves ``chunks`` as the stream of every answer; yields the base URL (``…/v1``).

    With ``key``, a request without ``Authorization: Bearer <key>`` is refused with 401; with ``refuse``, a
    request whose body has that field is refused with 400 naming it. Each body sent is added to ``bodies``.
    """

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            del format, args

        def refused(self) -> bool:
            if key is None or self.headers.get("Authorization") == f"Bearer {key}":
                return False
            body = json.dumps({"error": {"message": "Invalid API key"}}).encode()
            self.send_response(401)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return True

        def do_GET(self) -> None:
            if self.refused():
                return
            body = json.dumps({"object": "list", "data": [{"id": MODEL, "object": "model"}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
            if bodies is not None:
                bodies.append(body)
            if self.refused():
                return
            if refuse and refuse in body:
                said = json.dumps({"error": {"message": f"Unrecognized request argument supplied: {refuse}",
                                             "type": "invalid_request_error", "param": refuse}}).encode()  # fmt: skip
                self.send_response(400)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(said)))
                self.end_headers()
                self.wfile.write(said)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            for chunk in chunks:
                data = chunk if isinstance(chunk, str) else json.dumps(chunk)
                self.wfile.write(f"data: {data}\n\n".encode())
                self.wfile.flush()
            self.close_connection = True

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def delta(text: Any) -> dict[str, Any]:
    """A well-formed chunk carrying ``text`` (or whatever ``text`` is)."""
    return {"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]}
