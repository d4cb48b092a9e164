"""A recovery's progress reaches whoever opens the history: through ``open_store`` at start, and
through ``Store.recover_from_damage`` for damage found while it runs."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from app.core import paths
from app.core.errors import DatabaseDamagedInUseError
from app.core.history import health
from app.core.history.recovery import RecoveryReport
from app.core.history.store import Store, open_store
from tests.core.store_helpers import PAGE, all_texts, fill, garble, garble_messages


def _assert_rising_to_one(told: list[float]) -> None:
    assert len(told) >= 5, told
    assert told == sorted(told) and len(set(told)) == len(told)
    assert told[-1] == 1.0


def test_open_store_passes_the_recoverys_progress_to_its_callback() -> None:
    store = Store()
    written = fill(store, 20, 20, size=400)
    store.close()
    garble(paths.database_path(), PAGE, PAGE)
    told: list[float] = []

    recovered, report = open_store(progress=told.append)

    assert report is not None
    _assert_rising_to_one(told)
    assert set(written) <= set(all_texts(recovered))
    recovered.close()


def test_open_store_runs_the_recovery_where_its_runner_says() -> None:
    store = Store()
    fill(store, 5, 5, size=400)
    store.close()
    garble(paths.database_path(), PAGE, PAGE)
    threads: set[str] = set()
    told: list[float] = []

    def progress(fraction: float) -> None:
        threads.add(threading.current_thread().name)
        told.append(fraction)

    def on_a_thread(job: Callable[[], RecoveryReport]) -> RecoveryReport:
        result: list[RecoveryReport] = []
        worker = threading.Thread(target=lambda: result.append(job()), name="recovering")
        worker.start()
        worker.join()
        return result[0]

    recovered, report = open_store(progress=progress, runner=on_a_thread)

    assert report is not None and threads == {"recovering"}
    assert told[-1] == 1.0
    recovered.add_message(recovered.create_conversation("after").id, "user", "hello")  # opened on this thread
    recovered.close()


def test_a_sound_history_opens_without_progress() -> None:
    Store().close()
    told: list[float] = []

    store, report = open_store(progress=told.append)

    assert report is None and told == []
    store.close()


def test_damage_found_while_open_tells_its_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store()
    fill(store, 30, 40, size=400)
    store.backup()
    store.close()
    garble_messages(paths.database_path())
    monkeypatch.setattr(health, "QUICK_CHECK_SECONDS", 0.0)
    store = Store()
    with pytest.raises(DatabaseDamagedInUseError):
        for conversation in store.conversations():
            store.messages(conversation.id)
    told: list[float] = []

    store.recover_from_damage(progress=told.append)

    _assert_rising_to_one(told)
    store.close()
