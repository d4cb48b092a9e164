"""Looking inside a stored answer: the engine request for it, what its figures say, and a branch from a token.

The request re-sends exactly what the model saw before the answer (``records.build_request`` on the
answer's history) with the answer's text and the thinking before it; the result is kept with the message
(``Store.save_look_inside``).
``summary`` is the one reading of the figures (how sure the model was overall, where it hesitated most)
that the window and ``parley explain`` share, and ``branch_prefix`` the text a branch from an alternative
starts with: the answer's tokens before the position, then the alternative.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass

from app.core.engine.protocol import InspectRequest, TokenChoice, TokenLogprobs
from app.core.history.store import Store
from app.core.session import records

TOP = 5  # alternatives kept per token
LOW_CONFIDENCE = 0.5  # a token the model gave less than this is marked (shaded and underlined)


def request_for(store: Store, answer_id: int, context: records.TurnContext, top: int = TOP) -> InspectRequest:
    """The engine request that looks inside ``answer_id`` with the prompt its turn sent (``context``'s)."""
    answer = store.message(answer_id)
    conversation = store.conversation(answer.conversation_id)
    turn, _ = records.build_request(conversation, store.history_before(answer_id), context)
    return InspectRequest(
        uuid.uuid4().hex, turn.model, turn.messages, answer.content, top=top, enable_thinking=turn.enable_thinking,
        reasoning_effort=turn.reasoning_effort, date=turn.date, conversation_key=turn.conversation_key,
        reasoning=answer.reasoning or "",
    )  # fmt: skip


@dataclass(frozen=True)
class Hesitation:
    position: int  # the token's index in the answer
    token: TokenLogprobs


@dataclass(frozen=True)
class Summary:
    overall: float  # the geometric mean of the tokens' probabilities: how sure the model was per token
    low: int  # tokens below LOW_CONFIDENCE
    hesitations: tuple[Hesitation, ...]  # the least sure tokens, least sure first


def summary(tokens: tuple[TokenLogprobs, ...], most: int = 3) -> Summary:
    if not tokens:
        return Summary(1.0, 0, ())
    overall = math.exp(sum(t.token.logprob for t in tokens) / len(tokens))
    low = sum(1 for t in tokens if t.token.probability < LOW_CONFIDENCE)
    visible = [(i, t) for i, t in enumerate(tokens) if t.token.text.strip()] or list(enumerate(tokens))
    ranked = sorted(visible, key=lambda item: item[1].token.logprob)[:most]
    return Summary(overall, low, tuple(Hesitation(i, t) for i, t in ranked if t.token.probability < 1.0))


def branch_prefix(tokens: tuple[TokenLogprobs, ...], position: int, alternative: TokenChoice) -> str:
    """The text a branch that takes ``alternative`` at ``position`` starts with: every token before, then it."""
    kept = b"".join(t.token.piece for t in tokens[:position]) + alternative.piece
    return kept.decode("utf-8", errors="ignore")  # a half character at the end cannot be written
