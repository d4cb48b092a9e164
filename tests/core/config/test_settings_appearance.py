"""The appearance settings: theme and text size are saved, and a bad value falls back to its default."""

from __future__ import annotations

from app.core.config import settings as settings_module
from app.core.config.settings import Settings


def test_theme_and_font_size_round_trip() -> None:
    settings_module.save(Settings(theme="dark", font_size=14))
    loaded = settings_module.load()
    assert loaded.theme == "dark" and loaded.font_size == 14


def test_bad_theme_and_font_size_take_their_defaults() -> None:
    loaded = Settings.from_json({"theme": "purple", "font_size": 3, "language": "zh_CN"})
    assert loaded.theme == "" and loaded.font_size == 0 and loaded.language == "zh_CN"
    assert Settings.from_json({"font_size": True}).font_size == 0
