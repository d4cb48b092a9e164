"""Builds small, valid GGUF files for tests (the layout llama.cpp's gguf writer produces)."""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass

ALIGNMENT = 32
F32, F16, Q4_K, Q8_0 = 0, 1, 12, 8
_BLOCK = {F32: (1, 4), F16: (1, 2), Q4_K: (256, 144), Q8_0: (32, 34)}


@dataclass(frozen=True)
class Tensor:
    name: str
    dims: tuple[int, ...]
    type: int = F32

    @property
    def nbytes(self) -> int:
        elements = 1
        for dim in self.dims:
            elements *= dim
        per_block, block_bytes = _BLOCK[self.type]
        return (elements + per_block - 1) // per_block * block_bytes


def _string(text: str) -> bytes:
    data = text.encode("utf-8")
    return struct.pack("<Q", len(data)) + data


def _value(value: object) -> tuple[int, bytes]:
    if isinstance(value, bool):
        return 7, struct.pack("<?", value)
    if isinstance(value, int):
        return (4, struct.pack("<I", value)) if 0 <= value < 2**32 else (11, struct.pack("<q", value))
    if isinstance(value, float):
        return 6, struct.pack("<f", value)
    if isinstance(value, str):
        return 8, _string(value)
    if isinstance(value, list):
        if not value:
            return 9, struct.pack("<IQ", 4, 0)
        item_type, _ = _value(value[0])
        body = b"".join(_value(item)[1] for item in value)
        return 9, struct.pack("<IQ", item_type, len(value)) + body
    raise TypeError(f"no GGUF type for {value!r}")


def gguf_bytes(metadata: dict[str, object], tensors: Sequence[Tensor] = (), *, version: int = 3,
               fill: int = 0) -> bytes:
    """A whole GGUF file: header, tensor table, padding, then each tensor's data (filled with ``fill``)."""
    out = bytearray(b"GGUF" + struct.pack("<IQQ", version, len(tensors), len(metadata)))
    for key, value in metadata.items():
        value_type, payload = _value(value)
        out += _string(key) + struct.pack("<I", value_type) + payload
    offset = 0
    offsets = []
    for tensor in tensors:
        offsets.append(offset)
        out += _string(tensor.name) + struct.pack("<I", len(tensor.dims))
        out += b"".join(struct.pack("<Q", d) for d in tensor.dims)
        out += struct.pack("<IQ", tensor.type, offset)
        offset += (tensor.nbytes + ALIGNMENT - 1) // ALIGNMENT * ALIGNMENT
    out += b"\0" * (-len(out) % ALIGNMENT)
    data_start = len(out)
    for tensor, start in zip(tensors, offsets, strict=True):
        assert len(out) - data_start == start  # each tensor's data is padded to the alignment
        out += bytes([fill % 256]) * tensor.nbytes
        out += b"\0" * (-tensor.nbytes % ALIGNMENT)
    return bytes(out)


def llama_metadata(name: str = "Tiny Test", *, layers: int = 2, embd: int = 64, heads: int = 4, kv_heads: int = 2,
                   ctx: int = 2048, file_type: int = 15, extra: dict[str, object] | None = None) -> dict[str, object]:
    meta: dict[str, object] = {
        "general.architecture": "llama",
        "general.name": name,
        "general.size_label": "1K",
        "general.file_type": file_type,
        "llama.context_length": ctx,
        "llama.block_count": layers,
        "llama.embedding_length": embd,
        "llama.attention.head_count": heads,
        "llama.attention.head_count_kv": kv_heads,
        "tokenizer.ggml.tokens": [f"t{i}" for i in range(300)],  # long enough to be skipped
        "tokenizer.chat_template": "{% for m in messages %}{{ m.content }}{% endfor %}",
    }
    meta.update(extra or {})
    return meta


def tiny_model(name: str = "Tiny Test", *, file_type: int = 15, tensor_elements: int = 4096, fill: int = 0,
               extra: dict[str, object] | None = None) -> bytes:
    """A small llama-shaped GGUF whose size grows with ``tensor_elements``."""
    tensors = [Tensor("token_embd.weight", (64, tensor_elements // 64), F32), Tensor("output_norm.weight", (64,), F32)]
    return gguf_bytes(llama_metadata(name, file_type=file_type, extra=extra), tensors, fill=fill)


def split_model(name: str, parts: int, *, tensor_elements: int = 4096) -> list[bytes]:
    """A model in ``parts`` GGUF files, as ``gguf-split`` writes them (metadata in the first)."""
    out = []
    for index in range(parts):
        tensors = [Tensor(f"blk.{index}.weight", (64, tensor_elements // 64), F32)]
        split_kv: dict[str, object] = {"split.no": index, "split.count": parts, "split.tensors.count": parts}
        meta = {**llama_metadata(name, file_type=32), **split_kv} if index == 0 else split_kv
        out.append(gguf_bytes(meta, tensors, fill=index + 1))
    return out
