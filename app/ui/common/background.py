"""Background work for the window: the one ``BackgroundExecutor``, and ``BackgroundOp`` to hand it a job.

``BackgroundOp(run=fn).on_success(cb).on_failure(cb).with_progress(cb).start(executor)`` runs ``fn``
on a worker thread; its result, the ``AppError`` it raised and what it ``report``s arrive on the
GUI thread through the executor's one ``GuiRelay``. Anything else it raises is a bug: it goes to
``sys.excepthook`` (the crash path) on the GUI thread. ``cancel`` drops what an op would still deliver.

Two lanes of a few daemon threads each, so long downloads never starve short jobs: the short lane
runs calls that end on their own (Hub searches, header reads, copies, backups, probes: each has a
timeout or a size), the long lane (``long_running``) runs downloads, which last as long as gigabytes
take. A download queued behind ``LONG_WORKERS`` others waits for one of them, never a Hub search.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from functools import partial
from typing import Any, Generic, Self, TypeVar, cast

from PySide6 import QtCore

from app.core.errors import AppError
from app.ui.common.relay import GuiRelay

log = logging.getLogger("app.ui.background")

T = TypeVar("T")

SHORT_WORKERS = 4  # the short jobs of a start-up (probe, backup, servers, headers) run at once
LONG_WORKERS = 3  # downloads at once; more share the same line and finish no sooner
SHUTDOWN_WAIT_S = 2.0  # how long closing waits for running jobs (a paused download closing its files)


def report_to_excepthook(error: BaseException) -> None:
    """The crash path: whatever ``sys.excepthook`` is now (the ``CrashHandler`` once installed)."""
    sys.excepthook(type(error), error, error.__traceback__)


class BackgroundOp(Generic[T]):
    """One job: built and started on the GUI thread; ``report`` is called from ``run``'s thread."""

    def __init__(self, run: Callable[[], T]) -> None:
        self._run = run
        self._success: Callable[[T], None] | None = None
        self._failure: Callable[[AppError], None] | None = None
        self._progress: Callable[[Any], None] | None = None
        self._end: Callable[[], None] | None = None
        self._long = False
        self._executor: BackgroundExecutor | None = None
        self._wanted = True
        self._ended = False
        self._returned = threading.Event()

    # -- building -------------------------------------------------------------------------------

    def on_success(self, callback: Callable[[T], None]) -> Self:
        """``callback(result)`` on the GUI thread once ``run`` returned."""
        self._success = callback
        return self

    def on_failure(self, callback: Callable[[AppError], None]) -> Self:
        """``callback(error)`` on the GUI thread when ``run`` raised an ``AppError``. Without one, it is a bug."""
        self._failure = callback
        return self

    def with_progress(self, callback: Callable[[Any], None]) -> Self:
        """``callback(value)`` on the GUI thread for each ``report(value)``, in order, before the outcome."""
        self._progress = callback
        return self

    def on_end(self, callback: Callable[[], None]) -> Self:
        """``callback()`` on the GUI thread after the outcome was handled, whatever it was (a bug too)."""
        self._end = callback
        return self

    def long_running(self) -> Self:
        """Runs on the long lane (downloads), so that it never holds up a short job."""
        self._long = True
        return self

    def start(self, executor: BackgroundExecutor) -> Self:
        """Queues the op on ``executor``; an op starts once. After ``executor.shutdown`` it never runs."""
        if self._executor is not None:
            raise RuntimeError("a BackgroundOp starts once")
        self._executor = executor
        executor.submit(self)
        return self

    # -- while it runs --------------------------------------------------------------------------

    def report(self, progress: object) -> None:
        """Hands ``progress`` to the progress callback on the GUI thread; from any thread."""
        if self._wanted and self._progress is not None and self._executor is not None:
            self._executor.relay.post(partial(self._progressed, progress))

    def cancel(self) -> bool:
        """Nothing more is delivered. True when it had not started: it then never runs."""
        self._wanted = False
        return self.take_back()

    def take_back(self) -> bool:
        """True when it had not started: it then never runs, and delivers nothing. A running op goes on."""
        if self._executor is None or not self._executor.withdraw(self):
            return False
        self._never_runs()
        return True

    def wait(self, timeout: float) -> bool:
        """Waits up to ``timeout`` seconds for ``run`` to return (or to be known never to run)."""
        return self._returned.wait(timeout)

    @property
    def ended(self) -> bool:
        """Its outcome reached the GUI thread (delivered or dropped), or it never runs."""
        return self._ended

    @property
    def is_long(self) -> bool:
        return self._long

    # -- the executor's side --------------------------------------------------------------------

    def _execute(self) -> None:
        """On a worker thread: runs, then posts the outcome to the GUI thread."""
        assert self._executor is not None
        value: T | None = None
        error: BaseException | None = None
        try:
            value = self._run()
        except BaseException as exc:  # handed to the GUI thread, which tells an AppError from a bug
            error = exc
        self._executor.relay.post(partial(self._deliver, value, error))
        self._returned.set()

    def _never_runs(self) -> None:
        self._wanted = False
        self._ended = True
        self._returned.set()

    def _progressed(self, value: object) -> None:
        if self._wanted and not self._ended and self._progress is not None:
            self._progress(value)

    def _deliver(self, value: T | None, error: BaseException | None) -> None:
        assert self._executor is not None
        self._ended = True
        try:
            if not self._wanted:
                return
            if error is None:
                if self._success is not None:
                    self._success(cast(T, value))  # run returned it
            elif isinstance(error, AppError) and self._failure is not None:
                self._failure(error)
            else:
                self._executor.report_bug(error)
            if self._end is not None:
                self._end()
        finally:
            self._executor.op_ended.emit(self)


class _Lane:
    """A queue and up to ``workers`` daemon threads, started as work arrives."""

    def __init__(self, name: str, workers: int, finished: Callable[[BackgroundOp[Any]], None]) -> None:
        self._name = name
        self._max = workers
        self._finished = finished
        self._queue: deque[BackgroundOp[Any]] = deque()
        self._threads: list[threading.Thread] = []
        self._idle = 0
        self._closed = False
        self._condition = threading.Condition()

    def submit(self, op: BackgroundOp[Any]) -> bool:
        with self._condition:
            if self._closed:
                return False
            self._queue.append(op)
            if len(self._queue) > self._idle and len(self._threads) < self._max:
                thread = threading.Thread(
                    target=self._work, name=f"parley-{self._name}-{len(self._threads) + 1}", daemon=True
                )
                self._threads.append(thread)
                thread.start()
            self._condition.notify()
            return True

    def withdraw(self, op: BackgroundOp[Any]) -> bool:
        with self._condition:
            if op in self._queue:
                self._queue.remove(op)
                return True
            return False

    def close(self) -> list[BackgroundOp[Any]]:
        """No more work; returns what was queued and will never run."""
        with self._condition:
            self._closed = True
            queued = list(self._queue)
            self._queue.clear()
            self._condition.notify_all()
            return queued

    def _work(self) -> None:
        while True:
            with self._condition:
                self._idle += 1
                while not self._queue and not self._closed:
                    self._condition.wait()
                self._idle -= 1
                if not self._queue:
                    return  # closed
                op = self._queue.popleft()
            try:
                op._execute()
            finally:
                self._finished(op)


class BackgroundExecutor(QtCore.QObject):
    """The window's worker threads; create it on the GUI thread, ``shutdown`` it with the app."""

    op_ended = QtCore.Signal(object)  # a BackgroundOp whose outcome reached the GUI thread (delivered or dropped)

    def __init__(
        self,
        *,
        short_workers: int = SHORT_WORKERS,
        long_workers: int = LONG_WORKERS,
        report_bug: Callable[[BaseException], None] = report_to_excepthook,
        parent: QtCore.QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.relay = GuiRelay(self)
        self.report_bug = report_bug
        self._lock = threading.Lock()
        self._running: set[BackgroundOp[Any]] = set()
        self._short = _Lane("short", short_workers, self._finished)
        self._long = _Lane("long", long_workers, self._finished)
        self._closed = False

    def submit(self, op: BackgroundOp[Any]) -> None:
        """``op.start(executor)`` calls this."""
        with self._lock:
            if not self._closed:
                self._running.add(op)
        lane = self._long if op.is_long else self._short
        if self._closed or not lane.submit(op):
            log.info("a background job was started after the shutdown: it does not run")
            self._finished(op)
            op._never_runs()

    def withdraw(self, op: BackgroundOp[Any]) -> bool:
        """Takes ``op`` off its queue if it has not started; ``op.cancel`` calls this."""
        withdrawn = (self._long if op.is_long else self._short).withdraw(op)
        if withdrawn:
            self._finished(op)
        return withdrawn

    def shutdown(self, wait_s: float = SHUTDOWN_WAIT_S) -> None:
        """Queued jobs never run, nothing more is delivered, and running ones get ``wait_s`` to end. Safe twice."""
        if self._closed:
            return
        self._closed = True
        self.relay.close()
        for op in self._short.close() + self._long.close():
            self._finished(op)
            op._never_runs()
        deadline = time.monotonic() + wait_s
        with self._lock:
            running = list(self._running)
        for op in running:
            if not op.wait(max(0.0, deadline - time.monotonic())):
                log.warning("a background job still runs at shutdown; it is left to end on its own")
                break

    def _finished(self, op: BackgroundOp[Any]) -> None:
        with self._lock:
            self._running.discard(op)
