"""The plain-Python schema check agrees with llama.cpp's converter, and the example instance follows its schema."""

from __future__ import annotations

import json

import pytest

from app.core.engine.json_schema import checked_schema, example
from app.core.engine.worker.generation import SchemaError, schema_grammar
from app.core.errors import JsonSchemaError

USABLE = [
    {"type": "object"},
    {},
    {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}, "required": ["name"]},
    {"type": "array", "items": {"type": "number"}, "minItems": 1, "maxItems": 3},
    {"enum": ["red", "green"]},
    {"type": ["string", "null"]},
    {"type": "string", "pattern": "^[a-z]+$"},
    {"type": "string", "format": "date"},
    {"anyOf": [{"type": "integer"}, {"type": "boolean"}]},
    {"$defs": {"p": {"type": "string"}}, "type": "object", "properties": {"p": {"$ref": "#/$defs/p"}}},
    {"type": "object", "additionalProperties": {"type": "integer"}},
    {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}]},
]
UNUSABLE = [
    {"type": "obj"},
    {"type": "object", "$ref": "#/nowhere"},
    {"$ref": "other.json#/x"},
    {"type": "string", "pattern": "[a-z]+"},
]


@pytest.mark.parametrize("schema", USABLE, ids=json.dumps)
def test_a_schema_the_check_passes_is_one_llama_cpp_turns_into_a_grammar(schema: dict[str, object]) -> None:
    checked_schema(json.dumps(schema))
    schema_grammar(json.dumps(schema))


@pytest.mark.parametrize("schema", UNUSABLE, ids=json.dumps)
def test_a_schema_the_check_refuses_is_one_llama_cpp_refuses_too(schema: dict[str, object]) -> None:
    with pytest.raises(JsonSchemaError):
        checked_schema(json.dumps(schema))
    with pytest.raises(SchemaError):
        schema_grammar(json.dumps(schema))


def test_the_example_has_every_property_with_a_value_of_its_type() -> None:
    schema = USABLE[2] | {"properties": USABLE[2]["properties"] | {"tags": USABLE[3], "colour": USABLE[4]}}  # type: ignore[operator]
    shown = example(checked_schema(json.dumps(schema)))
    assert set(shown) == {"name", "age", "tags", "colour"}
    assert isinstance(shown["name"], str) and isinstance(shown["age"], int) and shown["colour"] == "red"
    assert isinstance(shown["tags"], list) and all(isinstance(tag, float) for tag in shown["tags"])
