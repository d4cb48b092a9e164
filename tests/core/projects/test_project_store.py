"""Projects on the real history database: the migration, create and edit, archive, move in and out,
delete with the chats kept or deleted, a new chat's defaults, export → import, and recovery."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from app.core import paths
from app.core.errors import ProjectNameError
from app.core.history import dbfile, exchange
from app.core.history.store import Store, open_store
from app.core.history.types import LibraryChoice
from app.core.personas.book import PersonaBook
from app.core.projects.project import ProjectDraft
from app.core.projects.store import ProjectStore
from tests.core.store_helpers import fill, garble_messages, make_version_1_history


def test_an_older_history_gains_the_projects_table_and_column_with_their_indexes(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    make_version_1_history(path)
    store = Store(path)
    with store.reading() as db:
        columns = {row[1] for row in db.execute("PRAGMA table_info(conversations)")}
        indexes = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        version = db.execute("PRAGMA user_version").fetchone()[0]
    assert "project_id" in columns
    assert {"conversations_by_project", "projects_by_name"} <= indexes
    assert version == dbfile.SCHEMA_VERSION
    assert all(c.project_id is None for c in store.conversations())  # old chats stay in the main list
    store.close()


def test_create_edit_rename_archive_and_names_that_clash() -> None:
    store = Store()
    projects = ProjectStore(store)
    made = projects.create(ProjectDraft("  Garden  plans ", "Answer as a gardener.", folders=("/docs/garden",)))
    assert (made.name, made.instructions, made.folders, made.archived) == ("Garden plans", "Answer as a gardener.",
                                                                          ("/docs/garden",), False)  # fmt: skip
    with pytest.raises(ProjectNameError):
        projects.create(ProjectDraft("garden PLANS"))
    with pytest.raises(ProjectNameError):
        projects.create(ProjectDraft("   "))
    other = projects.create(ProjectDraft("Allotment"))
    assert [p.name for p in projects.all()] == ["Allotment", "Garden plans"]
    projects.rename(other.id, "Zinnias")
    projects.set_archived(made.id, True)
    assert [(p.name, p.archived) for p in projects.all()] == [("Zinnias", False), ("Garden plans", True)]
    projects.set_archived(made.id, False)
    assert not projects.get(made.id).archived
    assert projects.find("zinnias").id == other.id and projects.find(str(made.id)).id == made.id
    store.close()


def test_a_chat_moves_in_and_out_and_deleting_keeps_or_deletes_the_chats() -> None:
    store = Store()
    projects = ProjectStore(store)
    kept = projects.create(ProjectDraft("Kept", folders=("/docs/a",)))
    gone = projects.create(ProjectDraft("Gone"))
    first, second, third = (store.create_conversation(title) for title in ("one", "two", "three"))
    store.add_message(first.id, "user", "hello")
    projects.move(first.id, kept.id)
    projects.move(second.id, kept.id)
    projects.move(third.id, gone.id)
    assert store.conversation(first.id).project_id == kept.id
    assert store.library_choice(first.id) == LibraryChoice(True, ("/docs/a",))  # the project's folders
    projects.move(second.id, None)
    assert store.conversation(second.id).project_id is None
    assert projects.conversation_ids(kept.id) == [first.id]

    assert projects.delete(kept.id, "keep_chats") == []
    assert store.conversation(first.id).project_id is None  # back in the main list, messages and all
    assert [m.content for m in store.messages(first.id)] == ["hello"]
    assert projects.delete(gone.id, "delete_chats") == [third.id]
    assert {c.id for c in store.conversations()} == {first.id, second.id}
    assert projects.all() == []
    store.close()


def test_a_new_chat_in_a_project_takes_its_persona_model_and_folders() -> None:
    store = Store()
    projects = ProjectStore(store)
    tutor = PersonaBook(store).find("Tutor")
    project = projects.create(ProjectDraft("Maths", "Use metric units.", tutor.id, "SmolLM2", ("/docs/maths",)))
    chat = projects.new_conversation(project.id)
    assert (chat.project_id, chat.persona_id, chat.model_name) == (project.id, tutor.id, "SmolLM2")
    assert store.library_choice(chat.id) == LibraryChoice(True, ("/docs/maths",))
    # Editing the folders moves the chats still on the old default; a chat's own choice stays.
    own = projects.new_conversation(project.id)
    store.set_library_choice(own.id, LibraryChoice(False, None))
    projects.update(project.id, ProjectDraft("Maths", "Use metric units.", tutor.id, "SmolLM2", ("/docs/b",)))
    assert store.library_choice(chat.id) == LibraryChoice(True, ("/docs/b",))
    assert store.library_choice(own.id) == LibraryChoice(False, None)
    store.close()


def test_export_then_import_keeps_the_projects_and_who_is_in_them(tmp_path: Path) -> None:
    store = Store()
    projects = ProjectStore(store)
    tutor = PersonaBook(store).find("Tutor")
    project = projects.create(ProjectDraft("Maths", "Use metric units.", tutor.id, "SmolLM2", ("/docs/maths",)))
    projects.create(ProjectDraft("Empty"))
    inside = projects.new_conversation(project.id)
    store.add_message(inside.id, "user", "What is a metre?")
    store.rename_conversation(inside.id, "What is a metre?")
    outside = store.create_conversation("outside")
    store.add_message(outside.id, "user", "Hi")
    text = exchange.export_json(store)
    store.close()
    document = json.loads(text)
    assert [p["name"] for p in document["projects"]] == ["Maths", "Empty"]

    other = Store(tmp_path / "other.sqlite3")
    report = exchange.import_document(other, json.loads(text), tmp_path / "x.json")
    assert report.imported == 2
    moved = ProjectStore(other)
    [maths, empty] = sorted(moved.all(), key=lambda p: p.name != "Maths")
    assert (maths.instructions, maths.persona_id, maths.model_name, maths.folders, empty.name) == (
        "Use metric units.", PersonaBook(other).find("Tutor").id, "SmolLM2", ("/docs/maths",), "Empty")
    by_title = {c.title: c for c in other.conversations()}
    assert by_title["What is a metre?"].project_id == maths.id and by_title["outside"].project_id is None
    assert exchange.export_json(other) == text  # export → import → export: the same bytes
    # A second import adds no second project: the same uuid is the same project.
    exchange.import_document(other, json.loads(text), tmp_path / "x.json", on_conflict="copy")
    assert len(moved.all()) == 2 and len(moved.conversation_ids(maths.id)) == 2
    other.close()


def test_a_recovery_salvages_projects_and_membership_added_after_the_last_backup() -> None:
    store = Store()
    projects = ProjectStore(store)
    old = projects.create(ProjectDraft("Old", "Be old."))
    old_chat = projects.new_conversation(old.id)
    fill(store, 30, 40, size=400)
    store.backup()
    new = projects.create(ProjectDraft("New", "Be new.", folders=("/docs",)))
    new_chat = projects.new_conversation(new.id)
    store.add_message(new_chat.id, "user", "after the backup")
    projects.move(old_chat.id, new.id)
    store.close()
    garble_messages(paths.database_path())

    recovered, report = open_store()
    assert report is not None and report.backup_path is not None
    found = ProjectStore(recovered)
    assert [(p.name, p.instructions, p.folders) for p in found.all()] == [("New", "Be new.", ("/docs",)),
                                                                           ("Old", "Be old.", ())]  # fmt: skip
    assert recovered.conversation(new_chat.id).project_id == new.id
    # The merge takes a conversation's row from the damaged file only when it is newer (updated_at), and
    # a move is not activity: the chat the backup has stays where the backup has it (as a rename does).
    assert recovered.conversation(old_chat.id).project_id == old.id
    recovered.close()
    db = sqlite3.connect(paths.database_path())
    assert db.execute("SELECT count(*) FROM projects").fetchone()[0] == 2
    db.close()
