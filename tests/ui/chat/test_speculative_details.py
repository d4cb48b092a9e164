"""An answer's details line tells what speculative decoding did, on the real engine and the starter model."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.core.engine.speculation import parse_summary
from app.core.history.store import Store
from app.ui.shell.main_window import MainWindow
from tests.ui.chat import screen
from tests.ui.chat.test_chat_flow import start_chatting
from tests.ui.conftest import send_and_wait

REPEAT = (
    "Repeat this sentence exactly: The keeper climbed the stairs every evening to wind the clockwork, "
    "trim the wick and polish the brass."
)


def test_a_rewrite_answer_says_how_many_drafted_tokens_were_accepted(
    qtbot: QtBot, window: MainWindow, store: Store
) -> None:
    conversation_id = start_chatting(qtbot, window)
    answer = send_and_wait(qtbot, window, REPEAT)
    drafted = parse_summary(answer.speculation)
    assert drafted is not None and drafted.kind == "prompt lookup"
    assert 0 < drafted.accepted <= drafted.drafted
    assert store.messages(conversation_id)[-1].speculation == answer.speculation  # kept with the answer
    shown = screen.text_of(window.chat_view, answer.id)
    assert f"speculative: {round(drafted.accepted_share * 100)} % of {drafted.drafted} drafted tokens accepted" in shown
