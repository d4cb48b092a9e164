"""The list of recommended models (``resources/catalog.json``), loaded and checked.

The file ships with the app; a malformed entry is a bug in the release, so loading raises
``CatalogFileError`` (a ``ValueError``) with the entry and the field at fault instead of
showing half a list. Each entry names a repo, a quantization pattern and the file it had; the
download takes the file list, sizes and sha256 from the Hub at that moment (``downloads``), so a
list that aged only costs a renamed file (found again by its pattern) or a moved model (said so).
There is deliberately no "Update the recommended list" from the network: the project has no server
or signing key of its own to vouch for such a list, and a fetched list would choose what users
download; it changes with a release, where it is reviewed and tested like code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from app.core import paths
from app.core.models.gguf import split_name

CATALOG_FILE = "catalog.json"  # under paths.resources_dir(), looked up at each call (frozen or source)


KINDS = ("chat", "embedding", "vision")
# Size bands by parameters (billions); a mixture of experts is its own band, named by its active share.
SIZE_BANDS: dict[str, tuple[float, float]] = {
    "0.5B": (0.3, 0.9), "1-2B": (0.9, 2.5), "3-4B": (2.5, 4.9), "7-9B": (6.0, 9.9),
}
MOE_BAND = "moe"


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
    size_band: str | None = None  # a key of SIZE_BANDS, or MOE_BAND
    parameters_b: float | None = None  # all weights, in billions
    active_parameters_b: float | None = None  # a mixture of experts: the weights each token reads
    vocab_family: str | None = None  # entries of one family share a vocabulary (a draft must match)
    draft: str | None = None  # the id of a smaller entry for speculative decoding
    thinking: str | None = None  # "switch": thinks first when asked (the thinking switch); "always"
    vision: bool = False  # accepts images; Parley does not send them yet
    coding: bool = False

    @property
    def reasoning(self) -> bool:
        return self.thinking is not None

    @property
    def active_share(self) -> float:
        """The share of the weights one token reads: 1 for a dense model."""
        if self.active_parameters_b and self.parameters_b:
            return min(1.0, self.active_parameters_b / self.parameters_b)
        return 1.0

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


def _optional(raw: dict[str, Any], key: str, kind: type, where: str) -> Any:
    if raw.get(key) is None:
        return None
    value = raw[key]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise CatalogFileError(f"{where}: '{key}' must be {kind.__name__}, not {value!r}")
    return value


def _flag(raw: dict[str, Any], key: str, where: str) -> bool:
    return bool(_optional(raw, key, bool, where))


def _thinking(raw: dict[str, Any], where: str) -> str | None:
    thinking = _optional(raw, "thinking", str, where)
    if thinking not in (None, "switch", "always"):
        raise CatalogFileError(f"{where}: 'thinking' must be \"switch\" or \"always\"")
    return thinking  # type: ignore[no-any-return]


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
    kind = _optional(raw, "kind", str, where) or "chat"
    if kind not in KINDS:
        raise CatalogFileError(f"{where}: 'kind' must be one of {', '.join(KINDS)}")
    band = _optional(raw, "size_band", str, where)
    if band is not None and band != MOE_BAND and band not in SIZE_BANDS:
        raise CatalogFileError(f"{where}: 'size_band' {band!r} is not a known band")
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
        size_band=band,
        parameters_b=_optional(raw, "parameters_b", float, where),
        active_parameters_b=_optional(raw, "active_parameters_b", float, where),
        vocab_family=_optional(raw, "vocab_family", str, where),
        draft=_optional(raw, "draft", str, where),
        thinking=_thinking(raw, where),
        vision=_flag(raw, "vision", where) or kind == "vision",
        coding=_flag(raw, "coding", where),
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
    for model in models:
        if model.draft is not None and model.draft not in ids:
            raise CatalogFileError(f"{path}: {model.id}'s draft {model.draft!r} is not in the list")
    # Vision models chat too (their image input is not sent yet); embedders never do.
    chat_kinds = ("chat", "vision")
    return [m for m in models if kind is None or m.kind == kind or (kind == "chat" and m.kind in chat_kinds)]


