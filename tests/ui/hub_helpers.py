"""Helpers for the window's Hub tests: what is left on disk, and a timer that shows the event loop keeps running."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6 import QtCore

from app.core import paths
from app.core.models.downloads import PART_SUFFIX

DOWNLOAD_TIMEOUT_MS = 60_000
FAST_BPS = 4_000_000  # the starter model takes about 25 s at this rate: slow enough to pause or cancel


def leftovers() -> list[str]:
    """Everything in the downloads and models folders."""
    return sorted(p.name for folder in (paths.downloads_dir(), paths.models_dir()) for p in folder.iterdir())


def part_file(name: str) -> Path:
    return paths.downloads_dir() / (name + PART_SUFFIX)


class Ticker(QtCore.QObject):
    """A 5 ms timer on the GUI thread that remembers the longest gap between two of its ticks."""

    def __init__(self) -> None:
        super().__init__()
        self.ticks = 0
        self.longest_gap_s = 0.0
        self._last: float | None = None
        self._timer = QtCore.QTimer(self)
        self._timer.setInterval(5)
        self._timer.timeout.connect(self._on_timer_timeout)

    def start(self) -> None:
        self._last = time.monotonic()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    @QtCore.Slot()
    def _on_timer_timeout(self) -> None:
        now = time.monotonic()
        if self._last is not None:
            self.longest_gap_s = max(self.longest_gap_s, now - self._last)
        self._last = now
        self.ticks += 1
