"""The suite's own guard: nothing in the tests may reach a host other than this machine."""

from __future__ import annotations

import socket

import pytest


def test_a_connection_to_an_outside_host_is_refused() -> None:
    with pytest.raises(ConnectionRefusedError, match="may not reach"):
        socket.create_connection(("93.184.216.34", 443), timeout=1)


def test_loopback_stays_allowed() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    with socket.create_connection(server.getsockname(), timeout=1):
        pass
    server.close()
