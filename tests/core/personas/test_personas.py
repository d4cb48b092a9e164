"""Personas in the history: built-ins, the user's own, the settings they replace, and the JSON format."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from app.core.config import settings as settings_module
from app.core.config.settings import DEFAULT_SYSTEM_PROMPT, Settings, SettingsStore
from app.core.engine.protocol import SamplingSettings
from app.core.errors import BuiltinPersonaError, PersonaFileError, PersonaInvalidError
from app.core.history.store import SCHEMA_VERSION, Store
from app.core.personas.book import PersonaBook, migrate_settings
from app.core.personas.persona import (
    FORMAT,
    TARGET_PLACEHOLDER,
    VERSION,
    display_name,
    final_system_prompt,
    shipped_builtins,
    target_language,
    validate,
)
from tests.core.store_helpers import make_version_1_history

BUILTINS = ("general", "translator", "writer", "tutor", "coder", "precise")


@pytest.fixture
def book() -> PersonaBook:
    return PersonaBook(Store())


def test_the_built_ins_ship_in_english_and_chinese_and_general_assistant_is_the_default(book: PersonaBook) -> None:
    assert tuple(p.builtin for p in book.all()) == BUILTINS
    general = book.default()
    assert general.name == "General assistant" and general.system_prompt == DEFAULT_SYSTEM_PROMPT
    assert display_name(general, "zh_CN") == "通用助手"
    for shipped in shipped_builtins().values():
        assert shipped.names["zh_CN"] != shipped.names["en"] and shipped.descriptions["zh_CN"]
    assert book.find("翻译").builtin == "translator" and book.find("translator").name == "Translator"


def test_an_older_history_is_migrated_and_gets_the_built_ins(parley_home: Path) -> None:
    path = parley_home / "parley.sqlite3"
    make_version_1_history(path)
    store = Store(path)
    assert int(sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0]) == SCHEMA_VERSION
    book = PersonaBook(store)
    conversation = store.conversations()[0]
    assert conversation.persona_id is None and book.for_conversation(conversation).builtin == "general"


def test_an_edited_system_prompt_and_sampling_in_old_settings_become_general_assistant() -> None:
    old = Settings(system_prompt="Always answer like a pirate.", sampling=SamplingSettings(temperature=0.2, seed=7))
    settings_module.save(old)
    settings = SettingsStore()
    book = PersonaBook(Store())
    assert migrate_settings(book, settings)
    general = book.default()
    assert general.system_prompt == "Always answer like a pirate."
    assert general.sampling.temperature == 0.2 and general.sampling.seed == 7
    # Done once: the settings file now holds the defaults, so a second start changes nothing.
    assert settings_module.load().system_prompt == DEFAULT_SYSTEM_PROMPT
    assert not migrate_settings(book, SettingsStore())
    assert book.default().system_prompt == "Always answer like a pirate."


def test_untouched_settings_leave_general_assistant_as_shipped(book: PersonaBook) -> None:
    assert not migrate_settings(book, SettingsStore())
    assert book.default() == replace(shipped_builtins()["general"].persona, id=book.default().id)


def test_create_duplicate_edit_and_delete_a_persona(book: PersonaBook) -> None:
    pirate = book.create(replace(book.default(), name="Pirate", system_prompt="Talk like a pirate.", icon="🏴‍☠️"))
    assert pirate.builtin is None and book.find("pirate").id == pirate.id
    copy = book.duplicate(pirate.id or 0)
    assert copy.name == "Pirate (copy)" and copy.system_prompt == "Talk like a pirate."
    edited = book.update(replace(copy, name="Sea captain", sampling=replace(copy.sampling, stop=("Arr",))))
    assert book.get(edited.id or 0).sampling.stop == ("Arr",)
    book.delete(edited.id or 0)
    assert [p.name for p in book.all() if p.builtin is None] == ["Pirate"]


def test_a_built_in_can_be_edited_and_reset_but_not_deleted(book: PersonaBook) -> None:
    tutor = book.find("Tutor")
    book.update(replace(tutor, system_prompt="Just give the answer.", sampling=replace(tutor.sampling, top_k=3)))
    assert book.find("Tutor").system_prompt == "Just give the answer."
    with pytest.raises(BuiltinPersonaError, match="Tutor ships with Parley"):
        book.delete(tutor.id or 0)
    reset = book.reset(tutor.id or 0)
    assert reset == replace(shipped_builtins()["tutor"].persona, id=tutor.id)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "  "}, "name"),
        ({"sampling": SamplingSettings(temperature=9.0)}, "temperature"),
        ({"sampling": SamplingSettings(top_p=1.5)}, "top_p"),
        ({"sampling": SamplingSettings(max_tokens=0)}, "max_tokens"),
        ({"sampling": SamplingSettings(stop=("",))}, "stop"),
        ({"n_ctx": 10}, "context length"),
        ({"overflow": "explode"}, "overflow"),
    ],
)
def test_invalid_values_are_refused_with_the_field_named(
    book: PersonaBook, change: dict[str, object], field: str
) -> None:
    with pytest.raises(PersonaInvalidError) as caught:
        book.create(replace(book.default(), **change))  # type: ignore[arg-type]
    assert f"The persona's {field} is not valid" in caught.value.user_message()


def test_export_and_import_round_trip_through_the_documented_format(book: PersonaBook, tmp_path: Path) -> None:
    mine = book.create(
        replace(
            book.find("Coder"),
            name="Rustacean",
            system_prompt="Answer in Rust.",
            n_ctx=2048,
            overflow="stop",
            sampling=SamplingSettings(seed=3, stop=("END",)),
            uses_about_you=False,
            min_parameters=7_000_000_000,
            look_inside=True,
        )
    )
    path = tmp_path / "personas.json"
    book.export_file(path, [mine])
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == FORMAT and data["version"] == VERSION
    assert data["personas"][0]["context_length"] == 2048 and data["personas"][0]["sampling"]["stop"] == ["END"]
    assert data["personas"][0]["uses_about_you"] is False and data["personas"][0]["min_parameters"] == 7_000_000_000
    assert data["personas"][0]["look_inside"] is True
    (imported,) = book.import_file(path)
    assert imported.name == "Rustacean (2)"  # the name was taken
    assert replace(imported, id=None, name="Rustacean") == replace(mine, id=None)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("not json", "it is not JSON"),
        ('{"personas": []}', "it is not a Parley personas file"),
        (f'{{"format": "{FORMAT}", "version": 99, "personas": []}}', "newer Parley"),
        (
            f'{{"format": "{FORMAT}", "version": 1, "personas": [{{"name": "X", "sampling": {{"temp": 1}}}}]}}',
            "persona 1: The persona's temp is not valid",
        ),
        (
            f'{{"format": "{FORMAT}", "version": 1, "personas": [{{"name": "X", "sampling": {{"top_k": "many"}}}}]}}',
            "top_k",
        ),
    ],
)
def test_a_malformed_file_is_refused_and_nothing_is_imported(
    book: PersonaBook, tmp_path: Path, content: str, reason: str
) -> None:
    before = book.all()
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PersonaFileError) as caught:
        book.import_file(path)
    assert reason in caught.value.user_message()
    assert book.all() == before


def test_about_you_is_added_to_every_personas_prompt_that_uses_it_only_when_switched_on(book: PersonaBook) -> None:
    about = "I am a nurse in Shanghai; answer in simple English."
    for persona in book.all():
        off = final_system_prompt(persona, Settings(about_you=about, language="en"))
        on = final_system_prompt(persona, Settings(about_you=about, about_you_enabled=True, language="en"))
        assert about not in off
        if persona.uses_about_you:
            assert on.startswith(off) and on.endswith(about)
        else:  # a translation or a rewrite of the user's text: About you would leak into it
            assert on == off, persona.builtin


def test_the_translator_and_the_writing_partner_leave_about_you_out_and_the_translator_needs_1b(
    book: PersonaBook,
) -> None:
    assert [p.builtin for p in book.all() if not p.uses_about_you] == ["translator", "writer"]
    assert book.find("Translator").min_parameters == 1_000_000_000
    assert all(p.min_parameters is None for p in book.all() if p.builtin != "translator")
    mine = book.create(replace(book.default(), name="Rewriter", uses_about_you=False, min_parameters=3_000_000_000))
    assert book.get(mine.id or 0) == mine
    assert book.update(replace(mine, uses_about_you=True)).uses_about_you


@pytest.mark.parametrize(
    ("field", "value"), [("uses_about_you", "yes"), ("min_parameters", -1), ("look_inside", "always")]
)
def test_about_you_use_and_minimum_size_are_validated(book: PersonaBook, field: str, value: object) -> None:
    with pytest.raises(PersonaInvalidError):
        validate(replace(book.default(), **{field: value}))  # type: ignore[arg-type]
    item = {"name": "X", field: value}
    path_content = {"format": FORMAT, "version": VERSION, "personas": [item]}
    with pytest.raises(PersonaFileError):
        book.import_json(path_content)


def test_a_personas_file_without_the_about_you_field_reads_as_using_it(book: PersonaBook) -> None:
    (imported,) = book.import_json(
        {"format": FORMAT, "version": 1, "personas": [{"name": "Old", "system_prompt": "Hi"}]}
    )
    assert imported.uses_about_you and imported.min_parameters is None
    assert not imported.look_inside  # nor does it look inside every answer


def test_a_persona_that_looks_inside_every_answer_keeps_the_choice(book: PersonaBook) -> None:
    assert not any(p.look_inside for p in book.all())  # off for every built-in
    mine = book.create(replace(book.default(), name="Curious", look_inside=True))
    assert book.get(mine.id or 0).look_inside
    assert not book.update(replace(mine, look_inside=False)).look_inside
    duplicate = book.duplicate(book.update(replace(mine, look_inside=True)).id or 0)
    assert duplicate.look_inside


def test_a_built_ins_unedited_prompt_follows_the_interface_language_and_an_edited_one_stays(book: PersonaBook) -> None:
    general = book.default()
    chinese = final_system_prompt(general, Settings(language="zh_CN"))
    assert chinese.startswith("你是 Parley") and chinese == shipped_builtins()["general"].system_prompts["zh_CN"]
    assert final_system_prompt(general, Settings(language="en")) == general.system_prompt
    edited = book.update(replace(general, system_prompt="Always answer in verse."))
    assert final_system_prompt(edited, Settings(language="zh_CN")) == "Always answer in verse."
    translator = book.find("Translator")
    assert "翻译成英语" in final_system_prompt(translator, Settings(language="zh_CN"), "你好")
    assert "翻译成中文" in final_system_prompt(translator, Settings(language="zh_CN"), "Good morning")
    for shipped in shipped_builtins().values():  # every built-in ships a Chinese prompt
        assert shipped.system_prompts["zh_CN"] != shipped.persona.system_prompt
        assert (TARGET_PLACEHOLDER in shipped.system_prompts["zh_CN"]) == (
            TARGET_PLACEHOLDER in shipped.persona.system_prompt
        )


def test_an_older_history_gets_the_about_you_and_size_fields_with_the_translator_set(parley_home: Path) -> None:
    path = parley_home / "parley.sqlite3"
    make_version_1_history(path)
    db = sqlite3.connect(path)
    try:  # an older Parley's personas table, with its translator, before migration 8
        Store(path).close()
        db.execute("UPDATE personas SET uses_about_you = 1, min_parameters = NULL")
        db.execute("PRAGMA user_version = 7")
        db.execute("ALTER TABLE personas DROP COLUMN uses_about_you")
        db.execute("ALTER TABLE personas DROP COLUMN min_parameters")
        for table in ("message_attachments", "message_documents", "answer_citations", "answer_document_notes",
                      "conversation_library"):  # fmt: skip
            db.execute(f"DROP TABLE {table}")  # migration 9's, after 8
        # migration 10's (projects), after 8 as well
        db.execute("DROP INDEX conversations_by_project")
        db.execute("ALTER TABLE conversations DROP COLUMN project_id")
        db.execute("DROP TABLE projects")
        db.execute("DROP TRIGGER answer_tokens_edited")  # migration 11's (look inside)
        db.execute("DROP TRIGGER answer_tokens_rethought")  # and 15's, which needs that table
        db.execute("DROP TABLE answer_tokens")
        for table in ("memories", "answer_memories", "temporary_conversations"):  # migration 12's
            db.execute(f"DROP TABLE {table}")
        db.execute("ALTER TABLE messages DROP COLUMN speculation")  # migration 13's
        db.execute("ALTER TABLE personas DROP COLUMN json_schema")  # migration 14's
        db.execute("ALTER TABLE personas DROP COLUMN look_inside")  # migration 15's (its answer_tokens go with 11's)
        db.commit()
    finally:
        db.close()
    book = PersonaBook(Store(path))
    translator = book.find("Translator")
    assert not translator.uses_about_you and translator.min_parameters == 1_000_000_000
    assert book.default().uses_about_you and not translator.look_inside


def test_the_translators_target_language_follows_the_text_unless_chosen(book: PersonaBook) -> None:
    translator = book.find("Translator")
    assert target_language(translator, "你好，世界") == "English"
    assert target_language(translator, "Good morning") == "Chinese"
    french = replace(translator, target_language="French")
    assert "into French" in final_system_prompt(french, Settings(), "你好")
    assert "{target_language}" not in final_system_prompt(translator, Settings(), "hi")
