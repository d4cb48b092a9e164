"""Only this computer's own programs drive the local API server: not a web page, not a rebound name, not a trickle.

Curl-like requests (httpx, a raw socket) and a real browser (headless Chromium, skipped where it is not
installed) against the server on the real starter model.
"""

from __future__ import annotations

import json
import logging
import select
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import httpx
import pytest

from app.core.api_server.guard import allowed_hosts
from app.core.api_server.server import ApiConfig
from tests.core.api_server.serving import GREEDY, MODEL, Running, start

BODY = {"model": MODEL, "messages": [{"role": "user", "content": "Say hello."}], **GREEDY}
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.fixture(scope="module")
def open_api(api: Running, starter_model: Path) -> Iterator[Running]:
    """A second server on the same engine with CORS on (any web page may call it) and a 1 s body deadline."""
    running = start(starter_model, ApiConfig(port=0, cors=True, body_seconds=1.0), service=api.service)
    yield running
    running.server.stop()


def _post(running: Running, headers: dict[str, str], body: bytes | None = None) -> httpx.Response:
    content = json.dumps(BODY).encode() if body is None else body
    return httpx.post(f"{running.server.base_url}/chat/completions", content=content, headers=headers, timeout=120)


def _ran_nothing(*servers: Running) -> bool:
    return all(not running.server.backend.outcomes and not running.activity for running in servers)


def test_a_body_that_is_not_declared_json_is_a_415_and_runs_nothing(api: Running, open_api: Running) -> None:
    api.activity.clear(), open_api.activity.clear()
    for running in (api, open_api):
        for kind in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""):
            refused = _post(running, {"Content-Type": kind} if kind else {})
            assert refused.status_code == 415, (kind, refused.text)
            assert refused.json()["error"]["code"] == "unsupported_media_type"
    # Even where CORS lets every page in, a page's "simple" text/plain request runs nothing.
    from_page = _post(open_api, {"Content-Type": "text/plain", "Origin": "http://example.com"})
    assert from_page.status_code == 415 and from_page.headers["access-control-allow-origin"] == "*"
    assert _ran_nothing(api, open_api)
    accepted = _post(api, {"Content-Type": "application/json; charset=utf-8"})
    assert accepted.status_code == 200 and accepted.json()["choices"][0]["message"]["content"]
    api.outcome()


def test_a_host_that_is_not_the_servers_address_is_refused(api: Running) -> None:
    url = f"{api.server.base_url}/models"
    for host in ("127.0.0.1", "localhost", "[::1]"):
        assert httpx.get(url, headers={"Host": f"{host}:{api.port}"}).status_code == 200, host
    for host in (
        f"evil.example:{api.port}",
        "evil.example",
        f"127.0.0.1:{api.port + 1}",
        f"127.0.0.1.evil.example:{api.port}",
    ):
        refused = httpx.get(url, headers={"Host": host})
        assert refused.status_code == 403, host
        assert refused.json()["error"]["code"] == "host_not_allowed"
    api.activity.clear()
    rebound = _post(api, {"Content-Type": "application/json", "Host": f"evil.example:{api.port}"})
    assert rebound.status_code == 403 and _ran_nothing(api)


def test_the_allowed_hosts_are_the_address_it_listens_on() -> None:
    assert allowed_hosts("127.0.0.1", 8717) == {"localhost:8717", "127.0.0.1:8717", "[::1]:8717"}
    assert "[::1]:8717" in allowed_hosts("::1", 8717)  # type: ignore[operator]
    assert "parley.lan:8717" in allowed_hosts("Parley.lan", 8717)  # type: ignore[operator]
    assert "localhost" in allowed_hosts("127.0.0.1", 80)  # type: ignore[operator]  # the default port may be left out
    assert allowed_hosts("0.0.0.0", 8717) is None  # every network: a key is required, any name reaches it


def test_a_web_page_of_another_origin_is_refused_unless_cors_is_on(api: Running, open_api: Running) -> None:
    api.activity.clear()
    page = "http://127.0.0.1:9"
    refused = _post(api, {"Content-Type": "application/json", "Origin": page})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "origin_not_allowed"
    preflight = httpx.options(
        f"{api.server.base_url}/chat/completions",
        headers={
            "Origin": page,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 403 and "access-control-allow-origin" not in preflight.headers
    assert _ran_nothing(api)
    same_origin = httpx.get(f"{api.server.base_url}/models", headers={"Origin": f"http://127.0.0.1:{api.port}"})
    assert same_origin.status_code == 200
    allowed = httpx.options(
        f"{open_api.server.base_url}/chat/completions",
        headers={
            "Origin": page,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == "*"


def test_a_body_that_trickles_in_is_cut_off_at_the_deadline(open_api: Running) -> None:
    with socket.create_connection(("127.0.0.1", open_api.port), timeout=60) as sock:
        head = (
            f"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:{open_api.port}\r\n"
            "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
        )
        sock.sendall(head.encode())
        answer = b""
        started = time.monotonic()
        deadline = started + 60
        while time.monotonic() < deadline:
            readable, _, _ = select.select([sock], [], [], 0.2)
            if not readable:
                # One more byte now and then, never idle and never done, until just before the 1 s
                # deadline: a byte that reached the server after it answered would make its close a
                # reset, which throws the answer away before this side reads it.
                if time.monotonic() - started < 0.8:
                    sock.sendall(b" ")
                continue
            part = sock.recv(65536)
            if not part:
                break  # the server closed the connection
            answer += part
        else:
            pytest.fail(f"the connection was still open after 60 s: {answer!r}")
    assert answer.startswith(b"HTTP/1.1 408"), answer
    assert b"request_timeout" in answer and b"connection: close" in answer.lower()
    assert not open_api.server.backend.outcomes


class _Page(BaseHTTPRequestHandler):
    """Serves the page at / and takes its report at /report."""

    html = b""
    reports: ClassVar[list[dict[str, str]]] = []
    reported = threading.Event()

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(self.html)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        type(self).reports.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()
        type(self).reported.set()

    def log_message(self, format: str, *args: object) -> None:
        del format, args


PAGE = """<!doctype html><title>another site</title><script>
async function attempt(url, type) {
  try {
    const r = await fetch(url, {method: "POST", headers: {"Content-Type": type}, body: JSON.stringify(BODY)});
    return "read " + r.status;
  } catch (e) { return "blocked"; }
}
(async () => {
  const report = {
    plain: await attempt(CLOSED + "/chat/completions", "text/plain"),
    json: await attempt(CLOSED + "/chat/completions", "application/json"),
    open_plain: await attempt(OPEN + "/chat/completions", "text/plain"),
  };
  await fetch("/report", {method: "POST", body: JSON.stringify(report)});
})();
</script>"""


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed (apt-get install chromium); the httpx tests cover the same rules",
)
def test_a_real_browser_page_on_another_port_cannot_make_it_generate(
    api: Running, open_api: Running, caplog: pytest.LogCaptureFixture
) -> None:
    assert CHROMIUM is not None
    _Page.html = (
        PAGE.replace("CLOSED", json.dumps(api.server.base_url))
        .replace("OPEN", json.dumps(open_api.server.base_url))
        .replace("BODY", json.dumps(BODY))
        .encode()
    )
    _Page.reports.clear(), _Page.reported.clear(), api.activity.clear(), open_api.activity.clear()
    pages = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    threading.Thread(target=pages.serve_forever, daemon=True).start()
    profile = tempfile.TemporaryDirectory()
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
    ]  # fmt: skip
    with caplog.at_level(logging.INFO, logger="app.api"):
        browser = subprocess.Popen(
            [CHROMIUM, *flags, f"--user-data-dir={profile.name}", f"http://127.0.0.1:{pages.server_address[1]}/"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            assert _Page.reported.wait(120), "the page never reported"
        finally:
            browser.terminate()
            browser.wait(30)
            pages.shutdown()
            profile.cleanup()
    report = _Page.reports[0]
    # CORS off: the browser sent the simple request (the server logged and refused it) and blocked the
    # preflighted one; CORS on: the page reads the server's 415 for text/plain.
    assert report == {"plain": "blocked", "json": "blocked", "open_plain": "read 415"}, report
    refusals = [r.getMessage() for r in caplog.records if "refused a request from the web page" in r.getMessage()]
    assert len(refusals) >= 2, refusals  # the text/plain POST and the JSON one's preflight
    assert _ran_nothing(api, open_api)
