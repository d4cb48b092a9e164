"""Automatic titles: after a conversation's first answer, the loaded model proposes a short title.

Until then the first words of the user's message are the title (``chat.title_from``). The title
is asked of the model that just answered (it is loaded: no switch), through an engine client of
its own, so it queues behind nothing the user asked. It must never delay the user: when the user
sends a message while a title is queued or being written, ``yield_to_user`` stops it, and it is
asked again after that answer. A title the user set is never replaced (``Store.rename_conversation``
with ``by_user=False``). Plain Python: the window passes the client's events to ``handle`` on its
own thread, as it does for the turn runner.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass

from app.core.engine.protocol import (
    ChatMessage,
    EngineEvent,
    GenerationFailed,
    GenerationFinished,
    GenerationRequest,
    ModelLoadFailed,
    ModelSpec,
    SamplingSettings,
)
from app.core.history.store import Store
from app.core.session.background import Background
from app.core.session.records import title_from
from app.core.session.service import EngineClient

log = logging.getLogger("app.session")

INSTRUCTION = (
    "Write a title of at most six words for the conversation below, in the same language as the user's "
    "message. Reply with the title only: no quotes, no full stop."
)
SAMPLING = SamplingSettings(temperature=0.0, top_k=1, repeat_penalty=1.0, max_tokens=24, seed=1)
EXCERPT = 600  # characters of the message and of the answer the model reads
_PREFIX = re.compile(r"^\s*(title|标题|題名|titre|titel)\s*[:：]\s*", re.IGNORECASE)
_WRAPPERS = "\"'“”‘’「」『』《》*#`_ "


@dataclass
class _Pending:
    conversation_id: int
    model: ModelSpec
    request_id: str | None = None  # None: waits for the user's answer to end


def clean_title(text: str) -> str:
    """The model's reply as a title: its first line, without "Title:", quotes or a full stop; "" if none."""
    line = next((line for line in text.splitlines() if line.strip()), "")
    line = _PREFIX.sub("", line).strip().strip(_WRAPPERS).rstrip(".。!！").strip(_WRAPPERS)
    return title_from(line) if line else ""


def title_request(user_text: str, answer_text: str, model: ModelSpec) -> GenerationRequest:
    conversation = f"User: {user_text[:EXCERPT]}\n\nAssistant: {answer_text[:EXCERPT]}"
    messages = (ChatMessage("system", INSTRUCTION), ChatMessage("user", conversation))
    return GenerationRequest(uuid.uuid4().hex, model, messages, SAMPLING)


class AutoTitler:
    """Asks for titles, one conversation at a time. Call it from one thread only."""

    def __init__(self, store: Store, client: EngineClient) -> None:
        self._store = store
        self._client = client
        self._background: Background[int, _Pending] = Background(client)  # by conversation id
        self._done: set[int] = set()

    def after_answer(self, conversation_id: int, model: ModelSpec) -> str | None:
        """Asks for a title if the conversation has just had its first answer (or was waiting for one).

        Returns the request id, or None when no title is wanted.
        """
        waiting = conversation_id in self._background
        if conversation_id in self._done or (not waiting and not self._wants_title(conversation_id)):
            return None
        messages = self._store.messages(conversation_id)
        user = next((m for m in messages if m.role == "user"), None)
        answer = next((m for m in messages if m.role == "assistant" and m.content), None)
        if user is None or answer is None:
            return None
        request = title_request(user.content, answer.content, model)
        self._background.add(conversation_id, _Pending(conversation_id, model, request.request_id))
        self._client.generate(request)
        return request.request_id

    def yield_to_user(self) -> None:
        """The user is about to send: a title being asked for steps aside and is asked again later."""
        self._background.step_aside()

    def handle(self, event: EngineEvent) -> int | None:
        """Applies one event of the titles' client; returns the conversation whose title changed."""
        pending = self._background.for_event(event)
        if pending is None:
            return None
        if isinstance(event, GenerationFinished) and event.reason != "stopped":
            self._background.drop(pending.conversation_id)
            self._done.add(pending.conversation_id)
            title = clean_title(event.text)
            if title and self._store.rename_conversation(pending.conversation_id, title, by_user=False):
                log.info("titled conversation %d", pending.conversation_id)
                return pending.conversation_id
        elif isinstance(event, (GenerationFailed, ModelLoadFailed)):
            self._background.drop(pending.conversation_id)
            self._done.add(pending.conversation_id)
            log.info("no title for conversation %d: %s", pending.conversation_id, event.reason)
        elif isinstance(event, GenerationFinished):
            self._background.stopped(pending)  # stopped for the user: asked again after their answer
        return None

    def close(self) -> None:
        self._background.close()

    def _wants_title(self, conversation_id: int) -> bool:
        conversation = self._store.conversation(conversation_id)
        if conversation.title_set_by_user:
            return False
        answers = [m for m in self._store.all_messages(conversation_id) if m.role == "assistant"]
        return len(answers) == 1 and answers[0].status == "complete"
