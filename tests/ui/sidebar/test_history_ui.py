"""The window's care of the history: damage found while it runs, daily backups off the GUI thread, Settings → Data."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from pytestqt.qtbot import QtBot

from app.core import paths
from app.core.config.settings import Settings, SettingsStore
from app.core.errors import ConversationNotFoundError, DatabaseDamagedInUseError
from app.core.history import backups, health
from app.core.history.backups import Backup
from app.core.history.store import Store
from app.ui.common.background import BackgroundExecutor
from app.ui.controllers.backup_controller import BACKUP_CHECK_MS, BackupController
from app.ui.controllers.exchange_controller import ExchangeController
from app.ui.settings.data_tab import DataTab
from app.ui.settings.dialog import SettingsDialog
from app.ui.shell.application import build_services
from app.ui.shell.main_window import MainWindow
from tests.core.store_helpers import all_texts, fill, garble_messages
from tests.ui.conftest import Engines


@pytest.fixture
def executor() -> Iterator[BackgroundExecutor]:
    made = BackgroundExecutor()
    yield made
    made.shutdown()


BIG = {"conversations": 30, "messages": 40, "size": 400}  # about 1 MB: big enough to skip the check at start


def _texts_in(path: Path) -> set[str]:
    db = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        return {str(row[0]) for row in db.execute("SELECT content FROM messages")}
    finally:
        db.close()


def _set_aside(database: Path) -> list[Path]:
    found = database.parent.glob(f"{database.name}.damaged-*")
    return [path for path in found if not path.name.endswith(("-wal", "-shm"))]


@pytest.fixture
def own_store() -> Iterator[list[Store]]:
    """Stores a test opens itself, closed at its end."""
    opened: list[Store] = []
    yield opened
    for store in opened:
        store.close()


def test_damage_found_while_the_window_runs_is_recovered_once_and_said(
    qtbot: QtBot,
    own_store: list[Store],
    ui_settings: Settings,
    starter_model: Path,
    engines: Engines,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = Store()
    old = fill(store, BIG["conversations"], BIG["messages"], size=BIG["size"])
    store.backup()
    store.close()
    database = paths.database_path()
    garble_messages(database)
    before = database.read_bytes()
    monkeypatch.setattr(health, "QUICK_CHECK_SECONDS", 0.0)  # a history too big to check at start
    store = Store()
    own_store.append(store)
    window = MainWindow(build_services(store, SettingsStore(), engines))
    qtbot.addWidget(window)
    window.show()
    recovered: list[str] = []
    window.history.notice_reported.connect(recovered.append)

    for conversation_id in window.sidebar.ids():  # the user reads the conversations, one after the other
        if recovered:
            break
        window.show_conversation(conversation_id)

    assert len(recovered) == 1
    assert window.banner.kind() == "info" and window.banner.text() == recovered[0]
    assert recovered[0].startswith("Your history was damaged, so Parley restored the backup from ")
    (kept,) = _set_aside(database)
    assert kept.read_bytes() == before
    assert f"The damaged file is kept, unchanged, at {kept}." in recovered[0]
    assert all_texts(store) == old
    assert len(window.sidebar.ids()) == BIG["conversations"]
    assert window.conversation_id is not None

    # Only once a run: damage again is shown as the error it is, and nothing more is set aside.
    window.controller.error_reported.emit(DatabaseDamagedInUseError(path=database, reason="again"))
    assert window.banner.kind() == "error" and "turned out to be damaged" in window.banner.text()
    assert len(_set_aside(database)) == 1 and len(recovered) == 1
    store.add_message(window.conversation_id, "user", "still writing")  # the store goes on
    window.shutdown()


def test_damage_found_by_an_export_from_settings_is_recovered_not_only_said_on_the_page(
    qtbot: QtBot,
    own_store: list[Store],
    ui_settings: Settings,
    tmp_path: Path,
    engines: Engines,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = Store()
    old = fill(store, BIG["conversations"], BIG["messages"], size=BIG["size"])
    store.backup()
    store.close()
    database = paths.database_path()
    garble_messages(database)
    monkeypatch.setattr(health, "QUICK_CHECK_SECONDS", 0.0)  # a history too big to check at start
    store = Store()
    own_store.append(store)
    window = MainWindow(build_services(store, SettingsStore(), engines))
    qtbot.addWidget(window)
    recovered: list[str] = []
    window.history.notice_reported.connect(recovered.append)
    monkeypatch.setattr(
        ExchangeController, "choose_save_path", lambda self, parent, suggested, fmt: tmp_path / "all.json"
    )
    on_page: list[str] = []

    def act(tab: DataTab) -> None:
        tab.export_all_button.click()  # reads every message: the damaged pages among them
        on_page.append(tab.message_label.text())

    _open_data_tab(window, monkeypatch, act)

    assert len(recovered) == 1 and recovered[0].startswith("Your history was damaged, so Parley restored the backup")
    assert on_page == [""], "the page does not keep the damage to itself"
    assert len(_set_aside(database)) == 1
    assert all_texts(store) == old
    window.shutdown()


def test_damage_met_by_work_nobody_waits_for_still_reaches_the_windows_recovery(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    damage = DatabaseDamagedInUseError(path=paths.database_path(), reason="a page is garbage")
    unrelated = ConversationNotFoundError(id=7)
    reported: list[object] = []
    window.controller.error_reported.connect(reported.append)
    recovering: list[object] = []
    monkeypatch.setattr(window.history, "recover", lambda error: recovering.append(error) is None)

    def fails(error: Exception) -> Callable[..., NoReturn]:
        def fail(*args: object) -> NoReturn:
            raise error

        return fail

    runner = window.controller._runner
    monkeypatch.setattr(runner, "count_request", fails(damage))
    monkeypatch.setattr(runner, "prepare_request", fails(damage))
    assert not window.controller.count_tokens(7)  # the context meter's count
    window.controller.prepare(7)  # putting back a saved state while the user reads
    monkeypatch.setattr(runner, "prepare_request", fails(unrelated))
    window.controller.prepare(7)  # any other refusal there is only logged, as before

    assert reported == [damage, damage]
    assert recovering == [damage, damage]


def test_the_daily_backup_runs_off_the_gui_thread_at_start_and_hourly(
    qtbot: QtBot, store: Store, executor: BackgroundExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = fill(store, 2, 2)
    threads: list[threading.Thread] = []
    real = backups.daily_backup_of

    def recorded(database: Path, folder: Path, *, now: float | None = None) -> Backup | None:
        threads.append(threading.current_thread())
        return real(database, folder, now=now)

    monkeypatch.setattr(backups, "daily_backup_of", recorded)
    history = BackupController(store, executor)

    with qtbot.waitSignal(history.backups_changed, timeout=30_000):
        history.start()

    assert threads and threads[0] is not threading.main_thread()
    (daily,) = store.backups()
    assert daily.kind == "daily" and daily.path.is_file()
    assert history._timer.isActive() and history._timer.interval() == BACKUP_CHECK_MS == 3_600_000
    # The hourly check finds today's copy and makes no other.
    with qtbot.waitSignal(executor.op_ended, timeout=30_000):
        history._timer.timeout.emit()
    assert store.backups() == [daily] and len(threads) == 2
    assert all_texts(store) == written
    history.shutdown()
    assert not history._timer.isActive()


def _open_data_tab(window: MainWindow, monkeypatch: pytest.MonkeyPatch, act: object) -> list[SettingsDialog]:
    """Opens Settings, lets ``act`` drive the Data page, then cancels the dialog."""
    shown: list[SettingsDialog] = []

    def run(dialog: SettingsDialog) -> bool:
        shown.append(dialog)
        assert dialog.data_tab is not None
        assert dialog.pages.tabText(dialog.pages.indexOf(dialog.data_tab)) == "Data"
        dialog.pages.setCurrentWidget(dialog.data_tab)
        assert isinstance(dialog.data_tab, DataTab) and callable(act)
        act(dialog.data_tab)
        return False

    monkeypatch.setattr(SettingsDialog, "run", run)
    window.settings_action.trigger()
    return shown


def test_backups_are_listed_in_settings_and_one_is_restored(
    qtbot: QtBot, window: MainWindow, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = fill(store, 2, 2, tag="kept")
    backup = store.backup()
    later = fill(store, 1, 2, tag="later")
    window.reload()
    assert len(window.sidebar.ids()) == 3
    asked: list[Backup] = []
    opened: list[Path] = []
    monkeypatch.setattr(DataTab, "confirm_restore", lambda self, chosen: asked.append(chosen) is None)
    monkeypatch.setattr(DataTab, "open_folder", lambda self, folder: opened.append(folder) is None)
    seen: dict[str, object] = {}

    def act(tab: DataTab) -> None:
        seen["path"] = tab.path_label.text()
        seen["rows"] = [
            [tab.table.topLevelItem(0).text(column) for column in range(3)]  # type: ignore[union-attr]
        ]
        assert not tab.restore_button.isEnabled(), "nothing is selected yet"
        tab.folder_button.click()
        tab.select(backup)
        assert tab.restore_button.isEnabled()
        tab.restore_button.click()
        seen["message"] = tab.message_label.text()
        seen["after"] = [b.kind for b in tab.backups()]

    _open_data_tab(window, monkeypatch, act)

    assert seen["path"] == str(store.path)
    (row,) = seen["rows"]  # type: ignore[misc]
    assert row[0] == "Daily" and row[1] and row[2].endswith("KB")
    assert opened == [store.path.parent]
    assert asked == [backup]
    # The history is the backup's again; what it replaced is kept as a backup, listed at once.
    assert all_texts(store) == kept
    assert seen["after"] == ["pre-restore", "daily"]
    pre_restore = store.backups()[0]
    assert pre_restore.kind == "pre-restore" and set(later) <= _texts_in(pre_restore.path)
    # The window shows the restored conversations and says what happened.
    assert len(window.sidebar.ids()) == 2
    assert window.banner.kind() == "info"
    assert window.banner.text().startswith("The history from the backup of ")
    assert "What it replaced is kept as a backup from " in window.banner.text()
    assert seen["message"] == window.banner.text()


def test_no_backup_is_restored_while_an_answer_is_written(
    qtbot: QtBot, store: Store, executor: BackgroundExecutor
) -> None:
    fill(store, 1, 2)
    backup = store.backup()
    history = BackupController(store, executor, answering=lambda: True)
    tab = DataTab(history)
    qtbot.addWidget(tab)
    tab.confirm_restore = lambda chosen: True  # type: ignore[method-assign]
    tab.select(backup)

    tab.restore_button.click()

    assert tab.message_label.text() == (
        "An answer is being written. Stop it or let it finish, then restore the backup."
    )
    assert [b.kind for b in store.backups()] == ["daily"]


def test_the_data_tab_says_when_there_are_no_backups(
    qtbot: QtBot, store: Store, executor: BackgroundExecutor
) -> None:
    tab = DataTab(BackupController(store, executor))
    qtbot.addWidget(tab)
    assert tab.table.isHidden() and not tab.empty_label.isHidden()
    assert tab.empty_label.text() == "There are no backups yet."
    assert not tab.restore_button.isEnabled()
