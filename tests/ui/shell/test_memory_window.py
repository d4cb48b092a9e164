"""Memory in the window on the starter model: "remember that …" shows "Memory updated" under the answer
(opening what was saved, Undo taking it back), the next chat's details say which memories it used, and
a temporary chat is marked, reads and writes nothing and is gone once left."""

from __future__ import annotations

from PySide6 import QtCore
from pytestqt.qtbot import QtBot

from app.core.memory.store import MemoryStore
from app.ui.chat import memory_marks
from app.ui.shell.main_window import MainWindow
from tests.ui.conftest import send_and_wait


def _text(window: MainWindow) -> str:
    return window.chat_view.document().toPlainText()


def test_remember_shows_memory_updated_with_undo_and_the_next_chat_uses_it(qtbot: QtBot, window: MainWindow) -> None:
    memories = MemoryStore(window.store)
    window.new_conversation()
    answer = send_and_wait(qtbot, window, "Remember that my daughter is called Mia.")
    qtbot.waitUntil(lambda: "Memory updated" in _text(window), timeout=60_000)
    assert [m.text for m in memories.active()] == ["My daughter is called Mia."]
    shown: list[str] = []
    window.memory_view.show_saved = shown.append  # type: ignore[method-assign]
    window.chat_view.memory_requested.emit("show", answer.id)
    assert shown and "My daughter is called Mia." in shown[0]

    window.chat_view.memory_requested.emit("undo", answer.id)  # what a click on Undo does
    assert memories.active() == []
    qtbot.waitUntil(lambda: "Memory updated" not in _text(window), timeout=10_000)

    memories.add("My daughter is called Mia.", added_by_user=True)
    window.new_conversation()
    send_and_wait(qtbot, window, "Any ideas for a birthday party?")
    assert memory_marks.used_text(("My daughter is called Mia.",))
    assert "Memories used: My daughter is called Mia" in _text(window) in _text(window)


def test_a_temporary_chat_is_marked_uses_no_memory_and_goes_when_left(qtbot: QtBot, window: MainWindow) -> None:
    memories = MemoryStore(window.store)
    memories.add("My daughter is called Mia.", added_by_user=True)
    window.new_conversation()
    send_and_wait(qtbot, window, "Hello")
    kept = window.conversation_id
    qtbot.keyClick(
        window,
        QtCore.Qt.Key.Key_N,
        QtCore.Qt.KeyboardModifier.ControlModifier | QtCore.Qt.KeyboardModifier.ShiftModifier,
    )
    temporary = window.conversation_id
    assert temporary is not None and temporary != kept
    assert window.memory_view.temporary_label.isVisible()
    send_and_wait(qtbot, window, "Remember that I live in Leeds.")
    assert "Memories used" not in _text(window) and "Memory updated" not in _text(window)
    assert [m.text for m in memories.active()] == ["My daughter is called Mia."]
    assert temporary not in window.sidebar.ids()
    assert kept is not None
    window.show_conversation(kept)
    assert not window.memory_view.temporary_label.isVisible()
    assert window.store.messages(temporary) == []
