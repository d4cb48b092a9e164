"""A persona's JSON Schema: checked before it is stored, kept in the history, and carried by export and import."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from app.core.errors import PersonaFileError, PersonaInvalidError
from app.core.history.store import Store
from app.core.personas.book import PersonaBook

SCHEMA = {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]}


@pytest.fixture
def book() -> PersonaBook:
    return PersonaBook(Store())


@pytest.mark.parametrize(
    ("schema", "reason"),
    [
        ('{"type": "object",', "it is not JSON (line 1, column 19)"),
        ('["object"]', "it must be a JSON object"),
        ('{"type": "obj"}', "the type at # is “obj”"),
        ('{"properties": {"a": {"$ref": "#/$defs/missing"}}}', "the $ref at #/properties/a does not point"),
        ('{"type": "string", "pattern": "[a-z]+"}', "the pattern at # must start with ^ and end with $"),
    ],
)
def test_a_schema_llama_cpp_could_not_use_is_refused_with_a_sentence(
    book: PersonaBook, schema: str, reason: str
) -> None:
    with pytest.raises(PersonaInvalidError) as refused:
        book.create(replace(book.default(), name="Strict", json_schema=schema))
    message = refused.value.user_message()
    assert message.startswith("The persona's JSON Schema is not valid: ") and reason in message
    assert "Strict" not in {p.name for p in book.all()}


def test_the_schema_is_stored_and_read_back_and_an_empty_one_means_free_text(book: PersonaBook) -> None:
    mine = book.create(replace(book.default(), name="Strict", json_schema=f"  {json.dumps(SCHEMA)}\n"))
    assert json.loads(book.get(mine.id or 0).json_schema) == SCHEMA
    cleared = book.update(replace(mine, json_schema=""))
    assert cleared.json_schema == "" and book.default().json_schema == ""


def test_export_carries_the_schema_as_json_and_import_brings_it_back(book: PersonaBook, tmp_path: Path) -> None:
    mine = book.create(replace(book.default(), name="Strict", json_schema=json.dumps(SCHEMA)))
    path = tmp_path / "strict.json"
    book.export_file(path, [mine, book.default()])
    exported = json.loads(path.read_text(encoding="utf-8"))["personas"]
    assert exported[0]["json_schema"] == SCHEMA  # an object in the file, readable and editable as JSON
    assert "json_schema" not in exported[1]  # a free-text persona's entry is as before
    assert "logit_bias" not in exported[0]["sampling"]  # a request's setting, not a persona's
    imported = book.import_file(path)
    assert json.loads(imported[0].json_schema) == SCHEMA and imported[1].json_schema == ""


def test_an_import_with_a_schema_llama_cpp_could_not_use_is_refused_whole(book: PersonaBook, tmp_path: Path) -> None:
    before = len(book.all())
    path = tmp_path / "bad.json"
    entries = [{"name": "Fine"}, {"name": "Bad", "json_schema": {"type": "obj"}}]
    path.write_text(json.dumps({"format": "parley-personas", "version": 1, "personas": entries}), encoding="utf-8")
    with pytest.raises(PersonaFileError) as refused:
        book.import_file(path)
    assert "persona 2: The persona's JSON Schema is not valid" in refused.value.user_message()
    assert len(book.all()) == before
