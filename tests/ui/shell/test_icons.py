"""The app icon: PNGs at every usual size, drawn from the SVG, on the window and in the desktop entry."""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtGui
from pytestqt.qtbot import QtBot

from app.ui.common.icons import ICON_SIZES, app_icon, icons_dir, png_path, render_png
from app.ui.shell.main_window import MainWindow


def test_the_pngs_are_there_at_every_size_and_match_the_svg(qtbot: QtBot) -> None:
    assert ICON_SIZES[0] == 16 and ICON_SIZES[-1] == 512
    for size in ICON_SIZES:
        image = QtGui.QImage(str(png_path(size)))
        assert image.size() == QtCore.QSize(size, size), size
        fresh = render_png(icons_dir() / "parley.svg", size).convertToFormat(image.format())
        differing = sum(
            1
            for y in range(0, size, max(1, size // 32))
            for x in range(0, size, max(1, size // 32))
            if abs(QtGui.QColor(image.pixel(x, y)).lightness() - QtGui.QColor(fresh.pixel(x, y)).lightness()) > 24
        )
        assert differing <= 2, f"parley-{size}.png is not the SVG drawn at {size} px: run `make icons`"


def test_the_window_and_the_desktop_entry_use_the_icon(window: MainWindow) -> None:
    sizes = {size.width() for size in window.windowIcon().availableSizes()}
    assert set(ICON_SIZES) <= sizes
    assert not app_icon().isNull()
    desktop = (Path(__file__).resolve().parents[3] / "packaging" / "parley.desktop").read_text(encoding="utf-8")
    assert "\nIcon=parley\n" in desktop
