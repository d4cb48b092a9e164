"""The history as users keep it: versions instead of erasing, pins, titles, search in English and Chinese."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.core import paths
from app.core.engine.protocol import ChatMessage, ModelSpec, SamplingSettings
from app.core.history import dbfile
from app.core.history import search as history_search
from app.core.history.store import MIGRATIONS, Store
from app.core.session import versions as chat_versions
from app.core.session.records import TurnContext

MODEL = ModelSpec("/models/x.gguf", "X")


def _chain(store: Store, *texts: str) -> int:
    conversation = store.create_conversation("Chat")
    for number, text in enumerate(texts):
        store.add_message(conversation.id, "user" if number % 2 == 0 else "assistant", text)
    return conversation.id


def _contents(store: Store, conversation_id: int) -> list[str]:
    return [m.content for m in store.messages(conversation_id)]


def test_a_version_1_history_with_messages_becomes_one_chain_with_nothing_lost() -> None:
    path = paths.database_path()
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript(MIGRATIONS[0])
    for conversation_id, title in ((1, "First"), (2, "Second")):
        db.execute(
            "INSERT INTO conversations (id, title, created_at, updated_at) VALUES (?, ?, 1.0, 2.0)",
            (conversation_id, title),
        )
    # Interleaved ids, as two conversations written by turns leave them.
    rows = [(1, "user", "a1"), (2, "user", "b1"), (1, "assistant", "a2"), (2, "assistant", "b2"), (1, "user", "a3")]
    for conversation_id, role, content in rows:
        db.execute(
            "INSERT INTO messages (conversation_id, role, content, status, created_at) "
            "VALUES (?, ?, ?, 'complete', 1.5)",
            (conversation_id, role, content),
        )
    db.execute("PRAGMA user_version = 1")
    db.close()

    store = Store()

    assert _contents(store, 1) == ["a1", "a2", "a3"]
    assert _contents(store, 2) == ["b1", "b2"]
    assert [m.parent_id for m in store.messages(1)] == [None, 1, 3]
    uuids = {c.uuid for c in store.conversations()}
    assert len(uuids) == 2 and all(len(u) == 36 and u[14] == "4" for u in uuids)
    # The chain goes on where it ended.
    store.add_message(1, "assistant", "a4")
    assert _contents(store, 1) == ["a1", "a2", "a3", "a4"]
    version = int(sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0])
    assert version == dbfile.SCHEMA_VERSION == len(MIGRATIONS)
    store.close()


def test_regenerate_keeps_the_old_answer_and_sends_only_the_branch_on_screen() -> None:
    store = Store()
    conversation_id = _chain(store, "Hi", "Hello!", "Name a fruit", "Apple", "And a colour?", "Red")
    apple = store.messages(conversation_id)[3]

    turn = chat_versions.begin_regenerate(
        store, apple.id, TurnContext(MODEL, "", SamplingSettings())
    )

    # The request holds the branch up to the user's message, not the old answer or what followed it.
    assert turn.request.messages == (
        ChatMessage("user", "Hi"),
        ChatMessage("assistant", "Hello!"),
        ChatMessage("user", "Name a fruit"),
    )
    store.update_message(turn.answer.id, "Banana", status="complete")
    assert _contents(store, conversation_id) == ["Hi", "Hello!", "Name a fruit", "Banana"]
    assert store.versions(conversation_id)[turn.answer.id].index == 2
    assert store.versions(conversation_id)[turn.answer.id].count == 2

    store.choose(apple.id)  # "‹": the first version, with the rest that followed it
    assert _contents(store, conversation_id) == ["Hi", "Hello!", "Name a fruit", "Apple", "And a colour?", "Red"]
    store.choose(turn.answer.id)
    assert _contents(store, conversation_id) == ["Hi", "Hello!", "Name a fruit", "Banana"]
    store.close()


def test_editing_a_message_makes_a_new_version_beside_it() -> None:
    store = Store()
    conversation_id = _chain(store, "Hi", "Hello!", "Name a fruit", "Apple")
    fruit = store.messages(conversation_id)[2]

    turn = chat_versions.begin_edit(
        store, fruit.id, "Name a vegetable", TurnContext(MODEL, "", SamplingSettings())
    )

    assert turn.request.messages[-1] == ChatMessage("user", "Name a vegetable")
    assert len(turn.request.messages) == 3
    store.update_message(turn.answer.id, "Leek", status="complete")
    assert _contents(store, conversation_id) == ["Hi", "Hello!", "Name a vegetable", "Leek"]
    versions = store.versions(conversation_id)
    assert (versions[turn.user_message.id].index, versions[turn.user_message.id].count) == (2, 2)
    assert versions[turn.user_message.id].previous_id == fruit.id
    # Editing the very first message works too: a second first message.
    first = store.messages(conversation_id)[0]
    again = chat_versions.begin_edit(store, first.id, "Hey", TurnContext(MODEL, "", SamplingSettings()))
    assert again.request.messages == (ChatMessage("user", "Hey"),)
    assert _contents(store, conversation_id) == ["Hey", ""]
    store.choose(first.id)
    assert _contents(store, conversation_id) == ["Hi", "Hello!", "Name a vegetable", "Leek"]
    # Nothing was erased: every version is still stored.
    assert len(store.all_messages(conversation_id)) == 8
    store.close()


def test_pinned_conversations_come_first() -> None:
    store = Store()
    old = store.create_conversation("Old")
    store.create_conversation("New")
    store.set_pinned(old.id, True)
    assert [c.title for c in store.conversations()] == ["Old", "New"]
    assert store.conversation(old.id).pinned
    store.set_pinned(old.id, False)
    assert [c.title for c in store.conversations()] == ["New", "Old"]
    store.close()


def test_a_title_the_user_chose_is_never_replaced_by_an_automatic_one() -> None:
    store = Store()
    conversation = store.create_conversation()
    assert store.rename_conversation(conversation.id, "first words", by_user=False)
    assert store.rename_conversation(conversation.id, "Model's title", by_user=False)
    store.rename_conversation(conversation.id, "Mine")
    assert not store.rename_conversation(conversation.id, "Model's second title", by_user=False)
    assert store.conversation(conversation.id).title == "Mine"
    assert store.conversation(conversation.id).title_set_by_user
    store.close()


def test_search_finds_english_and_chinese_with_highlights() -> None:
    store = Store()
    english = _chain(store, "How do I bake sourdough bread?", "Feed the starter, then bake at 250 °C.")
    chinese = _chain(store, "请介绍一下北京的历史", "北京是中国的首都，有三千多年的历史。")
    store.rename_conversation(chinese, "北京旅行计划")

    hits = history_search.search(store, "SOURDOUGH")
    assert [(h.conversation_id, h.message_id is not None) for h in hits] == [(english, True)]
    assert hits[0].snippet[slice(*hits[0].highlights[0])].lower() == "sourdough"

    three = history_search.search(store, "的历史")  # three characters: the trigram index
    assert {h.message_id for h in three} == {m.id for m in store.messages(chinese)}
    one = history_search.search(store, "京")  # one character: LIKE
    assert {h.message_id for h in one} == {None, *(m.id for m in store.messages(chinese))}
    title_hit = next(h for h in one if h.message_id is None)
    assert title_hit.conversation_title == "北京旅行计划"
    assert title_hit.snippet[slice(*title_hit.highlights[0])] == "京"
    assert history_search.search(store, "首都 三千") != []  # every word, mixed lengths
    assert history_search.search(store, "首都 巴黎") == []
    assert history_search.search(store, "bread", exclude={english}) == []
    store.close()


def test_the_index_follows_edits_and_deletes() -> None:
    store = Store()
    conversation_id = _chain(store, "alpha beta")
    message = store.messages(conversation_id)[0]
    store.update_message(message.id, "gamma delta")
    assert history_search.search(store, "alpha") == []
    assert [h.message_id for h in history_search.search(store, "gamma")] == [message.id]
    store.delete_conversation(conversation_id)
    assert history_search.search(store, "gamma") == []
    store.close()


def test_a_search_result_in_another_version_is_put_on_screen() -> None:
    store = Store()
    conversation_id = _chain(store, "Name a fruit", "Apple")
    apple = store.messages(conversation_id)[1]
    turn = chat_versions.begin_regenerate(store, apple.id, TurnContext(MODEL, "", SamplingSettings()))
    store.update_message(turn.answer.id, "Banana", status="complete")
    hit = history_search.search(store, "Apple")[0]
    assert hit.message_id == apple.id
    store.show_message(apple.id)
    assert _contents(store, conversation_id) == ["Name a fruit", "Apple"]
    store.close()


def test_a_message_taken_back_leaves_the_branch_ending_where_it_was(tmp_path: Path) -> None:
    store = Store(tmp_path / "history.db")
    c = store.create_conversation()
    store.add_message(c.id, "user", "My name is Zorblax.")
    answer = store.add_message(c.id, "assistant", "Hello Zorblax!")
    paste = store.add_message(c.id, "user", "a paste far too long")
    empty = store.add_message(c.id, "assistant", "", status="streaming")
    store.delete_message(empty.id)
    store.delete_message(paste.id)
    assert [m.content for m in store.messages(c.id)] == ["My name is Zorblax.", "Hello Zorblax!"]
    later = store.add_message(c.id, "user", "What is my name?")
    assert later.parent_id == answer.id
    assert [m.content for m in store.messages(c.id)][-1] == "What is my name?"


def test_a_short_word_is_found_and_highlighted_only_as_a_whole_word() -> None:
    store = Store()
    number = _chain(store, "What is 975 times 2?", "It is 1950.")
    days = _chain(store, "Plan 7 days in Rome", "Day 7: the Vatican; 7th day rest.")

    hits = history_search.search(store, "7")  # one character: LIKE, then whole words only

    assert {h.conversation_id for h in hits} == {days}, "the 7 inside 975 is not a match"
    for hit in hits:
        assert hit.highlights, "every hit shows what matched"
        assert all(hit.snippet[a:b] == "7" for a, b in hit.highlights)
        for a, b in hit.highlights:
            assert not (hit.snippet[a - 1 : a].isalnum() or hit.snippet[b : b + 1].isalnum())
    answer = next(h for h in hits if h.snippet.startswith("Day 7"))
    assert len(answer.highlights) == 1, "the 7 of “7th” is part of a word"
    # Three characters or more: the trigram index finds them inside words, and they are highlighted so.
    inside = history_search.search(store, "975")
    assert [h.conversation_id for h in inside] == [number]
    assert inside[0].snippet[slice(*inside[0].highlights[0])] == "975"
    # Chinese does not space its words: one character inside a run of them is a match.
    assert history_search.snippet("北京是中国的首都", ["京"], ["京"])[1] == ((1, 2),)
    store.close()


def test_a_snippet_highlights_only_what_it_shows_whole() -> None:
    text = "x" * 200 + " 7 " + "y" * 200
    shown, spans = history_search.snippet(text, ["7"], ["7"])
    assert [shown[a:b] for a, b in spans] == ["7"]
    assert shown.startswith("…") and shown.endswith("…")
