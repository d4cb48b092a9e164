"""Helpers for the window's Hub tests: what is left on disk; the window answering while the Hub is slow."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6 import QtCore
from pytestqt.qtbot import QtBot

from app.core import paths
from app.core.models.downloads import PART_SUFFIX
from tests.fakehub import HOLD_CEILING_S, FakeHub

DOWNLOAD_TIMEOUT_MS = 60_000
FAST_BPS = 4_000_000  # the starter model takes about 25 s at this rate: slow enough to pause or cancel


def leftovers() -> list[str]:
    """Everything in the downloads and models folders."""
    return sorted(p.name for folder in (paths.downloads_dir(), paths.models_dir()) for p in folder.iterdir())


def part_file(name: str) -> Path:
    return paths.downloads_dir() / (name + PART_SUFFIX)


def responds_while_the_hub_holds_on(qtbot: QtBot, hub: FakeHub, start: Callable[[], None]) -> None:
    """Runs ``start`` with every request to ``hub`` held open, and passes once the window kept responding.

    Speed-independent: ``start`` must come back without waiting for the held request, and a timer on
    the GUI thread must fire while a request is held open, so the network call ran elsewhere. The
    requests are let go on the way out.
    """
    fired_while_held: list[int] = []
    timer = QtCore.QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: fired_while_held.append(hub.held) if hub.held else None)
    hub.hold_requests()
    try:
        timer.start()
        began = time.monotonic()
        start()
        assert time.monotonic() - began < HOLD_CEILING_S / 2, "the GUI thread waited for the Hub"
        qtbot.waitUntil(lambda: len(fired_while_held) >= 3, timeout=int(HOLD_CEILING_S * 1000))
    finally:
        timer.stop()
        hub.release_requests()
