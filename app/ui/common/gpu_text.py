"""The window's sentences about the GPU: what this build and machine can do, and what a load put where.

The facts come from the core (``gpu_plan.capability``, the engine's ``OffloadReport``); only the
words are here, so they are translated.
"""

from __future__ import annotations

import sys

from PySide6 import QtCore

from app.core.engine import gpu_plan
from app.core.engine.protocol import BackendDevice, ModelLoaded, OffloadReport
from app.core.models import gpu

GB = 1e9


translate = QtCore.QCoreApplication.translate  # a literal context and text in each call, for lupdate


def capability_for(last: ModelLoaded | None) -> gpu_plan.Capability:
    """From the engine's own answer once a model has loaded; before that, from the no-import probe."""
    nvidia = gpu.nvidia_free_vram_bytes() is not None
    if last is not None and last.backends:
        return gpu_plan.capability(last.backends, last.devices, nvidia_present=nvidia)
    backends = ["CPU", *sorted(b.upper() for b in gpu.installed_backends())]
    devices: list[BackendDevice] = []
    free = gpu.free_vram_bytes()
    if free is not None:
        devices.append(BackendDevice("GPU0", "NVIDIA GPU", "gpu", free, free))
    return gpu_plan.capability(backends, devices, nvidia_present=nvidia, platform=sys.platform)


def capability_sentence(cap: gpu_plan.Capability) -> str:
    if not cap.gpu_build:
        target = cap.suggested_target
        if cap.machine_gpu == "nvidia":
            text = translate("GpuText", "CPU-only build: to use your NVIDIA GPU, run `make {target}`.")
        elif cap.machine_gpu == "apple":
            text = translate("GpuText", "CPU-only build: to use your Mac's GPU, run `make {target}`.")
        else:
            text = translate("GpuText", "CPU-only build, and no GPU was found (for a Vulkan GPU, run `make {target}`).")
        return text.format(target=target)
    names = "/".join(b for b in cap.backends if b.upper() not in ("CPU", "BLAS"))
    if not cap.gpu_devices:
        return translate("GpuText", "{backends} build, but llama.cpp found no GPU: models run on the CPU.").format(
            backends=names
        )
    devices = ", ".join(
        translate("GpuText", "{device} ({free} GB free)").format(
            device=d.description or d.name, free=f"{d.free_bytes / 1024**3:.1f}"
        )
        for d in cap.gpu_devices
    )
    return translate("GpuText", "{backends} build: {devices}.").format(backends=names, devices=devices)


def offload_sentence(report: OffloadReport) -> str:
    """E.g. "24/33 layers on GPU · 5.1 GB VRAM", or "running on CPU: out of GPU memory at 8 layers"."""
    failed = report.failed_attempts
    if report.layers_on_gpu > 0:
        text = translate("GpuText", "{on}/{total} layers on GPU · {vram} GB VRAM").format(
            on=report.layers_on_gpu, total=report.layers_total, vram=f"{report.vram_bytes / GB:.1f}"
        )
    elif any(layers > 0 for layers, _ in failed):
        text = translate("GpuText", "running on CPU: out of GPU memory at {layers} layers").format(
            layers=min(layers for layers, _ in failed if layers > 0)
        )
    elif report.gpu_build:
        text = translate("GpuText", "running on CPU")
    else:
        text = translate("GpuText", "running on CPU (CPU-only build)")
    if failed:
        text += " " + translate("GpuText", "(context {ctx} after {count} tries ran out of memory)").format(
            ctx=report.n_ctx, count=len(failed)
        )
    return text
