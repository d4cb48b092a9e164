"""One re-render of a long streaming answer in the chat view: Parley's renderer against Qt's Markdown reader.

Each streaming tick re-renders the growing answer. Here a 18,000-character answer (paragraphs,
lists, inline code, eight highlighted code blocks) grows by one line per tick, and each tick is
timed in a real ``ChatView``; the baseline is the same view rendering the same text through Qt's
own ``insertMarkdown`` (GitHub dialect, no highlighting, no Copy links), measured in the same run.
Also timed: a 100,000-character paste shown (target ≤ 3 s) and one re-render of a 25,000-character
answer of plain prose (target ≤ 1 s) — the figures tests/ui/chat/test_chat_view.py leaves to here.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6 import QtGui, QtWidgets

from app.core.history.types import Message
from app.ui.chat.blocks import BlockWriter, ShownMessage
from app.ui.chat.view import ChatView

PARAGRAPH = "The quick brown fox jumps over the lazy dog, `again` and **again**. " * 6 + "\n\n"
LINES = "".join(f"def f{n}(x: int) -> int:\n    return x * {n}  # comment\n" for n in range(12))
CODE = "```python\n" + LINES + "```\n\n"
ANSWER = (PARAGRAPH * 4 + "- one\n- two\n- three\n\n" + CODE) * 8
TICKS = 20


class QtMarkdownWriter(BlockWriter):
    """The baseline: the answer through Qt's own Markdown reader."""

    def insert_answer(self, cursor: QtGui.QTextCursor, shown: ShownMessage, source: str, palette: object) -> None:
        cursor.insertMarkdown(source, QtGui.QTextDocument.MarkdownFeature.MarkdownDialectGitHub)


class QtMarkdownView(ChatView):
    def __init__(self) -> None:
        super().__init__()
        self._writer.__class__ = QtMarkdownWriter


def stream(view: ChatView, application: QtWidgets.QApplication, answer: str) -> float:
    """The median time of one re-render while the answer grows by one line per tick."""
    view.resize(900, 700)
    view.show()
    view.show_conversation([Message(1, 1, "assistant", answer, "streaming", "Bench", 0.0)])
    times = []
    for tick in range(TICKS):
        view.append_to_answer(1, f"\nline {tick}")
        started = time.perf_counter()
        view._render_changed({1})  # what the render tick runs
        times.append(time.perf_counter() - started)
        application.processEvents()
    return statistics.median(times)


def paste_shown(application: QtWidgets.QApplication) -> float:
    """Seconds from showing a conversation with a 100k paste until it is on screen."""
    view = ChatView()
    view.resize(800, 600)
    view.show()
    paste = ("All work and no play makes Jack a dull boy. " * 2300)[:100_000]
    started = time.perf_counter()
    view.show_conversation([Message(1, 1, "user", paste, "complete", None, 0.0)])
    application.processEvents()
    return time.perf_counter() - started


def main() -> int:
    application = QtWidgets.QApplication(sys.argv[:1])
    shown = paste_shown(application)
    print(f"100,000-character paste shown in {shown:.2f} s  target <= 3 s  {'PASS' if shown <= 3 else 'FAIL'}")
    prose = stream(ChatView(), application, PARAGRAPH * 60)
    verdict = "PASS" if prose <= 1 else "FAIL"
    size = len(PARAGRAPH) * 60
    print(f"one re-render of a {size:,}-character answer: {prose * 1000:.1f} ms  target <= 1 s  {verdict}")
    typical = PARAGRAPH * 3 + "- one\n- two\n\n" + CODE + PARAGRAPH
    for answer in (typical, ANSWER):
        baseline = stream(QtMarkdownView(), application, answer)
        ours = stream(ChatView(), application, answer)
        blocks = answer.count("```") // 2
        print(f"answer: {len(answer):,} characters, {blocks} code block(s), {TICKS} streaming ticks")
        print(f"  Qt insertMarkdown (baseline):        {baseline * 1000:.1f} ms per re-render")
        print(f"  markdown-it-py + Pygments (Parley):  {ours * 1000:.1f} ms per re-render")
        print(f"  ratio: {ours / baseline:.2f}x the baseline")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
