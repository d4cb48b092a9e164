"""The command line tells a recovery's progress on stderr: one line updated in place on a terminal,
plain lines otherwise, before the line that says what came back."""

from __future__ import annotations

import io
import json
from pathlib import Path

from app.cli.history_file import RecoveryProgress
from app.core.history.store import Store
from tests.cli.test_cli import parley
from tests.core.store_helpers import PAGE, fill, garble


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_progress_is_one_line_updated_in_place() -> None:
    err = Terminal()
    progress = RecoveryProgress(err)

    for fraction in (0.0, 0.004, 0.4, 0.41, 1.0):
        progress(fraction)
    progress.end()

    assert err.getvalue() == (
        "\rparley: Recovering the damaged history… 0 %"
        "\rparley: Recovering the damaged history… 40 %"
        "\rparley: Recovering the damaged history… 41 %"
        "\rparley: Recovering the damaged history… 100 %\n"
    )


def test_a_recovery_that_stops_part_way_ends_its_line_on_a_terminal() -> None:
    err = Terminal()
    progress = RecoveryProgress(err)
    progress(0.3)
    progress.end()
    assert err.getvalue() == "\rparley: Recovering the damaged history… 30 %\n"


def test_elsewhere_the_progress_is_plain_lines_every_tenth() -> None:
    err = io.StringIO()
    progress = RecoveryProgress(err)

    for percent in range(0, 101):
        progress(percent / 100)
    progress.end()

    lines = err.getvalue().splitlines()
    assert lines == [f"parley: Recovering the damaged history… {p} %" for p in range(0, 101, 10)]


def test_a_command_on_a_damaged_history_prints_the_progress_then_what_came_back(
    parley_home: Path, tmp_path: Path
) -> None:
    database = parley_home / "parley.sqlite3"
    store = Store(database)
    fill(store, 10, 10, size=400)
    store.close()
    garble(database, PAGE, PAGE)
    exported = tmp_path / "all.json"

    result = parley(parley_home, "history", "export", str(exported))

    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    progress = [line for line in lines if line.startswith("parley: Recovering the damaged history… ")]
    assert len(progress) >= 2 and progress[-1] == "parley: Recovering the damaged history… 100 %"
    percents = [int(line.rsplit(" ", 2)[1]) for line in progress]
    assert percents == sorted(percents)
    after = lines[lines.index(progress[-1]) + 1 :]
    assert any(line.startswith("parley: Your history was damaged") for line in after)
    assert json.loads(exported.read_text(encoding="utf-8"))
