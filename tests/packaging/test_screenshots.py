"""`make screenshots` draws every screen the README shows, in both languages and themes (it broke once unseen,
when Settings' tabs became a list of categories)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6 import QtGui

ROOT = Path(__file__).resolve().parents[2]


def test_make_screenshots_draws_each_screen_at_800_by_600(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "screenshots.py"), str(tmp_path)],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    drawn = {path.name for path in tmp_path.glob("*.png")}
    assert drawn == {path.name for path in (ROOT / "docs" / "screenshots").glob("*.png")}
    for name in ("welcome-en-light.png", "welcome-zh_CN-dark.png", "main-en-dark.png"):
        image = QtGui.QImage(str(tmp_path / name))
        assert (image.width(), image.height()) == (800, 600), name
