"""A persona: the type, its JSON, its checks, the built-ins as shipped, and the one place that builds the
system prompt a model gets from it (``final_system_prompt``: a built-in's unedited prompt in the interface's
language, and "About you" only for a persona that uses it). A persona may hold its answers to a JSON
Schema (``json_schema``, checked by ``app.core.engine.json_schema``), and have every answer looked inside
(``look_inside``: its tokens' probabilities, app.core.session.auto_inside). The export format is versioned
(``FORMAT``/``VERSION``, see the README)."""

from __future__ import annotations

import json
import locale
import logging
import os
import unicodedata
from dataclasses import asdict, dataclass, field, fields, replace
from functools import cache
from pathlib import Path
from typing import Any, Literal

from app.core import paths
from app.core.config.settings import Settings
from app.core.engine.json_schema import checked_schema
from app.core.engine.protocol import SamplingSettings
from app.core.errors import JsonSchemaError, PersonaInvalidError

log = logging.getLogger("app.personas")

BUILTINS_PATH = paths.resource_path("personas.json")
FORMAT = "parley-personas"
VERSION = 1
DEFAULT_BUILTIN = "general"
TARGET_PLACEHOLDER = "{target_language}"
Overflow = Literal["", "drop_oldest", "stop"]
OVERFLOWS: tuple[str, ...] = ("", "drop_oldest", "stop")
# What the Translator's one-click control offers ("" picks from the text: English for Chinese, else Chinese).
TARGET_LANGUAGES: tuple[str, ...] = ("", "English", "Chinese", "French", "German", "Spanish", "Japanese")


@dataclass(frozen=True)
class Persona:
    name: str
    icon: str = ""
    description: str = ""
    system_prompt: str = ""
    sampling: SamplingSettings = field(default_factory=SamplingSettings)
    model_name: str | None = None  # loaded when a conversation with this persona starts
    n_ctx: int | None = None  # None: the settings' context length
    overflow: Overflow = ""  # "": the settings' policy
    target_language: str = ""  # for prompts with {target_language}; "": from the text
    uses_about_you: bool = True  # whether "About you" joins this persona's prompt (off for a translation task)
    min_parameters: int | None = None  # the smallest model (parameters) that does this persona's job well
    json_schema: str = ""  # a JSON Schema's text every answer follows; "": free text
    look_inside: bool = False  # every answer is looked inside once written (a remote server is asked for logprobs)
    id: int | None = None
    builtin: str | None = None  # the shipped key, for a built-in


@dataclass(frozen=True)
class Shipped:
    """A built-in as ``resources/personas.json`` has it."""

    persona: Persona
    names: dict[str, str]  # language -> name
    descriptions: dict[str, str]
    system_prompts: dict[str, str]


# Chinese names of TARGET_LANGUAGES, for a Chinese prompt's {target_language}.
_TARGET_NAMES_ZH = {
    "English": "英语", "Chinese": "中文", "French": "法语", "German": "德语", "Spanish": "西班牙语", "Japanese": "日语",
}  # fmt: skip


# -- the final prompt ------------------------------------------------------------------------------


def _has_cjk(text: str) -> bool:
    return any("CJK" in unicodedata.name(ch, "") for ch in text)


def target_language(persona: Persona, text: str) -> str:
    """The language a ``{target_language}`` prompt names: the persona's, or English for Chinese text, else Chinese."""
    if persona.target_language:
        return persona.target_language
    return "English" if _has_cjk(text) else "Chinese"


def interface_language(settings: Settings) -> str:
    """The language the window speaks ("en" or "zh_CN"): the setting, else the system locale's."""
    wanted = settings.language.strip() or os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    if not wanted:
        wanted = locale.getlocale()[0] or ""
    return "zh_CN" if wanted.lower().startswith("zh") else "en"


def shown_prompt(persona: Persona, language: str) -> str:
    """The persona's system prompt in ``language``: a built-in's prompt that is still the shipped English
    one comes in the shipped translation; a prompt the user wrote or edited stays as it is."""
    original = _shipped().get(persona.builtin or "")
    if original is not None and persona.system_prompt == original.persona.system_prompt:
        return original.system_prompts.get(language, persona.system_prompt)
    return persona.system_prompt


def stored_prompt(persona: Persona, shown: str, language: str) -> str:
    """What to store for a built-in whose prompt the editor shows as ``shown``: its shipped English
    prompt when ``shown`` is the shipped translation, else ``shown``."""
    original = _shipped().get(persona.builtin or "")
    if original is not None and shown == original.system_prompts.get(language):
        return original.persona.system_prompt
    return shown


def final_system_prompt(persona: Persona, settings: Settings, text: str = "", language: str | None = None) -> str:
    """The system prompt exactly as the model gets it: the persona's (a built-in's unedited one in the
    interface's language, or ``language``), then "About you" when it is on and the persona uses it.

    ``text`` is the user's latest message (it picks the automatic target language).
    """
    language = language or interface_language(settings)
    prompt = shown_prompt(persona, language)
    target = target_language(persona, text)
    if prompt != persona.system_prompt and language == "zh_CN":
        target = _TARGET_NAMES_ZH.get(target, target)
    prompt = prompt.replace(TARGET_PLACEHOLDER, target)
    about = settings.about_you.strip()
    if persona.uses_about_you and settings.about_you_enabled and about:
        prompt = f"{prompt}\n\nAbout the user, in their own words:\n{about}" if prompt.strip() else about
    return prompt


def display_name(persona: Persona, language: str = "en", shipped: dict[str, Shipped] | None = None) -> str:
    """The persona's name in ``language``: a built-in whose name is still the shipped one gets its translation."""
    original = (shipped or shipped_builtins()).get(persona.builtin or "")
    if original is not None and persona.name == original.persona.name:
        return original.names.get(language, persona.name)
    return persona.name


def display_description(persona: Persona, language: str = "en") -> str:
    original = _shipped().get(persona.builtin or "")
    if original is not None and persona.description == original.persona.description:
        return original.descriptions.get(language, persona.description)
    return persona.description


# -- values ------------------------------------------------------------------------------------------

_SAMPLING_RANGES: dict[str, tuple[float, float]] = {
    "temperature": (0.0, 5.0),
    "top_p": (0.0, 1.0),
    "top_k": (0, 100_000),
    "min_p": (0.0, 1.0),
    "repeat_penalty": (0.0, 5.0),
    "max_tokens": (1, 1 << 20),
}
_INT_FIELDS = ("top_k", "max_tokens")


def validate(persona: Persona) -> Persona:
    """The persona, checked; ``PersonaInvalidError`` naming the first field that is not valid."""
    if not persona.name.strip():
        raise PersonaInvalidError(field="name", reason="it is empty")
    if len(persona.name) > 80:
        raise PersonaInvalidError(field="name", reason="it is longer than 80 characters")
    if len(persona.icon) > 8:
        raise PersonaInvalidError(field="icon", reason="use one emoji or a few characters")
    sampling = persona.sampling
    for name, (low, high) in _SAMPLING_RANGES.items():
        value = getattr(sampling, name)
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        if not is_number or (name in _INT_FIELDS and not isinstance(value, int)) or not low <= value <= high:
            raise PersonaInvalidError(field=name, reason=f"it must be a number from {low:g} to {high:g}")
    if sampling.seed is not None and (not isinstance(sampling.seed, int) or isinstance(sampling.seed, bool)):
        raise PersonaInvalidError(field="seed", reason="it must be a whole number, or empty")
    if not all(isinstance(stop, str) and stop for stop in sampling.stop):
        raise PersonaInvalidError(field="stop", reason="each stop string must be non-empty text")
    if persona.n_ctx is not None and (not isinstance(persona.n_ctx, int) or not 256 <= persona.n_ctx <= 1 << 20):
        raise PersonaInvalidError(field="context length", reason="it must be from 256 to 1048576 tokens, or empty")
    if persona.overflow not in OVERFLOWS:
        raise PersonaInvalidError(field="overflow", reason="it must be drop_oldest, stop, or empty")
    if not isinstance(persona.target_language, str) or len(persona.target_language) > 40:
        raise PersonaInvalidError(field="target language", reason="it must be a language name")
    if not isinstance(persona.uses_about_you, bool):
        raise PersonaInvalidError(field="uses about you", reason="it must be true or false")
    minimum = persona.min_parameters
    if minimum is not None and (not isinstance(minimum, int) or isinstance(minimum, bool) or not 0 < minimum < 10**14):
        raise PersonaInvalidError(
            field="minimum parameters", reason="it must be a whole number of parameters, or empty"
        )
    if not isinstance(persona.look_inside, bool):
        raise PersonaInvalidError(field="look inside", reason="it must be true or false")
    if not isinstance(persona.json_schema, str):
        raise PersonaInvalidError(field="JSON Schema", reason="it must be text")
    if persona.json_schema.strip():
        try:
            checked_schema(persona.json_schema)
        except JsonSchemaError as err:
            raise PersonaInvalidError(field="JSON Schema", reason=err.fields["reason"]) from err
    return replace(persona, name=persona.name.strip(), json_schema=persona.json_schema.strip())


def sampling_from_json(data: Any, base: SamplingSettings | None = None) -> SamplingSettings:
    """Sampling from a JSON object; an unknown key or a value of the wrong type is refused by name."""
    if not isinstance(data, dict):
        raise PersonaInvalidError(field="sampling", reason="it must be an object")
    # logit_bias is a request's (the local API server's), not a persona's.
    known = {f.name for f in fields(SamplingSettings)} - {"logit_bias"}
    for key in data:
        if key not in known:
            raise PersonaInvalidError(field=str(key), reason="Parley does not know this sampling field")
    if "stop" in data and not (isinstance(data["stop"], list) and all(isinstance(s, str) for s in data["stop"])):
        raise PersonaInvalidError(field="stop", reason="it must be a list of strings")
    return replace(base or SamplingSettings(), **data)


def persona_to_json(persona: Persona) -> dict[str, Any]:
    """One persona in the export format (no id: ids belong to one history)."""
    sampling = asdict(persona.sampling)
    sampling["stop"] = list(persona.sampling.stop)
    sampling.pop("logit_bias", None)
    data: dict[str, Any] = {
        "name": persona.name,
        "icon": persona.icon,
        "description": persona.description,
        "system_prompt": persona.system_prompt,
        "sampling": sampling,
        "model": persona.model_name,
        "context_length": persona.n_ctx,
        "overflow": persona.overflow,
        "target_language": persona.target_language,
        "uses_about_you": persona.uses_about_you,
        "min_parameters": persona.min_parameters,
        "look_inside": persona.look_inside,
    }
    if persona.json_schema:  # only where there is one: files without it read as free text
        data["json_schema"] = json.loads(persona.json_schema)
    return data


def persona_from_json(data: Any) -> Persona:
    """A persona from the export format; ``PersonaInvalidError`` names what is wrong."""
    if not isinstance(data, dict):
        raise PersonaInvalidError(field="persona", reason="each persona must be an object")
    text_fields = ("name", "icon", "description", "system_prompt", "overflow", "target_language")
    values: dict[str, Any] = {}
    for key in text_fields:
        value = data.get(key, "")
        if not isinstance(value, str):
            raise PersonaInvalidError(field=key, reason="it must be text")
        values[key] = value
    model = data.get("model")
    if model is not None and not isinstance(model, str):
        raise PersonaInvalidError(field="model", reason="it must be a model name, or null")
    n_ctx = data.get("context_length")
    if n_ctx is not None and (not isinstance(n_ctx, int) or isinstance(n_ctx, bool)):
        raise PersonaInvalidError(field="context length", reason="it must be a whole number, or null")
    uses_about_you = data.get("uses_about_you", True)  # optional: files from before it read as True
    if not isinstance(uses_about_you, bool):
        raise PersonaInvalidError(field="uses about you", reason="it must be true or false")
    minimum = data.get("min_parameters")
    if minimum is not None and (not isinstance(minimum, int) or isinstance(minimum, bool)):
        raise PersonaInvalidError(field="minimum parameters", reason="it must be a whole number, or null")
    look_inside = data.get("look_inside", False)  # optional: files from before it read as False
    if not isinstance(look_inside, bool):
        raise PersonaInvalidError(field="look inside", reason="it must be true or false")
    schema = data.get("json_schema")  # optional: the schema itself (an object), or its text
    if schema is not None and not isinstance(schema, str):
        schema = json.dumps(schema, ensure_ascii=False)
    persona = Persona(
        sampling=sampling_from_json(data.get("sampling", {})), model_name=model or None, n_ctx=n_ctx,
        uses_about_you=uses_about_you, min_parameters=minimum, json_schema=schema or "", look_inside=look_inside,
        **values,
    )  # fmt: skip
    return validate(persona)


def shipped_builtins(path: Path = BUILTINS_PATH) -> dict[str, Shipped]:
    """The built-ins as shipped, by key."""
    data = json.loads(path.read_text(encoding="utf-8"))
    shipped: dict[str, Shipped] = {}
    for item in data["personas"]:
        persona = replace(persona_from_json({k: v for k, v in item.items() if "_zh_CN" not in k and k != "builtin"}))
        persona = replace(persona, builtin=item["builtin"])
        names = {"en": item["name"], "zh_CN": item.get("name_zh_CN", item["name"])}
        descriptions = {"en": item["description"], "zh_CN": item.get("description_zh_CN", item["description"])}
        prompts = {"en": item["system_prompt"], "zh_CN": item.get("system_prompt_zh_CN", item["system_prompt"])}
        shipped[item["builtin"]] = Shipped(persona, names, descriptions, prompts)
    return shipped


@cache
def _shipped() -> dict[str, Shipped]:
    """The shipped built-ins, read once."""
    return shipped_builtins()
