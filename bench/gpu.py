"""GPU offload, measured: tokens/s with every layer on the GPU ÷ the CPU alone, and what Auto does
with a model that only partly fits.

Run it after `make gpu-cuda` (or -metal, -vulkan) on a machine with a GPU; on a CPU-only build it
says so and stops. "Partly fits" is made by asking for a context so long that its KV cache
cannot sit on the card beside every layer (``PARLEY_BENCH_GPU_CTX``, default: the model's own
limit), so Auto must choose fewer layers, or step down when the load runs out of memory; the
engine's own report says what happened.
"""

from __future__ import annotations

import os
import sys

from _common import TimedEngine, starter

from app.core.engine.protocol import (
    AUTO_GPU_LAYERS,
    ChatMessage,
    GenerationFinished,
    ModelLoaded,
    ModelLoadFailed,
    ModelSpec,
    SamplingSettings,
)

SAMPLING = SamplingSettings(temperature=0.0, top_k=1, repeat_penalty=1.0, max_tokens=256, seed=1)
PROMPT = [ChatMessage("user", "Count from 1 to 400, separated by commas.")]


def rate(model: ModelSpec) -> tuple[float, ModelLoaded]:
    engine = TimedEngine()
    try:
        engine.engine.load(model)
        _, loaded = engine.wait_for(ModelLoaded)
        best = 0.0
        for _ in range(3):
            engine.engine.unload()
            engine.engine.generate(engine.request(model, PROMPT, SAMPLING))
            _, finished = engine.wait_for(GenerationFinished)
            best = max(best, finished.stats.tokens_per_second)
        return best, loaded
    finally:
        engine.close()


def main() -> None:
    path = os.environ.get("PARLEY_BENCH_GPU_MODEL") or str(starter())
    full, loaded = rate(ModelSpec(path, "gpu", n_ctx=4096, n_gpu_layers=AUTO_GPU_LAYERS))
    report = loaded.offload
    if report is None or not report.gpu_build:
        sys.exit(f"this llama.cpp build cannot offload (backends: {', '.join(loaded.backends)}); run make gpu-cuda")
    cpu, _ = rate(ModelSpec(path, "cpu", n_ctx=4096, n_gpu_layers=0))
    print(f"devices: {', '.join(f'{d.name} {d.description} {d.free_bytes / 1e9:.1f} GB free' for d in loaded.devices)}")
    print(f"Auto: {report.layers_on_gpu}/{report.layers_total} layers on GPU, {report.vram_bytes / 1e9:.2f} GB VRAM")
    print(f"tokens/s: GPU {full:.1f}, CPU {cpu:.1f} -> GPU / CPU = {full / cpu:.1f}")
    ctx = int(os.environ.get("PARLEY_BENCH_GPU_CTX", "1048576"))
    engine = TimedEngine()
    try:
        engine.engine.load(ModelSpec(path, "partly", n_ctx=ctx, n_gpu_layers=AUTO_GPU_LAYERS))
        _, event = engine.wait_for(ModelLoaded | ModelLoadFailed)  # type: ignore[arg-type]
    finally:
        engine.close()
    if isinstance(event, ModelLoaded) and event.offload is not None:
        partly = event.offload
        print(f"context {ctx}: Auto put {partly.layers_on_gpu}/{partly.layers_total} layers on the GPU "
              f"({partly.vram_bytes / 1e9:.2f} GB), context {partly.n_ctx}, "
              f"{len(partly.failed_attempts)} attempts ran out of memory first: {partly.failed_attempts}")
    else:
        print(f"context {ctx}: {event}")


if __name__ == "__main__":
    main()
