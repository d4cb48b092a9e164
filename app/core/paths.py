"""Every folder and file Parley writes, in one place.

Without ``PARLEY_HOME`` the platformdirs user folders are used; with it, everything
(database, settings, models, logs) lives under that one folder. A folder that cannot be created
(a read-only data folder) is still named here; whoever writes to it then meets the error and
reports it as its own (``StorageReadOnlyError`` for the history), so that naming a path never fails.

What Parley only reads (icons, translations, the catalog) is found through ``resources_dir``, the
one place that knows whether Parley runs from its source tree or frozen in a PyInstaller bundle.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "Parley"
HOME_ENV = "PARLEY_HOME"
BACKUPS_FOLDER = "backups"
RESOURCES_FOLDER = "resources"


def _home() -> Path | None:
    value = os.environ.get(HOME_ENV, "").strip()
    return Path(value).expanduser() if value else None


def _ensure(path: Path) -> Path:
    # Read-only or otherwise refused: the first write there says why, in its own words.
    with contextlib.suppress(OSError):
        path.mkdir(parents=True, exist_ok=True)
    return path


def data_dir() -> Path:
    home = _home()
    return _ensure(home if home else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)))


def config_dir() -> Path:
    home = _home()
    return _ensure(home if home else Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)))


def log_dir() -> Path:
    home = _home()
    return _ensure(home / "logs" if home else Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)))


def models_dir() -> Path:
    return _ensure(data_dir() / "models")


def downloads_dir() -> Path:
    """Where partly downloaded files wait; never scanned for usable models."""
    return _ensure(data_dir() / "downloads")


def database_path() -> Path:
    return data_dir() / "parley.sqlite3"


def library_path() -> Path:
    """The document library's index (app.core.documents.library): derived data, rebuilt from the folders if lost."""
    return data_dir() / "library.sqlite3"


def backups_dir() -> Path:
    """Checked copies of the history database (daily, before a migration, before a restore)."""
    return _ensure(data_dir() / BACKUPS_FOLDER)


def states_dir() -> Path:
    """Conversations' saved KV states (app.core.engine.kv_state): a cache, safe to clear."""
    return data_dir() / "states"


def model_settings_path() -> Path:
    return config_dir() / "model-settings.json"


def settings_path() -> Path:
    return config_dir() / "settings.json"


def is_frozen() -> bool:
    """True inside a PyInstaller bundle (``sys.frozen`` and ``sys._MEIPASS`` are set by its bootloader)."""
    return bool(getattr(sys, "frozen", False)) and hasattr(sys, "_MEIPASS")


def bundle_root() -> Path:
    """Where Parley's own files lie: the bundle's unpacked folder when frozen, else the source tree."""
    if is_frozen():
        return Path(getattr(sys, "_MEIPASS"))  # noqa: B009 - only PyInstaller's bootloader sets it
    return Path(__file__).resolve().parents[2]


def resources_dir() -> Path:
    """The read-only ``resources`` folder (icons, translations, catalog.json), frozen or from source."""
    return bundle_root() / RESOURCES_FOLDER


def resource_path(*parts: str) -> Path:
    """One file under ``resources_dir``, e.g. ``resource_path("translations", "parley_zh_CN.qm")``."""
    return resources_dir().joinpath(*parts)
