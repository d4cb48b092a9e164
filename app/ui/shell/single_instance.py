"""One window per data folder: a second launch hands over to the first and exits.

The first Parley listens on a ``QLocalServer`` whose name is derived from the data folder
(``server_name``), so two launches with different ``PARLEY_HOME`` are two separate instances, and
two launches on the same folder are one. A later launch connects to that name, sends ``raise`` and
exits with code 0; the first one brings its window to the front (``raise_requested``).

This sits beside, not instead of, ``app.core.history.instances``: that per-store lock tells whether the
*writer* of a streaming answer is alive, and stays right for every other client of the same
history (``parley ask`` in a terminal is not a window and never hands over). This module only keeps
a second *window* from opening on the history the first one shows.

A name left behind by a killed Parley (a stale socket file on Unix) is noticed by the failed
connection and removed before listening (``QLocalServer.removeServer``).
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

from PySide6 import QtCore, QtGui, QtNetwork, QtWidgets

log = logging.getLogger("app.ui.instance")

RAISE = b"raise\n"
CONNECT_TIMEOUT_MS = 1000
WRITE_TIMEOUT_MS = 1000
HEADLESS_PLATFORMS = ("offscreen", "minimal")


def server_name(data_folder: Path) -> str:
    """The local server name for ``data_folder``: the same folder, however it is spelled, gives the same name."""
    resolved = os.path.normcase(str(data_folder.expanduser().resolve()))
    digest = hashlib.sha256(resolved.encode("utf-8")).hexdigest()[:16]
    # Per user too: on Windows the pipe namespace is shared by every user of the machine.
    user = os.environ.get("USER") or os.environ.get("USERNAME") or ""
    user_digest = hashlib.sha256(user.encode("utf-8")).hexdigest()[:6]
    return f"parley-{user_digest}-{digest}"


def hand_over(name: str) -> bool:
    """Asks a running instance listening on ``name`` to come to the front; True when one took it."""
    socket = QtNetwork.QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
        return False
    socket.write(RAISE)
    sent = socket.waitForBytesWritten(WRITE_TIMEOUT_MS)
    socket.disconnectFromServer()
    if socket.state() != QtNetwork.QLocalSocket.LocalSocketState.UnconnectedState:
        socket.waitForDisconnected(WRITE_TIMEOUT_MS)
    return sent


class SingleInstance(QtCore.QObject):
    """The first instance's listener. ``claim`` returns False when another instance took the launch."""

    raise_requested = QtCore.Signal()

    def __init__(self, data_folder: Path, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.name = server_name(data_folder)
        self._server = QtNetwork.QLocalServer(self)
        self._server.setSocketOptions(QtNetwork.QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_server_new_connection)

    @property
    def listening(self) -> bool:
        return self._server.isListening()

    def claim(self) -> bool:
        """Hands the launch to a running instance (False), or becomes the instance that listens (True).

        When listening fails for another reason than a live instance, this launch still goes on:
        a second window is a smaller harm than no window at all; the log says why.
        """
        if hand_over(self.name):
            log.info("another Parley runs on this data folder; it was asked to come to the front")
            return False
        if self._server.listen(self.name):
            return True
        # Nobody answered, so the name is a leftover of a Parley that was killed: take it over.
        QtNetwork.QLocalServer.removeServer(self.name)
        if not self._server.listen(self.name):
            log.warning("cannot listen as %s (%s): a second launch will open a second window",
                        self.name, self._server.errorString())
        return True

    def close(self) -> None:
        self._server.close()

    @QtCore.Slot()
    def _on_server_new_connection(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._on_socket_ready_read(s))
            socket.disconnected.connect(socket.deleteLater)
            if socket.bytesAvailable():
                self._on_socket_ready_read(socket)

    def _on_socket_ready_read(self, socket: QtNetwork.QLocalSocket) -> None:
        while socket.canReadLine():
            if bytes(socket.readLine().data()) == RAISE:
                self.raise_requested.emit()


def bring_to_front(window: QtWidgets.QWidget) -> None:
    """Shows ``window`` un-minimized and active: what a second launch asks for."""
    if window.isMinimized():
        window.showNormal()
    window.show()
    if QtGui.QGuiApplication.platformName() in HEADLESS_PLATFORMS:
        return  # no window stack to raise in (they warn "This plugin does not support raise()")
    window.raise_()
    window.activateWindow()
