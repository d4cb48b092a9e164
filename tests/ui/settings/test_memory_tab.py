"""Settings → Memory: the list with search, add, edit, delete, delete all, the off switch, and the servers."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.core.config.settings import Settings
from app.core.engine.remote.servers import RemoteServers
from app.core.history.store import Store
from app.core.memory.store import MemoryStore
from app.ui.settings.memory_tab import MemoryTab


def _texts(tab: MemoryTab) -> list[str]:
    return [tab.list.item(row).text().splitlines()[0] for row in range(tab.list.count())]


def test_the_list_searches_adds_edits_and_deletes(qtbot: QtBot, store: Store) -> None:
    memories = MemoryStore(store)
    memories.add("I am vegetarian.", added_by_user=True)
    memories.add("My daughter is called Mia.", conversation_id=None)
    tab = MemoryTab(memories, Settings())
    qtbot.addWidget(tab)
    assert _texts(tab) == ["My daughter is called Mia.", "I am vegetarian."]
    assert "added by you" in tab.list.item(1).text()

    tab.search_edit.setText("mia")
    assert _texts(tab) == ["My daughter is called Mia."]
    tab.search_edit.clear()

    tab.ask_text = lambda title, text="": "I live in Leeds."  # type: ignore[method-assign]
    tab.add_button.click()
    assert _texts(tab)[0] == "I live in Leeds."

    tab.list.item(0).setSelected(True)
    tab.ask_text = lambda title, text="": "I live in York."  # type: ignore[method-assign]
    tab.edit_button.click()
    assert [m.text for m in memories.active()][-1] == "I live in York."

    tab.list.clearSelection()
    tab.list.item(len(_texts(tab)) - 1).setSelected(True)  # "I am vegetarian."
    tab.delete_button.click()
    assert "I am vegetarian." not in [m.text for m in memories.active()]

    tab.confirm_delete_all = lambda count: False  # type: ignore[method-assign]
    tab.delete_all_button.click()
    assert memories.count() == 2
    tab.confirm_delete_all = lambda count: count == 2  # type: ignore[method-assign]
    tab.delete_all_button.click()
    assert memories.count() == 0 and tab.empty_label.isVisibleTo(tab)


def test_the_switch_and_the_servers_are_saved_with_the_dialog(qtbot: QtBot, store: Store) -> None:
    servers = RemoteServers()
    server = servers.add("Lab box", "http://gpu1:8000", "")
    assert not server.send_memories  # off by default
    tab = MemoryTab(MemoryStore(store), Settings(), servers)
    qtbot.addWidget(tab)
    tab.enabled_check.setChecked(False)
    tab.server_checks[server.id].setChecked(True)
    values = tab.apply(Settings())
    assert values.memory_enabled is False
    assert servers.get(server.id) is not None and servers.get(server.id).send_memories  # type: ignore[union-attr]
    assert RemoteServers().get(server.id).send_memories  # type: ignore[union-attr]  # kept in the file
