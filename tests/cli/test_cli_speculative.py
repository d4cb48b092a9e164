"""The command line decodes speculatively through the same engine path as the window, and says so."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.cli.test_cli import parley
from tests.ui.chat.test_speculative_details import REPEAT


def test_ask_reports_the_drafted_tokens_and_keeps_them_with_the_answer(parley_home: Path) -> None:
    result = parley(parley_home, "ask", "--max-tokens", "48", "--temperature", "0", REPEAT)
    assert result.returncode == 0, result.stderr
    assert "drafted tokens accepted" in result.stderr and "speculative: " in result.stderr
    with sqlite3.connect(parley_home / "parley.sqlite3") as db:
        (kept,) = db.execute("SELECT speculation FROM messages WHERE role = 'assistant'").fetchone()
    figures = json.loads(kept)
    assert figures["kind"] == "prompt lookup" and 0 < figures["accepted"] <= figures["drafted"]
