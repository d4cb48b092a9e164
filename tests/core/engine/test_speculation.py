"""The drafting rule: pauses after refused drafts, probes again, and turns itself down after a slower answer."""

from __future__ import annotations

from app.core.engine import speculation
from app.core.engine.speculation import DraftPolicy


def _plain_steps(answer: speculation.AnswerDrafting, seconds: float = 0.1) -> None:
    for _ in range(speculation.PLAIN_STEPS):
        assert answer.draft_length() == 0
        answer.record(0, 0, 1, seconds)


def test_drafting_pauses_as_soon_as_drafted_steps_are_slower_than_plain_ones_and_probes_again_later() -> None:
    answer = DraftPolicy().begin()
    _plain_steps(answer)
    length = answer.draft_length()
    assert length == speculation.DRAFT_LIMIT
    answer.record(length, 0, 1, 0.2)  # one token in the time of two plain steps
    paused = [answer.draft_length() for _ in range(speculation.FIRST_PAUSE)]
    for _ in paused:
        answer.record(0, 0, 1, 0.1)
    assert paused == [0] * speculation.FIRST_PAUSE
    assert answer.draft_length() == 1  # the probe: as long as the last draft's accepted part, one at least
    answer.record(1, 0, 1, 0.2)  # refused again: a longer pause
    assert [answer.draft_length() for _ in range(2 * speculation.FIRST_PAUSE)] == [0] * 2 * speculation.FIRST_PAUSE


def test_before_a_plain_estimate_drafting_is_judged_by_its_acceptance_rate() -> None:
    answer = DraftPolicy().begin()
    for _ in range(speculation.PLAIN_STEPS):
        answer.draft_length()
        answer.record(0, 0, 0, 0.1)  # steps cut short give no plain estimate
    for _ in range(speculation.RECENT_STEPS):
        answer.record(answer.draft_length(), 1, 2, 0.2)
    assert answer.draft_length() == 0  # one in eight accepted: paused


def test_well_accepted_drafts_keep_drafting_and_report_their_speedup() -> None:
    policy = DraftPolicy()
    answer = policy.begin()
    _plain_steps(answer)
    for _ in range(10):
        length = answer.draft_length()
        assert length > 0
        answer.record(length, length, length + 1, 0.3)  # nine tokens in the time of three plain steps
    outcome = answer.finish()
    assert outcome.drafted == 10 * speculation.DRAFT_LIMIT == outcome.accepted
    assert outcome.speedup > 2 and outcome.turned_down_to is None


def test_a_draft_shortens_to_what_was_accepted_of_the_last_and_grows_after_one_accepted_whole() -> None:
    answer = DraftPolicy().begin()
    _plain_steps(answer)
    lengths = []
    for accepted in (3, None, None, None, 0, None):  # None: the whole draft accepted
        length = answer.draft_length()
        lengths.append(length)
        kept = length if accepted is None else accepted
        answer.record(length, kept, kept + 1, 0.01)  # faster than plain steps: never paused
    grow, limit = speculation.GROW, speculation.DRAFT_LIMIT
    assert lengths == [limit, 3, 3 + grow, 3 + 2 * grow, min(limit, 3 + 3 * grow), 1]


def test_an_answer_slower_than_plain_turns_drafting_down_then_off_then_probes() -> None:
    policy = DraftPolicy()
    limits = []
    for _ in range(3):
        answer = policy.begin()
        _plain_steps(answer)
        for _ in range(120):
            length = answer.draft_length()
            if length:
                answer.record(length, length, length + 1, 3.0)  # all accepted, yet slower than plain steps
            else:
                answer.record(0, 0, 1, 0.1)
        limits.append(answer.finish().turned_down_to)
    assert limits == [speculation.DRAFT_LIMIT // 2, speculation.MIN_DRAFT, 0]
    assert [policy.begin().draft_length() for _ in range(speculation.OFF_ANSWERS)] == [0] * speculation.OFF_ANSWERS
    assert policy.limit == speculation.MIN_DRAFT  # the next answer probes with the smallest draft
