"""Renders resources/icons/parley.svg into the hicolor PNG sizes, the window's parley-<size>.png, parley.ico and
parley.icns, with the app's own renderer (``app.ui.common.icons.render_png``).

Run it after changing the SVG (`make icons`); its outputs are committed, so that building a bundle
or installing the desktop entry needs no renderer.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the app is one folder up

from PySide6 import QtGui, QtSvg, QtWidgets

from app.ui.common.icons import ICON_SIZES, icons_dir, png_path, render_png

ROOT = Path(__file__).resolve().parents[1]
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)  # the hicolor theme's


def main() -> int:
    _app = QtWidgets.QApplication(sys.argv[:1])
    svg = icons_dir() / "parley.svg"
    if not QtSvg.QSvgRenderer(str(svg)).isValid():
        print("the SVG does not render", file=sys.stderr)
        return 1
    hicolor = ROOT / "packaging" / "icons" / "hicolor"
    for size in SIZES:
        target = hicolor / f"{size}x{size}" / "apps" / "parley.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not render_png(svg, size).save(str(target)):
            print(f"could not write {target}", file=sys.stderr)
            return 1
    for size in ICON_SIZES:  # the window's own icon
        if not render_png(svg, size).save(str(png_path(size))):
            print(f"could not write {png_path(size).name}", file=sys.stderr)
            return 1
    for name, fmt, size in (("parley.ico", "ico", 256), ("parley.icns", "icns", 512)):
        writer = QtGui.QImageWriter(str(icons_dir() / name), fmt.encode())
        if not writer.write(render_png(svg, size)):
            print(f"could not write {name}: {writer.errorString()}", file=sys.stderr)
            return 1
    print(f"wrote {len(SIZES)} PNG sizes under {hicolor}, parley.ico and parley.icns")
    return 0


if __name__ == "__main__":
    sys.exit(main())
