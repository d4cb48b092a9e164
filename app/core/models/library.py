"""The models folder as the user manages it: safe file names, importing a file, removing a model.

Nothing here talks to the network. Files only ever enter the models folder through a temporary
file in that folder and ``os.replace``, and only files inside it are ever deleted; a model used
where it lies (imported in place) is only forgotten, never touched. ``verify_model`` checks an
installed model's files against the sizes and sha256 recorded when it was installed.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from app.core import paths
from app.core.atomic import copy_atomically
from app.core.errors import ModelRemoveError, StorageError, UnsafeFileNameError
from app.core.models import installed as catalog
from app.core.models.gguf import GgufInfo, part_paths, read_gguf
from app.core.models.installed import ModelEntry, Provenance


def human_size(size: float) -> str:
    """1536 → "1.5 KB" (decimal units, as file managers and the Hub show them)."""
    for unit in ("B", "KB", "MB", "GB"):
        if abs(size) < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} GB"


def safe_model_file_name(repo_path: str) -> str:
    """The name a Hub file gets in the models folder; refuses anything that could land elsewhere.

    A file in a repo subfolder (``Q4_K_M/model.gguf``) keeps just its name. ``..``, absolute paths,
    drive letters, backslashes and control characters are refused, as is anything not ``.gguf``.
    """
    refused = UnsafeFileNameError(name=repo_path)
    if not repo_path or "\\" in repo_path or ":" in repo_path or any(ord(c) < 32 for c in repo_path):
        raise refused
    pure = PurePosixPath(repo_path)
    if pure.is_absolute() or any(part in ("", ".", "..") for part in repo_path.split("/")):
        raise refused
    name = pure.name
    if not name.endswith(".gguf") or name.startswith("."):  # the models folder lists *.gguf
        raise refused
    return name


def model_target(repo_path: str) -> Path:
    """Where a Hub file is installed; guaranteed to be directly inside the models folder."""
    folder = paths.models_dir().resolve()
    target = folder / safe_model_file_name(repo_path)
    if target.resolve().parent != folder:
        raise UnsafeFileNameError(name=repo_path)
    return target


def now_utc() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class ImportResult:
    info: GgufInfo
    model_path: Path  # where the model is used from
    copied: bool
    imported_setting: str | None  # add this to ``Settings.imported_models`` (None when copied)


def import_model(path: Path, copy: bool) -> ImportResult:
    """Checks ``path`` is a whole GGUF model (``NotAGgufError`` with the reason if not), then either
    copies it (every part, for a split model) into the models folder or keeps it where it is."""
    source = Path(path).expanduser().absolute()
    info = read_gguf(source)
    first = info.path
    if not copy:
        return ImportResult(info=info, model_path=first, copied=False, imported_setting=str(first))
    sources = part_paths(first)
    targets = [paths.models_dir() / part.name for part in sources]
    if first.resolve() == targets[0].resolve():
        return ImportResult(info=info, model_path=targets[0], copied=True, imported_setting=None)
    try:
        needed = sum(part.stat().st_size for part in sources)
        free = shutil.disk_usage(targets[0].parent).free
        if needed > free:
            raise StorageError(path=targets[0].parent, reason=f"{human_size(needed)} needed, {human_size(free)} free")
        # Later parts first: the model only shows up once its first part is in place.
        for src, dst in reversed(list(zip(sources, targets, strict=True))):
            copy_atomically(src, dst, prefix=".import-")
    except OSError as exc:
        raise StorageError(path=targets[0], reason=exc.strerror or str(exc)) from exc
    catalog.write_provenance(
        targets[0],
        Provenance(
            repo="",
            revision="",
            files=tuple(p.name for p in sources),
            sha256=(),
            downloaded_at=now_utc(),
            original_path=str(first),
            sizes=tuple(p.stat().st_size for p in targets),
        ),
    )
    return ImportResult(info=info, model_path=targets[0], copied=True, imported_setting=None)


def remove_model(entry: ModelEntry, imported: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Deletes a model in the models folder (every part and its sidecar), or forgets an imported one.

    Returns the new ``Settings.imported_models``. Never deletes anything outside the models folder.
    """
    if entry.source == "starter":
        raise ModelRemoveError(name=entry.name, reason="the starter model is part of Parley")
    if entry.source in ("imported", "file"):
        keep = tuple(p for p in imported if Path(p).absolute() != entry.path.absolute())
        return keep
    folder = paths.models_dir().resolve()
    files = [*entry.files, catalog.provenance_path(entry.path)]
    for file in files:
        if file.resolve().parent != folder:
            raise ModelRemoveError(name=entry.name, reason=f"{file} is not in the models folder")
    try:
        for file in files:
            file.unlink(missing_ok=True)
    except OSError as exc:
        raise ModelRemoveError(name=entry.name, reason=exc.strerror or str(exc)) from exc
    return imported


def verify_model(entry: ModelEntry) -> str | None:
    """Why ``entry``'s files are not the ones installed ("" when they are), checking every size and
    sha256 its record has; None when there is no record to check against (the starter model, a file
    used where it lies). Reads every byte: minutes for a large model."""
    provenance = entry.provenance
    if provenance is None or not (provenance.sizes or provenance.sha256):
        return None
    damage = catalog.damage(entry.path, provenance)
    if damage:
        return damage
    if len(provenance.sha256) != len(provenance.files):
        return ""
    for path, expected in zip(provenance.local_files(entry.path), provenance.sha256, strict=True):
        if not expected:  # a small file kept in git: the Hub gave no sha256 for it
            continue
        digest = hashlib.sha256()
        try:
            with path.open("rb") as handle:
                while block := handle.read(4 * 1024 * 1024):
                    digest.update(block)
        except FileNotFoundError:
            return f"{path.name} is missing"
        except OSError as exc:
            return f"{path.name} could not be read ({exc.strerror or exc})"
        if digest.hexdigest() != expected.lower():
            return f"{path.name} does not match the sha256 recorded when it was installed"
    return ""
