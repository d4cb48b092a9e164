"""Settings → Voice, as saved in voice.json."""

from __future__ import annotations

import json

from app.core.voice import settings
from app.core.voice.settings import VoiceSettings


def test_voice_settings_survive_a_save_and_a_bad_value_takes_its_default() -> None:
    chosen = VoiceSettings(input_device="USB headset", language="zh", send_at_once=True,
                           voices={"en": "en_GB-alba-medium", "zh": "zh_CN-huayan-x_low"})  # fmt: skip
    settings.save(chosen)
    assert settings.load() == chosen

    data = json.loads(settings.voice_settings_path().read_text(encoding="utf-8"))
    data.update(language="klingon", read_aloud="yes")
    settings.voice_settings_path().write_text(json.dumps(data), encoding="utf-8")
    loaded = settings.load()
    assert (loaded.language, loaded.read_aloud, loaded.send_at_once) == ("", False, True)
