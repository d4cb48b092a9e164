"""The context meter's words: the answer's room beside the limit, and with drop-oldest the turns out of
memory instead of "too long"; hidden on the welcome page."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from app.core.engine import budget
from app.core.history.types import Message
from app.ui.chat.context_meter import ContextMeter, turn_characters, turns_to_drop
from app.ui.shell.main_window import MainWindow


def test_the_meter_says_what_is_kept_for_the_answer(qtbot: QtBot) -> None:
    meter = ContextMeter()
    qtbot.addWidget(meter)
    limit = budget.prompt_limit(4096, 1024)
    meter.show_count(1200, limit, n_ctx=4096)
    assert meter.label.text() == "Context: 1200 of 3072 tokens (+1024 for the answer)"
    assert "4,096 tokens at a time: 3,072 for the conversation and 1,024 kept for the answer" in meter.toolTip()


@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")  # a top-level widget, offscreen
def test_in_a_narrow_window_the_meter_wraps_its_words_rather_than_cutting_them(qtbot: QtBot) -> None:
    meter = ContextMeter()
    qtbot.addWidget(meter)
    meter.show_count(9000, 3072, 2, n_ctx=4096, leaving_out=40)
    meter.show()
    for width in (1000, 300):
        meter.resize(width, meter.heightForWidth(width) if meter.hasHeightForWidth() else meter.sizeHint().height())
        qtbot.waitUntil(lambda: meter.label.width() > 0)
        label = meter.label
        lines = label.height() // label.fontMetrics().lineSpacing()
        assert label.width() >= label.minimumSizeHint().width()
        assert label.height() >= label.heightForWidth(label.width()), width  # every line shown
        assert (lines > 1) == (width == 300), (width, lines)  # one line where it has the room


def test_with_drop_oldest_the_meter_counts_turns_out_of_memory_not_too_long(qtbot: QtBot) -> None:
    meter = ContextMeter()
    qtbot.addWidget(meter)
    meter.show_count(9000, 3072, 0, n_ctx=4096)
    assert "too long" in meter.label.text()  # the "stop" policy: it does not fit
    meter.show_count(9000, 3072, 2, n_ctx=4096, leaving_out=40)
    assert "too long" not in meter.label.text() and "42 turns out of memory" in meter.label.text()
    assert not meter.bar.property("full")


def test_the_turns_to_drop_are_estimated_from_their_size() -> None:
    messages = [
        Message(n, 1, "user" if n % 2 else "assistant", "x" * 100, "complete", None, 0.0) for n in range(1, 21)
    ]
    turns = turn_characters(messages, memory_start=5)
    assert turns == [200] * 8  # messages 5..20: eight turns of a question and its answer
    assert turns_to_drop(turns, tokens=800, target=400) == 4  # 100 tokens a turn
    assert turns_to_drop(turns, tokens=300, target=400) == 0
    assert turns_to_drop([200], tokens=800, target=100) == 0  # the newest turn always stays


def test_no_meter_under_the_welcome_page(window: MainWindow) -> None:
    assert window.stack.currentWidget() is window.welcome
    assert not window.personas.meter.isVisible()
