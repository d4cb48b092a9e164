"""Settings → Voice: the one owner of ``voice.json`` in the config folder.

Kept apart from ``settings.json`` so the voice's choices (devices, models, a voice per language, how dictation
and reading aloud behave) travel together; read leniently like the settings (a bad value takes its default)
and written atomically.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from app.core import paths
from app.core.atomic import write_json_atomically
from app.core.errors import StorageError

log = logging.getLogger("app.settings")
LANGUAGES = ("", "en", "zh")  # "" detects the language


@dataclass(frozen=True)
class VoiceSettings:
    input_device: str = ""  # "" the first microphone
    whisper_model: str = "whisper-tiny.en"  # a catalog id (app.core.voice.catalog)
    language: str = ""  # what dictation expects: "" detect, "en", "zh"
    voices: dict[str, str] = field(default_factory=lambda: {"en": "en_US-joe-medium", "zh": "zh_CN-huayan-medium"})
    send_at_once: bool = False  # dictated text is sent as soon as it is transcribed, not left to edit
    read_aloud: bool = False  # every answer is read aloud as it streams
    conversation_mode: bool = False  # listen, answer, speak, listen again

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VoiceSettings:
        defaults = cls()
        values: dict[str, Any] = {}
        for item in fields(cls):
            if item.name not in data:
                continue
            value, default = data[item.name], getattr(defaults, item.name)
            valid = isinstance(value, type(default)) and isinstance(value, bool) == isinstance(default, bool)
            if item.name == "language":
                valid = value in LANGUAGES
            if item.name == "voices":
                valid = isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
            if valid:
                values[item.name] = dict(value) if isinstance(value, dict) else value
            else:
                log.warning("voice settings: %s = %r is not valid; using the default", item.name, value)
        return replace(defaults, **values)


def voice_settings_path() -> Path:
    return paths.config_dir() / "voice.json"


def load() -> VoiceSettings:
    try:
        data = json.loads(voice_settings_path().read_text(encoding="utf-8"))
    except FileNotFoundError:
        return VoiceSettings()
    except (OSError, ValueError) as exc:
        log.warning("voice settings unreadable (%s): using the defaults", exc)
        return VoiceSettings()
    return VoiceSettings.from_json(data) if isinstance(data, dict) else VoiceSettings()


def save(settings: VoiceSettings) -> None:
    try:
        write_json_atomically(voice_settings_path(), asdict(settings))
    except OSError as exc:
        raise StorageError(path=voice_settings_path(), reason=exc.strerror or str(exc)) from exc
