"""The settings façade: one JSON file, written atomically, that survives being damaged."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from app.core import paths, settings
from app.core.engine.protocol import SamplingSettings


def test_settings_round_trip(parley_home: Path) -> None:
    chosen = replace(
        settings.Settings(),
        model_name="Qwen2.5 1.5B",
        system_prompt="Réponds en français.",
        sampling=SamplingSettings(temperature=0.2, max_tokens=99, seed=7),
        imported_models=("/data/a.gguf",),
        hub_endpoint="https://hf-mirror.com",
    )
    settings.save(chosen)
    assert paths.settings_path().parent == parley_home
    assert settings.load() == chosen
    assert not [p for p in parley_home.iterdir() if p.name.startswith(".settings-")]  # no temporary left


def test_damaged_settings_fall_back_to_defaults_and_are_kept_aside(parley_home: Path) -> None:
    paths.settings_path().write_text("{ not json", encoding="utf-8")
    assert settings.load() == settings.Settings()
    assert (parley_home / "settings.json.bad").read_text(encoding="utf-8") == "{ not json"
