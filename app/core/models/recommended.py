"""The list of recommended models (``resources/catalog.json``), loaded and checked.

The file ships with the app; a malformed entry is a bug in the release, so loading raises
``CatalogFileError`` (a ``ValueError``) with the entry and the field at fault instead of
showing half a list.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from app.core import paths
from app.core.models.gguf import split_name

CATALOG_FILE = "catalog.json"  # under paths.resources_dir(), looked up at each call (frozen or source)


KINDS = ("chat", "embedding")  # an entry without "kind" is a chat model


class CatalogFileError(ValueError):
    """The shipped catalog file is malformed."""


@dataclass(frozen=True)
class RecommendedModel:
    id: str
    name: str
    repo: str
    files: tuple[str, ...]  # one file, or every part of a split model in order
    quantization: str
    size_bytes: int  # all parts together; an estimate, the Hub's metadata is authoritative
    context_length: int
    licence: str
    gated: bool
    description: str  # in English; see ``description_in``
    n_layer: int | None = None
    n_head_kv: int | None = None
    head_dim: int | None = None
    translated_descriptions: tuple[tuple[str, str], ...] = ()  # (language, text), from "description_<lang>"
    kind: str = "chat"  # "chat", or "embedding" for a model that embeds documents for search (never offered for chat)
    pooling: str = ""  # an embedder's pooling where its file declares none: "mean", "cls" or "last"

    def description_in(self, language: str) -> str:
        """The description in ``language`` (such as "zh_CN") when the catalog has it, else in English."""
        return dict(self.translated_descriptions).get(language, self.description)

    @property
    def file(self) -> str:
        """The file a model is loaded from (the first part of a split model)."""
        return self.files[0]


def _field(raw: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = raw.get(key)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise CatalogFileError(f"{where}: '{key}' must be {kind.__name__}, not {value!r}")
    return value


def _optional_int(raw: dict[str, Any], key: str, where: str) -> int | None:
    if raw.get(key) is None:
        return None
    value = _field(raw, key, int, where)
    if value <= 0:
        raise CatalogFileError(f"{where}: '{key}' must be positive")
    return int(value)


def _files(raw: dict[str, Any], where: str) -> tuple[str, ...]:
    files = raw.get("files", [raw["file"]] if "file" in raw else None)
    if not isinstance(files, list) or not files or not all(isinstance(f, str) for f in files):
        raise CatalogFileError(f"{where}: 'files' must be a non-empty list of file names")
    for name in files:
        pure = PurePosixPath(name)
        if pure.is_absolute() or ".." in pure.parts or "\\" in name or ":" in name or not name.endswith(".gguf"):
            raise CatalogFileError(f"{where}: {name!r} is not a plain .gguf file name")
    split = split_name(files[0])
    expected = 1 if split is None else split.count
    if len(files) != expected:
        raise CatalogFileError(f"{where}: a split model must list all {expected} parts")
    return tuple(files)


def parse_entry(raw: object, index: int) -> RecommendedModel:
    if not isinstance(raw, dict):
        raise CatalogFileError(f"entry {index} is not an object")
    where = f"entry {index} ({raw.get('id', '?')})"
    repo = _field(raw, "repo", str, where)
    if repo.count("/") != 1 or any(not part for part in repo.split("/")):
        raise CatalogFileError(f"{where}: 'repo' must look like owner/name")
    kind = raw.get("kind", "chat")
    if kind not in KINDS:
        raise CatalogFileError(f"{where}: 'kind' must be one of {', '.join(KINDS)}, not {kind!r}")
    pooling = raw.get("pooling", "")
    if pooling not in ("", "mean", "cls", "last"):
        raise CatalogFileError(f"{where}: 'pooling' must be 'mean', 'cls' or 'last', not {pooling!r}")
    size = _field(raw, "size_bytes", int, where)
    context = _field(raw, "context_length", int, where)
    if size <= 0 or context <= 0:
        raise CatalogFileError(f"{where}: sizes must be positive")
    return RecommendedModel(
        id=_field(raw, "id", str, where),
        name=_field(raw, "name", str, where),
        repo=repo,
        files=_files(raw, where),
        quantization=_field(raw, "quantization", str, where),
        size_bytes=size,
        context_length=context,
        licence=_field(raw, "licence", str, where),
        gated=_field(raw, "gated", bool, where),
        description=_field(raw, "description", str, where),
        n_layer=_optional_int(raw, "n_layer", where),
        n_head_kv=_optional_int(raw, "n_head_kv", where),
        head_dim=_optional_int(raw, "head_dim", where),
        translated_descriptions=tuple(
            (key.removeprefix("description_"), _field(raw, key, str, where))
            for key in sorted(raw)
            if key.startswith("description_")
        ),
        kind=kind,
        pooling=pooling,
    )


def load_recommended(path: Path | None = None, *, kind: str | None = "chat") -> list[RecommendedModel]:
    """The recommended models of ``kind`` ("chat", "embedding"; None: all), as listed; raises
    ``CatalogFileError`` if malformed. Chat by default, so that no list of chat models offers an embedder."""
    path = path or paths.resource_path(CATALOG_FILE)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CatalogFileError(f"{path} could not be read: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("models"), list):
        raise CatalogFileError(f"{path}: expected an object with a 'models' list")
    models = [parse_entry(raw, index) for index, raw in enumerate(data["models"])]
    ids = [model.id for model in models]
    if len(set(ids)) != len(ids):
        raise CatalogFileError(f"{path}: model ids must be unique")
    return [model for model in models if kind is None or model.kind == kind]


