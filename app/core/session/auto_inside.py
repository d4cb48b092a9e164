"""Looking inside every answer of a persona that asks for it (``Persona.look_inside``), off the critical path.

After such an answer is written on this computer, its figures are asked of the engine (the same
``InspectRequest`` as "Look inside" on demand, ``TurnRunner.inspect_request``) through an engine client of
its own, as the automatic titles are: asked before the titles and memories, while the engine still holds the
conversation, so only the answer is evaluated again. It never delays the user: when the user sends while one
is queued or running, ``yield_to_user`` stops it (the engine aborts the evaluation), and it is asked again
after that answer. The figures are stored as on-demand ones are. A remote server's answer is not asked for:
its figures came with it (``look_inside.StreamedFigures``). Plain Python: the window passes the client's
events to ``handle`` on its own thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from app.core.engine.protocol import AnswerInspected, EngineEvent, GenerationFailed, InspectRequest, ModelLoadFailed
from app.core.history.look_inside import LookInside
from app.core.history.store import Store
from app.core.personas.book import PersonaBook
from app.core.session.background import Background
from app.core.session.service import EngineClient

log = logging.getLogger("app.session")


@dataclass
class _Pending:
    answer_id: int
    request_id: str | None = None  # None: waits for the user's answer to end
    model_name: str = ""
    content: str = ""  # the answer's text as asked about


class AutoInspector:
    """Looks inside answers after they are written, one at a time through its own client. One thread only."""

    def __init__(
        self, store: Store, client: EngineClient, personas: PersonaBook, request_for: Callable[[int], InspectRequest]
    ) -> None:
        self._store = store
        self._personas = personas
        self._request_for = request_for
        self._client = client
        self._background: Background[int, _Pending] = Background(client)  # by answer id

    def wants(self, answer_id: int) -> bool:
        """Whether ``answer_id`` is looked inside by itself: an answer written on this computer, with text, by a
        persona that looks inside every answer, and not looked inside yet."""
        answer = self._store.message(answer_id)
        if answer.role != "assistant" or answer.kind is not None or not answer.content or answer.server:
            return False
        return self._personas.looks_inside(answer.persona_id) and self._store.look_inside(answer_id) is None

    def after_answer(self, answer_id: int) -> str | None:
        """Asks for the figures of ``answer_id`` (and again for any that stepped aside); returns the request id,
        or None when the answer is not looked inside by itself."""
        self._background.ask_again(self._ask)
        try:
            if answer_id in self._background or not self.wants(answer_id):
                return None
        except LookupError:
            return None
        return self._ask(self._background.add(answer_id, _Pending(answer_id)))

    def _ask(self, pending: _Pending) -> str | None:
        try:
            if not self.wants(pending.answer_id):  # looked inside on demand meanwhile, or deleted
                self._background.drop(pending.answer_id)
                return None
        except LookupError:
            self._background.drop(pending.answer_id)
            return None
        request = self._request_for(pending.answer_id)
        pending.request_id, pending.model_name, pending.content = request.request_id, request.model.name, request.answer
        self._client.inspect(request)
        return request.request_id

    def yield_to_user(self) -> None:
        """The user is about to send: a look inside queued or running steps aside and is asked again later."""
        self._background.step_aside()

    def handle(self, event: EngineEvent) -> tuple[int, LookInside] | None:
        """Applies one event of the client; returns the answer and its figures once they are in (and stored)."""
        pending = self._background.for_event(event)
        if pending is None:
            return None
        if isinstance(event, AnswerInspected):
            self._background.drop(pending.answer_id)
            data = LookInside(event.tokens, pending.model_name, event.thinking_tokens)
            try:
                if self._store.message(pending.answer_id).content != pending.content:
                    return None  # continued or edited meanwhile: these are not its tokens any more
            except LookupError:
                return None  # deleted meanwhile
            self._store.save_look_inside(pending.answer_id, data)
            return pending.answer_id, data
        if isinstance(event, GenerationFailed) and event.code == "stopped":
            self._background.stopped(pending)  # stepped aside for the user: asked again after their answer
        elif isinstance(event, GenerationFailed | ModelLoadFailed):
            self._background.drop(pending.answer_id)
            log.info("answer %d was not looked inside: %s", pending.answer_id, event.reason)
        return None

    def close(self) -> None:
        self._background.close()
