"""The session tests' engine: one real engine service a test, shut down after it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.core.engine.local import LocalEngine
from app.core.session.service import EngineService


@pytest.fixture
def service() -> Iterator[EngineService]:
    made = EngineService(LocalEngine)
    yield made
    made.shutdown()
