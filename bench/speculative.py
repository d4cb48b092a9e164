"""Speculative decoding: tokens/s of plain decoding vs prompt lookup vs a draft model, per kind of task.

Three engine processes hold a model three ways, all with flash attention (which drafting needs): plain
decoding, prompt lookup drafting, and the model as its own draft model (the same vocabulary, so it proves
the plumbing; being no smaller, it cannot be faster). For each task each engine loads afresh (a new
drafting policy), then the three answer the same greedy prompt in turn, ``ROUNDS`` times, the order
rotating every round so the machine's drift hits all three. Each mode's speed-up is the median of its
rounds' own ratios to the plain answer of the same round; acceptance is over all of a task's drafts. The
engine's own estimate of its speed-up (what the details line says) is printed beside the measured one.

Two models: the starter (SmolLM2-135M, Q4_1) and its weights re-packed as F16 by llama.cpp's own quantizer
(tests/requantized.py). On this CPU checking a draft costs the two very differently (bench/batch_cost.py:
a batch of 9 tokens takes about 5 steps of one token with Q4_1, about 3 with F16), which is what decides
whether drafting can pay. Goal (issue 23): prompt lookup ≥ 1.5× on the rewrite and translation tasks,
never below 0.95× on free chat.
"""

from __future__ import annotations

import os
import statistics
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from _common import THREADS, TimedEngine, starter

from app.core.engine.protocol import (
    ChatMessage,
    GenerationFinished,
    GenerationStats,
    ModelLoaded,
    ModelSpec,
    SamplingSettings,
)
from tests.requantized import requantize

ROUNDS = int(os.environ.get("PARLEY_BENCH_ROUNDS", "3"))
TOKENS = int(os.environ.get("PARLEY_BENCH_TOKENS", "128"))
PARAGRAPH = (
    "The old lighthouse stood at the edge of the cliff for more than a century. Sailors trusted its light on "
    "stormy nights, and the keeper climbed its stairs every evening to wind the clockwork and trim the wick. "
    "When the electric lamp arrived, the keeper stayed on, polishing brass that no longer needed polish, "
    "because the village could not imagine the tower without him."
)
FUNCTION = '''def order_total(items, discount=0.0):
    """The order's total in euros."""
    total = 0.0
    for item in items:
        total += item["price"] * item["quantity"]
    if discount:
        total = total * (1 - discount)
    return round(total, 2)
'''
TASKS = {
    "free chat": "Tell me about the history of tea, in a few paragraphs.",
    "rewrite": f"Rewrite this paragraph in a more formal tone, keeping every fact:\n\n{PARAGRAPH}",
    "translate": f"Translate this paragraph into French:\n\n{PARAGRAPH}",
    "change a function": "Change this function so that it returns the total in cents as an integer. "
    f"Give the whole function.\n\n```python\n{FUNCTION}```",
}
SAMPLING = SamplingSettings(temperature=0.0, top_k=1, repeat_penalty=1.0, max_tokens=TOKENS, seed=1)


@dataclass(frozen=True)
class Answer:
    rate: float  # tokens/s, the engine's own (first token to the last)
    stats: GenerationStats
    text: str


def answer(engine: TimedEngine, model: ModelSpec, prompt: str) -> Answer:
    engine.engine.generate(engine.request(model, [ChatMessage("user", prompt)], SAMPLING))
    # The engine's own tokens/s (first token to the last): the app receives text in batches every 50 ms,
    # so with a short answer its arrival times say little.
    _, finished = engine.wait_for(GenerationFinished)
    return Answer(finished.stats.tokens_per_second, finished.stats, finished.text)


GOALS = {"free chat": 0.95, "rewrite": 1.5, "translate": 1.5}  # prompt lookup's speed-up, at least


def bench(path: Path, label: str) -> None:
    plain = ModelSpec(str(path), label, n_ctx=4096, n_threads=THREADS, flash_attn=True, prompt_lookup=False)
    modes = {
        "plain": plain,
        "prompt lookup": replace(plain, prompt_lookup=True),
        "draft model": replace(plain, draft_path=str(path)),
    }
    engines = {name: TimedEngine() for name in modes}
    print(f"{label}: threads={THREADS} tokens<={TOKENS} rounds={ROUNDS} (greedy; ratios to plain, same round)")
    try:
        for task, prompt in TASKS.items():
            runs: dict[str, list[Answer]] = {name: [] for name in modes}
            for name, engine in engines.items():
                engine.engine.unload()
                engine.engine.load(modes[name])  # a fresh drafting policy for every task
                engine.wait_for(ModelLoaded)
                answer(engine, modes[name], prompt)  # a warm-up
            order = list(modes)
            for number in range(ROUNDS):
                for name in order[number % 3 :] + order[: number % 3]:
                    runs[name].append(answer(engines[name], modes[name], prompt))
            base = runs["plain"]
            line = [f"  {task:18} plain {statistics.median(a.rate for a in base):5.1f} tok/s"]
            for name in ("prompt lookup", "draft model"):
                mine = runs[name]
                same = all(a.text == b.text for a, b in zip(mine, base, strict=True))
                drafted = sum(a.stats.drafted_tokens for a in mine)
                accepted = sum(a.stats.accepted_tokens for a in mine)
                ratio = statistics.median(a.rate / b.rate for a, b in zip(mine, base, strict=True))
                told = statistics.median(a.stats.speculative_speedup for a in mine)
                share = f"{accepted / drafted:4.0%} of {drafted:4d}" if drafted else "nothing drafted"
                goal = GOALS.get(task) if name == "prompt lookup" else None
                verdict = "" if goal is None else f" [goal ≥ {goal}: {'met' if ratio >= goal else 'MISSED'}]"
                line.append(
                    f"| {name}: {ratio:.2f}x{verdict} (engine said {told:.2f}x), accepted {share}"
                    f"{'' if same else ', TEXT DIFFERS'}"
                )
            print(" ".join(line), flush=True)
    finally:
        for engine in engines.values():
            engine.close()


def main() -> None:
    source = starter()
    with tempfile.TemporaryDirectory() as folder:
        repacked = requantize(source, Path(folder) / "starter-f16.gguf", "F16")
        for path, label in ((source, "starter Q4_1"), (repacked, "starter re-packed as F16")):
            bench(path, label)


if __name__ == "__main__":
    main()
