"""Decode speed: Parley's tokens/s through the engine process ÷ a bare llama_cpp generate loop.

Same model, prompt, threads, greedy sampling and token count, in one run; the two are
alternated and the median of each is compared. Target: ratio ≥ 0.97.
"""

from __future__ import annotations

import statistics
import time

from _common import THREADS, TimedEngine, starter

from app.core.engine.protocol import (
    ChatMessage,
    GenerationFinished,
    ModelLoaded,
    ModelSpec,
    SamplingSettings,
    TokensReceived,
)

PROMPT = [ChatMessage("system", "You are a helpful assistant."),
          ChatMessage("user", "Count from 1 to 400, separated by commas.")]
TOKENS = 256
ROUNDS = 5


def bare_rate(model_path: str, prompt_ids: list[int], n_tokens: int) -> float:
    import llama_cpp  # the baseline only: the app itself never imports llama_cpp outside its worker

    llm = llama_cpp.Llama(model_path=model_path, n_ctx=4096, n_threads=THREADS, n_threads_batch=THREADS,
                          n_batch=512, verbose=False)
    try:
        stamps: list[float] = []
        for _token in llm.generate(prompt_ids, temp=0.0, top_k=1, repeat_penalty=1.0):
            stamps.append(time.perf_counter())
            if len(stamps) >= n_tokens:
                break
        return (len(stamps) - 1) / (stamps[-1] - stamps[0])
    finally:
        llm.close()


def prompt_ids(model_path: str) -> list[int]:
    import llama_cpp

    llm = llama_cpp.Llama(model_path=model_path, n_ctx=512, vocab_only=True, verbose=False)
    from app.core.engine.template import ChatTemplate

    template = ChatTemplate.from_metadata(llm.metadata.get("tokenizer.chat_template"), "", "")
    ids = list(llm.tokenize(template.render(PROMPT).encode(), add_bos=False, special=True))
    llm.close()
    return ids


def app_rate(engine: TimedEngine, model: ModelSpec) -> tuple[float, int]:
    sampling = SamplingSettings(temperature=0.0, top_k=1, repeat_penalty=1.0, max_tokens=TOKENS, seed=1)
    engine.engine.unload()  # a fresh cache each round, like the baseline
    engine.engine.generate(engine.request(model, PROMPT, sampling))
    first, _ = engine.wait_for(TokensReceived)
    last, finished = engine.wait_for(GenerationFinished)
    n = finished.stats.generated_tokens
    return (n - 1) / (last - first), n


def main() -> None:
    path = starter()
    model = ModelSpec(str(path), "starter", n_ctx=4096, n_threads=THREADS)
    ids = prompt_ids(str(path))
    engine = TimedEngine()
    engine.engine.load(model)
    engine.wait_for(ModelLoaded)
    bare: list[float] = []
    app: list[float] = []
    try:
        for _ in range(ROUNDS):
            rate, n = app_rate(engine, model)
            app.append(rate)
            bare.append(bare_rate(str(path), ids, n))
    finally:
        engine.close()
    ratio = statistics.median(app) / statistics.median(bare)
    print(f"threads={THREADS} tokens={n} rounds={ROUNDS}")
    print("bare llama_cpp generate: " + ", ".join(f"{r:.1f}" for r in bare) + " tokens/s")
    print("Parley engine process:   " + ", ".join(f"{r:.1f}" for r in app) + " tokens/s")
    print(f"ratio (median app / median bare) = {ratio:.3f}  target >= 0.97  {'PASS' if ratio >= 0.97 else 'FAIL'}")


if __name__ == "__main__":
    main()
