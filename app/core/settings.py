"""The settings façade: the one owner of ``settings.json`` in the config folder.

Plain JSON so the command line and the window read the same values; written atomically
(temporary file, then ``os.replace``). An unreadable file falls back to the defaults and is
kept aside as ``settings.json.bad`` rather than thrown away.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from app.core import paths
from app.core.atomic import write_json_atomically
from app.core.engine.protocol import SamplingSettings

DEFAULT_SYSTEM_PROMPT = (
    "You are Parley, a helpful, honest assistant running privately on the user's computer. "
    "Answer clearly and concisely, and say so when you are not sure."
)


@dataclass(frozen=True)
class Settings:
    model_name: str | None = None  # the model new conversations use; None: the first installed one
    system_prompt: str = DEFAULT_SYSTEM_PROMPT
    n_ctx: int = 4096
    n_gpu_layers: int = -1
    sampling: SamplingSettings = field(default_factory=SamplingSettings)
    language: str = ""  # "" follows the system; "en" or "zh_CN"
    imported_models: tuple[str, ...] = ()  # paths of .gguf files used where they lie
    hub_endpoint: str = ""  # "" is the public Hugging Face Hub
    hub_token: str = ""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["imported_models"] = list(self.imported_models)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Settings:
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        sampling = values.pop("sampling", None)
        result = cls(**values)
        if isinstance(sampling, dict):
            sampling_known = {f.name for f in fields(SamplingSettings)}
            result = replace(
                result, sampling=SamplingSettings(**{k: v for k, v in sampling.items() if k in sampling_known})
            )
        return replace(result, imported_models=tuple(result.imported_models))


def load(path: Path | None = None) -> Settings:
    path = path or paths.settings_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("settings must be an object")
        return Settings.from_json(data)
    except FileNotFoundError:
        return Settings()
    except (ValueError, TypeError):
        os.replace(path, path.with_name(path.name + ".bad"))
        return Settings()


def save(settings: Settings, path: Path | None = None) -> None:
    write_json_atomically(path or paths.settings_path(), settings.to_json(), prefix=".settings-")
