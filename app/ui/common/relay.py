"""The one way from a Python thread to the GUI thread: ``GuiRelay``.

The engine's reader thread, the background executor's threads and the crash hook all hand their
news over through it. A call posted from any thread runs later on the thread
the relay lives on (the GUI thread), in the order posted; what it carries is plain data, bound to
a handler that may touch widgets. After ``close()`` nothing more is delivered.

PySide6 6.12.0 corrupts a reference count when a signal is emitted from a Python thread ("Fatal
Python error: bool_dealloc"), hence the ``<6.12`` pin in pyproject.toml; this relay is the only
place in Parley that emits from a Python thread.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from functools import partial
from typing import TypeVar

from PySide6 import QtCore

T = TypeVar("T")


class GuiRelay(QtCore.QObject):
    """Create it on the GUI thread; post to it from anywhere."""

    _posted = QtCore.Signal(object)  # a callable, emitted from any thread, run queued on ours

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._closed = threading.Event()
        self._posted.connect(self._on_self_posted, QtCore.Qt.ConnectionType.QueuedConnection)

    def post(self, call: Callable[[], None]) -> None:
        """Runs ``call`` on the GUI thread soon; safe from any thread."""
        if self._closed.is_set():
            return
        # RuntimeError: the relay's owner was destroyed while a thread still ran.
        with contextlib.suppress(RuntimeError):
            self._posted.emit(call)

    def sink(self, handler: Callable[[T], None]) -> Callable[[T], None]:
        """A callable for other threads: each value given to it reaches ``handler`` on the GUI thread."""

        def deliver(value: T) -> None:
            self.post(partial(handler, value))

        return deliver

    def close(self) -> None:
        """Nothing posted from now on, or still waiting, is run."""
        self._closed.set()

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    @QtCore.Slot(object)
    def _on_self_posted(self, call: Callable[[], None]) -> None:
        if not self._closed.is_set():
            call()
