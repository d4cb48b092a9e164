"""The local API server's cost: tokens/s and time to first token through it ÷ the window's own path.

Both run on one engine service with the starter model, in one run: the window's path is the turn
runner on an engine client (what ``ChatController`` does, minus Qt), the API's is the official
``openai`` client streaming from Parley's server on 127.0.0.1. Same system prompt, message, greedy
sampling and token count; the model's cache is emptied before each answer; the two alternate (who
goes first swaps every round) and the medians are compared. Target: tokens/s ratio ≥ 0.95.
"""

from __future__ import annotations

import argparse
import os
import queue
import statistics
import tempfile
import time
from dataclasses import replace

from _common import THREADS, starter

from app.core.engine.protocol import EngineEvent, ModelUnloaded, SamplingSettings

ROUNDS = 6
TOKENS = 128
SYSTEM = "You are a helpful assistant."
PROMPT = "Count from 1 to 400, separated by commas."
SAMPLING = SamplingSettings(temperature=0.0, top_k=1, repeat_penalty=1.0, max_tokens=TOKENS, seed=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--tokens", type=int, default=TOKENS, help="the longest answer (each path writes the same)")
    args = parser.parse_args()
    rounds, tokens = args.rounds, args.tokens
    sampling = replace(SAMPLING, max_tokens=tokens)
    os.environ["PARLEY_HOME"] = tempfile.mkdtemp(prefix="parley-bench-api-")
    import openai

    from app.core.api_server.app import ApiBackend, ModelChoices
    from app.core.api_server.server import ApiConfig, ApiServer
    from app.core.config.settings import Settings, SettingsStore
    from app.core.history.store import Store
    from app.core.models.registry import ModelRegistry
    from app.core.session.service import EngineService, local_engine_factory
    from app.core.session.turns import TurnRunner

    settings = SettingsStore(Settings(system_prompt=SYSTEM, sampling=sampling))
    registry = ModelRegistry(settings)
    entry = registry.resolve(str(starter()))
    spec = registry.spec_for(entry)  # what the window's turn runner loads: the same model, no reload between paths
    service = EngineService(local_engine_factory())
    store = Store()
    events: queue.Queue[EngineEvent] = queue.Queue()
    window = service.connect(events.put, "window")
    runner = TurnRunner(store, window, settings, registry)
    choices = ModelChoices()
    choices.set({entry.name: spec}, sampling)
    server = ApiServer(ApiBackend(service, choices), ApiConfig(port=0))
    server.start()
    client = openai.OpenAI(base_url=server.base_url, api_key="none", max_retries=0, timeout=300)

    def empty_cache() -> None:
        window.unload()
        while not isinstance(events.get(timeout=60), ModelUnloaded):
            pass

    def window_path() -> tuple[float, float]:
        empty_cache()
        conversation = store.create_conversation()
        started = time.perf_counter()
        runner.start(conversation.id, PROMPT, model=entry, sampling=sampling)
        first = last = 0.0
        while True:
            update = runner.handle(events.get(timeout=300))
            if update is None:
                continue
            if update.text:
                last = time.perf_counter()
                first = first or last
            if update.outcome is not None:
                assert update.outcome.stats is not None, update.outcome.error
                n = update.outcome.stats.generated_tokens
                return first - started, (n - 1) / (last - first)

    def api_path() -> tuple[float, float]:
        empty_cache()
        started = time.perf_counter()
        stream = client.chat.completions.create(
            model=entry.name,
            messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": PROMPT}],
            stream=True, temperature=0.0, max_tokens=tokens, seed=1,
            extra_body={"top_k": 1, "repeat_penalty": 1.0},
        )  # fmt: skip
        first = last = 0.0
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                last = time.perf_counter()
                first = first or last
        n = server.backend.outcomes[-1].generated_tokens
        return first - started, (n - 1) / (last - first)

    window_runs: list[tuple[float, float]] = []
    api_runs: list[tuple[float, float]] = []
    try:
        window_path()  # warm-up: the model loads
        api_path()
        for number in range(rounds):
            if number % 2:
                api_runs.append(api_path())
                window_runs.append(window_path())
            else:
                window_runs.append(window_path())
                api_runs.append(api_path())
    finally:
        server.stop()
        window.close()
        service.shutdown()
        store.close()
    w_rate = statistics.median(rate for _, rate in window_runs)
    a_rate = statistics.median(rate for _, rate in api_runs)
    w_ttft = statistics.median(ttft for ttft, _ in window_runs)
    a_ttft = statistics.median(ttft for ttft, _ in api_runs)
    ratio = a_rate / w_rate
    print(f"threads={THREADS} tokens<={tokens} rounds={rounds}")
    print("window path (TurnRunner): " + ", ".join(f"{r:.1f}" for _, r in window_runs) + " tokens/s")
    print("local API (openai client): " + ", ".join(f"{r:.1f}" for _, r in api_runs) + " tokens/s")
    print(f"time to first token: window {w_ttft * 1000:.0f} ms, API {a_ttft * 1000:.0f} ms "
          f"-> ratio (API / window) {a_ttft / w_ttft:.2f}")
    print(f"tokens/s ratio (median API / median window) = {ratio:.3f}  target >= 0.95  "
          f"{'PASS' if ratio >= 0.95 else 'FAIL'}")


if __name__ == "__main__":
    main()
