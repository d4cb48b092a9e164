"""Asking the loaded model for durable facts in the user's last message, and reading its answer.

The model gets only the user's message (never the answer: a fact the model said is not the user's)
and the memories it might contradict, numbered; it answers JSON held to ``SCHEMA`` by the engine
(llama.cpp's grammar, a server's ``response_format``). ``parse`` reads that answer; ``commands``
reads "remember that …" / "forget that …", which are honoured without the model.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from app.core.engine.protocol import ChatMessage, GenerationRequest, ModelSpec, SamplingSettings
from app.core.memory.types import Memory

CONFIDENCE_THRESHOLD = 0.5  # an extracted fact below this is not kept (the starter rates true facts 0.5)
MAX_FACTS = 3
MESSAGE_EXCERPT = 1200  # characters of the user's message the model reads
FACT_LENGTH = 160

SCHEMA = json.dumps(
    {
        "type": "object",
        "properties": {
            "facts": {
                "type": "array",
                "maxItems": MAX_FACTS,
                "items": {
                    "type": "object",
                    "properties": {
                        "fact": {"type": "string", "minLength": 3, "maxLength": FACT_LENGTH},
                        "confidence": {"type": "number"},
                        "replaces": {"type": "array", "maxItems": 3, "items": {"type": "integer"}},
                    },
                    "required": ["fact", "confidence", "replaces"],
                },
            }
        },
        "required": ["facts"],
    },
    sort_keys=True,
)
INSTRUCTION = (
    "You keep a short list of lasting facts about the user: their name, family, home, work, diet, health, "
    "preferences and plans. Read the user's message and list the new lasting facts the USER states about "
    "themselves, each as one short sentence starting with 'The user'. Leave out questions, requests, "
    "opinions about the topic, and anything only true today. For each fact give your confidence from 0 to 1, "
    "and in 'replaces' the numbers of the known facts it contradicts or makes out of date. If there are no "
    'such facts, answer {"facts": []}.'
)
SAMPLING = SamplingSettings(temperature=0.0, top_k=1, repeat_penalty=1.0, max_tokens=220, seed=1)


@dataclass(frozen=True)
class ExtractedFact:
    text: str
    confidence: float
    replaces: tuple[int, ...] = ()  # ids of known memories it contradicts


def extraction_request(user_text: str, known: Sequence[Memory], model: ModelSpec) -> GenerationRequest:
    """The request that asks ``model`` for the facts in ``user_text``; ``known`` are the memories it may replace."""
    lines = "\n".join(f"{memory.id}. {memory.text}" for memory in known) or "(none)"
    content = f"Known facts:\n{lines}\n\nThe user's message:\n{user_text[:MESSAGE_EXCERPT]}"
    messages = (ChatMessage("system", INSTRUCTION), ChatMessage("user", content))
    return GenerationRequest(uuid.uuid4().hex, model, messages, SAMPLING, json_schema=SCHEMA)


def parse(text: str, known_ids: Sequence[int] = ()) -> list[ExtractedFact]:
    """The facts of the model's JSON answer; malformed parts are left out (never an error: a small model
    that wrote nonsense saves nothing). ``replaces`` keeps only ids among ``known_ids``."""
    try:
        data = json.loads(text)
    except ValueError:
        return []
    items = data.get("facts") if isinstance(data, dict) else None
    facts: list[ExtractedFact] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("fact"), str):
            continue
        fact = " ".join(item["fact"].split())[:FACT_LENGTH]
        confidence = item.get("confidence")
        if not fact or not isinstance(confidence, int | float) or isinstance(confidence, bool):
            continue
        replaces = item.get("replaces")
        replaces = replaces if isinstance(replaces, list) else []
        ids = tuple(n for n in replaces if isinstance(n, int) and not isinstance(n, bool) and n in known_ids)
        facts.append(ExtractedFact(fact, max(0.0, min(1.0, float(confidence))), ids))
    return facts


# -- "remember that …" / "forget that …" --------------------------------------------------------


@dataclass(frozen=True)
class MemoryCommand:
    verb: str  # "remember" or "forget"
    text: str  # the fact, as the user put it


_POLITE = r"(?:(?:please|pls|ok|okay|hey)[,\s]+)?(?:(?:can|could|would) you\s+)?(?:please\s+)?"
_AFTER = r"(?:\s*[:,]\s*|\s+)"
_COMMANDS = (
    ("forget", re.compile(
        rf"^\s*{_POLITE}(?:forget|stop remembering|don'?t remember|do not remember){_AFTER}(?:that\s+|about\s+)?(.+)$",
        re.IGNORECASE | re.DOTALL)),
    ("remember", re.compile(
        rf"^\s*{_POLITE}(?:remember|don'?t forget|do not forget|keep in mind|note){_AFTER}(?:that\s+)?(.+)$",
        re.IGNORECASE | re.DOTALL)),
    ("forget", re.compile(r"^\s*(?:请)?(?:忘掉|忘记|不要记住|别记住)\s*[:：，,]?\s*(.+)$", re.DOTALL)),
    ("remember", re.compile(r"^\s*(?:请)?(?:记住|记得|别忘了)\s*[:：，,]?\s*(.+)$", re.DOTALL)),
)  # fmt: skip


def command(text: str) -> MemoryCommand | None:
    """The memory command a message opens with ("Remember that I'm vegetarian", "forget that I live in
    Leeds", "请记住…"), or None. Only the first sentence counts, and only when it is short."""
    first = re.split(r"(?<=[.!?。！？])\s+|\n", text.strip(), maxsplit=1)[0]
    if len(first) > 200:
        return None
    for verb, pattern in _COMMANDS:
        found = pattern.match(first)
        if found is not None:
            fact = found.group(1).strip().rstrip(".!。！").strip()
            if fact and not fact.endswith("?"):
                return MemoryCommand(verb, fact)
    return None


def as_fact(said: str) -> str:
    """The user's own words as a memory: "I'm vegetarian" stays theirs, with a capital and a full stop."""
    text = said.strip().rstrip(".。")
    if not text:
        return text
    return (text[0].upper() + text[1:]) + ("。" if re.search(r"[\u3400-\u9fff]$", text) else ".")
