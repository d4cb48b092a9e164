"""An answer that must follow a JSON Schema: llama.cpp's grammar keeps the real starter model to it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from app.core.engine.protocol import ChatMessage, GenerationFailed, GenerationFinished
from tests.core.engine_helpers import request, running_engine, spec_for

SCHEMA = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
    "required": ["name", "age"],
    "additionalProperties": False,
}


def test_a_schema_answer_parses_and_has_the_fields_it_requires(starter_model: Path) -> None:
    ask = request(spec_for(starter_model), [ChatMessage("user", "Invent a person: their name and age.")])
    with running_engine() as (engine, log):
        engine.generate(replace(ask, json_schema=json.dumps(SCHEMA)))
        finished = log.collect_until((GenerationFinished, GenerationFailed))[-1]
    assert isinstance(finished, GenerationFinished), finished
    answer = json.loads(finished.text)
    assert set(answer) == {"name", "age"}
    assert isinstance(answer["name"], str) and isinstance(answer["age"], int)


def test_a_schema_llama_cpp_cannot_use_fails_the_answer_and_the_engine_goes_on(starter_model: Path) -> None:
    model = spec_for(starter_model)
    bad = replace(request(model, [ChatMessage("user", "Hi")]), json_schema='{"type": "object", "$ref": "#/nowhere"}')
    with running_engine() as (engine, log):
        engine.generate(bad)
        failed = log.collect_until((GenerationFinished, GenerationFailed))[-1]
        engine.generate(request(model, [ChatMessage("user", "Say hello.")]))
        after = log.collect_until((GenerationFinished, GenerationFailed))[-1]
    assert isinstance(failed, GenerationFailed) and "JSON Schema" in failed.reason
    assert isinstance(after, GenerationFinished) and after.text.strip()
