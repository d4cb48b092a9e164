"""SIGTERM and SIGHUP (a logout, ``kill``) end the window as its close button does.

Python runs a signal handler only when the interpreter gets control, and in the window it is inside
Qt's event loop: so the signal's number is written to a socket (``signal.set_wakeup_fd``) that a
``QSocketNotifier`` watches, and the event loop wakes for it. Then every window is closed the normal
way (the running answer stopped and settled as "stopped" with the text shown, the history closed),
and ``run_gui`` returns 128 + the signal's number, what a shell reports for a process it ended.
On Windows there are no such signals; nothing is installed.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import socket
from types import FrameType

from PySide6 import QtCore, QtWidgets

log = logging.getLogger("app.ui")

SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


class TerminationSignals(QtCore.QObject):
    """While installed, SIGTERM/SIGHUP close the application's windows; ``received`` is the signal, if any."""

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.received: int | None = None
        self._reader, self._writer = socket.socketpair()
        for end in (self._reader, self._writer):
            end.setblocking(False)
        self._notifier = QtCore.QSocketNotifier(self._reader.fileno(), QtCore.QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._on_notifier_activated)
        self._previous: dict[int, object] = {}
        self._previous_fd = -1

    def install(self) -> None:
        """Takes SIGTERM and SIGHUP over. Main thread only (Python's rule for signal handlers)."""
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        for signum in SIGNALS:
            self._previous[signum] = signal.signal(signum, self._on_signal)

    def uninstall(self) -> None:
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)  # type: ignore[arg-type]  # what signal.signal returned
        self._previous.clear()
        signal.set_wakeup_fd(self._previous_fd)
        self._notifier.setEnabled(False)
        self._reader.close()
        self._writer.close()

    def exit_code(self, code: int) -> int:
        """``code``, or 128 + the signal's number when a signal ended the window."""
        return 128 + self.received if self.received is not None else code

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        del frame
        self.received = signum  # the closing itself happens in the event loop (_on_notifier_activated)

    @QtCore.Slot()
    def _on_notifier_activated(self) -> None:
        data = b""
        with contextlib.suppress(BlockingIOError):
            data = self._reader.recv(64)
        numbers = [n for n in data if n in SIGNALS]
        if not numbers:
            return  # another signal (Ctrl+C has its own handler): not ours to act on
        self.received = numbers[-1]
        log.info("signal %s: closing the window", signal.Signals(self.received).name)
        QtWidgets.QApplication.closeAllWindows()
        QtCore.QCoreApplication.exit(0)
