"""Looking inside a stored answer: the engine request for it, what its figures say, and a branch from a token.

The request re-sends exactly what the model saw before the answer (``records.build_request`` on the
answer's history) with the answer's text and the thinking before it; the result is kept with the message
(``Store.save_look_inside``).
A remote server cannot evaluate again: an answer it writes asks it for the tokens' log-probabilities in the
stream instead (``streamed_top``: when the persona looks inside every answer, or the server is set to be
asked), and ``StreamedFigures`` keeps what came as the answer's data, or why there is none.
``summary`` is the one reading of the figures (how sure the model was overall, where it hesitated most)
that the window and ``parley explain`` share, and ``branch_prefix`` the text a branch from an alternative
starts with: the answer's tokens before the position, then the alternative (``thinking_prefix`` the same for
a token of the thinking: the thinking the branch starts with, without its opening tag). A piece a server named
by its text alone, half a character of it lost, is not known (``known_piece``): no branch takes it.
"""

from __future__ import annotations

import logging
import math
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.core.engine.protocol import InspectRequest, TokenChoice, TokenLogprobs
from app.core.history.look_inside import LookInside, Note
from app.core.history.store import Store
from app.core.personas.persona import Persona
from app.core.session import records

if TYPE_CHECKING:
    from app.core.engine.remote.servers import RemoteServer

log = logging.getLogger("app.session")

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


def streamed_top(server: RemoteServer | None, persona: Persona) -> int:
    """How many alternatives a turn asks ``server`` to stream with each token (0: none, and never for this
    computer's engine, which evaluates again instead): TOP when the persona looks inside every answer or the
    server is set to be asked."""
    return TOP if server is not None and (persona.look_inside or server.ask_logprobs) else 0


class StreamedFigures:
    """The figures a remote server streams with one answer, gathered for its look-inside data."""

    def __init__(self, model_name: str) -> None:
        self.model_name = model_name
        self.tokens: list[TokenLogprobs] = []
        self.refused = False  # the server refused the field: the answer was asked for again without it

    def add(self, tokens: tuple[TokenLogprobs, ...]) -> None:
        self.tokens.extend(tokens)

    def data(self, text: str) -> LookInside:
        """What to store for the answer whose text is ``text``: its tokens, or a note saying why there are none."""
        note: Note = ""
        if self.refused:
            note = "refused"
        elif not self.tokens:
            note = "none"
        elif b"".join(t.token.piece for t in self.tokens).decode("utf-8", errors="replace") != text:
            log.info("the %d tokens a server streamed do not spell its answer; none are kept", len(self.tokens))
            note = "unmatched"
        tokens = tuple(self.tokens) if not note else ()
        return LookInside(tokens, self.model_name, source="streamed", note=note)


def why_not(stored: LookInside | None) -> str:
    """Why a remote server's answer has no figures to look at ("" where it has), for ``parley explain``."""
    if stored is not None and stored.tokens:
        return ""
    if stored is None:
        return "the answer was written without asking the server for token probabilities"
    return {
        "refused": "the server refused to send token probabilities, so the answer was written again without them",
        "unmatched": "the token probabilities the server sent do not match the answer's text",
    }.get(stored.note, "the server sent no token probabilities with the answer")


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


def known_piece(choice: TokenChoice) -> bool:
    """Whether ``choice``'s bytes are known: a vocabulary id, or a server's text with no character lost (a server
    that sends no ``bytes`` writes half a character as U+FFFD)."""
    return choice.id >= 0 or "\N{REPLACEMENT CHARACTER}".encode() not in choice.piece


def branch_prefix(tokens: tuple[TokenLogprobs, ...], position: int, alternative: TokenChoice) -> str:
    """The text a branch that takes ``alternative`` at ``position`` starts with: every token before, then it."""
    kept = b"".join(t.token.piece for t in tokens[:position]) + alternative.piece
    return kept.decode("utf-8", errors="ignore")  # a half character at the end cannot be written


def thinking_prefix(
    thinking: tuple[TokenLogprobs, ...], reasoning: str, position: int, alternative: TokenChoice
) -> str | None:
    """The thinking a branch that takes ``alternative`` at ``position`` of ``thinking`` (the tokens as the model
    wrote them, tags included) starts with: the thinking's tokens before it, then it, from where the stored
    ``reasoning`` begins (the engine opens the reasoning block itself, ``GenerationRequest.prefill_reasoning``).
    None when those tokens do not hold ``reasoning``."""
    written = b"".join(t.token.piece for t in thinking)
    shown = reasoning.strip().encode("utf-8")
    start = written.find(shown) if shown else -1
    if start < 0:
        return None
    before = sum(len(t.token.piece) for t in thinking[:position])
    kept = written[start:before] + alternative.piece if before >= start else alternative.piece.lstrip()
    return kept.decode("utf-8", errors="ignore")
