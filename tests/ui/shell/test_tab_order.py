"""Tab walks the window as the eye reads it: the sidebar top to bottom, the header, the chat, the composer."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets
from pytestqt.qtbot import QtBot

from app.core.history.store import Store
from app.ui.shell.main_window import MainWindow
from tests.ui.conftest import WindowFactory


def _expected(window: MainWindow) -> list[QtWidgets.QWidget]:
    header, sidebar = window.header, window.sidebar
    chain: list[QtWidgets.QWidget] = [
        sidebar.new_button, sidebar.persona_button, sidebar.new_project_button, sidebar.search.edit, sidebar.list,
        window.find_models_button, window.models_button, window.settings_button, window.personas.editor_button,
        header.persona_combo, header.target_combo, header.thinking_combo, header.library_switch, window.model_picker,
        window.chat_view, window.composer.microphone.button, window.composer.conversation.button,
        window.composer.attach_button, window.composer.edit,
    ]  # fmt: skip
    return [widget for widget in chain if widget.isVisible() and widget.isEnabled()]


def _walk(qtbot: QtBot, window: MainWindow, steps: int) -> list[QtWidgets.QWidget]:
    """The widgets the focus visits, pressing Tab ``steps`` times (links inside the chat count once)."""
    visited: list[QtWidgets.QWidget] = []
    links = 0
    for _ in range(steps):
        focused = QtWidgets.QApplication.focusWidget()
        assert focused is not None
        if focused is window.chat_view and visited[-1] is focused:
            # Tab walks the messages' links (Edit, Copy, …): the one with the focus is selected, so seen.
            assert window.chat_view.textCursor().hasSelection(), "a link has the focus but shows none"
            links += 1
        if not visited or visited[-1] is not focused:
            visited.append(focused)
        qtbot.keyClick(focused, QtCore.Qt.Key.Key_Tab)
    assert links >= 2, "Tab does not reach the messages' links"
    return visited


def test_tab_follows_the_layout_from_the_first_control(qtbot: QtBot, store: Store, make_window: WindowFactory) -> None:
    conversation = store.create_conversation("Order")
    store.add_message(conversation.id, "user", "Hi")
    store.add_message(conversation.id, "assistant", "Hello")
    window = make_window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=10_000)
    window.sidebar.new_button.setFocus(QtCore.Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(window.sidebar.new_button.hasFocus, timeout=10_000)
    qtbot.waitUntil(lambda: window.services.voice.checked)  # the microphone is enabled or not for good
    expected = _expected(window)
    visited = _walk(qtbot, window, len(expected) + 12)  # room for the links inside the chat
    assert visited[: len(expected)] == expected, [w.objectName() or type(w).__name__ for w in visited]
