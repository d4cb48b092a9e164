"""Every test has its own PARLEY_HOME without asking for it (the autouse ``parley_home`` fixture)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core import paths

_seen: list[Path] = []


@pytest.mark.parametrize("run", [1, 2])
def test_a_test_that_does_not_ask_for_a_home_still_writes_under_its_own(run: int, tmp_path: Path) -> None:
    home = Path(os.environ[paths.HOME_ENV])
    assert paths.database_path().is_relative_to(home)
    assert paths.config_dir().is_relative_to(home)
    assert not home.is_relative_to(tmp_path)  # the test's own folder holds only what it writes
    assert home not in _seen  # not shared with the test before
    _seen.append(home)
