"""The recovery progress dialog: shown while a damaged history is recovered, at start and while the
window runs, up to 100 %, and closed once the history is back."""

from __future__ import annotations

import threading
from typing import ClassVar

import pytest
from PySide6 import QtWidgets
from pytestqt.qtbot import QtBot

from app.core import paths
from app.core.errors import DatabaseDamagedInUseError
from app.core.history import health
from app.core.history.store import Store
from app.ui.common import progress
from app.ui.common.background import BackgroundExecutor
from app.ui.controllers import backup_controller
from app.ui.controllers.backup_controller import BackupController
from app.ui.shell import application
from tests.core.store_helpers import PAGE, all_texts, fill, garble, garble_messages


class Watched(progress.RecoveryProgressDialog):
    """The real dialog, noting what it showed each time it was told the progress."""

    seen: ClassVar[list[tuple[bool, int, str, str]]] = []  # visible, percent, label, thread

    def set_fraction(self, fraction: float) -> None:
        super().set_fraction(fraction)
        label = self.labelText()
        Watched.seen.append((self.isVisible(), self.percent(), label, threading.current_thread().name))


@pytest.fixture
def watched(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bool, int, str, str]]:
    Watched.seen = []
    monkeypatch.setattr(application, "RecoveryProgressDialog", Watched)
    monkeypatch.setattr(backup_controller, "RecoveryProgressDialog", Watched)
    return Watched.seen


def _shown_percents(seen: list[tuple[bool, int, str, str]]) -> list[int]:
    return [percent for visible, percent, _, _ in seen if visible]


def test_a_damaged_history_at_start_is_recovered_under_the_dialog_up_to_100(
    qapp: QtWidgets.QApplication, watched: list[tuple[bool, int, str, str]]
) -> None:
    store = Store()
    written = fill(store, 20, 20, size=400)
    store.close()
    garble(paths.database_path(), PAGE, PAGE)

    opened = application.open_history()

    assert opened is not None and "damaged" in opened.notice
    shown = _shown_percents(watched)
    assert len(shown) >= 5 and shown == sorted(shown) and shown[-1] == 100
    assert "Recovering your history… 100 %" in watched[-1][2] and "kept aside" in watched[-1][2]
    assert {thread for *_, thread in watched} == {threading.main_thread().name}  # shown on the GUI thread
    assert not any(isinstance(w, Watched) and w.isVisible() for w in qapp.topLevelWidgets())
    assert set(written) <= set(all_texts(opened.store))
    opened.store.close()


def test_a_sound_history_opens_without_the_dialog(watched: list[tuple[bool, int, str, str]]) -> None:
    Store().close()

    opened = application.open_history()

    assert opened is not None and opened.notice == "" and all(not visible for visible, *_ in watched)
    opened.store.close()


def test_damage_found_while_running_is_recovered_under_the_same_dialog(
    qtbot: QtBot,
    qapp: QtWidgets.QApplication,
    monkeypatch: pytest.MonkeyPatch,
    watched: list[tuple[bool, int, str, str]],
) -> None:
    store = Store()
    fill(store, 30, 40, size=400)
    store.backup()
    store.close()
    garble_messages(paths.database_path())
    monkeypatch.setattr(health, "QUICK_CHECK_SECONDS", 0.0)
    store = Store()
    executor = BackgroundExecutor()
    controller = BackupController(store, executor)
    notices: list[str] = []
    controller.notice_reported.connect(notices.append)
    try:
        with pytest.raises(DatabaseDamagedInUseError) as found:
            for conversation in store.conversations():
                store.messages(conversation.id)

        assert controller.recover(found.value)

        shown = _shown_percents(watched)
        assert len(shown) >= 5 and shown == sorted(shown) and shown[-1] == 100
        assert notices and "damaged" in notices[0]
        assert not any(isinstance(w, Watched) and w.isVisible() for w in qapp.topLevelWidgets())
    finally:
        executor.shutdown()
        store.close()
