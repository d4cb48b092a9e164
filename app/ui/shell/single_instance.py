"""One window per data folder: a second launch hands over to the first and exits.

The first Parley listens on a ``QLocalServer`` whose name is derived from the data folder
(``server_name``), so two launches with different ``PARLEY_HOME`` are two separate instances, and
two launches on the same folder are one. A later launch connects to that name, sends ``raise`` and
exits with code 0 once the first answers ``raised``; the first brings its window to the front
(``raise_requested``). A first instance that does not answer within ``ANSWER_TIMEOUT_MS`` is hung
(or stopped): the second says so and offers to end it (``ask_to_end``, a seam tests replace). Ending
it sends SIGTERM (and SIGCONT, so a stopped one can act on it), then SIGKILL after ``END_GRACE_S``,
to the pid the socket's peer credentials give (Linux) or the first wrote beside its name.

This sits beside, not instead of, ``app.core.history.instances``: that per-store lock tells whether the
*writer* of a streaming answer is alive, and stays right for every other client of the same
history (``parley ask`` in a terminal is not a window and never hands over). This module only keeps
a second *window* from opening on the history the first one shows.

A name left behind by a killed Parley (a stale socket file on Unix) is noticed by the failed
connection and removed before listening (``QLocalServer.removeServer``).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import signal
import socket as pysocket
import struct
import sys
import time
from collections.abc import Callable
from enum import Enum
from pathlib import Path

from PySide6 import QtCore, QtGui, QtNetwork, QtWidgets

log = logging.getLogger("app.ui.instance")

RAISE = b"raise\n"
RAISED = b"raised\n"
CONNECT_TIMEOUT_MS = 1000
WRITE_TIMEOUT_MS = 1000
ANSWER_TIMEOUT_MS = 8000  # a first instance this long without answering is not responding
END_GRACE_S = 10.0  # after SIGTERM, how long the first has to close before it is killed
GONE_WAIT_S = 10.0
HEADLESS_PLATFORMS = ("offscreen", "minimal")


def server_name(data_folder: Path) -> str:
    """The local server name for ``data_folder``: the same folder, however it is spelled, gives the same name."""
    resolved = os.path.normcase(str(data_folder.expanduser().resolve()))
    digest = hashlib.sha256(resolved.encode("utf-8")).hexdigest()[:16]
    # Per user too: on Windows the pipe namespace is shared by every user of the machine.
    user = os.environ.get("USER") or os.environ.get("USERNAME") or ""
    user_digest = hashlib.sha256(user.encode("utf-8")).hexdigest()[:6]
    return f"parley-{user_digest}-{digest}"


class Handover(Enum):
    NOBODY = "nobody"  # no instance listens on the name
    TAKEN = "taken"  # the first instance answered: it comes to the front
    NOT_RESPONDING = "not responding"  # it holds the name but did not answer in time


def hand_over(name: str) -> tuple[Handover, int | None]:
    """Asks a running instance listening on ``name`` to come to the front; with the pid behind the name."""
    local = QtNetwork.QLocalSocket()
    local.connectToServer(name)
    if not local.waitForConnected(CONNECT_TIMEOUT_MS):
        return Handover.NOBODY, None
    pid = _peer_pid(local) or _pid_from_file(name)
    local.write(RAISE)
    local.waitForBytesWritten(WRITE_TIMEOUT_MS)
    deadline = time.monotonic() + ANSWER_TIMEOUT_MS / 1000
    answered = False
    while not answered and local.state() == QtNetwork.QLocalSocket.LocalSocketState.ConnectedState:
        left_ms = int((deadline - time.monotonic()) * 1000)
        if left_ms <= 0:
            break
        local.waitForReadyRead(min(left_ms, 200))
        answered = RAISED in bytes(local.readAll().data())
    local.abort()
    return (Handover.TAKEN, pid) if answered else (Handover.NOT_RESPONDING, pid)


def _peer_pid(local: QtNetwork.QLocalSocket) -> int | None:
    """The pid of the process on the other end of ``local`` (Linux's SO_PEERCRED); None elsewhere."""
    option = getattr(pysocket, "SO_PEERCRED", None)
    descriptor = int(local.socketDescriptor())
    if option is None or descriptor < 0 or not sys.platform.startswith("linux"):
        return None
    duplicate = pysocket.fromfd(descriptor, pysocket.AF_UNIX, pysocket.SOCK_STREAM)
    try:
        pid, _uid, _gid = struct.unpack("3i", duplicate.getsockopt(pysocket.SOL_SOCKET, option, struct.calcsize("3i")))
    except OSError:
        return None
    finally:
        duplicate.close()
    return pid if pid > 0 else None


def pid_file(name: str) -> Path:
    """Where the listening instance writes its pid, for a later launch that must end it."""
    return Path(QtCore.QDir.tempPath()) / f"{name}.pid"


def _pid_from_file(name: str) -> int | None:
    try:
        return int(pid_file(name).read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


def ask_to_end() -> bool:
    """Asks whether to end a Parley that does not respond; True for "End it and open Parley". A seam."""
    box = not_responding_box()
    box.exec()
    clicked = box.clickedButton()
    return clicked is not None and clicked.objectName() == "endInstanceButton"


def not_responding_box() -> QtWidgets.QMessageBox:
    """The message a second launch shows when the first does not answer."""
    translate = QtCore.QCoreApplication.translate
    box = QtWidgets.QMessageBox(
        QtWidgets.QMessageBox.Icon.Warning,
        translate("SingleInstance", "Parley is not responding"),
        translate("SingleInstance", "Parley is already open on this data folder, but it is not responding."),
    )
    box.setInformativeText(
        translate(
            "SingleInstance",
            "It may be stuck. You can end it and open Parley again: what it has saved is kept, "
            "and an answer it was writing is kept as far as it got.",
        )
    )
    accept = QtWidgets.QMessageBox.ButtonRole.AcceptRole
    end = box.addButton(translate("SingleInstance", "End it and open Parley"), accept)
    end.setObjectName("endInstanceButton")
    end.setAccessibleName(end.text())
    cancel = box.addButton(translate("SingleInstance", "Cancel"), QtWidgets.QMessageBox.ButtonRole.RejectRole)
    cancel.setAccessibleName(cancel.text())
    box.setDefaultButton(cancel)
    box.setObjectName("notRespondingBox")
    return box


def end_process(pid: int, name: str) -> bool:
    """Ends the instance ``pid`` that holds ``name``: SIGTERM (its windows close the normal way), then SIGKILL.

    True once nobody listens on ``name`` any more.
    """
    log.warning("ending the Parley that does not respond (pid %s)", pid)
    _send(pid, signal.SIGTERM)
    if hasattr(signal, "SIGCONT"):
        _send(pid, signal.SIGCONT)  # a stopped process only acts on SIGTERM once it runs again
    if _wait_until_free(name, END_GRACE_S):
        return True
    if hasattr(signal, "SIGKILL"):
        log.warning("pid %s did not close in %.0f s; killing it", pid, END_GRACE_S)
        _send(pid, signal.SIGKILL)
    return _wait_until_free(name, GONE_WAIT_S)


def _send(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it ended by itself meanwhile: what was wanted
        os.kill(pid, signum)


def _wait_until_free(name: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        probe = QtNetwork.QLocalSocket()
        probe.connectToServer(name)
        if not probe.waitForConnected(CONNECT_TIMEOUT_MS):
            return True
        probe.abort()
        time.sleep(0.1)
    return False


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

    def claim(self, ask: Callable[[], bool] | None = None) -> bool:
        """Hands the launch to a running instance (False), or becomes the instance that listens (True).

        A first instance that does not answer is offered to be ended (``ask``, by default ``ask_to_end``):
        ended, this launch takes its place (True); not, this launch ends (False).
        When listening fails for another reason than a live instance, this launch still goes on:
        a second window is a smaller harm than no window at all; the log says why.
        """
        outcome, pid = hand_over(self.name)
        if outcome is Handover.TAKEN:
            log.info("another Parley runs on this data folder; it was asked to come to the front")
            return False
        if outcome is Handover.NOT_RESPONDING:
            log.warning("another Parley (pid %s) holds this data folder but does not respond", pid)
            if not (ask or ask_to_end)():
                return False
            if pid is None or not end_process(pid, self.name):
                log.error("the Parley that does not respond (pid %s) could not be ended", pid)
                return False
        if not self._server.listen(self.name):
            # Nobody answers, so the name is a leftover of a Parley that was killed: take it over.
            QtNetwork.QLocalServer.removeServer(self.name)
            if not self._server.listen(self.name):
                log.warning(
                    "cannot listen as %s (%s): a second launch will open a second window",
                    self.name,
                    self._server.errorString(),
                )
                return True
        self._write_pid()
        return True

    def _write_pid(self) -> None:
        try:
            pid_file(self.name).write_text(str(os.getpid()), encoding="ascii")
        except OSError as exc:  # only a hung instance's successor needs it, and Linux asks the socket instead
            log.warning("cannot write %s: %s", pid_file(self.name), exc)

    def close(self) -> None:
        if self._server.isListening():
            with contextlib.suppress(OSError):  # already gone: nothing to remove
                pid_file(self.name).unlink(missing_ok=True)
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
                socket.write(RAISED)  # the second launch waits for this before it exits
                socket.flush()
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
