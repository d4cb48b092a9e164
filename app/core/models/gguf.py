"""Reads the header of a GGUF model file: what the model is, and whether the file is whole.

Pure Python and read-only: the key/value metadata is parsed (big arrays such as the token
list are skipped, never held in memory), the tensor table is walked to estimate the parameter
count and to tell a truncated file from a whole one, and split models
(``name-00001-of-00003.gguf``) are read part by part. Anything that is not a usable GGUF file
raises ``NotAGgufError`` with the reason. ``check_architecture`` tells whether this build of llama.cpp
knows the model's architecture. ``vocabulary_hash`` fingerprints the tokenizer (for draft models).
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from app.core.errors import ArchitectureUnknownError, NotAGgufError
from app.core.models import gpu

MAGIC = b"GGUF"
SUPPORTED_VERSIONS = (2, 3)
DEFAULT_ALIGNMENT = 32

# Sanity limits: a header that claims more than this is damaged, not a huge model.
_MAX_KV = 1_000_000
_MAX_TENSORS = 10_000_000
_MAX_STRING = 64 * 1024 * 1024
_MAX_DIMS = 8

# GGUF value types.
_UINT8, _INT8, _UINT16, _INT16, _UINT32, _INT32, _FLOAT32, _BOOL, _STRING, _ARRAY, _UINT64, _INT64, _FLOAT64 = range(13)
_SCALARS: dict[int, struct.Struct] = {
    _UINT8: struct.Struct("<B"),
    _INT8: struct.Struct("<b"),
    _UINT16: struct.Struct("<H"),
    _INT16: struct.Struct("<h"),
    _UINT32: struct.Struct("<I"),
    _INT32: struct.Struct("<i"),
    _FLOAT32: struct.Struct("<f"),
    _BOOL: struct.Struct("<?"),
    _UINT64: struct.Struct("<Q"),
    _INT64: struct.Struct("<q"),
    _FLOAT64: struct.Struct("<d"),
}
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
# Arrays longer than this are skipped (the tokenizer's vocabulary, merges, scores).
_KEEP_ARRAY_MAX = 64

# ggml tensor types: (elements per block, bytes per block), from ggml's type traits.
_TENSOR_TYPE_SIZES: dict[int, tuple[int, int]] = {
    0: (1, 4),
    1: (1, 2),
    2: (32, 18),
    3: (32, 20),
    6: (32, 22),
    7: (32, 24),
    8: (32, 34),
    9: (32, 36),
    10: (256, 84),
    11: (256, 110),
    12: (256, 144),
    13: (256, 176),
    14: (256, 210),
    15: (256, 292),
    16: (256, 66),
    17: (256, 74),
    18: (256, 98),
    19: (256, 50),
    20: (32, 18),
    21: (256, 110),
    22: (256, 82),
    23: (256, 136),
    24: (1, 1),
    25: (1, 2),
    26: (1, 4),
    27: (1, 8),
    28: (1, 8),
    29: (256, 56),
    30: (1, 2),
    34: (256, 54),
    35: (256, 66),
    39: (32, 17),
}

# llama.cpp's ``general.file_type`` (enum llama_ftype) as the usual quantization names.
FILE_TYPE_NAMES: dict[int, str] = {
    0: "F32",
    1: "F16",
    2: "Q4_0",
    3: "Q4_1",
    7: "Q8_0",
    8: "Q5_0",
    9: "Q5_1",
    10: "Q2_K",
    11: "Q3_K_S",
    12: "Q3_K_M",
    13: "Q3_K_L",
    14: "Q4_K_S",
    15: "Q4_K_M",
    16: "Q5_K_S",
    17: "Q5_K_M",
    18: "Q6_K",
    19: "IQ2_XXS",
    20: "IQ2_XS",
    21: "Q2_K_S",
    22: "IQ3_XS",
    23: "IQ3_XXS",
    24: "IQ1_S",
    25: "IQ4_NL",
    26: "IQ3_S",
    27: "IQ3_M",
    28: "IQ2_S",
    29: "IQ2_M",
    30: "IQ4_XS",
    31: "IQ1_M",
    32: "BF16",
    36: "TQ1_0",
    37: "TQ2_0",
    38: "MXFP4_MOE",
}

SPLIT_RE = re.compile(r"^(?P<stem>.+)-(?P<index>\d{5})-of-(?P<count>\d{5})\.gguf$", re.IGNORECASE)


@dataclass(frozen=True)
class SplitName:
    stem: str
    index: int  # 1-based
    count: int


def split_name(file_name: str) -> SplitName | None:
    """``model-00002-of-00003.gguf`` → ``SplitName("model", 2, 3)``; None for a single-file model."""
    match = SPLIT_RE.match(Path(file_name).name)
    if match is None:
        return None
    index, count = int(match["index"]), int(match["count"])
    if not 1 <= index <= count:
        return None
    return SplitName(match["stem"], index, count)


def split_part_names(first_part: str) -> list[str]:
    """All part names of a split model, given any part's name (a single file gives itself)."""
    split = split_name(first_part)
    if split is None:
        return [first_part]
    parent = first_part[: len(first_part) - len(Path(first_part).name)]
    return [f"{parent}{split.stem}-{i:05d}-of-{split.count:05d}.gguf" for i in range(1, split.count + 1)]


@dataclass(frozen=True)
class GgufInfo:
    path: Path
    architecture: str | None
    name: str | None
    context_length: int | None
    block_count: int | None
    embedding_length: int | None
    head_count: int | None
    head_count_kv: int | None
    key_length: int | None  # per-head size of K when the model states it (Gemma's differs from embd/heads)
    size_label: str | None  # general.size_label, e.g. "135M"
    parameter_count: int  # counted from the tensor table
    quantization: str | None  # from general.file_type, e.g. "Q4_K_M"
    chat_template: str | None
    file_size: int  # every part together
    part_count: int
    tensor_count: int
    # <arch>.pooling_type, set by embedding models: 0 none, 1 mean, 2 CLS, 3 last token, 4 rank (a reranker)
    pooling_type: int | None = None

    @property
    def head_dim(self) -> int | None:
        if self.key_length:
            return self.key_length
        if self.embedding_length and self.head_count:
            return self.embedding_length // self.head_count
        return None


@dataclass
class _Header:
    metadata: dict[str, object]
    tensor_count: int
    parameter_count: int
    data_end: int  # where the last tensor's data ends, as far as the types are known


class _Reader:
    def __init__(self, handle: BinaryIO, path: Path) -> None:
        self.handle = handle
        self.path = path

    def fail(self, reason: str) -> NotAGgufError:
        return NotAGgufError(path=self.path, reason=reason)

    def read(self, size: int) -> bytes:
        data = self.handle.read(size)
        if len(data) != size:
            raise self.fail("the file ends in the middle of its header (it is truncated)")
        return data

    def skip(self, size: int) -> None:
        # Seeking past the end succeeds silently; the next read or the final size check catches it.
        self.handle.seek(size, io.SEEK_CUR)

    def u32(self) -> int:
        value: int = _U32.unpack(self.read(4))[0]
        return value

    def u64(self) -> int:
        value: int = _U64.unpack(self.read(8))[0]
        return value

    def string(self) -> str:
        length = self.u64()
        if length > _MAX_STRING:
            raise self.fail(f"a text field claims {length} bytes, so the header is damaged")
        try:
            return self.read(length).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise self.fail("a text field is not valid UTF-8") from exc

    def skip_string(self) -> None:
        length = self.u64()
        if length > _MAX_STRING:
            raise self.fail(f"a text field claims {length} bytes, so the header is damaged")
        self.skip(length)

    def value(self, value_type: int) -> object:
        scalar = _SCALARS.get(value_type)
        if scalar is not None:
            return scalar.unpack(self.read(scalar.size))[0]
        if value_type == _STRING:
            return self.string()
        if value_type == _ARRAY:
            item_type = self.u32()
            count = self.u64()
            if count > _KEEP_ARRAY_MAX:
                self.skip_array(item_type, count)
                return None
            return [self.value(item_type) for _ in range(count)]
        raise self.fail(f"unknown value type {value_type} in the metadata")

    def feed(self, value_type: int, digest: hashlib._Hash) -> None:
        """Reads one value as it is written in the file into ``digest``."""
        scalar = _SCALARS.get(value_type)
        if scalar is not None:
            digest.update(self.read(scalar.size))
        elif value_type == _STRING:
            length = self.u64()
            if length > _MAX_STRING:
                raise self.fail(f"a text field claims {length} bytes, so the header is damaged")
            digest.update(_U64.pack(length) + self.read(length))
        elif value_type == _ARRAY:
            item_type, count = self.u32(), self.u64()
            digest.update(_U32.pack(item_type) + _U64.pack(count))
            for _ in range(count):
                self.feed(item_type, digest)
        else:
            raise self.fail(f"unknown value type {value_type} in the metadata")

    def skip_value(self, value_type: int) -> None:
        scalar = _SCALARS.get(value_type)
        if scalar is not None:
            self.skip(scalar.size)
        elif value_type == _STRING:
            self.skip_string()
        elif value_type == _ARRAY:
            self.skip_array(self.u32(), self.u64())
        else:
            raise self.fail(f"unknown value type {value_type} in the metadata")

    def skip_array(self, item_type: int, count: int) -> None:
        scalar = _SCALARS.get(item_type)
        if scalar is not None:
            self.skip(scalar.size * count)
        elif item_type == _STRING:
            for _ in range(count):
                self.skip_string()
        elif item_type == _ARRAY:
            for _ in range(count):
                self.skip_array(self.u32(), self.u64())
        else:
            raise self.fail(f"unknown value type {item_type} in the metadata")


def _read_header(handle: BinaryIO, path: Path) -> _Header:
    reader = _Reader(handle, path)
    magic = handle.read(4)
    if not magic:
        raise reader.fail("the file is empty")
    if magic != MAGIC:
        raise reader.fail("it does not start with the GGUF signature")
    version = reader.u32()
    if version not in SUPPORTED_VERSIONS:
        raise reader.fail(f"GGUF version {version} is not supported (only versions 2 and 3)")
    tensor_count = reader.u64()
    kv_count = reader.u64()
    if kv_count > _MAX_KV or tensor_count > _MAX_TENSORS:
        raise reader.fail("the header claims an impossible number of entries, so it is damaged")
    metadata: dict[str, object] = {}
    for _ in range(kv_count):
        key = reader.string()
        if not key:
            raise reader.fail("a metadata key is empty")
        metadata[key] = reader.value(reader.u32())
    parameters = 0
    extents: list[tuple[int, int]] = []  # (offset, bytes) of each tensor whose type is known
    max_offset = 0
    for _ in range(tensor_count):
        reader.skip_string()
        n_dims = reader.u32()
        if n_dims > _MAX_DIMS:
            raise reader.fail(f"a tensor claims {n_dims} dimensions, so the header is damaged")
        elements = 1
        for _ in range(n_dims):
            elements *= reader.u64()
        tensor_type = reader.u32()
        offset = reader.u64()
        parameters += elements
        max_offset = max(max_offset, offset)
        block = _TENSOR_TYPE_SIZES.get(tensor_type)
        if block is not None:
            extents.append((offset, (elements + block[0] - 1) // block[0] * block[1]))
    alignment = metadata.get("general.alignment", DEFAULT_ALIGNMENT)
    if not isinstance(alignment, int) or alignment <= 0 or alignment & (alignment - 1):
        raise reader.fail(f"general.alignment is {alignment!r}, not a power of two")
    data_start = (handle.tell() + alignment - 1) // alignment * alignment
    data_end = data_start + max([max_offset, *(offset + size for offset, size in extents)])
    return _Header(metadata, tensor_count, parameters, data_end)


def _check_whole(path: Path, header: _Header, size: int) -> None:
    if header.data_end > size:
        missing = header.data_end - size
        raise NotAGgufError(
            path=path,
            reason=f"the file is truncated: its tensors need {header.data_end} bytes but it has {size} "
            f"({missing} missing); download it again",
        )


def _read_part(path: Path) -> tuple[_Header, int]:
    try:
        size = path.stat().st_size
        with path.open("rb") as raw:
            handle = io.BufferedReader(raw, buffer_size=1024 * 1024)
            header = _read_header(handle, path)
    except FileNotFoundError as exc:
        raise NotAGgufError(path=path, reason="the file does not exist") from exc
    except IsADirectoryError as exc:
        raise NotAGgufError(path=path, reason="it is a folder, not a file") from exc
    except OSError as exc:
        raise NotAGgufError(path=path, reason=exc.strerror or str(exc)) from exc
    _check_whole(path, header, size)
    return header, size


def _int(metadata: dict[str, object], key: str) -> int | None:
    value = metadata.get(key)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, list) and value and all(isinstance(v, int) for v in value):
        return max(int(v) for v in value)  # per-layer values (e.g. head_count_kv): the largest bounds memory
    return None


def _str(metadata: dict[str, object], key: str) -> str | None:
    value = metadata.get(key)
    return value if isinstance(value, str) else None


def part_paths(path: Path) -> list[Path]:
    """The files that make up the model at ``path`` (its parts, for a split model)."""
    return [path.with_name(Path(name).name) for name in split_part_names(path.name)]


def read_gguf(path: Path) -> GgufInfo:
    """Reads the model's metadata and checks every part is a whole GGUF file.

    For a split model pass any part; the metadata comes from the first part.
    """
    path = Path(path)
    parts = part_paths(path)
    for part in parts:
        if not part.is_file():
            split = split_name(part.name)
            if split is None:
                raise NotAGgufError(path=path, reason="the file does not exist")
            raise NotAGgufError(path=path, reason=f"part {split.index} of {split.count} ({part.name}) is missing")
    headers = [_read_part(part) for part in parts]
    first, _ = headers[0]
    meta = first.metadata
    arch = _str(meta, "general.architecture")

    def arch_int(key: str) -> int | None:
        return _int(meta, f"{arch}.{key}") if arch else None

    head_count = arch_int("attention.head_count")
    file_type = _int(meta, "general.file_type")
    return GgufInfo(
        path=parts[0],
        architecture=arch,
        name=_str(meta, "general.name"),
        context_length=arch_int("context_length"),
        block_count=arch_int("block_count"),
        embedding_length=arch_int("embedding_length"),
        head_count=head_count,
        head_count_kv=arch_int("attention.head_count_kv") or head_count,
        key_length=arch_int("attention.key_length"),
        size_label=_str(meta, "general.size_label"),
        parameter_count=sum(header.parameter_count for header, _ in headers),
        quantization=FILE_TYPE_NAMES.get(file_type) if file_type is not None else None,
        chat_template=_str(meta, "tokenizer.chat_template"),
        file_size=sum(size for _, size in headers),
        part_count=len(parts),
        tensor_count=sum(header.tensor_count for header, _ in headers),
        pooling_type=arch_int("pooling_type"),
    )


# What a tokenizer is made of: two models whose values agree here turn the same text into the same ids.
VOCABULARY_KEYS = ("tokenizer.ggml.model", "tokenizer.ggml.pre", "tokenizer.ggml.tokens", "tokenizer.ggml.merges")


def vocabulary_hash(path: Path) -> str:
    """A sha256 of the tokenizer's model, pre-tokenizer, tokens and merges, as the GGUF's metadata holds them."""
    path = part_paths(Path(path))[0]
    digest = hashlib.sha256()
    try:
        with path.open("rb") as raw:
            handle = io.BufferedReader(raw, buffer_size=1024 * 1024)
            reader = _Reader(handle, path)
            if handle.read(4) != MAGIC:
                raise reader.fail("it does not start with the GGUF signature")
            if reader.u32() not in SUPPORTED_VERSIONS:
                raise reader.fail("its GGUF version is not supported (only versions 2 and 3)")
            reader.u64()  # the tensor count
            kv_count = reader.u64()
            if kv_count > _MAX_KV:
                raise reader.fail("the header claims an impossible number of entries, so it is damaged")
            for _ in range(kv_count):
                key = reader.string()
                value_type = reader.u32()
                if key in VOCABULARY_KEYS:
                    digest.update(key.encode("utf-8"))
                    reader.feed(value_type, digest)
                else:
                    reader.skip_value(value_type)
    except FileNotFoundError as exc:
        raise NotAGgufError(path=path, reason="the file does not exist") from exc
    except OSError as exc:
        raise NotAGgufError(path=path, reason=exc.strerror or str(exc)) from exc
    return digest.hexdigest()


_QUANT_RE = re.compile(
    r"(?:^|[-._])((?:I|T)?Q[1-8](?:_\d+)*(?:_K)?(?:_(?:XXS|XS|S|M|L|XL|NL))?|BF16|FP16|F16|F32|MXFP4(?:_MOE)?)(?=[-._]|$)",
    re.IGNORECASE,
)


def quantization_from_name(file_name: str) -> str | None:
    """The quantization a GGUF file name states, e.g. ``Llama-3.2-1B-Instruct-Q4_K_M.gguf`` → ``Q4_K_M``."""
    name = Path(file_name).name
    split = split_name(name)
    stem = split.stem if split else re.sub(r"\.gguf$", "", name, flags=re.IGNORECASE)
    matches = list(_QUANT_RE.finditer(stem))
    if not matches:
        return None
    quant = matches[-1].group(1).upper()
    return "F16" if quant == "FP16" else quant


@functools.cache
def _llama_library_bytes() -> bytes | None:
    folder = gpu.llama_cpp_folder()
    library = None
    if folder is not None:
        library = next((p for pattern in ("lib/libllama.*", "lib/llama.dll", "libllama.*", "llama.dll")
                        for p in sorted(folder.glob(pattern)) if p.is_file()), None)
    if library is None:
        return None
    try:
        return library.read_bytes()
    except OSError:
        return None


def architecture_is_known(architecture: str) -> bool | None:
    """Whether this build of llama.cpp loads ``architecture`` ("qwen3", "gemma3n", ...); None: cannot tell.

    The GUI never imports llama_cpp, so this looks for the name in llama.cpp's own table of
    architecture names, a NUL-terminated string in its library (read once).
    """
    library = _llama_library_bytes()
    if library is None or not architecture:
        return None
    return b"\0" + architecture.encode("utf-8") + b"\0" in library


def check_architecture(info: GgufInfo) -> None:
    """Refuses a model this llama.cpp cannot load: ``ArchitectureUnknownError`` ("needs a newer Parley")."""
    if info.architecture and architecture_is_known(info.architecture) is False:
        raise ArchitectureUnknownError(architecture=info.architecture)


def ggml_version() -> str | None:
    """The ggml library version this llama.cpp build carries ("0.25.3"), from its file name."""
    folder = gpu.llama_cpp_folder()
    if folder is None:
        return None
    for library in sorted(folder.glob("lib/libggml-base.so.*")) + sorted(folder.glob("lib/libggml.so.*")):
        version = library.name.split(".so.", 1)[1]
        if version.count(".") == 2:
            return version
    return None
