"""JSON Schemas that hold an answer: the check that a schema is one llama.cpp's converter takes, and an
example instance of it, both in plain Python.

``checked_schema`` mirrors what ``LlamaGrammar.from_json_schema`` (llama-cpp-python's
``SchemaConverter``) refuses or cannot express: a schema that is not a JSON object, an unknown
``type``, a ``$ref`` outside the schema (it never fetches), a ``pattern`` without ``^…$``, and
keywords whose values have the wrong shape. It is what the persona editor, the persona book and the
local API server check before a schema reaches the engine; the worker's own conversion stays the last
word (a schema that still fails there fails the answer with a sentence). ``example`` builds the kind
of answer a schema lets through, for the editor's preview.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from app.core.errors import (
    SCHEMA_BAD_KEYWORD,
    SCHEMA_BAD_PATTERN,
    SCHEMA_BAD_REF,
    SCHEMA_BAD_TYPE,
    SCHEMA_NOT_JSON,
    SCHEMA_NOT_OBJECT,
    JsonSchemaError,
)

TYPES = ("string", "number", "integer", "boolean", "object", "array", "null")
# The schema OpenAI's {"type": "json_object"} stands for: any JSON object.
ANY_OBJECT = '{"type": "object"}'
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_COUNTS = ("minItems", "maxItems", "minLength", "maxLength")
_FORMAT_EXAMPLES = {"date": "2026-01-31", "time": "12:00:00Z", "date-time": "2026-01-31T12:00:00Z"}


def checked_schema(text: str) -> dict[str, Any]:
    """The schema in ``text``, parsed; ``JsonSchemaError`` says, in one phrase, why llama.cpp could not use it."""
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as exc:
        raise JsonSchemaError(reason=SCHEMA_NOT_JSON.format(line=exc.lineno, column=exc.colno)) from exc
    if not isinstance(schema, dict):
        raise JsonSchemaError(reason=SCHEMA_NOT_OBJECT)
    for where, part in _parts(schema, "#"):
        _check_part(schema, where, part)
    return schema


def _parts(node: dict[str, Any], where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every subschema of ``node`` (itself first) with its JSON pointer; a misshapen one raises."""
    yield where, node
    for keyword in ("properties", "$defs", "definitions"):
        if keyword in node:
            children = node[keyword]
            if not isinstance(children, dict):
                raise _bad(keyword, where)
            for name, child in children.items():
                yield from _child(child, f"{where}/{keyword}/{name}", keyword, where)
    for keyword in ("items", "additionalProperties"):
        child = node.get(keyword)
        if isinstance(child, list) and keyword == "items":
            for index, item in enumerate(child):
                yield from _child(item, f"{where}/items/{index}", keyword, where)
        elif isinstance(child, dict):
            yield from _parts(child, f"{where}/{keyword}")
        elif child is not None and not isinstance(child, bool):
            raise _bad(keyword, where)
    for keyword in _SCHEMA_LISTS:
        if keyword in node:
            children = node[keyword]
            if not isinstance(children, list) or not children:
                raise _bad(keyword, where)
            for index, child in enumerate(children):
                yield from _child(child, f"{where}/{keyword}/{index}", keyword, where)


def _child(child: Any, pointer: str, keyword: str, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if not isinstance(child, dict):
        raise _bad(keyword, where)
    yield from _parts(child, pointer)


def _check_part(root: dict[str, Any], where: str, part: dict[str, Any]) -> None:
    kind = part.get("type")
    for value in kind if isinstance(kind, list) else [kind]:
        if value is not None and value not in TYPES:
            raise JsonSchemaError(reason=SCHEMA_BAD_TYPE.format(where=where, value=value))
    if isinstance(kind, list) and not kind:
        raise _bad("type", where)
    ref = part.get("$ref")
    if ref is not None and (not isinstance(ref, str) or _resolve(root, ref) is None):
        raise JsonSchemaError(reason=SCHEMA_BAD_REF.format(where=where))
    pattern = part.get("pattern")
    if pattern is not None and not (isinstance(pattern, str) and pattern.startswith("^") and pattern.endswith("$")):
        raise JsonSchemaError(reason=SCHEMA_BAD_PATTERN.format(where=where))
    if "enum" in part and not (isinstance(part["enum"], list) and part["enum"]):
        raise _bad("enum", where)
    required = part.get("required")
    if required is not None and not (isinstance(required, list) and all(isinstance(r, str) for r in required)):
        raise _bad("required", where)
    for keyword in _COUNTS:
        count = part.get(keyword)
        if count is not None and (not isinstance(count, int) or isinstance(count, bool) or count < 0):
            raise _bad(keyword, where)
    low, high = part.get("minItems", 0), part.get("maxItems")
    if high is not None and high < low:
        raise _bad("maxItems", where)
    low, high = part.get("minLength", 0), part.get("maxLength")
    if high is not None and high < low:
        raise _bad("maxLength", where)


def _bad(keyword: str, where: str) -> JsonSchemaError:
    return JsonSchemaError(reason=SCHEMA_BAD_KEYWORD.format(keyword=keyword, where=where))


def _resolve(root: dict[str, Any], ref: str) -> Any:
    """The part of ``root`` a local ``$ref`` ("#/…") names; None for any other ref or a missing part."""
    if ref == "#":
        return root
    if not ref.startswith("#/"):
        return None
    target: Any = root
    for step in ref[2:].split("/"):
        step = step.replace("~1", "/").replace("~0", "~")
        if not isinstance(target, dict) or step not in target:
            return None
        target = target[step]
    return target if isinstance(target, dict) else None


def example(schema: dict[str, Any]) -> Any:
    """An instance of a checked ``schema``: what an answer that follows it could look like."""
    return _example(schema, schema, 0)


def _example(root: dict[str, Any], part: dict[str, Any], depth: int) -> Any:
    if depth > 8:  # a schema that refers to itself: stop somewhere
        return None
    if "$ref" in part:
        return _example(root, _resolve(root, part["$ref"]) or {}, depth + 1)
    if "const" in part:
        return part["const"]
    if "enum" in part:
        return part["enum"][0]
    for keyword in ("anyOf", "oneOf"):
        if keyword in part:
            return _example(root, part[keyword][0], depth + 1)
    kind = part.get("type")
    if isinstance(kind, list):
        kind = kind[0]
    if "allOf" in part:
        merged: dict[str, Any] = {}
        for piece in part["allOf"]:
            value = _example(root, piece, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    if kind == "object" or (kind is None and "properties" in part):
        return {name: _example(root, child, depth + 1) for name, child in part.get("properties", {}).items()}
    if kind == "array" or (kind is None and ("items" in part or "prefixItems" in part)):
        items = part.get("prefixItems") or part.get("items") or {}
        if isinstance(items, list):
            return [_example(root, item, depth + 1) for item in items]
        return [_example(root, items, depth + 1) for _ in range(max(1, part.get("minItems", 0)))]
    if kind == "string" or (kind is None and ("pattern" in part or "format" in part)):
        return _FORMAT_EXAMPLES.get(part.get("format", ""), "…")
    return {"integer": 0, "number": 0.5, "boolean": True, "null": None}.get(kind or "", {})
