"""Long conversations and a big history: open time, scroll stall, streaming stall, search time.

Builds a 2,000-message conversation (long Markdown answers with code) through ``app.core.history.store``
and 10,000 messages in all, then measures in the real ``ChatView`` (offscreen):

- open: ``show_conversation`` of the 2,000 messages, against the baseline of laying out every
  message (what the view did before paging), in the same run. Target: under 300 ms.
- scroll stall: the longest event-loop gap while the user scrolls from the bottom to the top
  (older pages come in on the way). Target: under 30 ms.
- reach message 1: from the bottom, Ctrl+Home and a drag of the scroll bar to its top, each until
  the first message is on screen, against the wheel (the only way there before), in the same run.
  Goal: under 2 s.
- streaming stall: the longest event-loop gap while an answer streams into the open conversation,
  against the same timer on an idle view. Target: under 30 ms.
- search: ``history_search.search`` over the 10,000 messages (FTS5 trigram), English and Chinese,
  against a plain ``LIKE`` scan of the same table. Target: under 50 ms.
"""

from __future__ import annotations

import itertools
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PARLEY_HOME"] = tempfile.mkdtemp(prefix="parley-bench-")

from PySide6 import QtCore, QtGui, QtWidgets

from app.core.history import search as history_search
from app.core.history.store import Store
from app.core.history.types import Message
from app.ui.chat import paging as chat_view_module
from app.ui.chat.view import ChatView

ANSWER = """Here is how to do it:

1. Read the **input** line by line.
2. Keep a running total in a `dict`.

```python
def count(lines: list[str]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for line in lines:
        totals[line] = totals.get(line, 0) + 1
    return totals
```

| word | count |
|------|-------|
| 北京 | {n} |
| alpha | 2 |

That is all; say so if you want it in another language.
"""


def build(store: Store) -> int:
    long_one = store.create_conversation("Long")
    for number in range(2000):
        if number % 2 == 0:
            store.add_message(long_one.id, "user", f"Question {number}: how do I count words in file {number}?")
        else:
            store.add_message(long_one.id, "assistant", ANSWER.replace("{n}", str(number)))
    for conversation_number in range(80):
        other = store.create_conversation(f"Other {conversation_number}")
        for number in range(100):
            text = f"Message {number} of chat {conversation_number} about gardening and 园艺 tips {number * 7}"
            store.add_message(other.id, "user" if number % 2 == 0 else "assistant", text)
    return long_one.id


def longest_gap(
    app: QtWidgets.QApplication, action: object, seconds: float, until: Callable[[], bool] = lambda: False
) -> float:
    """Runs the event loop for ``seconds`` (or until ``until()``) with a 5 ms timer; ``action()`` is
    called on each tick."""
    ticks: list[float] = []
    timer = QtCore.QTimer()
    timer.setInterval(5)

    def tick() -> None:
        ticks.append(time.perf_counter())
        action()  # type: ignore[operator]

    timer.timeout.connect(tick)
    timer.start()
    end = time.perf_counter() + seconds
    while time.perf_counter() < end and not until():
        app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 5)
    timer.stop()
    return max((b - a for a, b in itertools.pairwise(ticks)), default=0.0) - 0.005


def press_ctrl_home(view: ChatView) -> None:
    for kind in (QtCore.QEvent.Type.KeyPress, QtCore.QEvent.Type.KeyRelease):
        event = QtGui.QKeyEvent(kind, QtCore.Qt.Key.Key_Home, QtCore.Qt.KeyboardModifier.ControlModifier)
        QtWidgets.QApplication.sendEvent(view, event)


def first_in_sight(view: ChatView, first_id: int) -> bool:
    shown = view._pages.shown.get(first_id)
    if shown is None:
        return False
    rect = view.document().documentLayout().frameBoundingRect(shown.frame)
    top = view.verticalScrollBar().value()
    return rect.bottom() > top and rect.top() < top + view.viewport().height()


def reach_first(app: QtWidgets.QApplication, view: ChatView, messages: list[Message], act: Callable[[], None]) -> float:
    """Seconds from the bottom of the conversation until its first message is on screen after ``act``."""
    view.show_conversation(messages)
    app.processEvents()
    started = time.perf_counter()
    act()
    while not first_in_sight(view, messages[0].id) and time.perf_counter() - started < 60:
        app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 5)
    app.processEvents()
    return time.perf_counter() - started


def main() -> None:
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv)
    assert isinstance(app, QtWidgets.QApplication)
    store = Store()
    conversation_id = build(store)
    started = time.perf_counter()
    messages = store.messages(conversation_id)
    read_s = time.perf_counter() - started
    view = ChatView()
    view.resize(800, 600)
    view.show()
    app.processEvents()

    started = time.perf_counter()
    view.show_conversation(messages)
    app.processEvents()
    open_s = time.perf_counter() - started

    baseline_messages = messages[-400:]
    page = chat_view_module.PAGE
    chat_view_module.PAGE = len(baseline_messages)  # the view before paging: every message laid out
    started = time.perf_counter()
    view.show_conversation(baseline_messages)
    app.processEvents()
    baseline_s = time.perf_counter() - started
    chat_view_module.PAGE = page
    view.show_conversation(messages)

    idle = longest_gap(app, lambda: None, 0.5)
    bar = view.verticalScrollBar()
    started = time.perf_counter()
    at_top = lambda: bar.value() == 0 and view._pages.start == 0  # noqa: E731
    scroll = longest_gap(app, lambda: bar.setValue(bar.value() - 120), 60.0, at_top)
    scroll_s, reached = time.perf_counter() - started, at_top()

    reach = {"Ctrl+Home": reach_first(app, view, messages, lambda: press_ctrl_home(view))}
    reach["a drag to the top"] = reach_first(app, view, messages, lambda: bar.setValue(0))

    view.show_conversation(messages)
    answer = store.add_message(conversation_id, "assistant", "", status="streaming")
    view.add_message(answer)
    chunks = iter(ANSWER.replace("{n}", str(i)) for i in range(10_000))
    stream = longest_gap(app, lambda: view.append_to_answer(answer.id, next(chunks)[:40]), 3.0)

    timings: dict[str, float] = {}
    for query in ("gardening tips 343", "园艺", "count words in file 1998", "北京"):
        started = time.perf_counter()
        for _ in range(5):
            hits = history_search.search(store, query)
        timings[query] = (time.perf_counter() - started) / 5
        assert hits, query
    with store.reading() as db:
        started = time.perf_counter()
        db.execute("SELECT id FROM messages WHERE content LIKE '%gardening tips 343%' LIMIT 50").fetchall()
        like_s = time.perf_counter() - started
        total = db.execute("SELECT count(*) FROM messages").fetchone()[0]

    print(f"messages in the history: {total}; reading the 2,000-message branch from the store: {read_s * 1000:.1f} ms")
    print(f"open 2,000 messages: {open_s * 1000:.0f} ms (target < 300 ms); laying out 400 at once (before paging): "
          f"{baseline_s * 1000:.0f} ms; ratio {baseline_s / open_s:.1f}x")
    print(f"scroll to the top, paging in: longest stall {scroll * 1000:.1f} ms (idle view: {idle * 1000:.1f} ms; "
          f"target < 30 ms); {'reached the top' if reached else 'did not reach the top'} in {scroll_s:.1f} s")
    print(f"streaming into the open conversation: longest stall {stream * 1000:.1f} ms (idle {idle * 1000:.1f} ms; "
          "target < 30 ms)")
    wheel = f"by the wheel (the only way before) {scroll_s:.1f} s" if reached else "the wheel did not get there"
    for way, seconds in reach.items():
        ratio = f"; ratio {scroll_s / seconds:.0f}x" if reached else ""
        print(f"reach message 1 with {way}: {seconds * 1000:.0f} ms (goal < 2 s; open {open_s * 1000:.0f} ms); "
              f"{wheel}{ratio}")
    for query, seconds in timings.items():
        print(f"search {query!r}: {seconds * 1000:.1f} ms (plain LIKE scan: {like_s * 1000:.1f} ms; target < 50 ms)")
    store.close()


if __name__ == "__main__":
    main()
