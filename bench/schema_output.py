"""Decode speed with a logit_bias and with a JSON Schema, each ÷ plain decoding, in one run.

Same model, prompt, greedy sampling and token count; the three kinds alternate within each round
(so drift in the machine's speed hits all of them), and the headline is the median of each round's
own ratio to that round's plain answer. A logit_bias runs a Python logits processor per token
(app/core/engine/worker/generation.py bias_processor); a schema samples through llama.cpp's grammar.
"""

from __future__ import annotations

import json
import os
import statistics
from dataclasses import replace

from _common import TimedEngine, starter

from app.core.engine.protocol import ChatMessage, GenerationFinished, ModelSpec, SamplingSettings

PROMPT = [ChatMessage("user", "Write a long story about the sea.")]
TOKENS = 96
ROUNDS = int(os.environ.get("PARLEY_BENCH_ROUNDS", "6"))
SCHEMA = json.dumps({"type": "object", "properties": {"story": {"type": "string"}}, "required": ["story"]})


def main() -> None:
    timed = TimedEngine()
    model = ModelSpec(str(starter()), "starter", n_ctx=2048)
    sampling = SamplingSettings(temperature=0.0, top_k=1, repeat_penalty=1.0, max_tokens=TOKENS, seed=1)
    rates: dict[str, list[float]] = {"plain": [], "logit_bias": [], "json_schema": []}
    try:
        for round_ in range(ROUNDS + 1):  # round 0 loads the model and warms the caches
            for kind in rates:
                request = timed.request(model, PROMPT, sampling)
                if kind == "logit_bias":
                    request = replace(request, sampling=replace(sampling, logit_bias=((1000, -5.0),)))
                elif kind == "json_schema":
                    request = replace(request, json_schema=SCHEMA)
                timed.engine.generate(request)
                _, done = timed.wait_for(GenerationFinished)
                if round_:
                    rates[kind].append(done.stats.tokens_per_second)
    finally:
        timed.close()
    for kind in ("logit_bias", "json_schema"):
        ratios = [mine / plain for mine, plain in zip(rates[kind], rates["plain"], strict=True)]
        print(
            f"{kind:11s} {statistics.median(rates[kind]):6.1f} tok/s vs plain {statistics.median(rates['plain']):6.1f}"
            f"  ratio (median of rounds) {statistics.median(ratios):.2f}"
        )


if __name__ == "__main__":
    main()
