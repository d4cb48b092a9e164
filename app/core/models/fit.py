"""Will this model run here? A memory estimate and a three-way badge.

Needed bytes = the weights (the file size, every part) + the KV cache at the chosen context
(f16 K and V: ``2 * n_layer * n_ctx * n_head_kv * head_dim * 2`` bytes) + a modest allowance
for llama.cpp's compute buffers. That is compared with the free RAM (``MemAvailable`` on
Linux) and, when the llama.cpp build can offload, with the free VRAM the caller measured.
A model with a draft for speculative decoding counts the draft too (its weights and its own KV
cache at the same context), since the engine loads both, on the same devices.
The numbers are estimates in the spirit of llama.cpp's own fit heuristics, not promises.
"""

from __future__ import annotations

import ctypes
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from app.core.models import gpu
from app.core.models.recommended import RecommendedModel

Verdict = Literal["fits", "may_be_slow", "wont_fit"]

MIB = 1024 * 1024
KV_BYTES_PER_VALUE = 2  # f16 cache, llama.cpp's default
# Share of the free memory a model may take and still leave the desktop usable.
RAM_COMFORT = 0.75
VRAM_COMFORT = 0.90
# Without metadata: the KV cache per token per byte of Q4_K_M weights. From the catalog's models
# ranges from 1.2e-5 (Qwen2.5 7B) to 16e-5 (Phi-3.5, no grouped-query attention), most near 3e-5 to 6e-5.
_KV_PER_TOKEN_PER_WEIGHT_BYTE = 5e-5
_KV_PER_TOKEN_MIN = 16 * 1024


@dataclass(frozen=True)
class MachineProfile:
    ram_free_bytes: int
    vram_free_bytes: int | None = None  # None: no GPU offload in this llama.cpp build, or none found

    @classmethod
    def detect(cls, gpu_free_bytes: int | None = None) -> MachineProfile:
        """This computer now: free RAM, and free VRAM when the llama.cpp build can offload to it."""
        if gpu_free_bytes is None:
            gpu_free_bytes = gpu.free_vram_bytes()
        return cls(ram_free_bytes=available_ram_bytes(), vram_free_bytes=gpu_free_bytes)


@dataclass(frozen=True)
class FitEstimate:
    verdict: Verdict
    needed_bytes: int
    weights_bytes: int
    kv_cache_bytes: int
    overhead_bytes: int
    n_ctx: int
    ram_free_bytes: int
    vram_free_bytes: int | None
    from_metadata: bool  # False: the KV cache was guessed from the download size
    draft_bytes: int = 0  # a draft model's weights and KV cache, loaded beside it (in needed_bytes)


def _meminfo_available(path: Path = Path("/proc/meminfo")) -> int | None:
    try:
        for line in path.read_text(encoding="ascii").splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _windows_available() -> int | None:
    class MemoryStatusEx(ctypes.Structure):
        _fields_ = [
            ("dwLength", ctypes.c_ulong),
            ("dwMemoryLoad", ctypes.c_ulong),
            ("ullTotalPhys", ctypes.c_ulonglong),
            ("ullAvailPhys", ctypes.c_ulonglong),
            ("ullTotalPageFile", ctypes.c_ulonglong),
            ("ullAvailPageFile", ctypes.c_ulonglong),
            ("ullTotalVirtual", ctypes.c_ulonglong),
            ("ullAvailVirtual", ctypes.c_ulonglong),
            ("ullAvailExtendedVirtual", ctypes.c_ulonglong),
        ]

    status = MemoryStatusEx()
    status.dwLength = ctypes.sizeof(MemoryStatusEx)
    windll = getattr(ctypes, "windll", None)
    if windll is None or not windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status)):
        return None
    return int(status.ullAvailPhys)


def _sysconf(name: str) -> int | None:
    try:
        value = os.sysconf(name)
    except (ValueError, OSError, AttributeError):
        return None
    return value if value > 0 else None


def available_ram_bytes() -> int:
    """Memory a new program can use without swapping, as well as this OS lets us tell."""
    if sys.platform.startswith("linux"):
        available = _meminfo_available()
        if available is not None:
            return available
    if sys.platform == "win32":
        available = _windows_available()
        if available is not None:
            return available
    page = _sysconf("SC_PAGE_SIZE")
    free_pages = _sysconf("SC_AVPHYS_PAGES")
    if page and free_pages:
        return page * free_pages
    total_pages = _sysconf("SC_PHYS_PAGES")
    if page and total_pages:
        # macOS counts file cache as used; half the physical memory is a fair stand-in.
        return page * total_pages // 2
    return 4 * 1024 * MIB


def kv_cache_bytes(n_layer: int, n_ctx: int, n_head_kv: int, head_dim: int) -> int:
    return 2 * n_layer * n_ctx * n_head_kv * head_dim * KV_BYTES_PER_VALUE


def overhead_bytes(weights_bytes: int, n_ctx: int) -> int:
    """Compute buffers and runtime: a floor, plus a little per weight byte and per context token."""
    return 256 * MIB + weights_bytes // 20 + n_ctx * 8 * 1024


def guessed_kv_cache_bytes(weights_bytes: int, n_ctx: int) -> int:
    per_token = max(_KV_PER_TOKEN_MIN, int(weights_bytes * _KV_PER_TOKEN_PER_WEIGHT_BYTE))
    return per_token * n_ctx


def verdict_for(needed: int, machine: MachineProfile) -> Verdict:
    ram = machine.ram_free_bytes
    vram = machine.vram_free_bytes
    if vram is not None and vram > 0:
        if needed <= vram * VRAM_COMFORT:
            return "fits"
        # Part on the GPU, the rest on the CPU: runs, more slowly.
        return "may_be_slow" if needed <= vram * VRAM_COMFORT + ram * RAM_COMFORT else "wont_fit"
    if needed <= ram * RAM_COMFORT:
        return "fits"
    # Tight: it loads, but the system may page weights in and out (they are memory-mapped).
    return "may_be_slow" if needed <= ram else "wont_fit"


def estimate(
    weights_bytes: int,
    kv_bytes: int,
    n_ctx: int,
    machine: MachineProfile,
    *,
    from_metadata: bool = True,
    draft_bytes: int = 0,
) -> FitEstimate:
    overhead = overhead_bytes(weights_bytes, n_ctx)
    needed = weights_bytes + kv_bytes + overhead + draft_bytes
    return FitEstimate(
        verdict=verdict_for(needed, machine),
        needed_bytes=needed,
        weights_bytes=weights_bytes,
        kv_cache_bytes=kv_bytes,
        overhead_bytes=overhead,
        n_ctx=n_ctx,
        ram_free_bytes=machine.ram_free_bytes,
        vram_free_bytes=machine.vram_free_bytes,
        from_metadata=from_metadata,
        draft_bytes=draft_bytes,
    )


def _context(n_ctx: int, model_limit: int | None) -> int:
    if n_ctx <= 0:
        raise ValueError("the context length must be positive")
    return min(n_ctx, model_limit) if model_limit else n_ctx


def _catalog_kv_bytes(model: RecommendedModel, n_ctx: int) -> tuple[int, bool]:
    """The KV cache from the catalog's shape of the model, else guessed from its size (and whether it was not)."""
    if model.n_layer and model.n_head_kv and model.head_dim:
        return kv_cache_bytes(model.n_layer, n_ctx, model.n_head_kv, model.head_dim), True
    return guessed_kv_cache_bytes(model.size_bytes, n_ctx), False


def estimate_for_recommended(
    model: RecommendedModel, n_ctx: int, machine: MachineProfile, draft: RecommendedModel | None = None
) -> FitEstimate:
    """For a model not downloaded yet, from the catalog (or the download size when it lacks the shape);
    with ``draft``, the draft model loaded beside it at the same context counts too."""
    n_ctx = _context(n_ctx, model.context_length)
    kv, known = _catalog_kv_bytes(model, n_ctx)
    draft_bytes = 0
    if draft is not None:
        draft_kv, _ = _catalog_kv_bytes(draft, min(n_ctx, draft.context_length or n_ctx))
        draft_bytes = draft.size_bytes + draft_kv
    return estimate(model.size_bytes, kv, n_ctx, machine, from_metadata=known, draft_bytes=draft_bytes)


def estimate_for_download(size_bytes: int, n_ctx: int, machine: MachineProfile) -> FitEstimate:
    """For any Hub file, knowing only its size."""
    return estimate(size_bytes, guessed_kv_cache_bytes(size_bytes, n_ctx), n_ctx, machine, from_metadata=False)


def gpu_layers_that_fit(
    weights_bytes: int, kv_bytes: int, n_ctx: int, n_layer: int, vram_free_bytes: int | None
) -> int:
    """How many of ``n_layer`` layers fit the free VRAM, by the same sums as the badge.

    Each layer carries an even share of the weights and of the KV cache; the compute buffers
    (``overhead_bytes``) stay whole. Every layer fits exactly when ``verdict_for`` says "fits" on
    the GPU, so the Auto choice and the badge never disagree.
    """
    if not vram_free_bytes or vram_free_bytes <= 0 or n_layer <= 0:
        return 0
    budget = vram_free_bytes * VRAM_COMFORT - overhead_bytes(weights_bytes, n_ctx)
    if weights_bytes + kv_bytes <= budget:
        return n_layer
    per_layer = (weights_bytes + kv_bytes) / n_layer
    return max(0, min(n_layer, int(budget // per_layer)))
