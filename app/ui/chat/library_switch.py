"""The header's "Use my library" switch: whether this conversation's questions search the library, and which folders.

Off by default. Its button turns it on and off; its menu (the arrow beside it) chooses the folders:
every folder, or some of them. It shows what it is told (``set_choice``) and says what the user
chose (``choice_changed``, a ``LibraryChoice``); the window stores it with the conversation.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6 import QtCore, QtGui, QtWidgets

from app.core.history.types import LibraryChoice

NARROWEST_CHARS = 8  # the text's least width in a narrow window, in average characters (the rest is elided)


class LibrarySwitch(QtWidgets.QToolButton):
    """GUI thread only."""

    choice_changed = QtCore.Signal(object)  # LibraryChoice

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("librarySwitch")
        self.setCheckable(True)
        self.setText(self.tr("Use my library"))
        self.setAccessibleName(self.tr("Use my library"))
        self.setPopupMode(QtWidgets.QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
        self._menu = QtWidgets.QMenu(self)
        self.setMenu(self._menu)
        self._folders: list[str] = []
        self._choice = LibraryChoice()
        self.toggled.connect(self._on_self_toggled)
        self._rebuild()

    def minimumSizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt's name
        # Like the header's menus, it gives way in a narrow window: its text is elided, its menu arrow stays.
        hint = self.sizeHint()
        metrics = self.fontMetrics()
        least = metrics.averageCharWidth() * NARROWEST_CHARS + hint.width() - metrics.horizontalAdvance(self.text())
        return QtCore.QSize(min(hint.width(), least), super().minimumSizeHint().height())

    @property
    def choice(self) -> LibraryChoice:
        return self._choice

    def set_choice(self, choice: LibraryChoice | None, folders: Sequence[str]) -> None:
        """Shows the conversation's ``choice`` (None: never set, off) among the library's ``folders``."""
        self._choice = choice or LibraryChoice()
        self._folders = list(folders)
        self.blockSignals(True)
        self.setChecked(self._choice.enabled)
        self.blockSignals(False)
        self._rebuild()

    def folder_actions(self) -> list[QtGui.QAction]:
        """The menu's folder entries ("All folders" first)."""
        return [action for action in self._menu.actions() if action.isCheckable()]

    def _rebuild(self) -> None:
        self._menu.clear()
        chosen = self._choice.folders
        every = self._menu.addAction(self.tr("All folders"))
        every.setCheckable(True)
        every.setChecked(chosen is None)
        every.triggered.connect(self._on_every_triggered)
        if self._folders:
            self._menu.addSeparator()
        for folder in self._folders:
            name = QtCore.QFileInfo(folder).fileName() or folder
            action = self._menu.addAction(name)
            action.setCheckable(True)
            action.setChecked(chosen is not None and folder in chosen)
            action.setToolTip(folder)
            action.setData(folder)
            action.triggered.connect(self._on_folder_triggered)
        if not self._folders:
            self.setToolTip(self.tr("Add folders in Settings → Documents; then questions here can use them"))
        elif chosen is None:
            self.setToolTip(self.tr("Questions in this conversation search every library folder"))
        else:
            names = ", ".join(QtCore.QFileInfo(folder).fileName() or folder for folder in chosen)
            self.setToolTip(self.tr("Questions in this conversation search: {folders}").format(folders=names))

    def _set(self, choice: LibraryChoice) -> None:
        self._choice = choice
        self._rebuild()
        self.choice_changed.emit(choice)

    @QtCore.Slot(bool)
    def _on_self_toggled(self, checked: bool) -> None:
        self._set(LibraryChoice(enabled=checked, folders=self._choice.folders))

    @QtCore.Slot()
    def _on_every_triggered(self) -> None:
        self.setChecked(True)  # choosing folders turns the library on
        self._set(LibraryChoice(enabled=True, folders=None))

    @QtCore.Slot()
    def _on_folder_triggered(self) -> None:
        picked = [str(action.data()) for action in self.folder_actions()[1:] if action.isChecked()]
        self.blockSignals(True)
        self.setChecked(True)
        self.blockSignals(False)
        self._set(LibraryChoice(enabled=True, folders=tuple(picked) if picked else None))
