"""The shipped list of recommended models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.models.gguf import quantization_from_name, split_name
from app.core.models.recommended import CatalogFileError, load_recommended


def test_the_shipped_catalog_loads_and_spans_tiny_to_8b() -> None:
    models = load_recommended()
    assert len(models) >= 9
    assert all(m.quantization == "Q4_K_M" for m in models)
    assert all(quantization_from_name(m.file) == "Q4_K_M" for m in models)
    sizes = [m.size_bytes for m in models]
    assert min(sizes) < 600_000_000 and max(sizes) < 8_000_000_000
    assert all(m.n_layer and m.n_head_kv and m.head_dim for m in models)
    assert all(m.description and m.licence for m in models)


def test_a_split_model_lists_every_part_and_loads_from_the_first() -> None:
    qwen7 = next((model for model in load_recommended() if model.id == "qwen2.5-7b-instruct"), None)
    assert qwen7 is not None
    assert len(qwen7.files) == 2
    first = split_name(qwen7.file)
    assert first is not None and first.index == 1


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
