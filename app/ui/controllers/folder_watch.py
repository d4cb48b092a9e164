"""Notices changes in the library's folders so they are indexed again without the user asking.

A ``QFileSystemWatcher`` watches each folder, its subfolders and the documents in them (up to
``MAX_WATCHED`` paths, listed off the GUI thread: a folder's watch sees files come and go, a file's
sees it written in place); any change — a file added, removed, renamed or written —
starts a short quiet period, and when nothing more changed in it, ``changed`` is emitted once. The
indexer then looks at sizes and times and reads only what differs.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import shiboken6
from PySide6 import QtCore

from app.core.documents.extract import SUPPORTED_SUFFIXES
from app.ui.common.background import BackgroundExecutor, BackgroundOp

MAX_WATCHED = 4000  # folders and files; past that, changes are seen at the next start or "Index again"
QUIET_MS = 3000  # a save in an editor or a copy of many files counts as one change


def paths_under(roots: Sequence[str], limit: int = MAX_WATCHED) -> list[str]:
    """``roots``, the folders inside them and their documents (hidden ones left out, as the indexer
    does), folders first, at most ``limit`` paths."""
    folders: list[str] = []
    files: list[str] = []
    for root in roots:
        for folder, subfolders, names in os.walk(root):
            subfolders[:] = [name for name in subfolders if not name.startswith(".")]
            folders.append(folder)
            files.extend(
                os.path.join(folder, name)
                for name in names
                if not name.startswith(".") and os.path.splitext(name)[1].lower() in SUPPORTED_SUFFIXES
            )
            if len(folders) + len(files) >= limit:
                return (folders + files)[:limit]
    return folders + files


class FolderWatch(QtCore.QObject):
    changed = QtCore.Signal()  # something in a watched folder changed, and then things were quiet

    def __init__(self, executor: BackgroundExecutor, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._executor = executor
        self._watcher = QtCore.QFileSystemWatcher(self)
        self._quiet = QtCore.QTimer(self)
        self._quiet.setSingleShot(True)
        self._quiet.setInterval(QUIET_MS)
        self._quiet.timeout.connect(self.changed)
        self._watcher.directoryChanged.connect(self._on_change)
        self._watcher.fileChanged.connect(self._on_change)
        self._closed = False

    def watch(self, roots: Sequence[str]) -> None:
        """Watches ``roots`` (the library's folders) and what is under them, instead of what was watched."""
        if self._closed:
            return
        op: BackgroundOp[list[str]] = BackgroundOp(lambda: paths_under(roots))
        op.on_success(self._replace).start(self._executor)

    def close(self) -> None:
        """Watches nothing more, and forgets a change still waiting for its quiet moment. The watcher and
        its timer are destroyed here, on the GUI thread: left to the garbage collector, they could be
        destroyed on whichever thread collects them, and a socket notifier ended off its thread crashes."""
        if self._closed:
            return
        self._closed = True
        shiboken6.delete(self._quiet)
        shiboken6.delete(self._watcher)

    def watched(self) -> list[str]:
        if self._closed:
            return []
        return self._watcher.directories() + self._watcher.files()

    def _replace(self, paths: list[str]) -> None:
        if self._closed:
            return
        # Only what differs: a path watched all along never has a moment unwatched.
        now = set(self.watched())
        wanted = {path for path in paths if os.path.exists(path)}
        if now - wanted:
            self._watcher.removePaths(sorted(now - wanted))
        if wanted - now:
            self._watcher.addPaths(sorted(wanted - now))

    def _on_change(self, path: str) -> None:
        del path
        if self._closed:
            return
        self._quiet.start()  # restarts: a burst of changes ends as one
