"""The settings façade: one JSON file, written atomically, that survives being damaged."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from app.core import paths
from app.core.config import settings
from app.core.engine.protocol import SamplingSettings
from app.core.errors import SettingsUnreadableError, StorageError


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


def test_a_value_of_the_wrong_type_or_out_of_range_takes_its_default() -> None:
    paths.settings_path().write_text(
        '{"n_ctx": "4096", "n_gpu_layers": -7, "system_prompt": "Be brief.", "language": "klingon",'
        ' "imported_models": "/one/file.gguf", "sampling": {"temperature": "hot", "top_k": 12, "seed": 1.5}}',
        encoding="utf-8",
    )
    loaded = settings.load()
    defaults = settings.Settings()
    assert loaded.system_prompt == "Be brief."  # the valid values are kept
    assert loaded.n_ctx == defaults.n_ctx and loaded.n_gpu_layers == defaults.n_gpu_layers
    assert loaded.language == defaults.language and loaded.imported_models == ()
    assert loaded.sampling == replace(SamplingSettings(), top_k=12)


def test_an_unreadable_settings_file_is_a_clear_error() -> None:
    target = paths.settings_path()
    target.mkdir()  # a folder where the file should be: reading it fails like a permission problem
    with pytest.raises(SettingsUnreadableError) as caught:
        settings.load()
    assert str(target) in caught.value.user_message()


def test_saving_on_a_disk_that_refuses_is_a_storage_error() -> None:
    target = paths.settings_path()
    target.mkdir()
    with pytest.raises(StorageError):
        settings.save(settings.Settings())


def test_stop_strings_survive_saving_and_loading() -> None:
    saved = settings.Settings(sampling=replace(SamplingSettings(), stop=("###", "User:")))
    settings.save(saved)
    assert settings.load().sampling.stop == ("###", "User:")
