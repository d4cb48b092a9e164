"""The shipped list of recommended models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.models.gguf import quantization_from_name
from app.core.models.recommended import KINDS, MOE_BAND, SIZE_BANDS, CatalogFileError, load_recommended

CHAT = [m for m in load_recommended() if m.kind != "embedding"]
BY_ID = {m.id: m for m in load_recommended()}


def test_the_shipped_catalog_covers_every_size_band_and_purpose() -> None:
    assert {m.size_band for m in CHAT} >= {*SIZE_BANDS, MOE_BAND}
    assert any(m.reasoning for m in CHAT) and any(m.coding for m in CHAT) and any(m.vision for m in CHAT)
    assert any("中文" in m.description_in("zh_CN") for m in CHAT)  # one strong in Chinese says so
    assert all(m.kind in KINDS for m in load_recommended())
    assert all(m.description and m.licence for m in CHAT)
    assert all(m.n_layer and m.n_head_kv and m.head_dim for m in CHAT)


@pytest.mark.parametrize("model", CHAT, ids=lambda m: m.id)
def test_each_chat_entry_sits_in_its_size_band(model: object) -> None:
    from app.core.models.recommended import RecommendedModel

    assert isinstance(model, RecommendedModel)
    assert model.parameters_b and model.size_band
    if model.size_band == MOE_BAND:
        assert model.active_parameters_b and model.active_parameters_b < model.parameters_b / 3
        active = model.active_parameters_b
    else:
        low, high = SIZE_BANDS[model.size_band]
        assert low <= model.parameters_b < high
        active = model.parameters_b
    # The download's size agrees with the parameters and the quantization's bits per weight (4 to 9).
    bits_per_weight = model.size_bytes * 8 / (model.parameters_b * 1e9)
    assert 4.0 <= bits_per_weight <= 9.5, (model.id, bits_per_weight)
    assert active > 0


@pytest.mark.parametrize("model", CHAT, ids=lambda m: m.id)
def test_each_file_matches_its_quantization_pattern(model: object) -> None:
    from app.core.models.recommended import RecommendedModel

    assert isinstance(model, RecommendedModel)
    assert quantization_from_name(model.file) == model.quantization
    assert model.quantization.lower() in model.file.lower()


def test_every_draft_is_smaller_and_shares_its_models_vocabulary() -> None:
    drafted = [m for m in CHAT if m.draft]
    assert len(drafted) >= 4
    for model in drafted:
        draft = BY_ID[model.draft or ""]
        assert draft.vocab_family == model.vocab_family, model.id
        assert draft.size_bytes * 2 < model.size_bytes, model.id  # a draft pays only when much smaller
        assert draft.draft is None


def test_a_draft_missing_from_the_list_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CatalogFileError):
        load_recommended(_write(tmp_path, {"draft": "not-there"}))


def test_an_unknown_kind_or_band_is_refused_and_an_embedding_entry_is_kept(tmp_path: Path) -> None:
    with pytest.raises(CatalogFileError):
        load_recommended(_write(tmp_path, {"kind": "toaster"}))
    with pytest.raises(CatalogFileError):
        load_recommended(_write(tmp_path, {"size_band": "70B"}))
    embedder = _write(tmp_path, {"kind": "embedding"})
    assert load_recommended(embedder) == []  # never offered for chat
    assert load_recommended(embedder, kind="embedding")[0].kind == "embedding"
    assert load_recommended(_write(tmp_path, {"kind": "vision"}))[0].vision  # a vision model chats too


def _write(tmp_path: Path, entry: dict[str, object]) -> Path:
    good = json.loads((Path(__file__).resolve().parents[3] / "resources" / "catalog.json").read_text())["models"][0]
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps({"models": [{**good, **entry}]}))
    return path


@pytest.mark.parametrize(
    "bad",
    [
        {"files": ["../evil.gguf"]},
        {"files": ["C:evil.gguf"]},
        {"files": ["..\\evil.gguf"]},
        {"files": ["/etc/evil.gguf"]},
        {"files": ["m-00001-of-00002.gguf"]},  # a split model missing a part
        {"repo": "no-owner"},
        {"size_bytes": "big"},
        {"gated": "no"},
        {"thinking": "sometimes"},
        {"parameters_b": "big"},
    ],
)
def test_malformed_entries_are_refused(tmp_path: Path, bad: dict[str, object]) -> None:
    with pytest.raises(CatalogFileError):
        load_recommended(_write(tmp_path, bad))


def test_a_single_file_key_is_accepted(tmp_path: Path) -> None:
    path = _write(tmp_path, {"files": None, "file": "x-Q4_K_M.gguf"})
    data = json.loads(path.read_text())
    del data["models"][0]["files"]
    path.write_text(json.dumps(data))
    assert load_recommended(path)[0].files == ("x-Q4_K_M.gguf",)


def test_every_recommended_model_is_described_in_simplified_chinese_too() -> None:
    for model in load_recommended():
        chinese = model.description_in("zh_CN")
        assert chinese != model.description and any("\u4e00" <= ch <= "\u9fff" for ch in chinese), model.id
        assert model.description_in("fr") == model.description  # no translation: English


def test_the_shipped_embedders_are_listed_apart_multilingual_first() -> None:
    embedders = load_recommended(kind="embedding")
    assert [m.id for m in embedders] == ["bge-m3", "qwen3-embedding-0.6b", "nomic-embed-text-v1.5"]
    assert all(m.kind == "embedding" and 0 < m.size_bytes < 1_000_000_000 for m in embedders)
    assert all(quantization_from_name(m.file) == m.quantization for m in embedders)
    assert "Chinese" in embedders[0].description and "中文" in embedders[0].description_in("zh_CN")
    # Qwen's own file predates llama.cpp writing the pooling down: the catalog says it (last token).
    assert {m.id: m.pooling for m in embedders}["qwen3-embedding-0.6b"] == "last"
    everything = load_recommended(kind=None)
    assert len(everything) == len(load_recommended()) + len(embedders)


def test_no_list_of_chat_models_offers_an_embedder() -> None:
    chat = load_recommended()
    assert chat and all(m.kind == "chat" for m in chat)
    embedders = {(m.repo, m.file) for m in load_recommended(kind="embedding")}
    assert not embedders & {(m.repo, m.file) for m in chat}


@pytest.mark.parametrize("bad", [{"kind": "reranker"}, {"kind": "embedding", "pooling": "max"}])
def test_an_unknown_kind_or_pooling_is_refused(tmp_path: Path, bad: dict[str, object]) -> None:
    with pytest.raises(CatalogFileError):
        load_recommended(_write(tmp_path, bad), kind=None)


def test_todays_models_are_offered_in_their_bands() -> None:
    # The families people download today, each where its size puts it, with a draft where one exists.
    expected = {
        "phi-4-mini-instruct": "3-4B", "smollm3-3b": "3-4B", "granite-4.0-micro": "3-4B", "lfm2-1.2b": "1-2B",
        "lfm2-2.6b": "3-4B", "qwen3-30b-a3b-instruct-2507": MOE_BAND, "granite-4.0-h-tiny": MOE_BAND,
    }
    assert {model_id: BY_ID[model_id].size_band for model_id in expected} == expected
    assert BY_ID["qwen3-4b-thinking-2507"].thinking == "always"  # a reasoning model
    assert {BY_ID[i].draft for i in ("lfm2-1.2b", "lfm2-2.6b")} == {"lfm2-350m"}
    assert BY_ID["granite-4.0-micro"].draft == BY_ID["granite-4.0-h-tiny"].draft == "granite-4.0-350m"
    # A mixture of experts that runs well on a CPU reads at most 4B weights a word.
    assert all((m.active_parameters_b or 0) <= 4 for m in CHAT if m.size_band == MOE_BAND)
    assert "中文" in BY_ID["qwen3-4b-instruct-2507"].description_in("zh_CN")
