"""A small OpenAI-shaped server of the suite's own, on 127.0.0.1, that streams the chunks a test gives it.

``GET /v1/models`` lists one model; ``POST /v1/chat/completions`` answers with server-sent events,
one ``data:`` line per chunk of ``chunks`` (dicts are sent as JSON, strings as they are).
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
def misbehaving_server(chunks: list[Any], *, key: str | None = None) -> Iterator[str]:
    """Serves ``chunks`` as the stream of every answer; yields the base URL (``…/v1``).

    With ``key``, a request without ``Authorization: Bearer <key>`` is refused with 401.
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
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.refused():
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
