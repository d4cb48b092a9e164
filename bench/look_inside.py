"""Look inside: the time to re-read an answer with its probabilities ÷ the time the answer took to write.

A conversation of about 2,000 tokens, an answer of up to 200 greedy tokens written, then looked inside
(``InspectRequest``) in the same run: warm (the conversation's KV state is the engine's, as right after
the answer: only the answer is evaluated) and cold (a fresh engine: the whole prompt is evaluated too).
Both are printed per 100 answer tokens beside the writing time per 100 tokens (first token to the end),
and as ratios. Goal: the warm ratio under 1 (looking inside is quicker than writing was).
"""

from __future__ import annotations

import time
import uuid

from _common import TimedEngine, starter

from app.core.engine.protocol import (
    AnswerInspected,
    ChatMessage,
    GenerationFinished,
    InspectRequest,
    ModelLoaded,
    ModelSpec,
    SamplingSettings,
    TokensReceived,
)

SAMPLING = SamplingSettings(temperature=0.0, top_k=1, max_tokens=200, repeat_penalty=1.0, seed=1)
PARAGRAPH = ("The harbour town wakes early: fishing boats slip out past the breakwater, the bakery lights its "
             "ovens, and the ferry to the islands sounds its horn twice before it leaves the pier. ")  # fmt: skip


def conversation() -> list[ChatMessage]:
    """About 2,000 tokens of turns, ending with a question."""
    messages = [ChatMessage("system", "You are a helpful assistant.")]
    for turn in range(8):
        messages.append(ChatMessage("user", f"Tell me part {turn + 1} of the town's day. " + PARAGRAPH * 3))
        messages.append(ChatMessage("assistant", PARAGRAPH * 3))
    messages.append(ChatMessage("user", "Now write a long story about the town's lighthouse keeper."))
    return messages


def main() -> None:
    model = ModelSpec(str(starter()), "starter", n_ctx=4096)
    messages = conversation()
    timed = TimedEngine()
    try:
        request = timed.request(model, messages, SAMPLING)
        timed.engine.generate(request)
        first, _ = timed.wait_for(TokensReceived)
        ended, finished = timed.wait_for(GenerationFinished)
        prompt_tokens, answer_tokens = finished.stats.prompt_tokens, finished.stats.generated_tokens
        writing = (ended - first) / answer_tokens * 100

        def inspect(engine: TimedEngine) -> tuple[float, AnswerInspected]:
            started = time.perf_counter()
            engine.engine.inspect(InspectRequest(uuid.uuid4().hex, model, tuple(messages), finished.text))
            stamp, event = engine.wait_for(AnswerInspected)
            return stamp - started, event

        warm_seconds, warm = inspect(timed)
    finally:
        timed.close()
    cold_engine = TimedEngine()
    try:
        cold_engine.engine.load(model)  # the load is not the look inside's
        cold_engine.wait_for(ModelLoaded)
        cold_seconds, cold = inspect(cold_engine)
    finally:
        cold_engine.close()
    tokens = len(warm.tokens)
    warm_per_100, cold_per_100 = warm_seconds / tokens * 100, cold_seconds / tokens * 100
    print(f"conversation: {prompt_tokens} prompt tokens, answer: {answer_tokens} tokens ({tokens} looked inside)")
    print(f"writing the answer:   {writing:.3f} s per 100 tokens")
    print(f"look inside, warm:    {warm_per_100:.3f} s per 100 tokens ({warm.evaluated_tokens} tokens evaluated)")
    print(f"look inside, cold:    {cold_per_100:.3f} s per 100 tokens ({cold.evaluated_tokens} tokens evaluated)")
    print(f"ratio warm ÷ writing: {warm_per_100 / writing:.3f}  (goal: under 1)")
    print(f"ratio cold ÷ writing: {cold_per_100 / writing:.3f}")


if __name__ == "__main__":
    main()
