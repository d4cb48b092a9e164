"""Two ``parley history import`` of the same export into an empty data folder at the same moment:
both succeed, the conversations are there once, and the one that came second says it skipped them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.history import exchange
from app.core.history.store import Store
from tests.cli.test_cli import ROOT
from tests.core.store_helpers import fill

CONVERSATIONS = 12


@pytest.fixture
def export_file(tmp_path: Path) -> Path:
    source = tmp_path / "source" / "parley.sqlite3"
    source.parent.mkdir()
    store = Store(source)
    fill(store, CONVERSATIONS, 6, size=200)
    path = tmp_path / "export.json"
    exchange.write(path, exchange.export_json(store))
    store.close()
    return path


def _start(home: Path, export: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "app", "history", "import", str(export)],
        env={**os.environ, "PARLEY_HOME": str(home), "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        encoding="utf-8",
    )


@pytest.mark.parametrize("attempt", range(4))
def test_two_imports_at_once_into_an_empty_folder_both_succeed_and_import_once(
    tmp_path: Path, export_file: Path, attempt: int
) -> None:
    home = tmp_path / f"home-{attempt}"
    home.mkdir()
    first, second = _start(home, export_file), _start(home, export_file)
    results = [(*process.communicate(timeout=120), process.returncode) for process in (first, second)]

    for _, err, code in results:
        assert code == 0, err
        assert "UNIQUE" not in err and "already exists" not in err
    said = sorted(out.strip() for out, _, _ in results)
    assert said == sorted([
        f"imported {CONVERSATIONS} conversations ({CONVERSATIONS * 6} messages); 0 already here were skipped",
        f"imported 0 conversations (0 messages); {CONVERSATIONS} already here were skipped",
    ])
    store = Store(home / "parley.sqlite3")
    assert len(store.conversations()) == CONVERSATIONS
    store.close()
