"""The bookkeeping of work asked of the engine in the background, which steps aside when the user sends.

The automatic titles (``titles``), the memory extraction (``memory.MemoryKeeper``) and the automatic look
inside (``auto_inside``) each ask the engine, through a client of their own, for something after an answer.
``Background`` owns what they share: the records of what is asked (by conversation or answer) and the request
each one waits on, finding the record an event belongs to, stepping aside for the user (every running request
is stopped through the client and asked again after the user's answer), and closing the client. What to ask,
and what to do with the answer, stay with each of them. Plain Python; call it from one thread only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

from app.core.engine.protocol import EngineEvent
from app.core.session.service import EngineClient


class Asked(Protocol):
    """A record of something asked in the background."""

    request_id: str | None  # None: stepped aside for the user, asked again after their answer


K = TypeVar("K")
R = TypeVar("R", bound=Asked)


class Background(Generic[K, R]):
    """The records of what is asked through ``client``, one per key (a conversation or an answer id)."""

    def __init__(self, client: EngineClient) -> None:
        self._client = client
        self._records: dict[K, R] = {}

    def __contains__(self, key: object) -> bool:
        return key in self._records

    def add(self, key: K, record: R) -> R:
        """Keeps ``record`` for ``key``, in place of any earlier one; returns it."""
        self._records[key] = record
        return record

    def drop(self, key: K) -> None:
        """Forgets ``key``'s record: its work is done, failed, or no longer wanted."""
        del self._records[key]

    def for_event(self, event: EngineEvent) -> R | None:
        """The record whose request ``event`` belongs to; None when it is none of them (an event of no request, such
        as a model's load, never belongs to a record waiting to be asked again)."""
        request_id = getattr(event, "request_id", None)
        if request_id is None:
            return None
        return next((record for record in self._records.values() if record.request_id == request_id), None)

    def stepped_aside(self) -> list[R]:
        """The records waiting to be asked again, in the order they were added."""
        return [record for record in self._records.values() if record.request_id is None]

    def ask_again(self, ask: Callable[[R], object]) -> None:
        """Asks each record waiting to be asked again with ``ask``, in the order they were added (after the
        user's answer, which they stepped aside for)."""
        for record in self.stepped_aside():
            ask(record)

    def stopped(self, record: R) -> None:
        """``record``'s request ended stopped: it is asked again after the user's answer."""
        record.request_id = None

    def step_aside(self) -> None:
        """The user is about to send: every running request is stopped and asked again after their answer."""
        for record in self._records.values():
            if record.request_id is not None:
                self._client.stop(record.request_id)
                self.stopped(record)

    def close(self) -> None:
        """Steps aside and closes the client: nothing more is asked or heard."""
        self.step_aside()
        self._client.close()
