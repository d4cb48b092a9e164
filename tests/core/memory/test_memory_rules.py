"""Memory without a model: the store, the merge and replace rules fed a parsed extraction, the commands,
the bounded block, and memories through export → import and a recovery."""

from __future__ import annotations

import json
import time

from app.core import paths
from app.core.documents.chunking import estimate
from app.core.history import exchange
from app.core.history.search import search
from app.core.history.store import Store, open_store
from app.core.memory import extraction, facts, keeping
from app.core.memory.block import BUDGET_TOKENS, HEADING, choose, memory_block
from app.core.memory.extraction import ExtractedFact, command
from app.core.memory.store import MemoryStore
from app.core.projects.project import ProjectDraft
from app.core.projects.store import ProjectStore
from tests.core.store_helpers import fill, garble_messages


def _said(memories: MemoryStore, store: Store, text: str) -> tuple[int, int]:
    conversation = store.create_conversation("chat")
    user = store.add_message(conversation.id, "user", text)
    answer = store.add_message(conversation.id, "assistant", "Noted.")
    del memories
    return user.id, answer.id


def test_a_parsed_fact_is_kept_only_when_confident_and_said_by_the_user() -> None:
    store = Store()
    memories = MemoryStore(store)
    text = "I'm vegetarian, so what should I cook tonight?"
    user_id, answer_id = _said(memories, store, text)
    extracted = [
        ExtractedFact("The user is vegetarian", 0.9),
        ExtractedFact("The user likes lasagne", 0.9),  # not in the user's words: the model's own idea
        ExtractedFact("The user cooks tonight", 0.2),  # below the threshold
    ]
    change = keeping.apply_facts(
        memories, extracted, user_text=text, conversation_id=1, message_id=user_id, answer_id=answer_id
    )
    assert [m.text for m in change.saved] == ["The user is vegetarian"]
    assert [m.text for m in memories.active()] == ["The user is vegetarian"]
    assert memories.active()[0].message_id == user_id
    assert [t for _, t in memories.of_answer(answer_id, "saved")] == ["The user is vegetarian"]


def test_the_same_fact_in_other_words_is_merged() -> None:
    store = Store()
    memories = MemoryStore(store)
    memories.add("I am vegetarian.", added_by_user=True)
    said = "As a vegetarian I wonder about protein."
    change = keeping.apply_facts(
        memories, [ExtractedFact("The user is a vegetarian.", 0.95)], user_text=said, conversation_id=None,
        message_id=None,
    )  # fmt: skip
    assert change.empty
    assert [m.text for m in memories.active()] == ["I am vegetarian."]


def test_a_contradicting_fact_replaces_the_old_one_and_undo_puts_it_back() -> None:
    """The 135M starter cannot judge contradiction: the rule is tested fed a parsed extraction, both as the
    model marks it (``replaces``) and by the model-independent same-attribute rule."""
    store = Store()
    memories = MemoryStore(store)
    leeds = memories.add("The user lives in Leeds.")
    pet = memories.add("The user has a cat called Tom.")
    said = "We moved last month, I live in York now."
    change = keeping.apply_facts(
        memories, [ExtractedFact("The user lives in York", 0.8)], user_text=said, conversation_id=None,
        message_id=None,
    )  # fmt: skip
    assert [m.text for m in memories.active()] == ["The user has a cat called Tom.", "The user lives in York"]
    assert [m.id for m in change.retired] == [leeds.id]
    assert memories.get(leeds.id).replaced_by == change.saved[0].id
    keeping.undo(memories, change)
    assert [m.text for m in memories.active()] == ["The user lives in Leeds.", "The user has a cat called Tom."]

    said = "I gave Tom away, I have a dog called Rex now."
    marked = keeping.apply_facts(
        memories, [ExtractedFact("The user has a dog called Rex", 0.9, replaces=(pet.id,))], user_text=said,
        conversation_id=None, message_id=None,
    )  # fmt: skip
    assert [m.id for m in marked.retired] == [pet.id]
    assert "The user has a cat called Tom." not in [m.text for m in memories.active()]


def test_remember_and_forget_are_honoured_without_the_model() -> None:
    assert command("Remember that I'm allergic to peanuts.") == extraction.MemoryCommand(
        "remember", "I'm allergic to peanuts"
    )
    assert command("please remember: my daughter is called Mia") == extraction.MemoryCommand(
        "remember", "my daughter is called Mia"
    )
    assert command("Don't forget that I work nights") == extraction.MemoryCommand("remember", "I work nights")
    assert command("Forget that I live in Leeds") == extraction.MemoryCommand("forget", "I live in Leeds")
    assert command("Stop remembering my address.") == extraction.MemoryCommand("forget", "my address")
    assert command("请记住我是素食者") == extraction.MemoryCommand("remember", "我是素食者")
    assert command("Do you remember the film we talked about?") is None
    assert command("What should I remember about Rome?") is None

    store = Store()
    memories = MemoryStore(store)
    keeping.apply_command(
        memories, command("Remember that I live in Leeds") or _no(), conversation_id=None, message_id=None
    )
    keeping.apply_command(memories, command("remember that I'm allergic to peanuts") or _no(), conversation_id=None,
                          message_id=None)  # fmt: skip
    assert [m.text for m in memories.active()] == ["I live in Leeds.", "I'm allergic to peanuts."]
    forgot = keeping.apply_command(memories, command("Forget that I live in Leeds") or _no(), conversation_id=None,
                                   message_id=None)  # fmt: skip
    assert [m.text for m in forgot.forgotten] == ["I live in Leeds."]
    assert [m.text for m in memories.active()] == ["I'm allergic to peanuts."]


def _no() -> extraction.MemoryCommand:
    raise AssertionError("not a command")


def test_the_block_stays_within_its_budget_with_a_thousand_memories() -> None:
    store = Store()
    memories = MemoryStore(store)
    with store.writing() as db:
        db.executemany(
            "INSERT INTO memories (text, created_at, updated_at) VALUES (?, ?, ?)",
            [(f"The user's friend number {n} is called Friend{n} and likes hiking.", n, n) for n in range(999)],
        )
    memories.add("The user is training for the Berlin marathon.")
    block = memory_block(memories, "Any tips for my marathon training this week?", BUDGET_TOKENS)
    assert estimate(block.text) <= BUDGET_TOKENS
    assert 0 < len(block.used) < 1000
    assert "The user is training for the Berlin marathon." in block.text  # the relevant one goes first
    few = choose(memories.active()[:3], "anything", BUDGET_TOKENS)
    assert len(few) == 3  # while few, all of them
    assert choose(memories.active(), "x", estimate(HEADING)) == []


def test_a_memory_scoped_to_a_project_is_used_only_there() -> None:
    store = Store()
    memories = MemoryStore(store)
    memories.add("The user writes in British English.")
    thesis = ProjectStore(store).create(ProjectDraft("Thesis"))
    memories.add("The thesis is about river ecology.", project_id=thesis.id)
    assert [m.text for m in memories.active()] == ["The user writes in British English."]
    assert len(memories.active(project_id=thesis.id)) == 2
    ProjectStore(store).delete(thesis.id, "keep_chats")  # the project's memories go with it
    assert [m.text for m in memories.active(project_id=thesis.id)] == ["The user writes in British English."]


def test_a_memory_survives_export_and_import_with_its_source() -> None:
    store = Store()
    memories = MemoryStore(store)
    user_id, _ = _said(memories, store, "I'm vegetarian.")
    conversation_id = store.message(user_id).conversation_id
    memories.add("The user is vegetarian.", conversation_id=conversation_id, message_id=user_id, confidence=0.5)
    memories.add("I live in Leeds.", added_by_user=True, project_id=ProjectStore(store).create(ProjectDraft("Home")).id)
    text = exchange.export_json(store)
    assert [m["text"] for m in json.loads(text)["memories"]] == ["The user is vegetarian.", "I live in Leeds."]
    store.close()
    paths.database_path().unlink()

    fresh = Store()
    path = paths.data_dir() / "export.json"
    exchange.write(path, text)
    report = exchange.import_file(fresh, path)
    assert report.memories == 2
    home = ProjectStore(fresh).find("Home")
    kept = MemoryStore(fresh).active(project_id=home.id)
    assert [m.text for m in kept] == ["The user is vegetarian.", "I live in Leeds."]
    assert fresh.message(kept[0].message_id or 0).content == "I'm vegetarian."
    assert kept[0].project_id is None and kept[1].project_id == home.id  # its project, by uuid
    assert exchange.export_json(fresh) == text  # export → import → export: the same bytes
    assert exchange.import_file(fresh, path, on_conflict="copy").memories == 0  # never doubled
    fresh.close()


def test_a_memory_saved_after_the_last_backup_survives_a_recovery() -> None:
    store = Store()
    memories = MemoryStore(store)
    memories.add("The user is vegetarian.", added_by_user=True)
    fill(store, 30, 40, size=400)
    store.backup()
    user_id, _ = _said(memories, store, "My daughter is called Mia.")
    memories.add("The user's daughter is called Mia.", conversation_id=store.message(user_id).conversation_id,
                 message_id=user_id, created_at=time.time())  # fmt: skip
    store.close()
    garble_messages(paths.database_path())

    recovered, report = open_store()
    assert report is not None and report.backup_path is not None
    kept = MemoryStore(recovered).active()
    assert [m.text for m in kept] == ["The user is vegetarian.", "The user's daughter is called Mia."]  # none doubled
    assert kept[1].message_id is None or recovered.message(kept[1].message_id).content == "My daughter is called Mia."
    recovered.close()


def test_temporary_conversations_are_never_listed_and_go_when_dropped() -> None:
    store = Store()
    memories = MemoryStore(store)
    kept = store.create_conversation("kept")
    temporary = store.create_conversation("temporary")
    memories.mark_temporary(temporary.id)
    assert [c.id for c in store.conversations()] == [kept.id]
    assert memories.drop_temporary(keep=temporary.id) == 0
    assert memories.drop_temporary() == 1
    assert store.messages(temporary.id) == []
    assert [c.id for c in store.conversations()] == [kept.id]


def test_facts_compare_by_normalised_words() -> None:
    assert facts.normalise("I'm  Sam!") == "i am sam"
    assert facts.same_subject("My name is Alex.", "The user's name is Sam")
    assert not facts.same_subject("My name is Sam", "my name is sam")
    assert facts.stated_in("The user works as a nurse", "I work as a nurse on nights")
    assert not facts.stated_in("The user lives in Lancashire", "I live in Leeds")


def test_search_never_finds_a_temporary_chat() -> None:
    store = Store()
    memories = MemoryStore(store)
    kept = store.create_conversation("Zebra notes")
    store.add_message(kept.id, "user", "zebra stripes")
    temporary = store.create_conversation("Zebra secret")
    store.add_message(temporary.id, "user", "zebra secret plans")
    memories.mark_temporary(temporary.id)
    assert {hit.conversation_id for hit in search(store, "zebra")} == {kept.id}
