"""Draws resources/icons/parley-<size>.png (16 to 512 px) from resources/icons/parley.svg: `make icons`."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6 import QtGui

from app.ui.icons import ICON_SIZES, icons_dir, png_path, render_png


def main() -> int:
    application = QtGui.QGuiApplication(sys.argv)
    del application
    for size in ICON_SIZES:
        image = render_png(icons_dir() / "parley.svg", size)
        if not image.save(str(png_path(size))):
            print(f"could not write {png_path(size)}", file=sys.stderr)
            return 1
        print(png_path(size))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
