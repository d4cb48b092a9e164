"""A real OpenAI-compatible server for the tests: llama-cpp-python's own, serving the starter model.

``llama_server`` is one server for the whole session (started on first use, with an API key);
``start_llama_server`` starts another one for a test that needs to kill it. Each listens on a free
port of 127.0.0.1 with a small context, so the two cores of a test machine are spared.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

MODEL_ALIAS = "smollm2-135m"
API_KEY = "test-key-0123"
START_SECONDS = 120.0

# A llama.cpp built with native flags crashes in its AMX buffer on CPUs with AMX: the server loads
# its model the way the engine does (app.core.engine.native.without_extra_cpu_buffers).
_LAUNCH = (
    "import sys, runpy, llama_cpp.llama\n"
    "from app.core.engine.native import without_extra_cpu_buffers\n"
    "sys.argv[0] = 'llama_cpp.server'\n"
    "with without_extra_cpu_buffers(vars(llama_cpp.llama)['llama_cpp']):\n"
    "    runpy.run_module('llama_cpp.server', run_name='__main__')"
)


@dataclass
class LlamaServer:
    process: subprocess.Popen[bytes]
    base_url: str  # …/v1
    api_key: str
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_llama_server(model: Path, log: Path, *, api_key: str = "", n_ctx: int = 1024) -> LlamaServer:
    """Starts ``python -m llama_cpp.server`` and returns once it answers ``/v1/models``."""
    port = free_port()
    command = [
        sys.executable, "-c", _LAUNCH,
        "--model", str(model), "--model_alias", MODEL_ALIAS,
        "--host", "127.0.0.1", "--port", str(port),
        "--n_ctx", str(n_ctx), "--n_threads", "1", "--n_threads_batch", "2", "--verbose", "false",
    ]  # fmt: skip
    if api_key:
        command += ["--api_key", api_key]
    handle = log.open("wb")
    process = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT, cwd=Path(__file__).parent.parent)
    handle.close()
    server = LlamaServer(process, f"http://127.0.0.1:{port}/v1", api_key, log)
    deadline = time.monotonic() + START_SECONDS
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"llama_cpp.server ended at start:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(f"{server.base_url}/models", headers=headers, timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.stop()
    pytest.fail(f"llama_cpp.server did not start in {START_SECONDS:.0f} s:\n{log.read_text(errors='replace')[-3000:]}")


@pytest.fixture(scope="session")
def llama_server(starter_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    """The session's llama-cpp-python server (with ``API_KEY``)."""
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    server = start_llama_server(starter_model, log, api_key=API_KEY)
    yield server
    server.stop()
