"""The persona book: the personas of a history, kept in its database (through the store's
``reading``/``writing``); the built-ins can be edited and reset but not deleted."""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from app.core.config.settings import DEFAULT_SYSTEM_PROMPT, Settings, SettingsStore
from app.core.engine.protocol import SamplingSettings
from app.core.errors import BuiltinPersonaError, PersonaFileError, PersonaInvalidError, PersonaNotFoundError
from app.core.history.store import Store
from app.core.history.types import Conversation
from app.core.personas.persona import (
    DEFAULT_BUILTIN,
    FORMAT,
    VERSION,
    Overflow,
    Persona,
    Shipped,
    display_name,
    persona_from_json,
    persona_to_json,
    shipped_builtins,
    validate,
)

log = logging.getLogger("app.personas")

# -- the repository ----------------------------------------------------------------------------------

_COLUMNS = (
    "id, builtin, name, icon, description, system_prompt, sampling, model_name, n_ctx, overflow, target_language, "
    "uses_about_you, min_parameters, json_schema, look_inside"
)


def _from_row(row: Any) -> Persona:
    sampling = SamplingSettings(**json.loads(row[6]))
    return Persona(
        name=row[2], icon=row[3], description=row[4], system_prompt=row[5], sampling=sampling, model_name=row[7],
        n_ctx=row[8], overflow=row[9], target_language=row[10], uses_about_you=bool(row[11]),
        min_parameters=row[12], json_schema=row[13] or "", look_inside=bool(row[14]), id=row[0], builtin=row[1],
    )  # fmt: skip


def _sampling_text(sampling: SamplingSettings) -> str:
    data = asdict(sampling)
    data["stop"] = list(sampling.stop)
    data.pop("logit_bias", None)  # a request's (the local API server's), not a persona's
    return json.dumps(data)


class PersonaBook:
    """The personas in one history. Use it from the store's thread."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._shipped = shipped_builtins()
        self.ensure_builtins()

    @property
    def shipped(self) -> dict[str, Shipped]:
        return self._shipped

    def ensure_builtins(self) -> None:
        """Writes the shipped built-ins that the history does not have yet (a new or older history).

        The look and the writes are one transaction: another process opening the same new history
        at the same moment waits, then finds them there."""
        with self.store.writing() as db:
            present = {row[0] for row in db.execute("SELECT builtin FROM personas WHERE builtin IS NOT NULL")}
            for key, shipped in self._shipped.items():
                if key not in present:
                    _insert_row(db, shipped.persona)

    def _insert(self, persona: Persona) -> Persona:
        with self.store.writing() as db:
            new_id = _insert_row(db, persona)
        return self.get(new_id)

    # -- reading --

    def all(self) -> list[Persona]:
        """Built-ins first, in their shipped order, then the user's own by name."""
        with self.store.reading() as db:
            rows = db.execute(f"SELECT {_COLUMNS} FROM personas").fetchall()
        order = {key: index for index, key in enumerate(self._shipped)}
        personas = [_from_row(row) for row in rows]
        return sorted(personas, key=lambda p: (order.get(p.builtin or "", len(order)), p.name.casefold(), p.id or 0))

    def get(self, persona_id: int) -> Persona:
        with self.store.reading() as db:
            row = db.execute(f"SELECT {_COLUMNS} FROM personas WHERE id = ?", (persona_id,)).fetchone()
        if row is None:
            raise PersonaNotFoundError(name=f"#{persona_id}")
        return _from_row(row)

    def default(self) -> Persona:
        persona = next((p for p in self.all() if p.builtin == DEFAULT_BUILTIN), None)
        if persona is None:  # a history rebuilt from a damaged file (recovery salvages no personas)
            self.ensure_builtins()
            persona = next(p for p in self.all() if p.builtin == DEFAULT_BUILTIN)
        return persona

    def find(self, name: str) -> Persona:
        """A persona by name (any case, English or Chinese name of a built-in), key, or id."""
        wanted = name.strip().casefold()
        for persona in self.all():
            names = {persona.name.casefold(), str(persona.id), (persona.builtin or "").casefold()}
            shipped = self._shipped.get(persona.builtin or "")
            if shipped is not None:
                names |= {value.casefold() for value in shipped.names.values()}
            if wanted in names:
                return persona
        raise PersonaNotFoundError(name=name)

    def for_conversation(self, conversation: Conversation) -> Persona:
        """The conversation's persona; the default one when it has none (or its persona was deleted)."""
        if conversation.persona_id is not None:
            try:
                return self.get(conversation.persona_id)
            except PersonaNotFoundError:
                log.info("conversation %s: its persona is gone; using the default", conversation.id)
        return self.default()

    def looks_inside(self, persona_id: int | None) -> bool:
        """Whether the persona ``persona_id`` (None: the default one) looks inside every answer; False for one
        deleted since."""
        try:
            persona = self.get(persona_id) if persona_id is not None else self.default()
        except PersonaNotFoundError:
            return False
        return persona.look_inside

    def conversation_overflow(self, conversation_id: int) -> Overflow:
        """The conversation's own overflow policy; "" when it follows its persona (or the settings)."""
        with self.store.reading() as db:
            row = db.execute("SELECT overflow FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
        value = row[0] if row is not None else None
        return value if value in ("drop_oldest", "stop") else ""

    # -- changing --

    def assign(self, conversation_id: int, persona_id: int) -> None:
        """Points a conversation that has no messages yet at a persona (no divider: nothing was said yet)."""
        with self.store.writing() as db:
            db.execute("UPDATE conversations SET persona_id = ? WHERE id = ?", (persona_id, conversation_id))

    def set_conversation_overflow(self, conversation_id: int, overflow: Overflow) -> None:
        """Gives one conversation its own overflow policy ("": back to its persona's)."""
        with self.store.writing() as db:
            db.execute("UPDATE conversations SET overflow = ? WHERE id = ?", (overflow or None, conversation_id))

    def _unique_name(self, name: str, skip_id: int | None = None) -> str:
        taken = {p.name.casefold() for p in self.all() if p.id != skip_id}
        candidate, number = name, 1
        while candidate.casefold() in taken:
            number += 1
            candidate = f"{name} ({number})"
        return candidate

    def create(self, persona: Persona) -> Persona:
        persona = validate(persona)
        return self._insert(replace(persona, id=None, builtin=None, name=self._unique_name(persona.name)))

    def update(self, persona: Persona) -> Persona:
        persona_id = persona.id
        if persona_id is None:
            raise ValueError("update needs a stored persona")
        persona = validate(persona)
        if persona.name.casefold() != self._unique_name(persona.name, persona.id).casefold():
            raise PersonaInvalidError(field="name", reason="another persona has this name")
        with self.store.writing() as db:
            db.execute(
                "UPDATE personas SET name = ?, icon = ?, description = ?, system_prompt = ?, sampling = ?, "
                "model_name = ?, n_ctx = ?, overflow = ?, target_language = ?, uses_about_you = ?, "
                "min_parameters = ?, json_schema = ?, look_inside = ?, updated_at = ? WHERE id = ?",
                (
                    persona.name, persona.icon, persona.description, persona.system_prompt,
                    _sampling_text(persona.sampling), persona.model_name, persona.n_ctx, persona.overflow,
                    persona.target_language, int(persona.uses_about_you), persona.min_parameters,
                    persona.json_schema or None, int(persona.look_inside), time.time(), persona.id,
                ),
            )  # fmt: skip
        return self.get(persona_id)

    def duplicate(self, persona_id: int, copy_suffix: str = "copy") -> Persona:
        original = self.get(persona_id)
        return self.create(replace(original, name=f"{display_name(original, shipped=self._shipped)} ({copy_suffix})"))

    def delete(self, persona_id: int) -> None:
        """Deletes one of the user's personas; ``BuiltinPersonaError`` for a built-in."""
        persona = self.get(persona_id)
        if persona.builtin is not None:
            raise BuiltinPersonaError(name=persona.name)
        with self.store.writing() as db:
            db.execute("DELETE FROM personas WHERE id = ?", (persona_id,))

    def reset(self, persona_id: int) -> Persona:
        """Puts a built-in back to its shipped text and values."""
        persona = self.get(persona_id)
        shipped = self._shipped.get(persona.builtin or "")
        if shipped is None:
            raise ValueError(f"persona {persona_id} is not a built-in")
        return self.update(replace(shipped.persona, id=persona_id, builtin=persona.builtin))

    # -- files --

    def export_json(self, personas: list[Persona] | None = None) -> dict[str, Any]:
        chosen = personas if personas is not None else self.all()
        return {"format": FORMAT, "version": VERSION, "personas": [persona_to_json(p) for p in chosen]}

    def export_file(self, path: Path, personas: list[Persona] | None = None) -> None:
        path.write_text(json.dumps(self.export_json(personas), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    def import_json(self, data: Any) -> list[Persona]:
        """Adds every persona of an export (a name already taken gets a number); all or nothing."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise PersonaFileError(reason=f'it is not a Parley personas file (no "format": "{FORMAT}")')
        version = data.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise PersonaFileError(reason="its version is missing")
        if version > VERSION:
            raise PersonaFileError(
                reason=f"it was written by a newer Parley (version {version}, this one reads {VERSION})"
            )
        items = data.get("personas")
        if not isinstance(items, list):
            raise PersonaFileError(reason='it has no "personas" list')
        parsed: list[Persona] = []
        for number, item in enumerate(items, 1):
            try:
                parsed.append(persona_from_json(item))
            except (PersonaInvalidError, TypeError) as exc:
                raise PersonaFileError(reason=f"persona {number}: {exc}") from exc
        return [self.create(persona) for persona in parsed]

    def import_file(self, path: Path) -> list[Persona]:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise PersonaFileError(reason=exc.strerror or exc) from exc
        except (ValueError, UnicodeDecodeError) as exc:
            raise PersonaFileError(reason=f"it is not JSON ({exc})") from exc
        return self.import_json(data)


def migrate_settings(book: PersonaBook, settings: SettingsStore) -> bool:
    """Moves a system prompt or sampling edited in Settings (before personas) into "General assistant".

    Done once: afterwards the settings hold the defaults again. Returns whether anything moved.
    """
    current = settings.current
    defaults = Settings()
    if current.system_prompt == DEFAULT_SYSTEM_PROMPT and current.sampling == defaults.sampling:
        return False
    general = book.default()
    book.update(replace(general, system_prompt=current.system_prompt, sampling=current.sampling))
    settings.update(replace(current, system_prompt=defaults.system_prompt, sampling=defaults.sampling))
    log.info("moved the system prompt and sampling from the settings into %r", general.name)
    return True


def _insert_row(db: sqlite3.Connection, persona: Persona) -> int:
    """Inserts ``persona`` inside the caller's transaction; returns its new id."""
    now = time.time()
    cursor = db.execute(
        f"INSERT INTO personas ({_COLUMNS.replace('id, ', '', 1)}, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            persona.builtin, persona.name, persona.icon, persona.description, persona.system_prompt,
            _sampling_text(persona.sampling), persona.model_name, persona.n_ctx, persona.overflow,
            persona.target_language, int(persona.uses_about_you), persona.min_parameters, persona.json_schema or None,
            int(persona.look_inside), now, now,
        ),
    )  # fmt: skip
    return int(cursor.lastrowid or 0)
