"""Per-model load settings over the global defaults, and the one owner of ``model-settings.json``.

A model (by its file path) may set its own context length, GPU layers (Auto, Off or a number),
threads, batch size, flash attention, KV-cache type, chat template and draft model (for speculative
decoding: Auto, none, or an installed model's file; ``app.core.models.drafts`` resolves it); what it leaves unset
follows the global settings. ``apply`` turns them into the ``ModelSpec`` the engine loads, so a
change shows on the next load: the next message reloads the model with them, without a restart.
A chat template is checked (compiled and rendered with a sample conversation) before it is
saved, so a saved template never breaks the next load. Written atomically, like the settings.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from app.core import paths
from app.core.atomic import write_json_atomically
from app.core.engine.builtin_templates import check_template
from app.core.engine.protocol import KV_TYPES, ModelSpec, valid_gpu_layers
from app.core.errors import InvalidTemplateError, StorageError

log = logging.getLogger("app.settings")


@dataclass(frozen=True)
class ModelSettings:
    """A model's own values; None follows the global settings (or the GGUF, for the template)."""

    n_ctx: int | None = None
    n_gpu_layers: int | None = None  # AUTO_GPU_LAYERS, NO_GPU_LAYERS or a number (protocol.valid_gpu_layers)
    n_threads: int | None = None
    n_batch: int | None = None
    flash_attn: bool | None = None
    kv_type: str | None = None  # one of KV_TYPES
    chat_template: str | None = None  # None: the GGUF's own
    template_name: str | None = None  # the built-in it came from (builtin_templates), or None for pasted text
    draft_model: str | None = None  # None: Auto; "none"; or the path of an installed model (drafts.resolve_draft)

    def apply(self, spec: ModelSpec) -> ModelSpec:
        """``spec`` (from the global settings) with this model's own values over it (the draft is resolved apart)."""
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in _NOT_IN_SPEC}
        return replace(spec, **{name: value for name, value in values.items() if value is not None})

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ModelSettings:
        checks: dict[str, Callable[[Any], bool]] = {
            "n_ctx": lambda v: _int(v) and 256 <= v <= 1 << 20,
            "n_gpu_layers": valid_gpu_layers,
            "n_threads": lambda v: _int(v) and 1 <= v <= 512,
            "n_batch": lambda v: _int(v) and 32 <= v <= 8192,
            "flash_attn": lambda v: isinstance(v, bool),
            "kv_type": lambda v: v in KV_TYPES,
            "chat_template": lambda v: isinstance(v, str) and check_template(v).error is None,
            "template_name": lambda v: isinstance(v, str),
            "draft_model": lambda v: isinstance(v, str) and bool(v),
        }
        values: dict[str, Any] = {}
        for name, check in checks.items():
            value = data.get(name)
            if value is None:
                continue
            if check(value):
                values[name] = value
            else:
                log.warning("model settings: %s = %r is not valid; using the default", name, value)
        return cls(**values)


_NOT_IN_SPEC = ("template_name", "draft_model")


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


ModelSettingsListener = Callable[[str], None]


class ModelSettingsStore:
    """Every model's own settings, by model file path. Use it from one thread."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._values: dict[str, ModelSettings] = self._load()
        self._listeners: list[ModelSettingsListener] = []

    def _file(self) -> Path:
        return self._path or paths.model_settings_path()

    def _load(self) -> dict[str, ModelSettings]:
        path = self._file()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("model settings: %s is unreadable (%s); every model uses the global settings", path, exc)
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(key): ModelSettings.from_json(value) for key, value in data.items() if isinstance(value, dict)}

    def get(self, model_path: str) -> ModelSettings:
        return self._values.get(model_path, ModelSettings())

    def set(self, model_path: str, values: ModelSettings) -> None:
        """Saves a model's settings (``InvalidTemplateError`` for a template that does not work,
        ``StorageError`` when the disk refuses); tells the listeners."""
        if values.chat_template is not None:
            error = check_template(values.chat_template).error
            if error is not None:
                raise InvalidTemplateError(reason=error)
        if self.get(model_path) == values:
            return
        new = dict(self._values)
        if values == ModelSettings():
            new.pop(model_path, None)
        else:
            new[model_path] = values
        target = self._file()
        data = {key: {k: v for k, v in asdict(value).items() if v is not None} for key, value in new.items()}
        try:
            write_json_atomically(target, data, prefix=".model-settings-")
        except OSError as exc:
            raise StorageError(path=target, reason=exc.strerror or exc) from exc
        self._values = new
        for listener in list(self._listeners):
            listener(model_path)

    def add_listener(self, listener: ModelSettingsListener) -> None:
        self._listeners.append(listener)
