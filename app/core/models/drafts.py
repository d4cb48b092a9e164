"""Draft models for speculative decoding: which installed model may draft for another, and which Auto picks.

A draft must share the main model's vocabulary (``gguf.vocabulary_hash``: its tokenizer's tokens and
merges), or none of its guesses could be accepted; a chosen draft that does not is refused with
``DraftVocabularyError`` (by the dialog and the engine). Auto picks the draft the catalog names for
the main model when it is installed, else the largest installed model with the same vocabulary that is at least
``SMALLER_BY`` times smaller (a draft must be much quicker than the model it drafts for to pay).
The per-model choice (``ModelSettings.draft_model``) is resolved here into ``ModelSpec.draft_path``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from app.core.errors import DraftVocabularyError, NotAGgufError
from app.core.models import gguf
from app.core.models.installed import ModelEntry
from app.core.models.recommended import RecommendedModel

log = logging.getLogger("app.models")

DRAFT_AUTO: str | None = None  # the setting's values: None (Auto), DRAFT_NONE, or a model file's path
DRAFT_NONE = "none"
SMALLER_BY = 3  # Auto's draft is at most a third of the main model's size
_hashes: dict[tuple[str, int, int], str] = {}  # (path, size, mtime_ns) -> vocabulary hash


def vocabulary_of(path: Path) -> str:
    """The model's vocabulary hash, read once per file version."""
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    found = _hashes.get(key)
    if found is None:
        found = _hashes[key] = gguf.vocabulary_hash(path)
    return found


def _local(entry: ModelEntry) -> bool:
    return not entry.server_id and not entry.damage and entry.path.is_file()


def check_draft(main: ModelEntry, draft: ModelEntry) -> None:
    """Raises ``DraftVocabularyError`` unless ``draft`` can draft for ``main`` (``NotAGgufError``: unreadable)."""
    if vocabulary_of(main.path) != vocabulary_of(draft.path):
        raise DraftVocabularyError(draft=draft.name, model=main.name)


def _catalog_entry(entry: ModelEntry, catalog: Sequence[RecommendedModel]) -> RecommendedModel | None:
    return next((model for model in catalog if entry.path.name in model.files), None)


def auto_draft(
    main: ModelEntry, models: Sequence[ModelEntry], catalog: Sequence[RecommendedModel] = ()
) -> ModelEntry | None:
    """The installed model Auto drafts ``main`` with, or None."""
    candidates = [
        m for m in models if _local(m) and m.path != main.path and m.size_bytes * SMALLER_BY <= main.size_bytes
    ]
    if not candidates or not _local(main):
        return None
    recommended = _catalog_entry(main, catalog)
    named = next((model for model in catalog if recommended and model.id == recommended.draft), None)
    # The catalog's draft first, then the largest (the likeliest to guess as the main model would).
    candidates.sort(key=lambda m: (named is None or m.path.name not in named.files, -m.size_bytes))
    try:
        vocabulary = vocabulary_of(main.path)
    except NotAGgufError:
        return None
    for candidate in candidates:
        try:
            if vocabulary_of(candidate.path) == vocabulary:
                return candidate
        except NotAGgufError as exc:
            log.warning("draft models: %s is unreadable (%s)", candidate.path, exc)
    return None


def resolve_draft(
    choice: str | None, main: ModelEntry, models: Sequence[ModelEntry], catalog: Sequence[RecommendedModel] = ()
) -> str:
    """The draft file ``main`` loads with ("" for none). A chosen draft is not checked here: the dialog checks
    it when it is chosen and the engine when it loads it (both with ``DraftVocabularyError``'s sentence)."""
    if choice == DRAFT_NONE or not _local(main):
        return ""
    if choice is DRAFT_AUTO:
        found = auto_draft(main, models, catalog)
        return str(found.path) if found is not None else ""
    draft = next((m for m in models if str(m.path) == choice), None)
    if draft is None or not _local(draft):
        log.warning("draft models: %s's draft %s is gone; prompt lookup drafts instead", main.name, choice)
        return ""
    return str(draft.path)

