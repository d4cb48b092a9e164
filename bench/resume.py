"""Reopening a long chat: time to first token with the conversation KV-state cache ÷ a warm turn.

A conversation of about 3,000 tokens (the starter model, context 4096). A warm turn is the next
message while the engine still holds the conversation. Then, with the cache and without it:
- after an engine restart (a new worker process; the model load is timed apart),
- after switching A → B → A (B is another conversation, answered in between).
The time is llama.cpp's side of it (``GenerationStats.ttft_seconds``: the restore, the new
tokens' evaluation and the first token). Targets: restart ÷ warm ≤ 2, switch ÷ warm ≤ 1.5.
Also printed: the state's size on disk per 1,000 tokens.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from pathlib import Path

from _common import THREADS, TimedEngine, starter

from app.core.engine import kv_state
from app.core.engine.protocol import (
    ChatMessage,
    GenerationFinished,
    GenerationRequest,
    ModelLoaded,
    ModelSpec,
    SamplingSettings,
)

SAMPLING = SamplingSettings(temperature=0.0, top_k=1, repeat_penalty=1.0, max_tokens=8, seed=1)
PARAGRAPH = (
    "The committee met again on Thursday to review the budget for the new library wing, the plans for the "
    "reading garden and the schedule for moving the archive, and agreed to meet once more next week. "
)


def conversation(turns: int, tag: str) -> list[ChatMessage]:
    messages = [ChatMessage("system", "You are a helpful assistant.")]
    for number in range(turns):
        messages.append(ChatMessage("user", f"[{tag} {number}] " + PARAGRAPH * 2))
        messages.append(ChatMessage("assistant", "Noted. " + PARAGRAPH))
    return messages


def ask(engine: TimedEngine, model: ModelSpec, messages: list[ChatMessage], key: str) -> GenerationFinished:
    engine.engine.generate(GenerationRequest(uuid.uuid4().hex, model, tuple(messages), SAMPLING, conversation_key=key))
    return engine.wait_for(GenerationFinished)[1]


def start(folder: Path | None, model: ModelSpec) -> tuple[TimedEngine, float]:
    engine = TimedEngine()
    if folder is not None:
        engine.engine.configure_state_cache(str(folder), kv_state.DEFAULT_LIMIT_BYTES)
    engine.engine.load(model)
    loaded = engine.wait_for(ModelLoaded)[1]
    return engine, loaded.load_seconds


def run(folder: Path | None, model: ModelSpec) -> dict[str, float]:
    a = conversation(21, "A")  # about 3,000 tokens
    b = conversation(3, "B")
    figures: dict[str, float] = {}
    engine, _ = start(folder, model)
    try:
        first = ask(engine, model, [*a, ChatMessage("user", "Summarise.")], "A")
        figures["tokens"] = first.stats.prompt_tokens
        a += [ChatMessage("user", "Summarise."), ChatMessage("assistant", first.text)]
        warm = ask(engine, model, [*a, ChatMessage("user", "Go on.")], "A")
        figures["warm"] = warm.stats.ttft_seconds
        a += [ChatMessage("user", "Go on."), ChatMessage("assistant", warm.text)]
        ask(engine, model, [*b, ChatMessage("user", "Summarise.")], "B")
        back = ask(engine, model, [*a, ChatMessage("user", "Thanks.")], "A")
        figures["switch"] = back.stats.ttft_seconds
        figures["switch_evaluated"] = back.stats.prompt_tokens_evaluated
        a += [ChatMessage("user", "Thanks."), ChatMessage("assistant", back.text)]
    finally:
        engine.close()
    engine, load_seconds = start(folder, model)
    try:
        restarted = ask(engine, model, [*a, ChatMessage("user", "One more thing.")], "A")
        figures["restart"] = restarted.stats.ttft_seconds
        figures["restart_evaluated"] = restarted.stats.prompt_tokens_evaluated
        figures["load"] = load_seconds
    finally:
        engine.close()
    if folder is not None:
        state = kv_state.read_state(kv_state.state_path(folder, "A"))
        size = kv_state.state_path(folder, "A").stat().st_size
        figures["bytes_per_1000"] = size / (len(state.token_ids) / 1000) if state else 0.0
    return figures


def main() -> None:
    model = ModelSpec(str(starter()), "starter", n_ctx=4096, n_threads=THREADS)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        cached = run(Path(folder), model)
        plain = run(None, model)
    warm = cached["warm"]
    print(f"threads={THREADS} conversation={cached['tokens']:.0f} tokens, model load {cached['load']:.2f} s "
          f"(not counted), {time.perf_counter() - started:.0f} s in all")
    print(f"warm turn: {warm:.3f} s to the first token")
    print(f"after a restart: {cached['restart']:.3f} s with the cache ({cached['restart_evaluated']:.0f} tokens "
          f"evaluated), {plain['restart']:.3f} s without ({plain['restart_evaluated']:.0f})")
    print(f"A -> B -> A: {cached['switch']:.3f} s with the cache ({cached['switch_evaluated']:.0f} tokens "
          f"evaluated), {plain['switch']:.3f} s without ({plain['switch_evaluated']:.0f})")
    print(f"state on disk: {cached['bytes_per_1000'] / 1e6:.1f} MB per 1,000 tokens")
    restart, switch = cached["restart"] / warm, cached["switch"] / warm
    print(f"restart / warm = {restart:.2f}  target <= 2    {'PASS' if restart <= 2 else 'FAIL'}  "
          f"(without the cache: {plain['restart'] / plain['warm']:.1f})")
    print(f"switch / warm  = {switch:.2f}  target <= 1.5  {'PASS' if switch <= 1.5 else 'FAIL'}  "
          f"(without the cache: {plain['switch'] / plain['warm']:.1f})")


if __name__ == "__main__":
    main()
