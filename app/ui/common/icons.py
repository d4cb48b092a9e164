"""The app icon: ``resources/icons/parley.svg`` and the PNGs made from it.

``app_icon`` gives the window (and so the taskbar) every size, the PNGs first so no platform has
to scale a vector at 16 px. ``render_png`` is the one icon renderer: ``packaging/make_icons.py``
draws every PNG, the .ico and the .icns with it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtGui, QtSvg

from app.core.paths import resources_dir

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def icons_dir() -> Path:
    return resources_dir() / "icons"


def png_path(size: int) -> Path:
    return icons_dir() / f"parley-{size}.png"


def app_icon() -> QtGui.QIcon:
    """Parley's icon at every shipped size (the SVG as well, for sizes in between)."""
    icon = QtGui.QIcon()
    for size in ICON_SIZES:
        path = png_path(size)
        if path.is_file():
            icon.addFile(str(path), QtCore.QSize(size, size))
    svg = icons_dir() / "parley.svg"
    if svg.is_file():
        icon.addFile(str(svg))
    return icon


def render_png(svg: Path, size: int) -> QtGui.QImage:
    """The SVG drawn at ``size`` × ``size`` pixels on a transparent background."""
    renderer = QtSvg.QSvgRenderer(str(svg))
    image = QtGui.QImage(size, size, QtGui.QImage.Format.Format_ARGB32)
    image.fill(QtCore.Qt.GlobalColor.transparent)
    painter = QtGui.QPainter(image)
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image
