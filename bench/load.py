"""Switching models, and the window's memory with a long conversation open.

1. Time from "switch model" to the first token: the engine holds the starter model; a message is
   sent with a second model (a copy of the starter under another name, so the file is really
   reopened). Printed beside it: the same message on the model already loaded (the baseline).
2. The GUI process's resident memory (the engine runs in its own process and is not counted)
   with a 400-message conversation open in the real window. Target: ≤ 250 MB.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PARLEY_HOME"] = tempfile.mkdtemp(prefix="parley-bench-")

from _common import THREADS, TimedEngine, starter

from app.core.engine.protocol import (
    ChatMessage,
    GenerationFinished,
    GenerationRequest,
    ModelLoaded,
    ModelSpec,
    SamplingSettings,
    TokensReceived,
)

SAMPLING = SamplingSettings(temperature=0.0, top_k=1, repeat_penalty=1.0, max_tokens=4, seed=1)
MESSAGES = 400
LIMIT_MB = 250


def first_token_after(engine: TimedEngine, model: ModelSpec) -> float:
    request = GenerationRequest(uuid.uuid4().hex, model, (ChatMessage("user", "Hello!"),), SAMPLING)
    sent = time.perf_counter()
    engine.engine.generate(request)
    while True:  # this request's first tokens, not a previous answer's late ones
        stamp, tokens = engine.wait_for(TokensReceived)
        if tokens.request_id == request.request_id:
            break
    while True:  # the answer ends before the next one starts
        _, finished = engine.wait_for(GenerationFinished)
        if finished.request_id == request.request_id:
            return stamp - sent


def switch_figures() -> tuple[float, float]:
    path = starter()
    second = Path(tempfile.mkdtemp(prefix="parley-bench-model-")) / "second.gguf"
    shutil.copyfile(path, second)
    first_model = ModelSpec(str(path), "starter", n_ctx=4096, n_threads=THREADS)
    second_model = ModelSpec(str(second), "second", n_ctx=4096, n_threads=THREADS)
    engine = TimedEngine()
    try:
        engine.engine.load(first_model)
        engine.wait_for(ModelLoaded)
        same = min(first_token_after(engine, first_model) for _ in range(3))
        switches = []
        for number in range(4):
            switches.append(first_token_after(engine, second_model if number % 2 == 0 else first_model))
        return same, min(switches)
    finally:
        engine.close()
        shutil.rmtree(second.parent, ignore_errors=True)


def resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def window_memory() -> tuple[float, float]:
    from PySide6 import QtWidgets

    from app.core.config.settings import SettingsStore
    from app.core.history.store import Store
    from app.ui.shell.application import build_services
    from app.ui.shell.main_window import MainWindow

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv)
    store = Store()
    conversation = store.create_conversation(title="A long chat")
    paragraph = "This is a long message with **Markdown**, a list:\n\n- one\n- two\n\nand `code`. " * 8
    for number in range(MESSAGES):
        store.add_message(conversation.id, "user" if number % 2 == 0 else "assistant", f"{number}: {paragraph}")
    window = MainWindow(build_services(store, SettingsStore()))
    window.resize(800, 600)
    window.show()
    app.processEvents()
    empty = resident_mb()
    window.show_conversation(conversation.id)
    for _ in range(20):
        app.processEvents()
        time.sleep(0.05)
    opened = resident_mb()
    window.shutdown()
    window.close()
    store.close()
    return empty, opened


def main() -> None:
    same, switch = switch_figures()
    print(f"threads={THREADS}")
    print(f"first token on the loaded model: {same:.3f} s; after switching model: {switch:.3f} s "
          f"(switch costs {switch - same:.3f} s)")
    empty, opened = window_memory()
    print(f"GUI process resident memory: {empty:.0f} MB with no conversation, {opened:.0f} MB with "
          f"{MESSAGES} messages open (the engine's process is apart)")
    print(f"resident memory = {opened:.0f} MB  target <= {LIMIT_MB} MB  {'PASS' if opened <= LIMIT_MB else 'FAIL'}")


if __name__ == "__main__":
    main()
