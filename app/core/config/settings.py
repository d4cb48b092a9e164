"""The settings façade: the one owner of ``settings.json`` in the config folder.

Plain JSON so the command line and the window read the same values; written atomically
(temporary file, then ``os.replace``). A file that is not JSON falls back to the defaults and is
kept aside as ``settings.json.bad`` rather than thrown away; a value of the wrong type or out of
range falls back to its own default, and is logged. ``SettingsStore`` holds the current values
while the app runs and tells its listeners when they change.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from app.core import paths
from app.core.atomic import write_json_atomically
from app.core.config import secrets
from app.core.engine.protocol import AUTO_GPU_LAYERS, SamplingSettings, valid_gpu_layers
from app.core.errors import SettingsUnreadableError, StorageError

log = logging.getLogger("app.settings")

DEFAULT_SYSTEM_PROMPT = (
    "You are Parley, a helpful, honest assistant running privately on the user's computer. "
    "Answer clearly and concisely, and say so when you are not sure."
)


@dataclass(frozen=True)
class Settings:
    model_name: str | None = None  # the model new conversations use; None: the first installed one
    # system_prompt and sampling are read from older files only: they now live in the personas
    # (app.core.personas.book.migrate_settings moves an edited pair into "General assistant").
    system_prompt: str = DEFAULT_SYSTEM_PROMPT
    n_ctx: int = 4096
    n_gpu_layers: int = AUTO_GPU_LAYERS
    sampling: SamplingSettings = field(default_factory=SamplingSettings)
    language: str = ""  # "" follows the system; "en" or "zh_CN"
    imported_models: tuple[str, ...] = ()  # paths of .gguf files used where they lie
    hub_endpoint: str = ""  # "" is the public Hugging Face Hub
    hub_token: str = ""  # read from older files only: the token lives in the key store (app.core.config.secrets)
    state_cache_mb: int = 2048  # the disk the conversations' KV states may take (kv_state)
    comfortable_tokens_per_second: int = 8  # the first screen recommends models estimated at least this fast
    about_you: str = ""  # the user's own words, added to every persona's system prompt when switched on
    about_you_enabled: bool = False
    overflow: str = "drop_oldest"  # when a conversation outgrows the context: "drop_oldest" or "stop"
    theme: str = ""  # "" follows the system; "light" or "dark"
    font_size: int = 0  # points; 0 keeps the system's size
    # The local OpenAI-compatible API server (app.core.api_server): off by default, this computer only.
    # Its key, when one is set, is kept with the remote servers' keys (app.core.config.secrets).
    api_enabled: bool = False
    api_host: str = "127.0.0.1"
    api_port: int = 8717
    api_cors: bool = False
    # The window's size and place and the sidebar's width, as Qt saves them (base64); "" before the first close.
    window_geometry: str = ""
    window_splitter: str = ""
    # The model that embeds documents for search (app.core.engine.embedding.embedder_for): an installed model's
    # name or path, or a remote one ("<model id> @ <server name>"); None: words only, no embeddings.
    embedding_model: str | None = None
    # Memory (app.core.memory): facts about the user kept across conversations; off: none used or saved.
    memory_enabled: bool = True

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["imported_models"] = list(self.imported_models)
        data["sampling"].pop("logit_bias", None)  # a request's (the local API server's), not a setting
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Settings:
        """Settings from parsed JSON: a value of the wrong type or out of range takes its default, and is logged."""
        values = _checked(data, _CHECKS, "")
        sampling = data.get("sampling")
        if isinstance(sampling, dict):
            values["sampling"] = SamplingSettings(**_checked(sampling, _SAMPLING_CHECKS, "sampling."))
        elif sampling is not None:
            log.warning("settings: sampling = %r is not valid; using the defaults", sampling)
        return replace(cls(), **values)


_INVALID: Any = object()


def _optional_text(value: Any) -> Any:
    return value if value is None or isinstance(value, str) else _INVALID


def _text(value: Any) -> Any:
    return value if isinstance(value, str) else _INVALID


def _int_in(low: int, high: int) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        ok = isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
        return value if ok else _INVALID

    return check


def _float_in(low: float, high: float) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        ok = isinstance(value, int | float) and not isinstance(value, bool) and low <= value <= high
        return float(value) if ok else _INVALID

    return check


def _strings(value: Any) -> Any:
    if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
        return tuple(value)
    return _INVALID


def _language(value: Any) -> Any:
    return value if value in ("", "en", "zh_CN") else _INVALID


def _bool(value: Any) -> Any:
    return value if isinstance(value, bool) else _INVALID


def _overflow(value: Any) -> Any:
    return value if value in ("drop_oldest", "stop") else _INVALID


def _base64(value: Any) -> Any:
    if not isinstance(value, str):
        return _INVALID
    try:
        base64.b64decode(value, validate=True)
    except binascii.Error:
        return _INVALID
    return value


def _theme(value: Any) -> Any:
    return value if value in ("", "light", "dark") else _INVALID


def _font_size(value: Any) -> Any:
    ok = isinstance(value, int) and not isinstance(value, bool) and (value == 0 or 6 <= value <= 32)
    return value if ok else _INVALID


def _gpu_layers(value: Any) -> Any:
    return value if valid_gpu_layers(value) else _INVALID


def _optional_int(value: Any) -> Any:
    return value if value is None or (isinstance(value, int) and not isinstance(value, bool)) else _INVALID


_CHECKS: dict[str, Callable[[Any], Any]] = {
    "model_name": _optional_text,
    "embedding_model": _optional_text,
    "system_prompt": _text,
    "n_ctx": _int_in(256, 1 << 20),
    "n_gpu_layers": _gpu_layers,
    "language": _language,
    "imported_models": _strings,
    "hub_endpoint": _text,
    "hub_token": _text,
    "state_cache_mb": _int_in(0, 1 << 20),
    "comfortable_tokens_per_second": _int_in(1, 1000),
    "about_you": _text,
    "about_you_enabled": _bool,
    "overflow": _overflow,
    "theme": _theme,
    "font_size": _font_size,
    "api_enabled": _bool,
    "api_host": _text,
    "api_port": _int_in(1, 65535),
    "api_cors": _bool,
    "memory_enabled": _bool,
    "window_geometry": _base64,
    "window_splitter": _base64,
}
_SAMPLING_CHECKS: dict[str, Callable[[Any], Any]] = {
    "temperature": _float_in(0.0, 5.0),
    "top_p": _float_in(0.0, 1.0),
    "top_k": _int_in(0, 100_000),
    "min_p": _float_in(0.0, 1.0),
    "repeat_penalty": _float_in(0.0, 5.0),
    "max_tokens": _int_in(1, 1 << 20),
    "seed": _optional_int,
    "stop": _strings,
}


def _checked(data: dict[str, Any], checks: dict[str, Callable[[Any], Any]], prefix: str) -> dict[str, Any]:
    """The values of ``data`` that pass their check; one that does not is left out (its default stays) and logged."""
    values: dict[str, Any] = {}
    for name, check in checks.items():
        if name in data:
            value = check(data[name])
            if value is _INVALID:
                log.warning("settings: %s%s = %r is not valid; using the default", prefix, name, data[name])
            else:
                values[name] = value
    return values


def load(path: Path | None = None) -> Settings:
    """The saved settings; the defaults when there are none or the file is not JSON (kept aside as ``.bad``).

    Raises ``SettingsUnreadableError`` when the file is there but cannot be read (permissions, a folder).
    """
    path = path or paths.settings_path()
    secrets.move_hub_token(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("settings must be an object")
        return Settings.from_json(data)
    except FileNotFoundError:
        return Settings()
    except (ValueError, TypeError):
        log.warning("settings: %s is not valid JSON; it is kept as %s.bad and the defaults are used", path, path.name)
        try:
            os.replace(path, path.with_name(path.name + ".bad"))
        except OSError as exc:
            log.warning("settings: could not keep %s aside: %s", path, exc)
        return Settings()
    except OSError as exc:
        raise SettingsUnreadableError(path=path, reason=exc.strerror or exc) from exc


def save(settings: Settings, path: Path | None = None) -> None:
    """Writes the settings atomically; ``StorageError`` when the disk refuses (full, read-only)."""
    target = path or paths.settings_path()
    try:
        write_json_atomically(target, settings.to_json(), prefix=".settings-")
    except OSError as exc:
        raise StorageError(path=target, reason=exc.strerror or exc) from exc


SettingsListener = Callable[[Settings], None]


class SettingsStore:
    """The one owner of the settings while the app runs: the current values, saving, and who to tell."""

    def __init__(self, initial: Settings | None = None, path: Path | None = None) -> None:
        self._path = path
        self._current = initial if initial is not None else load(path)
        self._listeners: list[SettingsListener] = []

    @property
    def current(self) -> Settings:
        return self._current

    def update(self, new: Settings) -> None:
        """Saves ``new`` (raising ``StorageError`` and keeping the old values when that fails) and tells listeners."""
        if new == self._current:
            return
        save(new, self._path)
        self._current = new
        for listener in list(self._listeners):
            listener(new)

    def add_listener(self, listener: SettingsListener) -> None:
        self._listeners.append(listener)
