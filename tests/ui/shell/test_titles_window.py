"""After a new conversation's first answer, the window has the model title it (the sidebar's name changes
from the first words of the message), as ``parley ask`` does."""

from __future__ import annotations

from PySide6 import QtCore
from pytestqt.qtbot import QtBot

from app.core.history.store import Store
from app.ui.shell.main_window import MainWindow
from tests.ui.conftest import ANSWER_TIMEOUT_MS, send_and_wait


def test_the_model_titles_a_new_conversation_after_its_first_answer(
    qtbot: QtBot, window: MainWindow, store: Store
) -> None:
    qtbot.mouseClick(window.welcome.start_button, QtCore.Qt.MouseButton.LeftButton)
    answer = send_and_wait(qtbot, window, "Which rivers flow through Paris, London and Vienna?")
    provisional = store.conversation(answer.conversation_id).title

    qtbot.waitUntil(lambda: store.conversation(answer.conversation_id).title != provisional, timeout=ANSWER_TIMEOUT_MS)

    titled = store.conversation(answer.conversation_id)
    assert titled.title.strip() and not titled.title_set_by_user
