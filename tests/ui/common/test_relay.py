"""GuiRelay: what other threads post arrives on the GUI thread, in order, and nothing after close."""

from __future__ import annotations

import threading

from PySide6 import QtCore, QtWidgets
from pytestqt.qtbot import QtBot

from app.ui.common.relay import GuiRelay


def test_values_from_other_threads_reach_the_gui_thread_in_order(qtbot: QtBot, qapp: QtWidgets.QApplication) -> None:
    relay = GuiRelay()
    received: dict[int, list[int]] = {0: [], 1: [], 2: [], 3: []}
    threads_seen: set[QtCore.QThread] = set()

    def handler(value: tuple[int, int]) -> None:
        threads_seen.add(QtCore.QThread.currentThread())
        received[value[0]].append(value[1])

    sink = relay.sink(handler)
    workers = [
        threading.Thread(target=lambda n=n: [sink((n, i)) for i in range(2000)]) for n in range(4)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    qtbot.waitUntil(lambda: all(len(values) == 2000 for values in received.values()))
    assert all(values == list(range(2000)) for values in received.values())
    assert threads_seen == {qapp.thread()}


def test_nothing_is_delivered_after_close(qtbot: QtBot) -> None:
    relay = GuiRelay()
    received: list[int] = []
    sink = relay.sink(received.append)
    sink(1)
    relay.close()  # 1 was posted but has not run yet: it is dropped too
    threading.Thread(target=lambda: sink(2)).start()
    qtbot.wait(100)
    assert received == [] and relay.closed
