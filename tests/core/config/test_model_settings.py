"""Per-model settings over the global ones, the chat template override, and their effect on the next load."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from app.core import paths
from app.core.config.model_settings import ModelSettings, ModelSettingsStore
from app.core.config.settings import Settings, SettingsStore
from app.core.engine import builtin_templates
from app.core.engine.builtin_templates import check_template
from app.core.engine.local import LocalEngine
from app.core.engine.protocol import (
    AUTO_GPU_LAYERS,
    MAX_GPU_LAYERS,
    NO_GPU_LAYERS,
    ChatMessage,
    GenerationFailed,
    GenerationFinished,
    GenerationRequest,
    ModelLoaded,
    valid_gpu_layers,
)
from app.core.errors import InvalidTemplateError
from app.core.models.registry import ModelRegistry
from tests.core.engine_helpers import GREEDY, EventLog


def _registry() -> ModelRegistry:
    return ModelRegistry(SettingsStore(Settings(n_ctx=4096)))


def test_a_models_own_values_go_over_the_global_ones_and_survive_a_restart(
    starter_model: Path
) -> None:
    registry = _registry()
    entry = registry.models()[0]
    assert registry.spec_for(entry).n_ctx == 4096 and registry.spec_for(entry).n_gpu_layers == AUTO_GPU_LAYERS
    registry.model_settings.set(
        str(entry.path), ModelSettings(n_ctx=1024, n_gpu_layers=0, n_batch=128, flash_attn=True, kv_type="q8_0")
    )
    again = _registry()  # a new start reads model-settings.json
    spec = again.spec_for(again.models()[0])
    assert (spec.n_ctx, spec.n_gpu_layers, spec.n_batch, spec.flash_attn, spec.kv_type) == (1024, 0, 128, True, "q8_0")
    assert paths.model_settings_path().exists()
    other = replace(entry, path=Path("/elsewhere/other.gguf"))
    assert registry.spec_for(other).n_ctx == 4096  # another model keeps the global values


def test_every_builtin_template_renders_the_sample_conversation() -> None:
    for template in builtin_templates.BUILTINS:
        check = check_template(template.source)
        assert check.error is None, template.label
        assert "What is the capital of France?" in check.preview and "And of Italy?" in check.preview
    assert "<|start_header_id|>assistant<|end_header_id|>" in check_template(builtin_templates.LLAMA3_TEMPLATE).preview
    assert check_template(builtin_templates.GEMMA_TEMPLATE).preview.endswith("<start_of_turn>model\n")
    assert "[INST] You are a helpful assistant.\n\nWhat is the capital" in check_template(
        builtin_templates.MISTRAL_TEMPLATE
    ).preview


def test_an_invalid_template_is_refused_with_the_jinja_error_and_never_saved() -> None:
    store = ModelSettingsStore()
    broken = "{% for message in messages %}{{ message['content'] }"
    assert "line 1" in (check_template(broken).error or "")
    with pytest.raises(InvalidTemplateError, match="line 1"):
        store.set("/m.gguf", ModelSettings(chat_template=broken))
    refusing = "{{ raise_exception('only one message, please') }}"
    assert check_template(refusing).error == "only one message, please"
    with pytest.raises(InvalidTemplateError):
        store.set("/m.gguf", ModelSettings(chat_template=refusing))
    assert store.get("/m.gguf") == ModelSettings()
    assert not paths.model_settings_path().exists()


def test_a_template_damaged_in_the_file_is_not_used() -> None:
    paths.model_settings_path().write_text(
        json.dumps({"/m.gguf": {"chat_template": "{% if %}", "n_ctx": 2048}}), encoding="utf-8"
    )
    assert ModelSettingsStore().get("/m.gguf") == ModelSettings(n_ctx=2048)


def test_reset_to_the_models_own_template_forgets_the_override() -> None:
    store = ModelSettingsStore()
    store.set("/m.gguf", ModelSettings(chat_template=builtin_templates.PHI3_TEMPLATE, template_name="phi3"))
    changed: list[str] = []
    store.add_listener(changed.append)
    store.set("/m.gguf", replace(store.get("/m.gguf"), chat_template=None, template_name=None))
    assert ModelSettingsStore().get("/m.gguf") == ModelSettings()
    assert changed == ["/m.gguf"]


def test_overrides_apply_on_the_next_load_without_a_restart(starter_model: Path) -> None:
    registry = _registry()
    entry = registry.models()[0]
    log = EventLog()
    engine = LocalEngine(log.put)
    try:
        engine.load(registry.spec_for(entry))
        assert log.wait_for(ModelLoaded, timeout=120).n_ctx == 4096
        marker = "{{ raise_exception('the override is in use') }}"
        registry.model_settings.set(str(entry.path), ModelSettings(n_ctx=1024))
        # The template check is bypassed here on purpose: a template that refuses shows which one the engine used.
        spec = replace(registry.spec_for(entry), chat_template=marker)
        request = GenerationRequest(uuid.uuid4().hex, spec, (ChatMessage("user", "Hi"),), GREEDY)
        engine.generate(request)
        loaded = log.wait_for(ModelLoaded, timeout=120)
        assert loaded.n_ctx == 1024 and loaded.model == spec
        assert log.wait_for(GenerationFailed, timeout=120).reason == "the override is in use"
        spec = replace(spec, chat_template=builtin_templates.CHATML_BUILTIN)
        engine.generate(GenerationRequest(uuid.uuid4().hex, spec, (ChatMessage("user", "Hi"),), GREEDY))
        assert log.wait_for(GenerationFinished, timeout=120).text
    finally:
        engine.shutdown()


@pytest.mark.parametrize("layers", [MAX_GPU_LAYERS + 1, AUTO_GPU_LAYERS - 1, True, "12"])
def test_gpu_layers_past_the_one_range_are_refused_alike_in_both_files(parley_home: Path, layers: object) -> None:
    paths.settings_path().write_text(json.dumps({"n_gpu_layers": layers, "n_ctx": 2048}), encoding="utf-8")
    paths.model_settings_path().write_text(json.dumps({"/m.gguf": {"n_gpu_layers": layers, "n_ctx": 2048}}), "utf-8")
    global_values = SettingsStore().current
    own = ModelSettingsStore().get("/m.gguf")
    # The value is refused, the file's other values kept: the global one takes its default, the model's follows it.
    assert (global_values.n_gpu_layers, global_values.n_ctx) == (Settings().n_gpu_layers, 2048)
    assert (own.n_gpu_layers, own.n_ctx) == (None, 2048)


@pytest.mark.parametrize("layers", [AUTO_GPU_LAYERS, NO_GPU_LAYERS, 1, MAX_GPU_LAYERS])
def test_every_gpu_layers_value_in_the_range_is_kept_in_both_files(parley_home: Path, layers: int) -> None:
    paths.settings_path().write_text(json.dumps({"n_gpu_layers": layers}), encoding="utf-8")
    paths.model_settings_path().write_text(json.dumps({"/m.gguf": {"n_gpu_layers": layers}}), encoding="utf-8")
    assert SettingsStore().current.n_gpu_layers == ModelSettingsStore().get("/m.gguf").n_gpu_layers == layers
    assert valid_gpu_layers(layers)


def test_the_draft_model_choice_survives_a_restart_and_reaches_the_load_plan(starter_model: Path) -> None:
    registry = _registry()
    entry = registry.models()[0]
    assert registry.spec_for(entry).draft_path == ""  # Auto: nothing installed is several times smaller
    assert registry.spec_for(entry).flash_attn  # drafting needs it, so a model that leaves it unset gets it
    registry.model_settings.set(str(entry.path), ModelSettings(draft_model=str(entry.path)))
    again = _registry()
    assert again.model_settings.get(str(entry.path)).draft_model == str(entry.path)
    assert again.spec_for(again.models()[0]).draft_path == str(entry.path)
    again.model_settings.set(str(entry.path), ModelSettings(draft_model="none", flash_attn=False))
    spec = _registry().spec_for(again.models()[0])
    assert (spec.draft_path, spec.flash_attn) == ("", False)
    assert _registry().model_settings.get(str(entry.path)).draft_model == "none"
