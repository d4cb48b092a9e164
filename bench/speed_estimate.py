"""Speed estimate: the calibrated ``speed`` estimate ÷ the engine's measured decode speed, for two models.

The two models are the starter (SmolLM2-135M Q4_1, 98 MB) and its F16 re-pack (271 MB, made here with
llama.cpp's own quantizer: tests/requantized.py). Both decode through the engine process, alternated,
``PARLEY_BENCH_ROUNDS`` rounds each. Every other round (the even ones) calibrates (``speed.calibrate``: the
fixed and the per-byte term, as the app fits them from the answers it measured, each model by its
fastest answer); the odd rounds are what the estimate is checked against (each model's fastest
answer there too: on a shared machine the slower ones measure the other work; interleaved, both
halves see the same moments of the machine), so a ratio is never
the calibration measured against itself. Prints each model's held-out measured speed (and every
round's), the estimate and their ratio (target: within 1/1.5 .. 1.5), the same for the one-model
estimate (the starter only, split by ``speed.FIXED_SHARE``), and the fitted terms.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from _common import THREADS, TimedEngine, starter  # puts the repository on sys.path

from app.core.engine.protocol import ChatMessage, GenerationFinished, ModelLoaded, ModelSpec, SamplingSettings
from app.core.models import speed
from tests.requantized import requantize

PROMPT = [ChatMessage("user", "Count from 1 to 400, separated by commas.")]
TOKENS = 128
ROUNDS = max(2, int(os.environ.get("PARLEY_BENCH_ROUNDS", "8")))
TARGET = 1.5


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
        big = requantize(small, Path(folder) / "starter-f16.gguf", "F16")
        sizes = {small: small.stat().st_size, big: big.stat().st_size}
        engine = TimedEngine()
        rates: dict[Path, list[float]] = {small: [], big: []}
        try:
            decode_rate(engine, small)  # warm-up
            for number in range(ROUNDS):
                for path in (small, big) if number % 2 == 0 else (big, small):
                    rates[path].append(decode_rate(engine, path))
        finally:
            engine.close()
    calibrating = [
        speed.DecodeMeasurement(sizes[path], rate, THREADS, False, time.time(), path.name)
        for path, values in rates.items() for rate in values[0::2]
    ]
    fitted = speed.calibrate(calibrating)
    one = speed.calibrate([m for m in calibrating if m.model_bytes == sizes[small]])  # its fastest answer
    held_out = {path: max(values[1::2]) for path, values in rates.items()}
    print(f"threads={THREADS} rounds={ROUNDS} (calibrate on the even ones, check on the odd ones) tokens={TOKENS}")
    print("calibration rounds: " + "; ".join(
        f"{path.name} {', '.join(f'{r:.1f}' for r in values[0::2])}" for path, values in rates.items()
    ))
    print(f"fitted: fixed {fitted.fixed_seconds * 1e3:.2f} ms/token, {fitted.bytes_per_second / 1e9:.1f} GB/s, "
          f"fixed share at the starter {fitted.fixed_seconds / fitted.seconds_per_token(sizes[small]):.2f} "
          f"(one-model FIXED_SHARE = {speed.FIXED_SHARE})")
    worst = 1.0
    for label, calibration in (("fitted from both", fitted), ("starter only", one)):
        for path in (small, big):
            estimate = speed.estimate_tokens_per_second(sizes[path], calibration)
            ratio = estimate / held_out[path]
            if calibration is fitted:
                worst = max(worst, ratio, 1 / ratio)
            print(f"[{label}] {path.name}: {sizes[path] / 1e6:.0f} MB, measured {held_out[path]:.1f} tokens/s "
                  f"(rounds {', '.join(f'{r:.1f}' for r in rates[path][1::2])}; median "
                  f"{statistics.median(rates[path][1::2]):.1f}), estimated {estimate:.1f} "
                  f"-> ratio {ratio:.2f}")
    print(f"worst ratio (fitted) {worst:.2f}  target <= {TARGET}  {'PASS' if worst <= TARGET else 'FAIL'}")


if __name__ == "__main__":
    main()
