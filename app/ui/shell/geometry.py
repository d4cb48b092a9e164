"""The window's size and place, and the sidebar's width: the one owner of the window's geometry.

The first time, the window opens at its usual size shrunk to fit the screen's available area and
centred there. On close the geometry and the splitter's sizes are kept in the settings
(``window_geometry``, ``window_splitter``); the next start puts them back, clamped to the screen the
window is on now (a smaller monitor, a lower resolution).
"""

from __future__ import annotations

import base64
import binascii
import logging
from dataclasses import replace

from PySide6 import QtCore, QtGui, QtWidgets

from app.core.config.settings import SettingsStore
from app.core.errors import AppError

log = logging.getLogger("app.ui")

PREFERRED_SIZE = QtCore.QSize(1120, 760)
MINIMUM_SIZE = QtCore.QSize(720, 480)
SIDEBAR_WIDTH = 260
# What a window manager usually adds around a window (title bar, borders), before it has said so.
FRAME_ALLOWANCE = QtCore.QMargins(4, 32, 4, 8)


def fitted(size: QtCore.QSize, available: QtCore.QRect) -> QtCore.QRect:
    """``size`` shrunk to fit ``available`` with room for a frame, centred there."""
    room = available.marginsRemoved(FRAME_ALLOWANCE)
    width = max(min(size.width(), room.width()), min(MINIMUM_SIZE.width(), room.width()))
    height = max(min(size.height(), room.height()), min(MINIMUM_SIZE.height(), room.height()))
    rect = QtCore.QRect(0, 0, width, height)
    rect.moveCenter(room.center())
    return rect


def clamped(rect: QtCore.QRect, available: QtCore.QRect) -> QtCore.QRect:
    """``rect`` made to fit ``available`` (with room for a frame): shrunk where larger, moved inside."""
    room = available.marginsRemoved(FRAME_ALLOWANCE)
    result = QtCore.QRect(rect.topLeft(), rect.size().boundedTo(room.size()))
    result.moveLeft(min(max(result.left(), room.left()), room.right() - result.width() + 1))
    result.moveTop(min(max(result.top(), room.top()), room.bottom() - result.height() + 1))
    return result


def place_dialog(dialog: QtWidgets.QWidget, size: QtCore.QSize) -> None:
    """Opens ``dialog`` at ``size``, centred over its parent's window, with its frame inside the screen's
    available area (shrunk where the screen is smaller: its pages scroll, its buttons stay in view)."""
    screen = dialog.screen()
    if screen is None:
        return
    available = screen.availableGeometry()
    rect = QtCore.QRect(QtCore.QPoint(0, 0), size)
    parent = dialog.parentWidget()
    rect.moveCenter(parent.window().geometry().center() if parent is not None else available.center())
    dialog.setGeometry(clamped(rect, available))


def _decoded(text: str) -> QtCore.QByteArray | None:
    try:
        return QtCore.QByteArray(base64.b64decode(text, validate=True)) if text else None
    except binascii.Error:
        return None


def _encoded(data: QtCore.QByteArray) -> str:
    return base64.b64encode(bytes(data.data())).decode("ascii")


class WindowPlacement:
    """Restores and remembers ``window``'s geometry and ``splitter``'s sizes. GUI thread only."""

    def __init__(self, window: QtWidgets.QWidget, splitter: QtWidgets.QSplitter, settings: SettingsStore) -> None:
        self._window = window
        self._splitter = splitter
        self._settings = settings

    def restore(self) -> None:
        """Puts back the saved geometry and sidebar width, clamped to the screen; or fits the usual size."""
        current = self._settings.current
        geometry = _decoded(current.window_geometry)
        if geometry is None or not self._window.restoreGeometry(geometry):
            self._window.setGeometry(fitted(PREFERRED_SIZE, self._available()))
        elif not self._window.isMaximized():
            self._window.setGeometry(clamped(self._window.geometry(), self._available()))
        splitter = _decoded(current.window_splitter)
        if splitter is None or not self._splitter.restoreState(splitter):
            self._splitter.setSizes([SIDEBAR_WIDTH, max(1, self._window.width() - SIDEBAR_WIDTH)])
        self._keep_room_for_the_conversation()

    def save(self) -> None:
        """Keeps the geometry and the sidebar width in the settings; a disk that refuses is logged (closing)."""
        current = self._settings.current
        new = replace(
            current,
            window_geometry=_encoded(self._window.saveGeometry()),
            window_splitter=_encoded(self._splitter.saveState()),
        )
        try:
            self._settings.update(new)
        except AppError as err:  # the window is closing: there is no place left to say it
            log.warning("the window's size could not be kept: %s", err)

    def _available(self) -> QtCore.QRect:
        screen = self._window.screen() or QtGui.QGuiApplication.primaryScreen()
        return screen.availableGeometry()

    def _keep_room_for_the_conversation(self) -> None:
        """A sidebar saved wide on a large screen gives way on a small one: at most a third of the window."""
        sizes = self._splitter.sizes()
        sidebar = self._splitter.widget(0)
        least = max(sidebar.minimumWidth(), sidebar.minimumSizeHint().width()) if sidebar is not None else 0
        widest = max(least, self._window.width() // 3)
        if len(sizes) == 2 and sizes[0] > widest:
            self._splitter.setSizes([widest, max(1, sum(sizes) - widest)])
