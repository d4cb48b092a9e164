"""The engine as the GUI thread sees it: a QObject that turns engine events into Qt signals.

The engine calls its event sink from a background thread. The sink only queues the event (plain,
frozen data) to the bridge's own thread; every public signal is then emitted on the GUI thread, so
whatever is connected to them may touch widgets. The UI never knows which ``Engine`` it drives.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from PySide6 import QtCore

from app.core.engine.protocol import (
    Engine,
    EngineCrashed,
    EngineEvent,
    EventSink,
    GenerationFailed,
    GenerationFinished,
    GenerationRequest,
    ModelLoaded,
    ModelLoadFailed,
    ModelSpec,
    TokensReceived,
)

log = logging.getLogger("app.ui.engine")

EngineFactory = Callable[[EventSink], Engine]


def local_engine(on_event: EventSink) -> Engine:
    """The default engine: llama.cpp in a child process."""
    # Imported here so that the window's modules load without the engine's dependencies.
    from app.core.engine.local import LocalEngine

    return LocalEngine(on_event)


class EngineBridge(QtCore.QObject):
    """Owns one engine. Its methods are called on the GUI thread; its signals arrive there too."""

    model_loaded = QtCore.Signal(object)  # ModelLoaded
    model_load_failed = QtCore.Signal(object)  # ModelLoadFailed
    tokens_received = QtCore.Signal(object)  # TokensReceived
    generation_finished = QtCore.Signal(object)  # GenerationFinished
    generation_failed = QtCore.Signal(object)  # GenerationFailed
    engine_crashed = QtCore.Signal(object)  # EngineCrashed

    # Emitted from the engine's thread; connected queued to the bridge's own thread.
    _event_arrived = QtCore.Signal(object)

    def __init__(self, factory: EngineFactory | None = None, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._closed = threading.Event()
        self._event_arrived.connect(self._on_self_event_arrived, QtCore.Qt.ConnectionType.QueuedConnection)
        self._engine = (factory or local_engine)(self._sink)

    # -- requests (GUI thread) ------------------------------------------------------------------

    def generate(self, request: GenerationRequest) -> None:
        self._engine.generate(request)

    def load(self, model: ModelSpec) -> None:
        self._engine.load(model)

    def request_stop(self) -> None:
        self._engine.request_stop()

    def unload(self) -> None:
        """Frees the loaded model (its file is no longer held open)."""
        self._engine.unload()

    @property
    def loaded_model(self) -> ModelSpec | None:
        return self._engine.loaded_model

    @property
    def pid(self) -> int | None:
        """The engine's process id when it runs in a child process (the local engine), else None."""
        pid = getattr(self._engine, "pid", None)
        return pid if isinstance(pid, int) else None

    def shutdown(self) -> None:
        """Ends the engine; no signal is emitted afterwards. Safe to call twice."""
        if self._closed.is_set():
            return
        self._closed.set()
        self._engine.shutdown()

    # -- events ---------------------------------------------------------------------------------

    def _sink(self, event: EngineEvent) -> None:
        """Runs on the engine's thread: hands the event over to the GUI thread, nothing else."""
        if not self._closed.is_set():
            self._event_arrived.emit(event)

    @QtCore.Slot(object)
    def _on_self_event_arrived(self, event: EngineEvent) -> None:
        if self._closed.is_set():
            return
        if isinstance(event, TokensReceived):
            self.tokens_received.emit(event)
        elif isinstance(event, GenerationFinished):
            self.generation_finished.emit(event)
        elif isinstance(event, GenerationFailed):
            self.generation_failed.emit(event)
        elif isinstance(event, ModelLoaded):
            self.model_loaded.emit(event)
        elif isinstance(event, ModelLoadFailed):
            self.model_load_failed.emit(event)
        elif isinstance(event, EngineCrashed):
            self.engine_crashed.emit(event)
        else:  # pragma: no cover - the protocol has no other events
            log.error("unknown engine event %r", event)
