"""The longest stall of the Qt event loop while an answer streams at full speed.

A 5 ms timer ticks on the GUI thread while the real window streams a long answer from the
starter model; the longest gap between two ticks, minus the 5 ms period, is the stall. The
same timer on an idle window is the baseline. Target: longest stall ≤ 30 ms.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PARLEY_HOME"] = tempfile.mkdtemp(prefix="parley-bench-")

from PySide6 import QtCore, QtWidgets

from app.core.config import settings as settings_module
from app.core.config.settings import SettingsStore
from app.core.engine.protocol import SamplingSettings
from app.core.history.store import Store
from app.ui.shell.application import build_services
from app.ui.shell.main_window import MainWindow

PERIOD_MS = 5
TOKENS = 600
PROMPT = "Write a long, detailed story about a lighthouse keeper, with a Markdown list and a code block."


class TickRecorder(QtCore.QObject):
    def __init__(self) -> None:
        super().__init__()
        self.stamps: list[float] = []
        self.timer = QtCore.QTimer(self)
        self.timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
        self.timer.setInterval(PERIOD_MS)
        self.timer.timeout.connect(lambda: self.stamps.append(time.perf_counter()))

    def gaps_ms(self) -> list[float]:
        return [(b - a) * 1000 for a, b in zip(self.stamps, self.stamps[1:], strict=False)]


def run_loop_until(signal: QtCore.SignalInstance | None, timeout_s: float) -> None:
    """Runs a real event loop until ``signal`` fires (or the timeout passes)."""
    loop = QtCore.QEventLoop()
    if signal is not None:
        signal.connect(loop.quit)
    QtCore.QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    loop.exec()
    if signal is not None:
        signal.disconnect(loop.quit)


def main() -> None:
    app = QtWidgets.QApplication(sys.argv)  # noqa: F841 - kept alive for the whole run
    prefs = settings_module.load()
    prefs = replace(prefs, sampling=SamplingSettings(temperature=0.0, top_k=1, max_tokens=TOKENS, seed=1))
    settings_module.save(prefs)
    store = Store()
    window = MainWindow(build_services(store, SettingsStore(prefs)))
    window.resize(1120, 760)
    window.show()
    conversation_id = window.new_conversation()
    assert conversation_id is not None

    idle = TickRecorder()
    idle.timer.start()
    run_loop_until(None, 2.0)
    idle.timer.stop()

    streaming = TickRecorder()
    window.controller.send(conversation_id, PROMPT)
    run_loop_until(window.controller.answer_progressed, 120)  # the model has loaded and the first text is in
    first_token = time.perf_counter()
    streaming.timer.start()
    run_loop_until(window.controller.answer_finished, 300)
    streaming.timer.stop()
    duration = time.perf_counter() - first_token
    (answer,) = [m for m in store.messages(conversation_id) if m.role == "assistant"]
    window.shutdown()
    window.close()
    store.close()

    idle_gaps, gaps = idle.gaps_ms(), streaming.gaps_ms()
    stall = max(gaps) - PERIOD_MS
    print(f"answer: {answer.n_tokens} tokens in {duration:.1f} s ({answer.tokens_per_second or 0:.1f} tokens/s), "
          f"{len(answer.content)} characters")
    print(f"idle:      {len(idle_gaps)} ticks, median gap {statistics.median(idle_gaps):.1f} ms, "
          f"longest {max(idle_gaps):.1f} ms")
    print(f"streaming: {len(gaps)} ticks, median gap {statistics.median(gaps):.1f} ms, "
          f"p99 {sorted(gaps)[int(len(gaps) * 0.99)]:.1f} ms, longest {max(gaps):.1f} ms")
    print(f"longest stall while streaming = {stall:.1f} ms  target <= 30 ms  {'PASS' if stall <= 30 else 'FAIL'}")


if __name__ == "__main__":
    main()
