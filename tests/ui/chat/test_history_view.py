"""The history in the window's widgets: search with highlights, pin, Undo of a delete, paging, versions."""

from __future__ import annotations

from PySide6 import QtWidgets
from pytestqt.qtbot import QtBot

from app.core.engine.protocol import ModelSpec, SamplingSettings
from app.core.history.store import Store
from app.core.session import versions as chat_versions
from app.core.session.records import TurnContext
from app.ui.chat import paging
from app.ui.chat.view import ChatView
from app.ui.sidebar.panel import Sidebar
from app.ui.sidebar.search import snippet_html
from tests.ui.chat import screen

MODEL = ModelSpec("/models/x.gguf", "X")


def test_search_lists_results_and_opens_one(qtbot: QtBot, store: Store) -> None:
    chinese = store.create_conversation("北京旅行")
    store.add_message(chinese.id, "user", "请介绍一下北京的历史")
    store.add_message(chinese.id, "assistant", "北京是中国的首都。")
    store.create_conversation("Bread")
    sidebar = Sidebar(store)
    qtbot.addWidget(sidebar)
    sidebar.refresh()

    hits = sidebar.search.search_now("京")

    assert {h.conversation_id for h in hits} == {chinese.id}
    assert not sidebar.list.isVisibleTo(sidebar) and sidebar.search.results.count() == len(hits)
    assert "<b><u>京</u></b>" in snippet_html(hits[0])
    with qtbot.waitSignal(sidebar.search.result_opened) as opened:
        sidebar.search.results.itemClicked.emit(sidebar.search.results.item(0))
    assert opened.args[0] == chinese.id
    sidebar.search.search_now("")
    assert sidebar.list.isVisibleTo(sidebar)


def test_pin_and_undo_delete_in_the_sidebar(qtbot: QtBot, store: Store) -> None:
    old = store.create_conversation("Old")
    new = store.create_conversation("New")
    sidebar = Sidebar(store)
    qtbot.addWidget(sidebar)
    sidebar.refresh()
    sidebar.toggle_pin(old.id)
    assert sidebar.ids() == [old.id, new.id]

    sidebar.delete(old.id)
    assert sidebar.ids() == [new.id] and sidebar.undo_bar.isVisibleTo(sidebar)
    assert sidebar.search.search_now("Old") == []  # nor is it found while Undo is offered
    sidebar.undo_delete()
    assert sidebar.ids() == [old.id, new.id]
    sidebar.delete(new.id)
    sidebar.apply_pending_deletes()  # Undo ran out (or the window closed)
    assert [c.id for c in store.conversations()] == [old.id]


def test_a_long_conversation_lays_out_one_page_and_pages_in_older_ones(qtbot: QtBot, store: Store) -> None:
    conversation = store.create_conversation()
    for number in range(300):
        store.add_message(conversation.id, "user" if number % 2 == 0 else "assistant", f"message {number}")
    view = ChatView()
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    messages = store.messages(conversation.id)

    view.show_conversation(messages)

    assert screen.message_ids(view) == [m.id for m in messages[-paging.PAGE :]]
    assert screen.text_of(view, messages[-1].id).splitlines()[1] == "message 299"
    bar = view.verticalScrollBar()
    while len(screen.blocks(view)) <= paging.PAGE:  # the user scrolls up, a wheel notch at a time
        bar.setValue(bar.value() - 60)
    assert len(screen.blocks(view)) > paging.PAGE
    assert screen.texts(view)[0].splitlines()[1] == f"message {300 - len(screen.blocks(view))}"
    view.show_conversation(messages, focus=messages[10].id)  # a search result far up
    assert messages[10].id in screen.message_ids(view)


def test_versions_are_shown_as_a_control_and_move_between_branches(qtbot: QtBot, store: Store) -> None:
    conversation = store.create_conversation()
    store.add_message(conversation.id, "user", "Name a fruit")
    apple = store.add_message(conversation.id, "assistant", "Apple")
    turn = chat_versions.begin_regenerate(store, apple.id, TurnContext(MODEL, "", SamplingSettings()))
    store.update_message(turn.answer.id, "Banana", status="stopped")
    view = ChatView()
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    view.show_conversation(store.messages(conversation.id), store.versions(conversation.id))

    assert screen.link_line(view, turn.answer.id) == [
        "‹", "2/2", "Regenerate", "Copy", "Continue", "Read aloud", "Look inside"
    ]
    answer = screen.block_of(view, turn.answer.id)
    with qtbot.waitSignal(view.version_requested) as asked:
        screen.click_link(qtbot, view, answer, "‹")
    assert asked.args == [apple.id]
    with qtbot.waitSignal(view.copied):
        screen.click_link(qtbot, view, answer, "Copy")
    assert QtWidgets.QApplication.clipboard().text() == "Banana"
    user_id = store.messages(conversation.id)[0].id
    assert screen.link_line(view, user_id) == ["Edit", "Copy"]
    with qtbot.waitSignal(view.edit_requested) as asked:
        screen.click_link(qtbot, view, screen.block_of(view, user_id), "Edit")
    assert asked.args == [user_id]
