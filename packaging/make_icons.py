"""Renders resources/icons/parley.svg into the hicolor PNG sizes, the window's parley-<size>.png, parley.ico and
parley.icns.

Run it after changing the SVG (`make icons`); its outputs are committed, so that building a bundle
or installing the desktop entry needs no renderer. Uses Qt's own SVG renderer.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6 import QtCore, QtGui, QtSvg, QtWidgets

SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
ROOT = Path(__file__).resolve().parent.parent


def render(renderer: QtSvg.QSvgRenderer, size: int) -> QtGui.QImage:
    image = QtGui.QImage(size, size, QtGui.QImage.Format.Format_ARGB32)
    image.fill(QtCore.Qt.GlobalColor.transparent)
    painter = QtGui.QPainter(image)
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def main() -> int:
    _app = QtWidgets.QApplication(sys.argv[:1])
    renderer = QtSvg.QSvgRenderer(str(ROOT / "resources" / "icons" / "parley.svg"))
    if not renderer.isValid():
        print("the SVG does not render", file=sys.stderr)
        return 1
    hicolor = ROOT / "packaging" / "icons" / "hicolor"
    for size in SIZES:
        target = hicolor / f"{size}x{size}" / "apps" / "parley.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not render(renderer, size).save(str(target)):
            print(f"could not write {target}", file=sys.stderr)
            return 1
    for size in (16, 24, 32, 48, 64, 128, 256, 512):  # the window's own icon (app.ui.common.icons)
        if not render(renderer, size).save(str(ROOT / "resources" / "icons" / f"parley-{size}.png")):
            print(f"could not write parley-{size}.png", file=sys.stderr)
            return 1
    for name, fmt, size in (("parley.ico", "ico", 256), ("parley.icns", "icns", 512)):
        writer = QtGui.QImageWriter(str(ROOT / "resources" / "icons" / name), fmt.encode())
        if not writer.write(render(renderer, size)):
            print(f"could not write {name}: {writer.errorString()}", file=sys.stderr)
            return 1
    print(f"wrote {len(SIZES)} PNG sizes under {hicolor}, parley.ico and parley.icns")
    return 0


if __name__ == "__main__":
    sys.exit(main())
