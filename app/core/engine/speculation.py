"""How much to draft in speculative decoding and whether it paid: the adaptive rule and its estimates.

A loaded model keeps one ``DraftPolicy`` across answers: the longest draft it tries, and a running
estimate of how long one plain decode step takes (the median of the recent steps decoded without a
draft). Each answer gets an ``AnswerDrafting`` that says, step by step, how many tokens to draft: none
for the first ``PLAIN_STEPS`` steps (they keep the plain estimate current), then up to the policy's
limit: the whole limit at first, after a draft refused part-way only as many as that one had accepted
(one at least), and ``GROW`` more after each draft accepted whole; and none for a while when the recent
drafted steps gave fewer tokens per second than plain steps do (judged from the first drafted step on,
since a refused draft costs several plain steps), with a probe after the pause (longer after each failed
probe). When the answer ends it says what drafting did: the tokens drafted and accepted, and the speed-up
against plain decoding as estimated. An answer that came out slower than plain would have halves the
limit for the next ones (down to off for a few answers, then a probe at the smallest draft); one clearly
faster raises it again. An answer's figures are kept with it in the history as ``summary_json`` writes
them, for its details line.

Judging by speed rather than by acceptance alone follows the hardware: on two CPU cores with the starter
model (compute-bound), evaluating a batch of 9 tokens takes about 5 times one token's step and a batch of
2 about twice (measured; see the README), so there a draft pays only when most of it is accepted, while a
large memory-bound model verifies a batch for little more than one step.
"""

from __future__ import annotations

import json
import statistics
from collections import deque
from dataclasses import dataclass

from app.core.engine.protocol import GenerationStats

DRAFT_LIMIT = 8  # the longest draft tried
MIN_DRAFT = 2  # the shortest draft a turned-down policy still tries
PLAIN_STEPS = 3  # plain steps at the start of every answer: they keep the plain estimate current
GROW = 2  # tokens a draft grows by after one accepted whole (bench/speculative.py: 2 beat 0 and 4)
RECENT_STEPS = 4  # the drafted steps judged together
PAUSE_BELOW = 0.5  # without a plain estimate yet: below this acceptance rate over them, drafting pauses
FIRST_PAUSE, LONGEST_PAUSE = 8, 64  # plain steps in a pause: doubles after each failed probe
SLOWER_BELOW = 0.95  # an answer whose speed-up is below this was slower than plain decoding
FASTER_ABOVE = 1.3  # one above this lets the limit grow back
MIN_DRAFTED_TO_JUDGE = 8  # fewer drafted tokens say nothing about an answer's speed
OFF_ANSWERS = 3  # answers without drafting once the smallest draft was still slower
PLAIN_SAMPLES = 16  # the plain steps the estimate is the median of (a busy CPU makes single steps erratic)


@dataclass(frozen=True)
class DraftingOutcome:
    """What drafting did in one answer."""

    drafted: int  # tokens the drafter proposed (each was evaluated by the model)
    accepted: int  # of those, how many the model's own sampling produced
    speedup: float  # tokens/s against plain decoding as estimated (0.0: no estimate yet)
    turned_down_to: int | None  # the new draft limit when this answer was slower than plain (0: off for a while)


class DraftPolicy:
    """One loaded model's drafting across answers. Used on the engine's one thread."""

    def __init__(self, limit: int = DRAFT_LIMIT) -> None:
        self.limit = limit
        self._plain_steps: deque[float] = deque(maxlen=PLAIN_SAMPLES)
        self._off_answers = 0

    @property
    def plain_step_seconds(self) -> float | None:
        """The running estimate of one plain decode step: the median of the recent ones (None: none yet)."""
        return statistics.median(self._plain_steps) if self._plain_steps else None

    def begin(self) -> AnswerDrafting:
        """Drafting for the next answer."""
        if self._off_answers > 0:
            self._off_answers -= 1
            if self._off_answers == 0:
                self.limit = MIN_DRAFT  # probe again
            return AnswerDrafting(self, 0)
        return AnswerDrafting(self, self.limit)

    def observe_plain_step(self, seconds: float) -> None:
        self._plain_steps.append(seconds)

    def judge(self, drafted: int, speedup: float) -> int | None:
        """Adjusts the limit after an answer; returns the new limit when it was turned down."""
        if drafted < MIN_DRAFTED_TO_JUDGE or speedup <= 0.0:
            return None
        if speedup < SLOWER_BELOW:
            if self.limit <= MIN_DRAFT:
                self.limit, self._off_answers = 0, OFF_ANSWERS
            else:
                self.limit = max(MIN_DRAFT, self.limit // 2)
            return self.limit
        if speedup > FASTER_ABOVE:
            self.limit = min(DRAFT_LIMIT, max(MIN_DRAFT, self.limit * 2))
        return None


class AnswerDrafting:
    """The step-by-step rule for one answer, and its tally."""

    def __init__(self, policy: DraftPolicy, limit: int) -> None:
        self._policy = policy
        self._limit = limit
        self._steps = 0
        # (produced, seconds, drafted, accepted) of the recent drafted steps
        self._recent: deque[tuple[int, float, int, int]] = deque(maxlen=RECENT_STEPS)
        self._length = limit  # the next draft's length, within the limit
        self._paused_for = 0
        self._pause = FIRST_PAUSE
        self._probing = False
        self.drafted = 0
        self.accepted = 0
        self._tokens = 0
        self._seconds = 0.0

    def draft_length(self) -> int:
        """How many tokens to draft for the next step (0: a plain step)."""
        if self._limit <= 0 or self._steps < PLAIN_STEPS:
            return 0
        if self._paused_for > 0:
            self._paused_for -= 1
            if self._paused_for == 0:
                self._probing = True
            return 0
        return min(self._limit, self._length)

    def record(self, drafted: int, accepted: int, produced: int, seconds: float) -> None:
        """One step: ``drafted`` tokens proposed, ``accepted`` of them kept, ``produced`` tokens out, in ``seconds``."""
        self._steps += 1
        self._tokens += produced
        self._seconds += seconds
        if drafted == 0:
            # Not the answer's first step: it carries the first piece's send to the app.
            if produced == 1 and self._steps > 1:
                self._policy.observe_plain_step(seconds)
            return
        self.drafted += drafted
        self.accepted += accepted
        self._length = min(self._limit, self._length + GROW) if accepted == drafted else max(1, accepted)
        self._recent.append((produced, seconds, drafted, accepted))
        if self._probing:
            self._probing = False
            if self._pays():
                self._pause = FIRST_PAUSE
            else:
                self._recent.clear()
                self._pause = min(LONGEST_PAUSE, self._pause * 2)
                self._paused_for = self._pause
            return
        if not self._pays():
            self._recent.clear()
            self._paused_for = self._pause

    def _pays(self) -> bool:
        """Whether the recent drafted steps beat plain decoding: in tokens per second against the plain
        estimate, or (before there is one) by their acceptance rate once ``RECENT_STEPS`` are in."""
        plain = self._policy.plain_step_seconds
        if plain:
            produced = sum(step[0] for step in self._recent)
            seconds = sum(step[1] for step in self._recent)
            return produced * plain >= seconds
        if len(self._recent) < RECENT_STEPS:
            return True
        return sum(step[3] for step in self._recent) / sum(step[2] for step in self._recent) >= PAUSE_BELOW

    def finish(self) -> DraftingOutcome:
        """What drafting did; judges the answer for the policy."""
        plain = self._policy.plain_step_seconds
        speedup = self._tokens * plain / self._seconds if plain and self._seconds > 0 and self.drafted else 0.0
        turned_down = self._policy.judge(self.drafted, speedup)
        return DraftingOutcome(self.drafted, self.accepted, speedup, turned_down)


@dataclass(frozen=True)
class DraftingSummary:
    """An answer's speculative decoding figures, as its details line tells them."""

    kind: str  # "prompt lookup" or "draft model"
    drafted: int
    accepted: int
    speedup: float  # 0.0: no estimate of plain decoding yet
    turned_down_to: int | None

    @property
    def accepted_share(self) -> float:
        return self.accepted / self.drafted if self.drafted else 0.0


def summary_json(stats: GenerationStats) -> str | None:
    """What the history keeps of an answer's drafting (None: it drafted nothing)."""
    if not stats.speculation or not stats.drafted_tokens:
        return None
    return json.dumps(
        {
            "kind": stats.speculation,
            "drafted": stats.drafted_tokens,
            "accepted": stats.accepted_tokens,
            "speedup": round(stats.speculative_speedup, 3),
            "turned_down_to": stats.drafting_turned_down_to,
        }
    )


def parse_summary(text: str) -> DraftingSummary | None:
    """The figures ``summary_json`` wrote (None: none, or a value this version cannot read)."""
    if not text:
        return None
    try:
        data = json.loads(text)
        turned = data.get("turned_down_to")
        return DraftingSummary(
            str(data["kind"]),
            int(data["drafted"]),
            int(data["accepted"]),
            float(data["speedup"]),
            int(turned) if turned is not None else None,
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
