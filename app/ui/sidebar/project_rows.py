"""The sidebar's list of conversations with project sections: each project a header row that opens
and closes, its chats indented under it, then the chats outside any project.

A chat is dragged onto a project's header or one of its chats to move it in, and onto a chat outside
any project (or the empty space below) to move it out; the list says so (``move_requested``) and
moves nothing itself: the sidebar stores the move and draws the list again.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

ID_ROLE = QtCore.Qt.ItemDataRole.UserRole  # a chat row: its conversation's id
PROJECT_ROLE = QtCore.Qt.ItemDataRole.UserRole + 1  # a header row: its project's id
MEMBER_ROLE = QtCore.Qt.ItemDataRole.UserRole + 2  # a chat row: its project's id (None: the main list)
MIME_TYPE = "application/x-parley-conversation"
INDENT = 14


def project_of_row(item: QtWidgets.QListWidgetItem | None) -> int | None:
    """The project a drop on ``item`` moves a chat into (None: out of any project)."""
    if item is None:
        return None
    header = item.data(PROJECT_ROLE)
    return int(header) if header is not None else _optional_int(item.data(MEMBER_ROLE))


def _optional_int(value: object) -> int | None:
    return int(value) if isinstance(value, int) else None


class _IndentDelegate(QtWidgets.QStyledItemDelegate):
    """Draws a project's chats a little to the right of its header."""

    def initStyleOption(  # noqa: N802
        self, option: QtWidgets.QStyleOptionViewItem, index: QtCore.QModelIndex | QtCore.QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        if index.data(MEMBER_ROLE) is not None:
            option.rect.adjust(INDENT, 0, 0, 0)  # type: ignore[attr-defined]


class ConversationRows(QtWidgets.QListWidget):
    """GUI thread only."""

    move_requested = QtCore.Signal(int, object)  # a conversation's id, the project's id or None
    header_toggled = QtCore.Signal(int, object)  # a project's id; True open, False close, None the other way

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setItemDelegate(_IndentDelegate(self))
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QtWidgets.QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(QtCore.Qt.DropAction.MoveAction)

    def add_header(self, project_id: int, text: str, accessible: str, *, archived: bool) -> QtWidgets.QListWidgetItem:
        item = QtWidgets.QListWidgetItem(text)
        item.setData(PROJECT_ROLE, project_id)
        item.setData(QtCore.Qt.ItemDataRole.AccessibleTextRole, accessible)
        item.setFlags(QtCore.Qt.ItemFlag.ItemIsEnabled | QtCore.Qt.ItemFlag.ItemIsSelectable
                      | QtCore.Qt.ItemFlag.ItemIsDropEnabled)  # fmt: skip
        font = QtGui.QFont(self.font())
        font.setBold(True)
        font.setItalic(archived)
        item.setFont(font)
        self.addItem(item)
        return item

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [MIME_TYPE]

    def mimeData(self, items: list[QtWidgets.QListWidgetItem]) -> QtCore.QMimeData:  # type: ignore[override]  # noqa: N802
        data = QtCore.QMimeData()
        ids = [str(item.data(ID_ROLE)) for item in items if item.data(ID_ROLE) is not None]
        data.setData(MIME_TYPE, QtCore.QByteArray(",".join(ids).encode("ascii")))
        return data

    def dragEnterEvent(self, event: QtGui.QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasFormat(MIME_TYPE):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QtGui.QDragMoveEvent) -> None:  # noqa: N802
        if event.mimeData().hasFormat(MIME_TYPE):
            super().dragMoveEvent(event)
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QtGui.QDropEvent) -> None:  # noqa: N802
        data = event.mimeData()
        if not data.hasFormat(MIME_TYPE):
            event.ignore()
            return
        target = project_of_row(self.itemAt(event.position().toPoint()))
        # The list draws itself again from the store; Qt must not move or remove the dragged row.
        event.setDropAction(QtCore.Qt.DropAction.IgnoreAction)
        event.accept()
        for text in bytes(data.data(MIME_TYPE).data()).decode("ascii").split(","):
            if text:
                self.move_requested.emit(int(text), target)

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:  # noqa: N802
        """On a project's header: Enter or Space opens or closes its section, Right opens, Left closes."""
        item = self.currentItem()
        project = item.data(PROJECT_ROLE) if item is not None else None
        wanted = {
            QtCore.Qt.Key.Key_Return: None, QtCore.Qt.Key.Key_Enter: None, QtCore.Qt.Key.Key_Space: None,
            QtCore.Qt.Key.Key_Right: True, QtCore.Qt.Key.Key_Left: False,
        }  # fmt: skip
        key = QtCore.Qt.Key(event.key())
        if project is not None and key in wanted:
            self.header_toggled.emit(int(project), wanted[key])
            event.accept()
            return
        super().keyPressEvent(event)
