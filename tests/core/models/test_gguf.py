"""The GGUF header reader: what a model says about itself, and files that are not whole models."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from app.core.errors import NotAGgufError
from app.core.models.gguf import quantization_from_name, read_gguf, split_name, split_part_names
from tests import ggufdata


def test_reads_the_starter_model(starter_model: Path) -> None:
    info = read_gguf(starter_model)
    assert info.architecture == "llama"
    assert (info.context_length, info.block_count, info.embedding_length) == (8192, 30, 576)
    assert (info.head_count, info.head_count_kv, info.head_dim) == (9, 3, 64)
    assert info.size_label == "135M"
    assert 130_000_000 < info.parameter_count < 140_000_000
    assert info.quantization == "Q4_1"
    assert info.chat_template and "im_start" in info.chat_template
    assert info.file_size == starter_model.stat().st_size
    assert info.part_count == 1


def test_reads_a_small_model(tmp_path: Path) -> None:
    path = tmp_path / "tiny.gguf"
    path.write_bytes(ggufdata.tiny_model("Tiny Test", file_type=15, extra={"llama.attention.key_length": 32}))
    info = read_gguf(path)
    assert info.name == "Tiny Test"
    assert info.quantization == "Q4_K_M"
    assert info.head_dim == 32  # the stated key length wins over embedding / heads
    assert info.parameter_count == 4096 + 64


def test_version_2_is_read(tmp_path: Path) -> None:
    path = tmp_path / "v2.gguf"
    path.write_bytes(ggufdata.gguf_bytes(ggufdata.llama_metadata(), [ggufdata.Tensor("w", (64,))], version=2))
    assert read_gguf(path).block_count == 2


def test_split_model_is_read_as_one(tmp_path: Path) -> None:
    for index, data in enumerate(ggufdata.split_model("Split", 3), start=1):
        (tmp_path / f"split-{index:05d}-of-00003.gguf").write_bytes(data)
    info = read_gguf(tmp_path / "split-00002-of-00003.gguf")
    assert info.path.name == "split-00001-of-00003.gguf"
    assert info.part_count == 3
    assert info.tensor_count == 3
    assert info.file_size == sum(p.stat().st_size for p in tmp_path.iterdir())
    assert info.name == "Split"


def test_split_model_with_a_missing_part_is_refused(tmp_path: Path) -> None:
    parts = ggufdata.split_model("Split", 3)
    for index in (1, 3):
        (tmp_path / f"split-{index:05d}-of-00003.gguf").write_bytes(parts[index - 1])
    with pytest.raises(NotAGgufError, match="part 2 of 3"):
        read_gguf(tmp_path / "split-00001-of-00003.gguf")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"PK\x03\x04 a zip file, not a model", "GGUF signature"),
        (b"GGUF" + struct.pack("<I", 7) + b"\0" * 16, "version 7"),
        (b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + struct.pack("<Q", 10) + b"gener", "truncated"),
    ],
    ids=["empty", "not-gguf", "future-version", "header-cut"],
)
def test_bad_files_are_refused_with_a_reason(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.gguf"
    path.write_bytes(content)
    with pytest.raises(NotAGgufError, match=reason) as caught:
        read_gguf(path)
    assert str(path) in caught.value.user_message()


def test_a_file_cut_short_in_its_tensor_data_is_refused(tmp_path: Path, starter_model: Path) -> None:
    path = tmp_path / "cut.gguf"
    with starter_model.open("rb") as source:
        path.write_bytes(source.read(starter_model.stat().st_size - 1000))
    with pytest.raises(NotAGgufError, match="1000 missing"):
        read_gguf(path)


def test_missing_file_and_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(NotAGgufError, match="does not exist"):
        read_gguf(tmp_path / "nope.gguf")
    folder = tmp_path / "folder.gguf"
    folder.mkdir()
    with pytest.raises(NotAGgufError):
        read_gguf(folder)


def test_damaged_counts_are_refused_without_reading_forever(tmp_path: Path) -> None:
    path = tmp_path / "huge.gguf"
    path.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 2**60, 2**60))
    with pytest.raises(NotAGgufError, match="damaged"):
        read_gguf(path)


@pytest.mark.parametrize(
    ("name", "quant"),
    [
        ("qwen2.5-0.5b-instruct-q4_k_m.gguf", "Q4_K_M"),
        ("SmolLM2-135M-Instruct.Q4_1.gguf", "Q4_1"),
        ("Llama-3.2-1B-Instruct-IQ4_XS.gguf", "IQ4_XS"),
        ("model-IQ3_XXS.gguf", "IQ3_XXS"),
        ("gemma-2-2b-it-Q6_K_L.gguf", "Q6_K_L"),
        ("m-Q8_0.gguf", "Q8_0"),
        ("m-f16.gguf", "F16"),
        ("m-BF16-00001-of-00002.gguf", "BF16"),
        ("Q4_K_M/model-Q4_K_M-00002-of-00003.gguf", "Q4_K_M"),
        ("ggml-model.gguf", None),
    ],
)
def test_quantization_from_file_name(name: str, quant: str | None) -> None:
    assert quantization_from_name(name) == quant


def test_split_names() -> None:
    split = split_name("qwen2.5-7b-instruct-q4_k_m-00002-of-00002.gguf")
    assert split is not None and (split.stem, split.index, split.count) == ("qwen2.5-7b-instruct-q4_k_m", 2, 2)
    assert split_name("model.gguf") is None
    assert split_name("m-00003-of-00002.gguf") is None
    assert split_part_names("dir/m-00002-of-00002.gguf") == ["dir/m-00001-of-00002.gguf", "dir/m-00002-of-00002.gguf"]
