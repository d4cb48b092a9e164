"""Climbing a long chat in the real window: the scroll bar spans the whole conversation, a drag to its
top shows the first message, and Ctrl+Home / Ctrl+End jump to the first and the last message."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets
from pytestqt.qtbot import QtBot

from app.core.history.store import Store
from app.ui.chat.view import ChatView
from app.ui.shell.main_window import MainWindow
from tests.ui.chat import screen

COUNT = 2000
ANSWER = "Answer {n}: read the file line by line.\n\n```python\nfor line in open(path):\n    print(line)\n```\n"


def fill(store: Store) -> tuple[int, list[int]]:
    conversation = store.create_conversation("Long")
    ids = []
    for number in range(COUNT):
        role = "user" if number % 2 == 0 else "assistant"
        text = f"Question {number}: how do I read a file?" if role == "user" else ANSWER.format(n=number)
        ids.append(store.add_message(conversation.id, role, text).id)
    return conversation.id, ids


def in_sight(view: ChatView, message_id: int) -> bool:
    """Whether any of the message's block is inside the view's viewport."""
    if message_id not in screen.message_ids(view):
        return False
    rect = view.document().documentLayout().frameBoundingRect(screen.block_of(view, message_id))
    top = view.verticalScrollBar().value()
    return rect.bottom() > top and rect.top() < top + view.viewport().height()


def open_long(qtbot: QtBot, window: MainWindow, store: Store) -> tuple[ChatView, list[int]]:
    conversation_id, ids = fill(store)
    window.resize(1000, 700)
    window.sidebar.refresh()
    window.show_conversation(conversation_id)
    view = window.chat_view
    qtbot.waitUntil(lambda: in_sight(view, ids[-1]), timeout=60_000)
    return view, ids


def drag_to_top(qtbot: QtBot, bar: QtWidgets.QScrollBar) -> None:
    """Presses the scroll bar's handle and drags it to the bar's top, as a user would."""
    option = QtWidgets.QStyleOptionSlider()
    bar.initStyleOption(option)
    handle = bar.style().subControlRect(
        QtWidgets.QStyle.ComplexControl.CC_ScrollBar, option, QtWidgets.QStyle.SubControl.SC_ScrollBarSlider, bar
    )
    start = handle.center()
    qtbot.mousePress(bar, QtCore.Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, 11):  # QTest's mouseMove carries no button: the move a drag makes, by hand
        at = QtCore.QPointF(start.x(), start.y() - (start.y() + 50) * step // 10)
        move = QtGui.QMouseEvent(
            QtCore.QEvent.Type.MouseMove, at, bar.mapToGlobal(at), QtCore.Qt.MouseButton.NoButton,
            QtCore.Qt.MouseButton.LeftButton, QtCore.Qt.KeyboardModifier.NoModifier,
        )  # fmt: skip
        QtWidgets.QApplication.sendEvent(bar, move)
        qtbot.wait(10)
    qtbot.mouseRelease(bar, QtCore.Qt.MouseButton.LeftButton, pos=QtCore.QPoint(start.x(), 0))


def test_the_scroll_bar_spans_the_whole_conversation_and_a_drag_reaches_the_top(
    qtbot: QtBot, window: MainWindow, store: Store
) -> None:
    view, ids = open_long(qtbot, window, store)
    bar = view.verticalScrollBar()
    laid_out = view.document().documentLayout().frameBoundingRect(screen.blocks(view)[0]).top()
    assert laid_out > 20 * bar.pageStep(), "the bar's range holds the messages not laid out"

    for _ in range(3):  # a bounded number of drags; one is what it takes
        drag_to_top(qtbot, bar)
        if in_sight(view, ids[0]):
            break
    assert in_sight(view, ids[0]) and bar.value() == 0
    assert screen.text_of(view, ids[0]).splitlines()[1] == "Question 0: how do I read a file?"


def test_ctrl_home_shows_the_first_message_and_ctrl_end_the_last(
    qtbot: QtBot, window: MainWindow, store: Store
) -> None:
    view, ids = open_long(qtbot, window, store)
    view.setFocus()
    qtbot.keyClick(view, QtCore.Qt.Key.Key_Home, QtCore.Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: in_sight(view, ids[0]), timeout=60_000)
    assert not in_sight(view, ids[-1])

    qtbot.keyClick(view, QtCore.Qt.Key.Key_End, QtCore.Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: in_sight(view, ids[-1]), timeout=60_000)
    bar = view.verticalScrollBar()
    assert bar.value() == bar.maximum() and not in_sight(view, ids[0])

    qtbot.keyClick(view, QtCore.Qt.Key.Key_Home)  # Home alone does the same in the read-only view
    qtbot.waitUntil(lambda: in_sight(view, ids[0]), timeout=60_000)
    qtbot.keyClick(view, QtCore.Qt.Key.Key_End)
    qtbot.waitUntil(lambda: in_sight(view, ids[-1]), timeout=60_000)


def test_scrolling_up_from_a_jump_pages_in_the_messages_above_without_a_gap(
    qtbot: QtBot, window: MainWindow, store: Store
) -> None:
    view, ids = open_long(qtbot, window, store)
    bar = view.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)  # a click in the middle of the bar
    shown = [i for i in screen.message_ids(view) if i is not None]
    assert ids[0] not in shown and ids[-1] not in shown
    first = ids.index(shown[0])
    for _ in range(200):  # the wheel, a few lines a notch
        bar.setValue(bar.value() - 60)
    now = [i for i in screen.message_ids(view) if i is not None]
    assert ids.index(now[0]) < first, "older messages came in"
    assert now == ids[ids.index(now[0]) : ids.index(now[0]) + len(now)], "no message was skipped"
    assert any(in_sight(view, i) for i in now)
