"""The engine bridge: events from the engine's thread arrive on the GUI thread as Qt signals."""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtWidgets
from pytestqt.qtbot import QtBot

from app.core.engine.protocol import ModelLoaded, ModelLoadFailed, ModelSpec
from app.ui.engine_bridge import EngineBridge


def test_engine_events_arrive_as_signals_on_the_gui_thread(
    qtbot: QtBot, qapp: QtWidgets.QApplication, starter_model: Path, tmp_path: Path
) -> None:
    bridge = EngineBridge()
    threads: list[QtCore.QThread] = []
    bridge.model_loaded.connect(lambda event: threads.append(QtCore.QThread.currentThread()))
    bridge.model_load_failed.connect(lambda event: threads.append(QtCore.QThread.currentThread()))
    try:
        model = ModelSpec(str(starter_model), "starter")
        with qtbot.waitSignal(bridge.model_loaded, timeout=120_000) as loaded:
            bridge.load(model)
        assert isinstance(loaded.args[0], ModelLoaded) and loaded.args[0].model == model
        assert bridge.loaded_model == model

        broken = tmp_path / "broken.gguf"
        broken.write_bytes(b"GGUF" + b"\0" * 64)
        with qtbot.waitSignal(bridge.model_load_failed, timeout=120_000) as failed:
            bridge.load(ModelSpec(str(broken), "broken"))
        assert isinstance(failed.args[0], ModelLoadFailed) and failed.args[0].model.path == str(broken)
    finally:
        bridge.shutdown()
    assert threads == [qapp.thread(), qapp.thread()]

    # After shutdown nothing more is emitted.
    with qtbot.assertNotEmitted(bridge.model_loaded, wait=100):
        bridge.shutdown()
