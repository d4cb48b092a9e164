"""GPU offload without llama_cpp: how many layers to ask for, the step-down when a load runs out of
memory, what the load log says really happened, what this build and machine can do, and whether a
new GPU-layers setting needs a reload at all (not on a build that cannot offload).

The worker (the only llama_cpp importer) calls these with llama.cpp's answers; everything here is
plain data, so the tests drive it with figures and an injected loader.

Auto resolves to ``fit.gpu_layers_that_fit`` — the very sums behind the fit badges, so the two
never disagree. A load that fails for memory is tried again with fewer layers (three quarters,
a half, a quarter, none), then, on the CPU, with half the context each time down to
``MIN_CONTEXT``. Every failed attempt is kept for the report: there is never a silent fallback.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Generic, TypeVar

from app.core.engine.protocol import AUTO_GPU_LAYERS, MAX_GPU_LAYERS, NO_GPU_LAYERS, BackendDevice, ModelSpec
from app.core.models import fit, gguf

log = logging.getLogger("app.worker")

T = TypeVar("T")
MIN_CONTEXT = 1024
_LAYER_STEPS = (0.75, 0.5, 0.25, 0.0)
# What llama.cpp and its backends say when an allocation fails, in its log or its exception.
_MEMORY_WORDS = (
    "out of memory",
    "failed to allocate",
    "unable to allocate",
    "cudamalloc failed",
    "erroroutofdevicememory",
    "outofdevicememory",
    "not enough memory",
    "insufficient memory",
    "failed to create context",
    "failed to initialize the context",
)
_OFFLOADED = re.compile(r"offloaded (\d+)/(\d+) layers to GPU")
_ASSIGNED = re.compile(r"layer\s+\d+ assigned to device (\S+?),")
_BUFFER = re.compile(r"(\S+) (?:model|KV|compute|output|RS) buffer size\s*=\s*([\d.]+) MiB")
# Buffers on a GPU (CPU, CPU_Mapped, AMX, CPU_REPACK and *_Host ones are in RAM).
_GPU_BUFFER = re.compile(r"(CUDA|ROCm|HIP|Vulkan|Metal|MTL|SYCL|OpenCL|CANN|MUSA)")


class MemoryLoadError(Exception):
    """A load attempt failed for lack of memory (the step-down tries again with less)."""


def resolve_layers(requested: int, n_layer: int, auto_layers: int, gpu_build: bool) -> int:
    """The layer count to ask llama.cpp for first: Auto resolved, never more than the model has."""
    if not gpu_build or n_layer <= 0:
        return 0
    if requested == AUTO_GPU_LAYERS:
        return max(0, min(n_layer, auto_layers))
    return max(0, min(n_layer, requested))


def auto_layers_for(
    *, weights_bytes: int, n_layer: int, n_ctx: int, n_head_kv: int, head_dim: int, vram_free_bytes: int | None
) -> int:
    """Auto's answer for a model of this shape at this context, given the free VRAM."""
    kv = (
        fit.kv_cache_bytes(n_layer, n_ctx, n_head_kv, head_dim)
        if n_head_kv and head_dim
        else (fit.guessed_kv_cache_bytes(weights_bytes, n_ctx))
    )
    return fit.gpu_layers_that_fit(weights_bytes, kv, n_ctx, n_layer, vram_free_bytes)


def first_attempt(spec: ModelSpec, gpu_build: bool, devices: Callable[[], Sequence[BackendDevice]]) -> tuple[int, int]:
    """The layers to ask for first, and the model's layer count (0 when its header says nothing).

    Auto reads the model's shape from its GGUF header and the free memory of the roomiest GPU.
    """
    n_layer = auto = 0
    if gpu_build:
        try:
            info = gguf.read_gguf(Path(spec.path))
        except Exception as exc:  # llama.cpp has the last word on whether the file loads
            log.info("could not read %s's header for the GPU plan: %s", spec.path, exc)
        else:
            n_layer = info.block_count or 0
            free = max((d.free_bytes for d in devices() if d.kind in ("gpu", "igpu")), default=0)
            auto = auto_layers_for(
                weights_bytes=info.file_size,
                n_layer=n_layer,
                n_ctx=spec.n_ctx,
                n_head_kv=info.head_count_kv or 0,
                head_dim=info.head_dim or 0,
                vram_free_bytes=free,
            )
    first = resolve_layers(spec.n_gpu_layers, n_layer, auto, gpu_build)
    if gpu_build and n_layer == 0 and spec.n_gpu_layers != NO_GPU_LAYERS:
        first = MAX_GPU_LAYERS  # no header to plan with: ask for every layer, and step down if they do not fit
    return first, n_layer


def same_load(loaded: ModelSpec, wanted: ModelSpec, gpu_build: bool) -> bool:
    """Whether ``wanted`` would load as ``loaded`` did: GPU layers count only on a build that can offload."""
    return loaded == wanted or (not gpu_build and replace(loaded, n_gpu_layers=wanted.n_gpu_layers) == wanted)


def attempts(first_layers: int, n_ctx: int) -> list[tuple[int, int]]:
    """The (gpu layers, context) to try in turn: the layers stepped down first, then the context."""
    tries: list[tuple[int, int]] = [(first_layers, n_ctx)]
    for share in _LAYER_STEPS:
        layers = int(first_layers * share)
        if layers < tries[-1][0]:
            tries.append((layers, n_ctx))
    ctx = n_ctx
    while ctx // 2 >= MIN_CONTEXT:
        ctx //= 2
        tries.append((0, ctx))
    return tries


def is_memory_failure(texts: Iterable[str]) -> bool:
    return any(word in text.lower() for text in texts for word in _MEMORY_WORDS)


@dataclass(frozen=True)
class PlannedLoad(Generic[T]):
    loaded: T
    layers: int
    n_ctx: int
    failed: tuple[tuple[int, int], ...]  # the attempts that ran out of memory first


def load_with_step_down(load: Callable[[int, int], T], first_layers: int, n_ctx: int) -> PlannedLoad[T]:
    """Calls ``load(layers, n_ctx)`` down the ``attempts`` while it raises ``MemoryLoadError``.

    Any other exception ends the plan at once; when every attempt ran out of memory, the last
    ``MemoryLoadError`` is raised.
    """
    failed: list[tuple[int, int]] = []
    last: MemoryLoadError | None = None
    for layers, ctx in attempts(first_layers, n_ctx):
        try:
            return PlannedLoad(load(layers, ctx), layers, ctx, tuple(failed))
        except MemoryLoadError as exc:
            failed.append((layers, ctx))
            last = exc
    assert last is not None
    raise last


def parse_offload(lines: Sequence[str]) -> tuple[int, int, int]:
    """From a load log: the layers on the GPU, the model's layers, and the bytes in GPU buffers.

    llama.cpp says "offloaded 24/33 layers to GPU" when it can offload; a CPU-only build says only
    where each layer went ("layer 3 assigned to device CPU").
    """
    offloaded: tuple[int, int] | None = None
    assigned: list[str] = []
    vram = 0.0
    for line in lines:
        match = _OFFLOADED.search(line)
        if match:
            offloaded = int(match.group(1)), int(match.group(2))
        device = _ASSIGNED.search(line)
        if device:
            assigned.append(device.group(1))
        buffer = _BUFFER.search(line)
        if buffer and _GPU_BUFFER.match(buffer.group(1)) and not buffer.group(1).endswith("_Host"):
            vram += float(buffer.group(2))
    on_gpu, total = offloaded or (sum(1 for d in assigned if d != "CPU"), len(assigned))
    return on_gpu, total, int(vram * 1024 * 1024)


# -- what this build and machine can do ---------------------------------------------------------


@dataclass(frozen=True)
class Capability:
    gpu_build: bool  # a GPU backend is compiled in
    backends: tuple[str, ...]
    gpu_devices: tuple[BackendDevice, ...]
    suggested_target: str | None  # the make target that would give a GPU build here, if any
    machine_gpu: str | None  # "nvidia" or "apple" when the machine has one this build does not use


def capability(
    backends: Sequence[str], devices: Sequence[BackendDevice], *, nvidia_present: bool, platform: str = sys.platform
) -> Capability:
    """What the build (``backends``, ``devices`` from llama.cpp or the probe) and the machine can do."""
    gpu_backends = tuple(b for b in backends if b.upper() not in ("CPU", "BLAS"))
    gpus = tuple(d for d in devices if d.kind in ("gpu", "igpu"))
    machine: str | None = None
    target: str | None = None
    if not gpu_backends:
        if nvidia_present:
            machine, target = "nvidia", "gpu-cuda"
        elif platform == "darwin":
            machine, target = "apple", "gpu-metal"
        else:
            target = "gpu-vulkan"
    return Capability(bool(gpu_backends), tuple(backends), gpus, target, machine)


def describe(cap: Capability) -> str:
    """The capability in one English sentence (the log and the command line; the window translates its own)."""
    if not cap.gpu_build:
        if cap.machine_gpu == "nvidia":
            return f"CPU-only build: to use your NVIDIA GPU, run `make {cap.suggested_target}`."
        if cap.machine_gpu == "apple":
            return f"CPU-only build: to use your Mac's GPU, run `make {cap.suggested_target}`."
        return f"CPU-only build, and no GPU was found (for a Vulkan GPU, run `make {cap.suggested_target}`)."
    names = "/".join(b for b in cap.backends if b.upper() not in ("CPU", "BLAS"))
    if not cap.gpu_devices:
        return f"{names} build, but llama.cpp found no GPU: models run on the CPU."
    gib = 1024**3
    devices = ", ".join(f"{d.description or d.name} ({d.free_bytes / gib:.1f} GB free)" for d in cap.gpu_devices)
    return f"{names} build: {devices}."


def describe_offload(
    layers_on_gpu: int, layers_total: int, vram_bytes: int, failed: Sequence[tuple[int, int]], gpu_build: bool
) -> str:
    """The load's result in English, e.g. "24/33 layers on GPU · 5.1 GB VRAM"."""
    if layers_on_gpu > 0:
        text = f"{layers_on_gpu}/{layers_total} layers on GPU · {vram_bytes / 1e9:.1f} GB VRAM"
    elif any(layers > 0 for layers, _ in failed):
        text = f"running on CPU: out of GPU memory at {min(n for n, _ in failed if n > 0)} layers"
    else:
        text = "running on CPU" + ("" if gpu_build else " (CPU-only build)")
    if failed:
        text += f" (after {len(failed)} attempt{'s' if len(failed) > 1 else ''} ran out of memory)"
    return text
