"""Decode speed: Parley's tokens/s through the engine process ÷ a bare llama_cpp generate loop.

Same model, prompt, threads, greedy sampling and token count, in one run; the two are
alternated (which goes first swaps every round, so drift in the machine's speed hits both). The
headline is the median of the rounds' own ratios (app ÷ bare, measured back to back), which
follows the machine's drift better than comparing the two medians; both are printed, with the
best round of each. Target: ratio ≥ 0.98.
"""

from __future__ import annotations

import os
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
ROUNDS = int(os.environ.get("PARLEY_BENCH_ROUNDS", "10"))  # fewer on a busy machine: each round is two answers


def bare_rate(model_path: str, prompt_ids: list[int], n_tokens: int) -> tuple[float, float]:
    """Wall-clock tokens/s, and llama.cpp's own tokens/s for the same decodes."""
    import llama_cpp  # the baseline only: the app itself never imports llama_cpp outside its worker

    from app.core.engine.worker.loading import cpu_buffers_for_this_machine  # the same load as the engine's

    with cpu_buffers_for_this_machine():
        llm = llama_cpp.Llama(model_path=model_path, n_ctx=4096, n_threads=THREADS, n_threads_batch=THREADS,
                              n_batch=512, verbose=False)
    try:
        stamps: list[float] = []
        tokens = llm.generate(prompt_ids, temp=0.0, top_k=1, repeat_penalty=1.0)
        for _token in tokens:
            if not stamps:
                llama_cpp.llama_perf_context_reset(llm.ctx)  # count the answer's decodes only
            stamps.append(time.perf_counter())
            if len(stamps) >= n_tokens:
                break
        tokens.close()
        perf = llama_cpp.llama_perf_context(llm.ctx)
        return (len(stamps) - 1) / (stamps[-1] - stamps[0]), perf.n_eval / (perf.t_eval_ms / 1000)
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


def app_rate(engine: TimedEngine, model: ModelSpec) -> tuple[float, float, int]:
    """Wall-clock tokens/s as the app receives them, llama.cpp's own tokens/s, and the token count."""
    sampling = SamplingSettings(temperature=0.0, top_k=1, repeat_penalty=1.0, max_tokens=TOKENS, seed=1)
    engine.engine.unload()  # a fresh cache each round, like the baseline
    engine.engine.generate(engine.request(model, PROMPT, sampling))
    first, _ = engine.wait_for(TokensReceived)
    last, finished = engine.wait_for(GenerationFinished)
    s = finished.stats
    return (s.generated_tokens - 1) / (last - first), s.decoded_tokens / s.decode_seconds, s.generated_tokens


def main() -> None:
    path = starter()
    model = ModelSpec(str(path), "starter", n_ctx=4096, n_threads=THREADS)
    ids = prompt_ids(str(path))
    engine = TimedEngine()
    engine.engine.load(model)
    engine.wait_for(ModelLoaded)
    bare_runs: list[tuple[float, float]] = []
    app_runs: list[tuple[float, float]] = []
    try:
        *_, n = app_rate(engine, model)  # a warm-up, and how many tokens the app generates for this prompt
        for number in range(ROUNDS):
            if number % 2:
                bare_runs.append(bare_rate(str(path), ids, n))
                app_runs.append(app_rate(engine, model)[:2])
            else:
                app_runs.append(app_rate(engine, model)[:2])
                bare_runs.append(bare_rate(str(path), ids, n))
    finally:
        engine.close()
    bare, app = [wall for wall, _ in bare_runs], [wall for wall, _ in app_runs]
    # What each side keeps of llama.cpp's own decode speed, round by round: the machine's drift
    # moves both numbers of a round together, so this share is steadier than raw tokens/s.
    bare_kept = statistics.median(wall / inner for wall, inner in bare_runs)
    app_kept = statistics.median(wall / inner for wall, inner in app_runs)
    ratio = statistics.median(a / b for a, b in zip(app, bare, strict=True))
    print(f"threads={THREADS} tokens={n} rounds={ROUNDS}")
    print("bare llama_cpp generate: " + ", ".join(f"{r:.1f}" for r in bare) + " tokens/s")
    print("Parley engine process:   " + ", ".join(f"{r:.1f}" for r in app) + " tokens/s")
    print(f"share of llama.cpp's own decode speed kept: bare {bare_kept:.3f}, Parley {app_kept:.3f} "
          f"-> ratio {app_kept / bare_kept:.3f}")
    print(f"ratio of the best rounds (app / bare) = {max(app) / max(bare):.3f}")
    print(f"ratio of the medians (median app / median bare) = {statistics.median(app) / statistics.median(bare):.3f}")
    print(f"ratio (median of each round's app / bare) = {ratio:.3f}  target >= 0.98  "
          f"{'PASS' if ratio >= 0.98 else 'FAIL'}")


if __name__ == "__main__":
    main()
