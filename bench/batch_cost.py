"""What a draft costs to check: the time llama.cpp takes to evaluate a batch of b tokens, over one token's step.

Speculative decoding pays only when checking a draft of k tokens (a batch of k + 1) costs less than the
k + 1 plain steps it can save. This measures that ratio for the starter (SmolLM2-135M, Q4_1) and the same
weights re-packed by llama.cpp's own quantizer as Q4_0, Q8_0 and F16, on this machine's CPU, with flash
attention and logits kept at every position (as verification needs them), after a 130-token context.
Each figure is the median of 25 tries; the one-token step is the baseline measured in the same run.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from _common import THREADS, starter

from tests.requantized import requantize

SIZES = (1, 2, 3, 5, 9, 17)
TRIES = 25


def batch_seconds(llm, context: list[int], sizes: Iterable[int], tries: int) -> dict[int, float]:  # type: ignore[no-untyped-def]
    """The median seconds llama.cpp takes to evaluate a batch of each of ``sizes`` tokens (logits at every
    position) after ``context``, each tried ``tries`` times on the same cache."""
    llm.reset()
    llm.eval(context)
    base = llm.n_tokens
    medians = {}
    for size in sizes:
        times = []
        for _ in range(tries):
            llm._ctx.kv_cache_seq_rm(-1, base, -1)
            llm.n_tokens = base
            llm._batch.set_batch(batch=context[:size], n_past=base, logits_all=True)
            started = time.perf_counter()
            llm._ctx.decode(llm._batch)
            times.append(time.perf_counter() - started)
        medians[size] = statistics.median(times)
    return medians


def batch_costs(path: Path) -> tuple[float, dict[int, float]]:
    """The one-token step in seconds, and each batch size's time over it."""
    import llama_cpp  # the bench's own direct llama.cpp work, like the tests' (tests/core/engine/direct_llama.py)

    from app.core.engine import native

    with native.without_extra_cpu_buffers(vars(llama_cpp.llama)["llama_cpp"]):
        llm = llama_cpp.Llama(str(path), n_ctx=2048, n_threads=THREADS, flash_attn=True, verbose=False)
    try:
        context = llm.tokenize(b"The old lighthouse stood at the edge of the cliff for more than a century. " * 8)
        medians = batch_seconds(llm, context, SIZES, TRIES)
    finally:
        llm.close()
    return medians[1], {size: seconds / medians[1] for size, seconds in medians.items()}


def main() -> None:
    print(f"threads={THREADS}: a batch of b tokens over one token's step (median of {TRIES})")
    source = starter()
    with tempfile.TemporaryDirectory() as folder:
        models = {"Q4_1 (the starter)": source}
        for kind in ("Q4_0", "Q8_0", "F16"):
            models[kind] = requantize(source, Path(folder) / f"starter-{kind}.gguf", kind)
        for name, path in models.items():
            step, ratios = batch_costs(path)
            line = "  ".join(f"b={size}: {ratio:4.2f}" for size, ratio in ratios.items())
            print(f"{name:19} one token {step * 1e3:5.2f} ms | {line} | per token at b=9: {ratios[9] / 9:.2f}")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
