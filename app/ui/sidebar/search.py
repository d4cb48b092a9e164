"""The search box above the sidebar's list and its results: a conversation, a snippet, the match in bold.

Typing searches the titles and messages of every conversation (``app.core.history.search``)
after a short pause; Enter or a click opens a result (``result_opened``: the conversation and the
message to scroll to, or -1 for a title). Esc in the box clears it, the list comes back and the keyboard
goes to it (``dismissed``), before the window's Esc (stop the answer) can take the key.
"""

from __future__ import annotations

import html

from PySide6 import QtCore, QtGui, QtWidgets

from app.core.errors import AppError
from app.core.history import search as history_search
from app.core.history.search import SearchHit
from app.core.history.store import Store

SEARCH_DELAY_MS = 150
_HIT_ROLE = QtCore.Qt.ItemDataRole.UserRole


def snippet_html(hit: SearchHit) -> str:
    """The result as rich text: the conversation's title, then the snippet with its matches in bold."""
    parts: list[str] = []
    at = 0
    for start, end in hit.highlights:
        if start < at:
            continue
        parts.append(html.escape(hit.snippet[at:start]))
        parts.append(f"<b><u>{html.escape(hit.snippet[start:end])}</u></b>")
        at = end
    parts.append(html.escape(hit.snippet[at:]))
    title = html.escape(hit.conversation_title)
    return f"<div style='font-weight:600'>{title}</div><div>{''.join(parts)}</div>"


class SearchBox(QtWidgets.QWidget):
    """The box and the list of results; the sidebar shows the list in place of its own while searching."""

    result_opened = QtCore.Signal(int, int)  # conversation id, message id (-1: the title matched)
    searching_changed = QtCore.Signal(bool)
    dismissed = QtCore.Signal()  # Esc cleared the box: the keyboard goes back to the list
    error_reported = QtCore.Signal(object)  # AppError

    def __init__(self, store: Store, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self.hidden_ids: set[int] = set()  # conversations waiting to be deleted (Undo)
        self.edit = QtWidgets.QLineEdit(self)
        self.edit.setObjectName("historySearch")
        self.edit.setPlaceholderText(self.tr("Search conversations (Ctrl+K)"))
        self.edit.setAccessibleName(self.tr("Search the conversations"))
        self.edit.setClearButtonEnabled(True)
        self.results = QtWidgets.QListWidget(self)
        self.results.setObjectName("searchResults")
        self.results.setAccessibleName(self.tr("Search results"))
        self.results.setWordWrap(True)
        self.results.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.hide()
        self.empty = QtWidgets.QLabel(self.tr("Nothing found."), self)
        self.empty.setObjectName("searchEmpty")
        self.empty.hide()
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.edit)
        layout.addWidget(self.empty)
        layout.addWidget(self.results, 1)
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.edit.textChanged.connect(self._on_edit_text_changed)
        self.edit.returnPressed.connect(self._on_edit_return_pressed)
        self.results.itemActivated.connect(self._on_results_item_activated)
        self.results.itemClicked.connect(self._on_results_item_activated)
        self.edit.installEventFilter(self)

    def focus(self) -> None:
        self.edit.setFocus()
        self.edit.selectAll()

    def search_now(self, query: str | None = None) -> list[SearchHit]:
        """Runs the search at once (tests; Enter); returns what is listed."""
        if query is not None:
            self.edit.setText(query)
        self._timer.stop()
        text = self.edit.text().strip()
        self.results.clear()
        if not text:
            self.results.hide()
            self.empty.hide()
            self.searching_changed.emit(False)
            return []
        try:
            hits = history_search.search(self._store, text, exclude=self.hidden_ids)
        except AppError as err:
            self.error_reported.emit(err)
            hits = []
        for hit in hits:
            item = QtWidgets.QListWidgetItem(self.results)
            item.setData(_HIT_ROLE, (hit.conversation_id, hit.message_id if hit.message_id is not None else -1))
            label = QtWidgets.QLabel(snippet_html(hit))
            label.setObjectName("searchHit")
            label.setWordWrap(True)
            label.setTextFormat(QtCore.Qt.TextFormat.RichText)
            label.setContentsMargins(6, 4, 6, 4)
            label.setAttribute(QtCore.Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            item.setSizeHint(QtCore.QSize(10, label.sizeHint().height() + 6))
            self.results.setItemWidget(item, label)
        self.results.show()
        self.empty.setVisible(not hits)
        self.searching_changed.emit(True)
        return hits

    def clear(self) -> None:
        self.edit.clear()

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:  # noqa: N802 - Qt's name
        """Esc in a box with text: the box takes it from the window's shortcut, clears, and hands focus on."""
        if watched is self.edit and isinstance(event, QtGui.QKeyEvent) and self._clears(event):
            if event.type() == QtCore.QEvent.Type.ShortcutOverride:
                event.accept()  # the key comes to the box as a key press, not to the window's Esc
                return True
            if event.type() == QtCore.QEvent.Type.KeyPress:
                self.clear()
                self.search_now()
                self.dismissed.emit()
                return True
        return super().eventFilter(watched, event)

    def _clears(self, event: QtGui.QKeyEvent) -> bool:
        plain = event.modifiers() in (QtCore.Qt.KeyboardModifier.NoModifier, QtCore.Qt.KeyboardModifier.KeypadModifier)
        return event.key() == QtCore.Qt.Key.Key_Escape and plain and bool(self.edit.text())

    @QtCore.Slot(str)
    def _on_edit_text_changed(self, text: str) -> None:
        del text
        self._timer.start()

    @QtCore.Slot()
    def _on_timer_timeout(self) -> None:
        self.search_now()

    @QtCore.Slot()
    def _on_edit_return_pressed(self) -> None:
        self.search_now()
        if self.results.count():
            self._on_results_item_activated(self.results.item(0))

    @QtCore.Slot(QtWidgets.QListWidgetItem)
    def _on_results_item_activated(self, item: QtWidgets.QListWidgetItem) -> None:
        conversation_id, message_id = item.data(_HIT_ROLE)
        self.result_opened.emit(int(conversation_id), int(message_id))
