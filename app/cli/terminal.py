"""What the command-line front ends need from a terminal: output that cannot fail, and Ctrl+C that lands.

- ``forgiving_output`` makes stdout and stderr replace what their encoding cannot write (a cp1252
  console, ``PYTHONIOENCODING=ascii``) instead of raising ``UnicodeEncodeError`` mid-answer.
- ``Background`` runs a blocking call (a Hub request) on a daemon thread while the main thread waits
  in short steps, so Ctrl+C is raised at once there. A socket read that has gone silent does not
  always give way to Ctrl+C (on Windows it never does), and a command should not wait for a
  20-second timeout to end. A call left behind this way ends with the process.

The exit statuses and the line for Ctrl+C are here too, so every command ends the same way.
"""

from __future__ import annotations

import io
import sys
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

EXIT_USER_ERROR = 2  # a usage error, or an AppError: what the user can mend
EXIT_INTERRUPTED = 130  # what a shell reports for a command ended by Ctrl+C (128 + SIGINT)
STOPPED = "Stopped."
WAIT_STEP_S = 0.1


def forgiving_output() -> None:
    """Characters the console cannot show become replacement characters instead of an error."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):  # None under pythonw; something else when redirected in-process
            stream.reconfigure(errors="replace")


class Background(Generic[T]):
    """One blocking call on a daemon thread; ``wait`` from the main thread, where Ctrl+C can land."""

    def __init__(self, work: Callable[[], T], name: str) -> None:
        self._value: list[T] = []
        self._error: list[BaseException] = []
        self._finished = threading.Event()
        threading.Thread(target=self._run, args=(work,), name=name, daemon=True).start()

    def _run(self, work: Callable[[], T]) -> None:
        try:
            self._value.append(work())
        except BaseException as exc:  # handed to the waiting thread by result()
            self._error.append(exc)
        finally:
            self._finished.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Whether the call ended within ``timeout`` (None: until it does). Raises KeyboardInterrupt on Ctrl+C."""
        deadline = None if timeout is None else time.monotonic() + timeout
        # Short steps, not one long wait: a long lock wait does not give way to Ctrl+C on every platform.
        while not self._finished.is_set():
            step = WAIT_STEP_S if deadline is None else min(WAIT_STEP_S, deadline - time.monotonic())
            if step <= 0:
                return False
            self._finished.wait(step)
        return True

    def result(self) -> T:
        """The call's value, or its exception raised here. Only after ``wait`` returned True."""
        if self._error:
            raise self._error[0]
        return self._value[0]


def in_background(work: Callable[[], T], name: str) -> T:
    """``work()``, run where Ctrl+C cannot be held up by it."""
    job = Background(work, name)
    job.wait()
    return job.result()
