"""Closing the window while an answer streams asks nothing and loses nothing: the answer is saved as stopped."""

from __future__ import annotations

import multiprocessing

import pytest
from PySide6 import QtWidgets
from pytestqt.qtbot import QtBot

from app.core.history.store import Store
from app.ui.shell.main_window import MainWindow
from tests.ui.chat.test_chat_flow import allow_long_answers, start_chatting, start_long_answer
from tests.ui.conftest import Engines


def test_closing_mid_answer_asks_nothing_and_keeps_the_answer_as_stopped(
    qtbot: QtBot, window: MainWindow, store: Store, engines: Engines, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    for name in ("question", "warning", "information", "critical"):
        monkeypatch.setattr(QtWidgets.QMessageBox, name, lambda *args, _n=name, **kwargs: asked.append(_n))
    monkeypatch.setattr(QtWidgets.QMessageBox, "exec", lambda self: asked.append("exec"))
    conversation_id = start_chatting(qtbot, window)
    allow_long_answers(window)
    start_long_answer(qtbot, window, "Tell me a long story about a lighthouse keeper.")
    live = window.controller.live_answer()
    assert live is not None
    answer_id = live[0]

    finished: list[object] = []
    window.controller.answer_finished.connect(finished.append)
    seen_at_close = window.controller.live_answer()
    assert window.close()  # the close is accepted at once

    assert asked == []
    assert not window.isVisible()
    assert seen_at_close is not None
    kept = store.message(answer_id)
    assert kept.status == "stopped"
    assert kept.content.strip() and kept.content.startswith(live[1])  # at least what was on screen
    assert [message.id for message in finished] == [answer_id]  # type: ignore[attr-defined]
    assert engines.created and not [p for p in multiprocessing.active_children() if p.name == "parley-engine"]

    # The next start reads the same: the user's message and the stopped answer, nothing interrupted.
    again = Store()
    try:
        messages = again.messages(conversation_id)
        assert [(m.role, m.status) for m in messages] == [("user", "complete"), ("assistant", "stopped")]
        assert messages[1].content == kept.content
    finally:
        again.close()
