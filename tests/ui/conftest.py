"""Window fixtures: a store and settings under a private PARLEY_HOME, and main windows on the real engine."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6 import QtCore
from pytestqt.qtbot import QtBot

from app.core.config import settings as settings_module
from app.core.config.settings import Settings, SettingsStore
from app.core.engine.local import LocalEngine
from app.core.engine.protocol import Engine, EventSink, GenerationRequest, SamplingSettings
from app.core.history.store import Store
from app.core.history.types import Message
from app.ui.shell.application import build_services
from app.ui.shell.main_window import MainWindow

# Greedy and short: answers are repeatable and the tests stay fast on two cores.
TEST_SAMPLING = SamplingSettings(temperature=0.0, top_k=1, repeat_penalty=1.0, max_tokens=32, seed=1)
ANSWER_TIMEOUT_MS = 240_000


@pytest.fixture
def ui_settings() -> Settings:
    settings = Settings(sampling=TEST_SAMPLING)
    settings_module.save(settings)
    return settings


@pytest.fixture
def store() -> Iterator[Store]:
    opened = Store()
    yield opened
    opened.close()


class Engines:
    """The engine factory handed to windows: the real LocalEngine, remembered so tests can reach it."""

    def __init__(self) -> None:
        self.created: list[LocalEngine] = []

    def __call__(self, on_event: EventSink) -> Engine:
        engine = LocalEngine(on_event)
        self.created.append(engine)
        return engine

    def shutdown_all(self) -> None:
        for engine in self.created:
            engine.shutdown()


@pytest.fixture
def engines() -> Iterator[Engines]:
    made = Engines()
    yield made
    made.shutdown_all()  # no worker process outlives its test


WindowFactory = Callable[[], MainWindow]


@pytest.fixture
def make_window(
    qtbot: QtBot, store: Store, ui_settings: Settings, starter_model: Path, engines: Engines
) -> Iterator[WindowFactory]:
    """Opens main windows on the test's store; each is shut down at the end of the test."""
    del starter_model  # required: the window's default model is the starter
    windows: list[MainWindow] = []

    def make() -> MainWindow:
        window = MainWindow(build_services(store, SettingsStore(), engines))
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.shutdown()


@pytest.fixture
def window(make_window: WindowFactory) -> MainWindow:
    return make_window()


def type_message(qtbot: QtBot, window: MainWindow, text: str) -> None:
    """Types ``text`` into the composer like a user would, lines joined with Shift+Enter."""
    edit = window.composer.edit
    edit.setFocus()
    for number, line in enumerate(text.split("\n")):
        if number:
            qtbot.keyClick(edit, QtCore.Qt.Key.Key_Return, QtCore.Qt.KeyboardModifier.ShiftModifier)
        qtbot.keyClicks(edit, line)


def turn_request(requests: list[GenerationRequest], text: str) -> GenerationRequest:
    """Of the requests an engine was sent, the window's turn that sent ``text`` (the automatic title and the
    memory extraction ask for theirs beside it, before or after)."""
    (request,) = [r for r in requests if r.messages and r.messages[-1].content == text]
    return request


def send_and_wait(qtbot: QtBot, window: MainWindow, text: str) -> Message:
    """Types ``text``, presses Enter and waits for the settled answer."""
    type_message(qtbot, window, text)
    with qtbot.waitSignal(window.controller.answer_finished, timeout=ANSWER_TIMEOUT_MS) as finished:
        qtbot.keyClick(window.composer.edit, QtCore.Qt.Key.Key_Return)
    message: Message = finished.args[0]
    return message
