"""Every control a keyboard or screen-reader user meets has a name, a focus ring, and answers are announced.

The names are checked in the accessibility tree itself (``QAccessible.queryAccessibleInterface`` from
each window down, child by child), as a screen reader reads it; the chat's messages and their links
are in that tree and can be pressed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6 import QtCore, QtGui, QtWidgets
from pytestqt.qtbot import QtBot

from app.core.history.store import Store
from app.ui.common.announce import first_sentence
from app.ui.personas.editor import PersonaEditor
from app.ui.settings.dialog import SettingsDialog
from app.ui.shell.main_window import MainWindow
from app.ui.shell.shortcuts import ShortcutsDialog
from tests.ui.conftest import WindowFactory
from tests.ui.models.test_model_manager import open_models_page

A = QtGui.QAccessible
Role = A.Role

# What a screen-reader user operates, and so must hear named: the roles of controls, not of text or items.
INTERACTIVE = {
    Role.Button, Role.CheckBox, Role.RadioButton, Role.ComboBox, Role.SpinBox, Role.EditableText, Role.List,
    Role.Tree, Role.Table, Role.Slider, Role.Dial, Role.MenuItem, Role.ButtonMenu, Role.ButtonDropDown,
    Role.ButtonDropGrid, Role.Link, Role.PageTab, Role.HotkeyField, Role.ComboBox,
}
ITEMS = {Role.ListItem, Role.TreeItem, Role.Cell, Role.Row, Role.ColumnHeader, Role.RowHeader}


def describe(interface: QtGui.QAccessibleInterface) -> str:
    obj = interface.object()
    what = f"{type(obj).__name__} {obj.objectName()!r}" if obj is not None else "(no object)"
    return f"{interface.role().name} {what}"


def hidden_on_purpose(widget: QtWidgets.QWidget) -> bool:
    """Hidden until it has something to say (a banner's button); a page behind others is not that."""
    return widget.isHidden() and not isinstance(widget.parentWidget(), QtWidgets.QStackedWidget)


def walk(root: QtGui.QAccessibleInterface) -> Iterator[tuple[QtGui.QAccessibleInterface, list[str]]]:
    """Every interface under ``root``, child by child, with the names of those above it."""
    seen: set[int] = set()
    stack: list[tuple[QtGui.QAccessibleInterface, list[str]]] = [(root, [])]
    while stack:
        interface, above = stack.pop()
        key = A.uniqueId(interface)
        if key in seen or not interface.isValid():
            continue
        seen.add(key)
        obj = interface.object()
        if isinstance(obj, QtWidgets.QWidget) and hidden_on_purpose(obj):
            continue
        yield interface, above
        if interface.role() == Role.ComboBox or isinstance(obj, QtWidgets.QLineEdit):
            continue  # its own parts (a popup list, a clear button): the control has the name
        here = [*above, interface.text(A.Text.Name) or describe(interface)]
        children = [interface.child(i) for i in range(interface.childCount())]
        stack.extend((child, here) for child in reversed(children) if child is not None)


def unnamed_controls(widget: QtWidgets.QWidget) -> list[str]:
    """The interactive controls in ``widget``'s accessibility tree that have no name, described for the failure."""
    root = A.queryAccessibleInterface(widget)
    assert root is not None
    missing = []
    for interface, above in walk(root):
        if interface.role() in INTERACTIVE and not interface.text(A.Text.Name).strip():
            missing.append(f"{describe(interface)} in {' > '.join(above[-3:])}")
    return missing


def find(root: QtGui.QAccessibleInterface, role: QtGui.QAccessible.Role, name: str) -> list[QtGui.QAccessibleInterface]:
    return [i for i, _ in walk(root) if i.role() == role and i.text(A.Text.Name) == name]


def settings_dialog(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> SettingsDialog:
    """The Settings dialog as the window opens it (Ctrl+,), with every page."""
    shown: list[SettingsDialog] = []
    monkeypatch.setattr(SettingsDialog, "run", lambda dialog: shown.append(dialog) or False)
    monkeypatch.setattr(SettingsDialog, "deleteLater", lambda dialog: None)  # walked after it "closed"
    window.settings_action.trigger()
    assert len(shown) == 1
    return shown[0]


def persona_editor(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> PersonaEditor:
    shown: list[PersonaEditor] = []
    monkeypatch.setattr(window.personas, "run_editor", shown.append)
    monkeypatch.setattr(PersonaEditor, "deleteLater", lambda editor: None)
    window.personas.open_editor()
    assert len(shown) == 1
    return shown[0]


def shortcuts_dialog(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> ShortcutsDialog:
    shown: list[QtWidgets.QDialog] = []
    monkeypatch.setattr(window.window_actions, "run_dialog", shown.append)
    monkeypatch.setattr(ShortcutsDialog, "deleteLater", lambda dialog: None)
    window.window_actions.shortcuts_action.trigger()
    assert len(shown) == 1 and isinstance(shown[0], ShortcutsDialog)
    return shown[0]


def test_every_control_of_every_window_has_an_accessible_name(
    qtbot: QtBot, store: Store, make_window: WindowFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    conversation = store.create_conversation("Named")
    store.add_message(conversation.id, "user", "Hello")
    store.add_message(conversation.id, "assistant", "Hi.\n\n```python\nprint(1)\n```", model_name="SmolLM2")
    window = make_window()
    window.show_conversation(conversation.id)
    models = open_models_page(qtbot, window)
    entry = models.table.entries()[0]
    windows: list[QtWidgets.QWidget] = [
        window,  # with its pages: the chat, Get models, Models, the welcome page
        settings_dialog(window, monkeypatch),  # with every page, the remote server editor among them
        persona_editor(window, monkeypatch),
        models.model_settings_dialog(entry),
        shortcuts_dialog(window, monkeypatch),
    ]
    missing: dict[str, list[str]] = {}
    for widget in windows:
        qtbot.addWidget(widget)
        found = unnamed_controls(widget)
        if found:
            missing[type(widget).__name__] = found
    assert not missing, "unnamed controls:\n" + "\n".join(
        f"{name}: {control}" for name, controls in missing.items() for control in controls
    )
    # The walk really went through each window: the controls it must have met are there.
    walked = {text for widget in windows for i, _ in walk(A.queryAccessibleInterface(widget))
              for text in [i.text(A.Text.Name)]}
    assert {"Get models", "Models", "Conversation"} <= walked


def test_the_chat_is_a_list_of_messages_whose_links_a_screen_reader_can_press(
    qtbot: QtBot, store: Store, make_window: WindowFactory
) -> None:
    conversation = store.create_conversation("Reader")
    store.add_message(conversation.id, "user", "What is **2+2**?\nSecond line")
    answer = "It is 4.\n\n```python\nprint(2 + 2)\n```"
    store.add_message(conversation.id, "assistant", answer, model_name="SmolLM2")
    window = make_window()
    window.show_conversation(conversation.id)
    chat = A.queryAccessibleInterface(window.chat_view)
    assert chat is not None and chat.role() == Role.List and chat.text(A.Text.Name) == "Conversation"
    assert chat.childCount() == 2
    question, reply = chat.child(0), chat.child(1)
    assert question.role() == Role.ListItem and question.text(A.Text.Name) == "You: What is **2+2**?"
    assert question.text(A.Text.Description) == "What is **2+2**?\nSecond line"
    assert question.parent().object() is window.chat_view and chat.indexOfChild(reply) == 1
    assert reply.text(A.Text.Name).endswith(": It is 4.") and "print(2 + 2)" in reply.text(A.Text.Description)
    links = [reply.child(i).text(A.Text.Name) for i in range(reply.childCount())]
    assert links == ["Copy code", "Regenerate", "Copy", "Read aloud", "Look inside"]
    assert reply.actionInterface().actionNames() == links
    assert [question.child(i).text(A.Text.Name) for i in range(question.childCount())] == ["Edit", "Copy"]

    # Found through the tree from the window down, as a screen reader finds it, and pressed.
    (copy,) = [i for i in find(A.queryAccessibleInterface(window), Role.Link, "Copy") if i.parent() == reply]
    QtGui.QGuiApplication.clipboard().clear()
    with qtbot.waitSignal(window.chat_view.copied, timeout=60_000):
        copy.actionInterface().doAction(copy.actionInterface().pressAction())
    assert QtGui.QGuiApplication.clipboard().text() == answer
    (code,) = find(chat, Role.Link, "Copy code")
    code.actionInterface().doAction(code.actionInterface().pressAction())
    assert QtGui.QGuiApplication.clipboard().text() == "print(2 + 2)\n"
    edits: list[int] = []
    window.chat_view.edit_requested.connect(edits.append)
    question.actionInterface().doAction("Edit")  # the message's own actions are its links too
    assert len(edits) == 1

    # A new message joins the list; a link the keyboard is on is the focused child.
    store.add_message(conversation.id, "user", "And 3+3?")
    window.show_conversation(conversation.id)
    assert chat.childCount() == 3 and chat.child(2).text(A.Text.Name) == "You: And 3+3?"
    window.chat_view.setFocus()
    qtbot.waitUntil(window.chat_view.hasFocus, timeout=60_000)
    window.chat_view.focusNextPrevChild(True)  # what Tab does in the view: the first link
    focused = chat.focusChild()
    assert focused is not None and focused.role() == Role.Link and focused.state().focused
    assert focused.text(A.Text.Name) == "Edit" and focused.parent().text(A.Text.Name).startswith("You:")


def test_the_page_buttons_are_page_tabs_that_say_which_page_shows(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window = make_window()
    buttons = {name: A.queryAccessibleInterface(b) for name, b in
               (("Get models", window.find_models_button), ("Models", window.models_button))}
    for name, interface in buttons.items():
        assert interface.role() == Role.PageTab and interface.text(A.Text.Name) == name
        assert not interface.state().checkable and not interface.state().selected
    buttons["Models"].actionInterface().doAction(buttons["Models"].actionInterface().pressAction())
    assert window.pages.currentWidget() is window.models_page
    assert buttons["Models"].state().selected and not buttons["Get models"].state().selected


def test_focusable_controls_show_a_focus_ring(qtbot: QtBot, store: Store, make_window: WindowFactory) -> None:
    conversation = store.create_conversation("Focus")
    store.add_message(conversation.id, "user", "Hello")
    window = make_window()
    window.resize(1000, 700)
    window.activateWindow()
    qtbot.waitActive(window)
    checked = 0
    for widget in (
        window.sidebar.new_button,
        window.sidebar.list,
        window.model_picker,
        window.composer.edit,
        window.find_models_button,
        window.models_button,
        window.settings_button,
    ):
        window.chat_view.setFocus()
        qtbot.waitUntil(lambda: window.chat_view.hasFocus())
        shown = window.composer if widget is window.composer.edit else widget  # the frame draws its edit's ring
        unfocused = shown.grab().toImage()
        widget.setFocus(QtCore.Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(widget.hasFocus, timeout=1000)
        focused = shown.grab().toImage()
        assert focused != unfocused, widget.objectName()
        checked += 1
    assert checked == 7


def test_a_finished_answer_is_announced_with_its_first_sentence(
    qtbot: QtBot, store: Store, make_window: WindowFactory
) -> None:
    window = make_window()
    conversation = store.create_conversation("Paris")
    store.add_message(conversation.id, "user", "Capital of France?")
    answer = store.add_message(
        conversation.id, "assistant", "The capital is **Paris**. It is on the Seine.", model_name="SmolLM2"
    )
    window.show_conversation(conversation.id)
    window.controller.answer_finished.emit(answer)
    assert window.status_label.accessibleDescription() == "Answer ready: The capital is Paris."


def test_first_sentence() -> None:
    assert first_sentence("One. Two.") == "One."
    assert first_sentence("巴黎是法国的首都。它在塞纳河畔。") == "巴黎是法国的首都。"
    assert first_sentence("no end at all") == "no end at all"
    assert len(first_sentence("word " * 200)) <= 200


def test_the_tab_order_follows_the_layout(qtbot: QtBot, store: Store, make_window: WindowFactory) -> None:
    conversation = store.create_conversation("Tabs")
    store.add_message(conversation.id, "user", "Hello")
    window = make_window()
    wanted = [
        window.sidebar.new_button,
        window.sidebar.list,
        window.find_models_button,
        window.models_button,
        window.settings_button,
        window.model_picker,
        window.chat_view,
        window.composer.edit,
    ]
    order: list[QtWidgets.QWidget] = []
    widget = window.sidebar.new_button
    for _ in range(400):
        if widget in wanted and widget not in order:
            order.append(widget)
        widget = widget.nextInFocusChain()
        if widget is window.sidebar.new_button:
            break
    assert order == wanted
