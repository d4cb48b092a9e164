"""Whether a model is big enough for a persona's job: the model's parameter count, read from its GGUF
header, against the persona's ``min_parameters`` (the Translator's is 1B: the starter cannot translate)."""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from app.core.errors import NotAGgufError
from app.core.models import gguf
from app.core.models.installed import ModelEntry
from app.core.personas.persona import Persona

log = logging.getLogger("app.personas")


@lru_cache(maxsize=64)
def _count(path: Path, size: int, mtime: float) -> int | None:
    del size, mtime  # the cache key: a file replaced in place is read again
    try:
        return gguf.read_gguf(path).parameter_count or None
    except (OSError, NotAGgufError) as exc:
        log.info("cannot count the parameters of %s: %s", path, exc)
        return None


def parameter_count(entry: ModelEntry) -> int | None:
    """How many parameters ``entry`` has; None for a remote model or a file that cannot be read."""
    if entry.source == "remote":
        return None
    try:
        stat = entry.path.stat()
    except OSError:
        return None
    return _count(entry.path, stat.st_size, stat.st_mtime)


def too_small(persona: Persona, entry: ModelEntry | None) -> int | None:
    """``entry``'s parameter count when it is below what ``persona`` needs; else None (also when unknown)."""
    if entry is None or persona.min_parameters is None:
        return None
    count = parameter_count(entry)
    return count if count is not None and count < persona.min_parameters else None


def size_text(parameters: int) -> str:
    """A parameter count as model names write it: 135M, 1B, 1.5B."""
    if parameters >= 1_000_000_000:
        return f"{parameters / 1e9:.1f}".removesuffix(".0") + "B"
    return f"{parameters / 1e6:.0f}M"
