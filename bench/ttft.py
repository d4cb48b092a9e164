"""Time to first token at turn 1 and at turn 30 of a conversation whose history reaches ~3,000 tokens.

Parley keeps the exact token ids in the KV cache, so turn 30 evaluates only its new tokens.
For contrast the same turn-30 prompt is also timed on a cold cache, which is what a client
that re-evaluates the whole history pays. Target: turn 30 ÷ turn 1 ≤ 1.5.
"""

from __future__ import annotations

import statistics
import time

from _common import THREADS, TimedEngine, starter

from app.core.config.settings import DEFAULT_SYSTEM_PROMPT
from app.core.engine.protocol import (
    ChatMessage,
    GenerationFinished,
    ModelLoaded,
    ModelSpec,
    SamplingSettings,
    TokensReceived,
)

TURNS = 30
ROUNDS = 3
SAMPLING = SamplingSettings(temperature=0.0, top_k=1, repeat_penalty=1.0, max_tokens=64, seed=1)
TOPICS = ["rivers", "mountains", "bread", "violins", "bicycles", "comets", "gardens", "lighthouses", "bees", "maps"]


def question(turn: int) -> str:
    topic = TOPICS[turn % len(TOPICS)]
    return (f"Question {turn}: tell me one interesting and surprising fact about {topic}, in a single sentence, "
            f"and mention why people who study {topic} find it important, and how {topic} changed over time.")


def turn(engine: TimedEngine, model: ModelSpec, history: list[ChatMessage]) -> tuple[float, GenerationFinished]:
    sent = time.perf_counter()
    engine.engine.generate(engine.request(model, history, SAMPLING))
    first, _ = engine.wait_for(TokensReceived)
    _, finished = engine.wait_for(GenerationFinished)
    return first - sent, finished


def conversation(engine: TimedEngine, model: ModelSpec) -> tuple[list[float], list[ChatMessage]]:
    """One 30-turn conversation on a fresh cache; returns each turn's time to first token."""
    engine.engine.unload()
    engine.engine.load(model)
    engine.wait_for(ModelLoaded)
    history = [ChatMessage("system", DEFAULT_SYSTEM_PROMPT)]  # what Parley sends by default
    ttfts: list[float] = []
    for number in range(1, TURNS + 1):
        history.append(ChatMessage("user", question(number)))
        ttft, finished = turn(engine, model, history)
        history.append(ChatMessage("assistant", finished.text))
        ttfts.append(ttft)
        if number in (1, TURNS):
            s = finished.stats
            print(f"  turn {number:2d}: prompt {s.prompt_tokens} tokens, evaluated {s.prompt_tokens_evaluated}, "
                  f"time to first token {ttft * 1000:.0f} ms")
    return ttfts, history[:-1]


def overflow(engine: TimedEngine) -> None:
    """A conversation well past a 1,024-token context under "drop the oldest turns": the prompt tokens
    each turn evaluated. The engine frees a quarter of the context at a time and the history sent next
    starts where the model's memory now begins (as the turn runner does), so most turns evaluate only
    their new tokens."""
    model = ModelSpec(str(starter()), "starter", n_ctx=1024, n_threads=THREADS)
    history = [ChatMessage("system", DEFAULT_SYSTEM_PROMPT)]
    cheap = 0
    turns = 40
    print("overflow (n_ctx 1024, drop the oldest turns):")
    for number in range(1, turns + 1):
        history.append(ChatMessage("user", question(number)))
        _, finished = turn(engine, model, history)
        s = finished.stats
        if s.truncated_messages:
            del history[1 : 1 + s.truncated_messages]  # the memory now begins after them
        history.append(ChatMessage("assistant", finished.text))
        cheap += s.prompt_tokens_evaluated < s.prompt_tokens / 3
        print(f"  turn {number:2d}: prompt {s.prompt_tokens} tokens, evaluated {s.prompt_tokens_evaluated}"
              f"{f', dropped {s.truncated_messages} messages' if s.truncated_messages else ''}")
    print(f"turns that evaluated only their new tokens: {cheap}/{turns} = {cheap / turns:.2f}  target >= 0.7  "
          f"{'PASS' if cheap / turns >= 0.7 else 'FAIL'}")


def main() -> None:
    model = ModelSpec(str(starter()), "starter", n_ctx=8192, n_threads=THREADS)
    engine = TimedEngine()
    firsts: list[float] = []
    lasts: list[float] = []
    try:
        for number in range(ROUNDS):
            print(f"conversation {number + 1}:")
            ttfts, history = conversation(engine, model)
            firsts.append(ttfts[0])
            lasts.append(ttfts[-1])
        engine.engine.unload()  # cold cache: what re-evaluating the whole history costs
        engine.engine.load(model)
        engine.wait_for(ModelLoaded)
        cold, finished = turn(engine, model, history)
        print(f"turn {TURNS} on a cold cache (naive client): evaluated {finished.stats.prompt_tokens_evaluated}, "
              f"time to first token {cold * 1000:.0f} ms")
        overflow(engine)
    finally:
        engine.close()
    first, last = statistics.median(firsts), statistics.median(lasts)
    ratio = last / first
    print(f"median time to first token: turn 1 {first * 1000:.0f} ms, turn {TURNS} {last * 1000:.0f} ms")
    print(f"ratio turn {TURNS} / turn 1 = {ratio:.2f}  target <= 1.5  {'PASS' if ratio <= 1.5 else 'FAIL'}")
    print(f"ratio cold turn {TURNS} / turn 1 = {cold / first:.2f}")


if __name__ == "__main__":
    main()
