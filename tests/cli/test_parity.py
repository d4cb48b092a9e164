"""The window and the command line agree: the same scenario run in both ends the same.

- A persona whose preferred model is not installed answers with the default model in both.
- A damaged history is recovered by both the same way (the damaged file kept aside, the newest backup
  restored, the rest salvaged), both say so in the same words, and both then take the day's backup.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6 import QtCore, QtWidgets
from pytestqt.qtbot import QtBot

from app.core.errors import AppError
from app.core.history import backups, dbfile
from app.core.history.store import Store
from app.core.models.installed import STARTER_NAME
from app.ui.shell import application
from app.ui.shell.main_window import MainWindow
from tests.cli.test_cli import parley
from tests.core.store_helpers import PAGE, all_texts, fill, garble
from tests.ui.conftest import TEST_SAMPLING, send_and_wait


def stored(store: Store, conversation_id: int) -> list[tuple[str, str, str, str | None]]:
    return [(m.role, m.status, m.content, m.model_name) for m in store.messages(conversation_id)]


def test_a_persona_whose_model_is_not_installed_answers_with_the_default_in_both(
    qtbot: QtBot, window: MainWindow, store: Store, parley_home: Path
) -> None:
    book = window.services.personas
    sampling = replace(TEST_SAMPLING, max_tokens=8)
    picky = book.create(replace(book.default(), name="Picky", model_name="Some 70B model", sampling=sampling))
    window.personas._fill_menu()
    next(a for a in window.personas.menu.actions() if a.data() == picky.id).trigger()
    in_window = window.conversation_id
    assert in_window is not None and store.conversation(in_window).persona_id == picky.id
    assert send_and_wait(qtbot, window, "Say hello.").status == "complete"

    result = parley(parley_home, "ask", "--persona", "Picky", "Say hello.")

    assert result.returncode == 0, result.stderr
    from_cli = max(c.id for c in store.conversations())
    assert from_cli != in_window
    assert store.conversation(from_cli).persona_id == picky.id
    assert store.conversation(in_window).model_name == store.conversation(from_cli).model_name == STARTER_NAME
    assert stored(store, in_window) == stored(store, from_cli)
    assert stored(store, from_cli)[1][:2] == ("assistant", "complete") and stored(store, from_cli)[1][3] == STARTER_NAME


def damaged_history(database: Path) -> tuple[dict[str, str], bytes]:
    """A history with a backup and newer conversations, then garbled: its messages and its damaged bytes."""
    store = Store(database)
    written = fill(store, 3, 4, tag="old")
    store.backup("pre-migration")  # not a daily one: whether each front end takes the day's backup is checked
    written |= fill(store, 2, 2, tag="new")
    store.close()
    garble(database, PAGE, PAGE)  # page 2: the conversations table
    return written, database.read_bytes()


def set_aside(database: Path) -> list[Path]:
    found = database.parent.glob(f"{database.name}.damaged-*")
    return [path for path in found if not path.name.endswith(("-wal", "-shm"))]


def dailies(database: Path) -> list[backups.Backup]:
    found = backups.list_backups(dbfile.backups_folder_for(database), database)
    return [backup for backup in found if backup.kind == "daily"]


def run_window(qapp: QtWidgets.QApplication, look: Callable[[MainWindow], None]) -> int:
    """Starts the window as ``parley`` does; ``look`` sees it once it shows, then it is closed."""

    def look_and_close() -> None:
        window = next((w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()), None)
        if window is None:  # not yet: a damaged history is being recovered under its progress dialog
            QtCore.QTimer.singleShot(50, look_and_close)
            return
        try:
            look(window)
        finally:
            window.close()

    QtCore.QTimer.singleShot(0, look_and_close)
    return application.run_gui(["parley"])


@pytest.fixture
def app_name(qapp: QtWidgets.QApplication) -> Iterator[None]:
    """run_gui names the application; the test's QApplication gets its own name back afterwards."""
    name = qapp.applicationName()
    yield
    qapp.setApplicationName(name)


@pytest.mark.usefixtures("app_name", "starter_model")
def test_a_damaged_history_is_recovered_said_and_backed_up_the_same(
    qtbot: QtBot, qapp: QtWidgets.QApplication, parley_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window_db = parley_home / "parley.sqlite3"
    written, damaged = damaged_history(window_db)
    cli_home = tmp_path / "cli-home"
    shutil.copytree(parley_home, cli_home)  # the same damaged history, and its backup, for the command line
    cli_db = cli_home / "parley.sqlite3"
    startup_errors: list[AppError] = []
    monkeypatch.setattr(application, "show_startup_error", startup_errors.append)
    seen: dict[str, object] = {}

    def look(window: MainWindow) -> None:
        seen.update(banner=window.banner.text(), kind=window.banner.kind(), texts=all_texts(window.store))
        qtbot.waitUntil(lambda: bool(dailies(window_db)), timeout=30_000)

    assert run_window(qapp, look) == 0
    result = parley(cli_home, "ask", "--max-tokens", "4", "--temperature", "0", "Say hello.")

    assert result.returncode == 0, result.stderr
    assert startup_errors == []
    # Both kept the damaged file aside, byte for byte.
    (kept_by_window,) = set_aside(window_db)
    (kept_by_cli,) = set_aside(cli_db)
    assert kept_by_window.read_bytes() == kept_by_cli.read_bytes() == damaged
    # Both brought back every message, in the same conversations: the backup's under their titles, the
    # newer ones (their rows were garbled) under the titles the salvage gave them.
    store = Store(cli_db)
    from_cli = all_texts(store)
    store.close()
    from_window = seen["texts"]
    assert isinstance(from_window, dict) and set(written) <= set(from_window) and set(written) <= set(from_cli)
    assert {text: from_cli[text] for text in written} == {text: from_window[text] for text in written}
    assert all(from_cli[text] == title for text, title in written.items() if text.startswith("old"))
    # Both said what they did in the same words: the window in its banner, the command line on stderr.
    said = [line for line in result.stderr.splitlines() if "damaged" in line and "Recovering" not in line]
    assert len(said) == 1 and said[0].startswith("parley: ")
    banner = str(seen["banner"])
    assert seen["kind"] == "info"
    for notice, kept in ((banner, kept_by_window), (said[0].removeprefix("parley: "), kept_by_cli)):
        assert notice.startswith("Your history was damaged, so Parley restored the backup from ")
        assert notice.endswith(
            " It read back from the damaged file: 4 messages in 2 conversations. "
            f"The damaged file is kept, unchanged, at {kept}."
        )
    # And both took the day's backup of the recovered history.
    assert dailies(window_db) and dailies(cli_db)
