"""The header's "Use my library": off by default, on and off, a choice of folders, kept with the conversation."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.core.history.store import Store
from app.core.history.types import LibraryChoice
from app.ui.chat.library_switch import LibrarySwitch
from app.ui.shell.main_window import MainWindow


def test_the_switch_is_off_by_default_and_says_what_it_searches(qtbot: QtBot) -> None:
    switch = LibrarySwitch()
    qtbot.addWidget(switch)
    switch.set_choice(None, ["/home/me/notes", "/home/me/papers"])
    assert not switch.isChecked()
    assert switch.accessibleName() == "Use my library"
    chosen: list[LibraryChoice] = []
    switch.choice_changed.connect(chosen.append)
    switch.click()
    assert chosen[-1] == LibraryChoice(enabled=True, folders=None)
    assert "every library folder" in switch.toolTip()
    papers = switch.folder_actions()[2]  # after "All folders" and notes
    papers.trigger()
    assert chosen[-1] == LibraryChoice(enabled=True, folders=("/home/me/papers",))
    assert "papers" in switch.toolTip()
    switch.click()
    assert chosen[-1] == LibraryChoice(enabled=False, folders=("/home/me/papers",))


def test_the_window_keeps_the_choice_with_each_conversation(qtbot: QtBot, window: MainWindow, store: Store) -> None:
    first = store.create_conversation().id
    store.add_message(first, "user", "Hello")  # a conversation with a message is kept when the user leaves it
    window.show_conversation(first)
    switch = window.header.library_switch
    assert switch.isVisible() and not switch.isChecked()
    switch.click()
    assert store.library_choice(first) == LibraryChoice(enabled=True, folders=None)
    second = store.create_conversation().id
    window.show_conversation(second)
    assert not switch.isChecked()
    window.show_conversation(first)
    assert switch.isChecked()
