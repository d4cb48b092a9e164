"""Atomic file writes: write a temporary file in the target's folder, flush it to disk, then rename.

A reader (or a crash) sees either the old file or the whole new one, never half of it.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

COPY_CHUNK = 4 * 1024 * 1024


def write_atomically(target: Path, write: Callable[[IO[bytes]], object], *, prefix: str = ".parley-") -> None:
    """Calls ``write`` on a temporary file beside ``target``, then moves it into place."""
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def copy_atomically(source: Path, target: Path, *, prefix: str = ".parley-") -> None:
    """Copies ``source`` to ``target`` so that ``target`` is either absent or complete."""
    with source.open("rb") as src:
        write_atomically(target, lambda out: shutil.copyfileobj(src, out, COPY_CHUNK), prefix=prefix)


def move_atomically(source: Path, target: Path, *, prefix: str = ".parley-") -> None:
    """Moves ``source`` to ``target``: a rename, or across file systems a copy beside ``target``, then the unlink."""
    try:
        os.replace(source, target)
    except OSError:
        copy_atomically(source, target, prefix=prefix)
        source.unlink()


def write_json_atomically(target: Path, data: Any, *, prefix: str = ".parley-") -> None:
    encoded = json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8")
    write_atomically(target, lambda handle: handle.write(encoded), prefix=prefix)
