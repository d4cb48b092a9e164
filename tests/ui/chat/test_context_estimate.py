"""The window's context meter before the model is loaded: its estimate keeps the engine's room for the answer.

Counting never loads a model, so a conversation whose model is not loaded gets an estimate
(``budget.estimated_count``); once the model is loaded the engine counts. Both give the same limit.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6 import QtCore
from pytestqt.qtbot import QtBot

from app.core.engine import budget
from app.core.engine.protocol import TokensCounted
from app.ui.shell.main_window import MainWindow
from tests.ui.conftest import ANSWER_TIMEOUT_MS, send_and_wait


def _count(qtbot: QtBot, window: MainWindow, conversation_id: int, draft: str) -> TokensCounted:
    with qtbot.waitSignal(window.controller.tokens_counted, timeout=ANSWER_TIMEOUT_MS) as counted:
        assert window.controller.count_tokens(conversation_id, draft)
    assert counted.args[0] == conversation_id
    result: TokensCounted = counted.args[1]
    return result


def test_the_estimate_and_the_engines_count_give_the_same_limit(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.mouseClick(window.welcome.start_button, QtCore.Qt.MouseButton.LeftButton)
    send_and_wait(qtbot, window, "Say hello.")
    conversation_id = window.conversation_id
    assert conversation_id is not None
    # Another context for this conversation's persona: the loaded model no longer matches, so the window estimates.
    book = window.services.personas
    general = next(p for p in book.all() if p.builtin == "general")
    book.update(replace(general, n_ctx=512, sampling=replace(general.sampling, max_tokens=100)))
    estimate = _count(qtbot, window, conversation_id, "How are you?")
    assert estimate.estimated and (estimate.n_ctx, estimate.limit) == (512, budget.prompt_limit(512, 100))
    assert estimate.limit == 412  # a quarter of 512 is 128: the persona's 100 tokens are kept

    send_and_wait(qtbot, window, "How are you?")  # loads the model at 512 tokens
    counted = _count(qtbot, window, conversation_id, "And now?")
    assert not counted.estimated and (counted.n_ctx, counted.limit) == (estimate.n_ctx, estimate.limit)
