"""Which build this is: the base version plus the git commit it was made from (``0.2.0+g1a2b3c4.dirty``).

From a source checkout the commit is asked of git; a bundle has no git, so ``packaging/parley.spec``
writes the version into ``app/_build_version.py`` (gitignored) at build time and it is read from there.
Without either (an unpacked source archive) the base version stands alone.
"""

from __future__ import annotations

import functools
import importlib
import subprocess
from pathlib import Path

from app import __version__

BUILD_MODULE = "app._build_version"
BUILD_FILE = Path(__file__).resolve().parent / "_build_version.py"
GIT_SECONDS = 5.0


def from_git(root: Path | None = None) -> str | None:
    """``+g<short hash>`` (``.dirty`` with uncommitted changes) for the checkout at ``root``; None without git."""
    folder = root or Path(__file__).resolve().parent.parent
    if not (folder / ".git").exists():
        return None
    try:
        commit = _git(folder, "rev-parse", "--short=9", "HEAD")
        changes = _git(folder, "status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return None  # no git program, or not a usable checkout: the base version stands alone
    return f"+g{commit}{'.dirty' if changes else ''}" if commit else None


def _git(folder: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=GIT_SECONDS, check=True
    )
    return done.stdout.strip()


def compute(root: Path | None = None) -> str:
    """The version of the source at ``root`` (this checkout by default), asked of git."""
    return f"{__version__}{from_git(root) or ''}"


@functools.cache
def full_version() -> str:
    """This build's version: the one written at build time, else the checkout's, else the base version."""
    try:
        built = importlib.import_module(BUILD_MODULE)
    except ImportError:
        return compute()
    return str(built.VERSION)


def version_line() -> str:
    """What ``--version`` prints and the About box heads with."""
    return f"Parley {full_version()}"


def write_build_file(root: Path | None = None) -> str:
    """Writes ``app/_build_version.py`` for a bundle (``packaging/parley.spec``); the version written."""
    version = compute(root)
    BUILD_FILE.write_text(
        f'"""Written by packaging/parley.spec at build time: the version of this build."""\n\nVERSION = "{version}"\n',
        encoding="utf-8",
    )
    return version
