"""The API server tests' shared server: one per test module, on the real starter model."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.api_server.server import ApiConfig
from tests.core.api_server.serving import Running, start


@pytest.fixture(scope="module")
def api(starter_model: Path) -> Iterator[Running]:
    running = start(starter_model, ApiConfig(port=0))
    yield running
    running.server.stop()
    running.service.shutdown()
