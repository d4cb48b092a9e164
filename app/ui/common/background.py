"""Blocking calls off the GUI thread: run one on a worker thread and get its outcome back on the GUI thread.

In the spirit of Anki's ``QueryOp``: the call (a Hub search, a repo listing) runs on a daemon thread,
and its result or ``AppError`` is handed to a callback on the thread the runner lives on. Anything else
the call raises is a bug: it is raised again on the GUI thread, where the crash handler (and pytest-qt)
see it. Outcomes of calls that were forgotten, or that end after ``close()``, are dropped.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6 import QtCore

from app.core.errors import AppError
from app.ui.common.relay import GuiRelay

T = TypeVar("T")


@dataclass(frozen=True)
class _Outcome:
    token: int
    value: object
    error: BaseException | None


class BackgroundRunner(QtCore.QObject):
    """Runs blocking calls for one owner; create and use it on the GUI thread."""

    call_ended = QtCore.Signal(int)  # a call's token, once its outcome was handed over (or dropped)

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._closed = threading.Event()
        self._tokens = itertools.count(1)
        self._pending: dict[int, tuple[Callable[[Any], None], Callable[[AppError], None]]] = {}
        self._relay = GuiRelay(self)
        self._deliver = self._relay.sink(self._on_outcome_arrived)

    def run(
        self, work: Callable[[], T], on_success: Callable[[T], None], on_failure: Callable[[AppError], None]
    ) -> int:
        """Starts ``work`` on a worker thread; returns a token that ``forget`` takes."""
        token = next(self._tokens)
        self._pending[token] = (on_success, on_failure)
        threading.Thread(target=self._work, args=(token, work), name="parley-background", daemon=True).start()
        return token

    def forget(self, token: int) -> None:
        """The outcome of ``token`` is no longer wanted (a newer search replaced it)."""
        self._pending.pop(token, None)

    def is_pending(self, token: int) -> bool:
        return token in self._pending

    def close(self) -> None:
        """Drops every outcome from now on. Running calls end on their own (they all have timeouts)."""
        self._closed.set()
        self._pending.clear()

    def _work(self, token: int, work: Callable[[], object]) -> None:
        try:
            outcome = _Outcome(token, work(), None)
        except BaseException as exc:  # handed to the GUI thread, which tells an AppError from a bug
            outcome = _Outcome(token, None, exc)
        if not self._closed.is_set():
            self._deliver(outcome)

    def _on_outcome_arrived(self, outcome: _Outcome) -> None:
        callbacks = self._pending.pop(outcome.token, None)
        if callbacks is None or self._closed.is_set():
            self.call_ended.emit(outcome.token)
            return
        on_success, on_failure = callbacks
        try:
            if outcome.error is None:
                on_success(outcome.value)
            elif isinstance(outcome.error, AppError):
                on_failure(outcome.error)
            else:
                raise outcome.error
        finally:
            self.call_ended.emit(outcome.token)
