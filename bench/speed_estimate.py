"""Speed estimate: ``speed.estimate_tokens_per_second`` ÷ the engine's measured decode speed.

Measures the starter (Q4_1) and its F16 re-pack (made here with llama.cpp's own quantizer, 2.75x
the bytes) through the engine process, alternating them, and prints each model's measured speed,
the estimate made from the *other* model's measurement, and their ratio. Target: every ratio within
1/1.5 .. 1.5. Also prints the fixed share the two measurements imply (``speed.FIXED_SHARE`` is 0.5).
"""

from __future__ import annotations

import ctypes
import os
import statistics
import tempfile
from pathlib import Path

from _common import THREADS, TimedEngine, starter

from app.core.engine.protocol import ChatMessage, GenerationFinished, ModelLoaded, ModelSpec, SamplingSettings
from app.core.models import speed

PROMPT = [ChatMessage("user", "Count from 1 to 400, separated by commas.")]
TOKENS = 128
ROUNDS = int(os.environ.get("PARLEY_BENCH_ROUNDS", "3"))


def repack_f16(source: Path, folder: Path) -> Path:
    import llama_cpp  # the bench's tool only: the app loads llama_cpp in its engine process alone

    out = folder / "starter-f16.gguf"
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = llama_cpp.LLAMA_FTYPE_MOSTLY_F16
    params.allow_requantize = True
    if llama_cpp.llama_model_quantize(str(source).encode(), str(out).encode(), ctypes.byref(params)) != 0:
        raise SystemExit("llama_model_quantize failed")
    return out


def decode_rate(engine: TimedEngine, path: Path) -> float:
    model = ModelSpec(str(path), path.stem, n_ctx=1024, n_gpu_layers=0, n_threads=THREADS)
    engine.engine.load(model)
    engine.wait_for(ModelLoaded)
    sampling = SamplingSettings(temperature=0.0, top_k=1, repeat_penalty=1.0, max_tokens=TOKENS, seed=1)
    engine.engine.generate(engine.request(model, PROMPT, sampling))
    _, finished = engine.wait_for(GenerationFinished)
    return finished.stats.decoded_tokens / finished.stats.decode_seconds


def main() -> None:
    small = starter()
    with tempfile.TemporaryDirectory() as folder:
        big = repack_f16(small, Path(folder))
        engine = TimedEngine()
        rates: dict[Path, list[float]] = {small: [], big: []}
        try:
            decode_rate(engine, small)  # warm-up
            for number in range(ROUNDS):
                for path in (small, big) if number % 2 == 0 else (big, small):
                    rates[path].append(decode_rate(engine, path))
        finally:
            engine.close()
        sizes = {path: path.stat().st_size for path in rates}
        measured = {path: statistics.median(values) for path, values in rates.items()}
    print(f"threads={THREADS} rounds={ROUNDS} tokens={TOKENS}")
    worst = 1.0
    for target, other in ((small, big), (big, small)):
        base = speed.DecodeMeasurement(sizes[other], measured[other], THREADS, False, 0.0)
        estimate = speed.estimate_tokens_per_second(sizes[target], base)
        ratio = estimate / measured[target]
        worst = max(worst, ratio, 1 / ratio)
        print(f"{target.name}: {sizes[target] / 1e6:.0f} MB, measured {measured[target]:.1f} tokens/s, "
              f"estimated from {other.name} {estimate:.1f} -> ratio {ratio:.2f}")
    slowdown = measured[small] / measured[big]
    byte_ratio = sizes[big] / sizes[small]
    implied = (byte_ratio - slowdown) / (byte_ratio - 1)
    print(f"slowdown {slowdown:.2f}x for {byte_ratio:.2f}x the bytes: implied fixed share {implied:.2f} "
          f"(speed.FIXED_SHARE = {speed.FIXED_SHARE})")
    print(f"worst ratio {worst:.2f}  target <= 1.5  {'PASS' if worst <= 1.5 else 'FAIL'}")


if __name__ == "__main__":
    main()
