"""The keyboard shortcuts: the one table of keys and what they do, the window's actions for them, and the
Help → Keyboard shortcuts dialog that lists them.

A window binds a shortcut by its name (``bind``); a shortcut whose feature is not in this window
yet is simply left unbound, and the dialog lists the bound ones, so it never promises a key that
does nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6 import QtCore, QtGui, QtWidgets


@dataclass(frozen=True)
class Shortcut:
    name: str
    keys: str  # a QKeySequence in portable text form


SHORTCUTS = (
    Shortcut("new_chat", "Ctrl+N"),
    Shortcut("new_temporary_chat", "Ctrl+Shift+N"),
    Shortcut("search", "Ctrl+F"),
    Shortcut("focus_input", "Ctrl+L"),
    Shortcut("stop", "Esc"),
    Shortcut("copy_last_answer", "Ctrl+Shift+C"),
    Shortcut("regenerate", "Ctrl+Shift+R"),
    Shortcut("settings", "Ctrl+,"),
    Shortcut("previous_conversation", "Ctrl+Up"),
    Shortcut("next_conversation", "Ctrl+Down"),
    Shortcut("switch_model", "Ctrl+Shift+M"),
    Shortcut("shortcuts_help", "F1"),
)
BY_NAME = {shortcut.name: shortcut for shortcut in SHORTCUTS}


def description(name: str) -> str:
    """What the shortcut called ``name`` does, in the window's language."""
    translate = QtCore.QCoreApplication.translate
    texts = {
        "new_chat": translate("Shortcuts", "New chat"),
        "new_temporary_chat": translate("Shortcuts", "New temporary chat (not saved, no memory)"),
        "search": translate("Shortcuts", "Search the conversations"),
        "focus_input": translate("Shortcuts", "Go to the message box"),
        "stop": translate("Shortcuts", "Stop the answer"),
        "copy_last_answer": translate("Shortcuts", "Copy the last answer"),
        "regenerate": translate("Shortcuts", "Write the last answer again"),
        "settings": translate("Shortcuts", "Settings"),
        "previous_conversation": translate("Shortcuts", "Previous conversation"),
        "next_conversation": translate("Shortcuts", "Next conversation"),
        "switch_model": translate("Shortcuts", "Switch the model"),
        "shortcuts_help": translate("Shortcuts", "Keyboard shortcuts"),
    }
    return texts[name]


def key_sequence(name: str) -> QtGui.QKeySequence:
    return QtGui.QKeySequence(BY_NAME[name].keys)


def bind(window: QtWidgets.QWidget, name: str, handler: Callable[[], object]) -> QtGui.QAction:
    """An action on ``window`` that runs ``handler`` when the shortcut ``name`` is pressed anywhere in it."""
    action = QtGui.QAction(description(name), window)
    action.setObjectName(f"shortcut_{name}")
    action.setShortcut(key_sequence(name))
    action.setShortcutContext(QtCore.Qt.ShortcutContext.WindowShortcut)
    action.triggered.connect(lambda _checked=False: handler())
    window.addAction(action)
    return action


def bound(window: QtWidgets.QWidget) -> list[Shortcut]:
    """The table's shortcuts that ``window`` has bound, in the table's order."""
    names = {action.objectName() for action in window.actions()}
    return [shortcut for shortcut in SHORTCUTS if f"shortcut_{shortcut.name}" in names]


class ShortcutsDialog(QtWidgets.QDialog):
    """Help → Keyboard shortcuts: a two-column table of keys and what they do."""

    def __init__(self, shortcuts: list[Shortcut], parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        self.table = QtWidgets.QTableWidget(len(shortcuts), 2, self)
        self.table.setObjectName("shortcutsTable")
        self.table.setAccessibleName(self.tr("Keyboard shortcuts"))
        self.table.setHorizontalHeaderLabels([self.tr("Keys"), self.tr("Action")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        for row, shortcut in enumerate(shortcuts):
            keys = key_sequence(shortcut.name).toString(QtGui.QKeySequence.SequenceFormat.NativeText)
            self.table.setItem(row, 0, QtWidgets.QTableWidgetItem(keys))
            self.table.setItem(row, 1, QtWidgets.QTableWidgetItem(description(shortcut.name)))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(440, 420)

    def rows(self) -> list[tuple[str, str]]:
        """What the table lists: (keys, action) per row."""
        rows = []
        for row in range(self.table.rowCount()):
            keys, action = self.table.item(row, 0), self.table.item(row, 1)
            rows.append((keys.text() if keys else "", action.text() if action else ""))
        return rows
