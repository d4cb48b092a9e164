"""How fast prompt lookup could possibly be here: the best any drafting rule could do, beside the engine's own rule.

Greedy decoding writes one answer whatever drafting does, so once that answer is known, what each step's
prompt lookup guess would keep is known too, and with what a batch of each size costs on this machine
(measured in the same run, as bench/batch_cost.py does, over one plain step, the baseline) the cheapest schedule of
drafts has a price: at each token, check as many of the guess's tokens as will hold, or none, whichever
leads to the least total cost (dynamic programming over the answer). Its ratio to plain decoding (one step
per token) is a bound no rule of drafting lengths can pass with this drafter. The engine's own rule
(app/core/engine/speculation.py) is replayed on the same answers and costs beside it, so the gap between
the two is what a better rule could still win. Neither counts what a step costs besides its batch (the
sampler, sending text), which is why bench/speculative.py's measured figures sit a little apart.

Tasks: bench/speculative.py's, on the starter (Q4_1) and its F16 re-pack, 128 tokens, greedy, each answer
written by the engine's own token loop a second time, with its prompt already in the KV cache as in that
bench's measured rounds (llama.cpp can write another greedy answer when the prompt was evaluated in other
batches). Goal
(issue 23): prompt lookup ≥ 1.5× on the rewrite and translation tasks, ≥ 0.95× on free chat.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
from _common import THREADS, starter
from batch_cost import batch_seconds
from speculative import GOALS, TASKS, TOKENS

from app.core.engine.protocol import ChatMessage, SamplingSettings
from app.core.engine.speculation import DraftPolicy
from app.core.engine.template import ChatTemplate
from app.core.engine.worker import speculative
from app.core.engine.worker.speculative import PromptLookupDrafter
from tests.requantized import requantize

LONGEST = 16  # the longest guess the bound may check
TRIES = 15


def _costs(llm, context: list[int]) -> list[float]:  # type: ignore[no-untyped-def]
    """A batch of each size 1..LONGEST + 1 after ``context``, in one-token steps (index: the size; the median of
    ``TRIES``, made non-decreasing from the largest size down)."""
    medians = batch_seconds(llm, context, range(1, LONGEST + 2), TRIES)
    costs = [0.0] + [medians[size] / medians[1] for size in range(1, LONGEST + 2)]
    # A batch cannot cost less than a smaller one; a size that timed cheaper than a smaller one is noise, and
    # the bound takes the cheaper figure for both, so it stays a bound.
    for size in range(LONGEST, 0, -1):
        costs[size] = min(costs[size], costs[size + 1])
    return costs


def _kept(prompt: list[int], answer: list[int]) -> list[list[int]]:
    """At each token of the answer, the guess prompt lookup makes there (the pending token last in context)."""
    drafter = PromptLookupDrafter()
    contexts = (np.array(prompt + answer[: index + 1], dtype=np.intc) for index in range(len(answer)))
    return [drafter.propose(context, LONGEST) for context in contexts]


def _held(guess: list[int], answer: list[int], index: int) -> int:
    held = 0
    while held < len(guess) and index + 1 + held < len(answer) and guess[held] == answer[index + 1 + held]:
        held += 1
    return held


def bound(prompt: list[int], answer: list[int], costs: list[float]) -> float:
    """The least total cost of writing ``answer`` after the first token, over plain decoding's."""
    guesses = _kept(prompt, answer)
    last = len(answer) - 1
    best = [0.0] * (last + 1)  # best[i]: the cost from token i (pending) to the end
    for index in range(last - 1, -1, -1):
        held = min(_held(guesses[index], answer, index), last - index - 1)
        best[index] = min(costs[k + 1] + best[index + k + 1] for k in range(held + 1))
    return last / best[0] if best[0] else 1.0


def engine_rule(prompt: list[int], answer: list[int], costs: list[float]) -> float:
    """The engine's drafting rule replayed with these costs (a plain step: one unit of time)."""
    drafting = DraftPolicy().begin()
    drafter = PromptLookupDrafter()
    index, total = 0, 0.0
    while index < len(answer) - 1:
        want = drafting.draft_length()
        context = np.array(prompt + answer[: index + 1], dtype=np.intc)
        draft = drafter.propose(context, want)[:want] if want else []
        held = _held(draft, answer, index)
        produced = min(held + 1, len(answer) - 1 - index)
        total += costs[len(draft) + 1]
        drafting.record(len(draft), held, produced, costs[len(draft) + 1])
        index += produced
    return (len(answer) - 1) / total


def _greedy(llm, prompt: list[int]) -> list[int]:  # type: ignore[no-untyped-def]
    """The greedy answer, written by the engine's own drafted token loop (its tokens are plain decoding's)."""
    import llama_cpp

    sampling = SamplingSettings(temperature=0.0, top_k=1, repeat_penalty=1.0, max_tokens=TOKENS, seed=1)
    tokens = speculative.tokens(
        llm, prompt, sampling=sampling, grammar=None, drafter=PromptLookupDrafter(), drafting=DraftPolicy().begin(),
        n_ctx=llm.n_ctx(),
    )  # fmt: skip
    answer: list[int] = []
    try:
        for token in tokens:
            if llama_cpp.llama_vocab_is_eog(llm._model.vocab, token) or len(answer) >= TOKENS:
                break
            answer.append(token)
    finally:
        tokens.close()
    return answer


def measure(path: Path, label: str) -> None:
    import llama_cpp  # the bench's own direct llama.cpp work, as bench/batch_cost.py's

    from app.core.engine import native

    with native.without_extra_cpu_buffers(vars(llama_cpp.llama)["llama_cpp"]):
        llm = llama_cpp.Llama(str(path), n_ctx=4096, n_threads=THREADS, flash_attn=True, verbose=False)
    try:
        template = ChatTemplate.from_metadata(llm.metadata.get("tokenizer.chat_template"), "", "")
        costs = _costs(llm, llm.tokenize(TASKS["rewrite"].encode()))
        sizes = "  ".join(f"b={size}: {costs[size]:.2f}" for size in (2, 3, 5, 9, 17))
        print(f"{label}: a batch over one token's step: {sizes}")
        for task, text in TASKS.items():
            prompt_text = template.render([ChatMessage("user", text)])
            prompt = llm.tokenize(prompt_text.encode(), add_bos=False, special=True)
            for _ in range(2):  # the second answer, with the prompt cached, as bench/speculative.py's rounds get it
                answer = _greedy(llm, prompt)
            best, rule = bound(prompt, answer, costs), engine_rule(prompt, answer, costs)
            goal = GOALS.get(task)
            reach = "within reach" if goal is not None and best >= goal else "OUT OF REACH"
            verdict = "" if goal is None else f" [goal ≥ {goal}: {reach}]"
            print(f"  {task:18} {len(answer):3d} tokens | best possible {best:.2f}x{verdict} | the engine {rule:.2f}x")
            sys.stdout.flush()
    finally:
        llm.close()


def main() -> None:
    source = starter()
    with tempfile.TemporaryDirectory() as folder:
        repacked = requantize(source, Path(folder) / "starter-f16.gguf", "F16")
        for path, label in ((source, "starter Q4_1"), (repacked, "starter re-packed as F16")):
            measure(path, label)


if __name__ == "__main__":
    main()
