"""The passage behind a citation: its text (highlighted in the page it came from), its file and page, "Open file".

The dialog is told the passage and, when the file can still be read, the page's text around it; the
passage is highlighted there and scrolled into view. "Open file" hands the file to the desktop
(``QDesktopServices``); when the file is gone it is disabled and a sentence says so.
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from app.core.documents.types import Passage
from app.ui.chat.sources import citation_text
from app.ui.common import style


class PassageDialog(QtWidgets.QDialog):
    """GUI thread only; ``open_file`` is the seam tests replace."""

    def __init__(self, passage: Passage, page_text: str | None = None, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("passageDialog")
        self.passage = passage
        self.setWindowTitle(self.tr("Source {number}").format(number=passage.number))
        self.setMinimumSize(420, 320)
        self.resize(640, 480)

        where = QtWidgets.QLabel(citation_text(passage), self)
        where.setObjectName("pageTitle")
        path_label = QtWidgets.QLabel(passage.path, self)
        path_label.setObjectName("mutedLabel")
        path_label.setWordWrap(True)
        path_label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)

        self.text = QtWidgets.QTextBrowser(self)
        self.text.setObjectName("passageText")
        self.text.setAccessibleName(self.tr("Passage"))
        self.text.setOpenLinks(False)
        self._show_text(page_text if page_text and passage.text in page_text else passage.text)

        self.missing_label = QtWidgets.QLabel(self)
        self.missing_label.setObjectName("mutedLabel")
        self.missing_label.setWordWrap(True)
        self.open_button = QtWidgets.QPushButton(self.tr("Open file"), self)
        self.open_button.setObjectName("openFileButton")
        self.open_button.setAccessibleName(self.tr("Open file"))
        self.open_button.setToolTip(
            self.tr("Open {name} in the program this computer uses for it").format(name=passage.name)
        )
        close = QtWidgets.QPushButton(self.tr("Close"), self)
        close.setAccessibleName(self.tr("Close"))
        close.setDefault(True)
        exists = Path(passage.path).is_file()
        self.open_button.setEnabled(exists)
        if not exists:
            self.missing_label.setText(self.tr("The file is no longer where it was read from, so it cannot be opened."))
        self.missing_label.setVisible(not exists)

        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(self.missing_label, 1)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(close)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(where)
        layout.addWidget(path_label)
        layout.addWidget(self.text, 1)
        layout.addLayout(buttons)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        close.clicked.connect(self.accept)

    def open_file(self, url: QtCore.QUrl) -> bool:
        return QtGui.QDesktopServices.openUrl(url)

    def highlighted_text(self) -> str:
        """The text marked as the passage (the reader sees it on a highlighter's yellow)."""
        start, end = self._marked
        return self.text.toPlainText()[start:end]

    def _show_text(self, text: str) -> None:
        self.text.setPlainText(text)
        start = text.find(self.passage.text)
        self._marked = (0, 0)
        if start < 0:
            return
        self._marked = (start, start + len(self.passage.text))
        document = self.text.document()
        mark = QtGui.QTextCharFormat()
        base = self.palette().color(QtGui.QPalette.ColorRole.Base)
        mark.setBackground(style.mix(base, QtGui.QColor("#f5c211"), 0.45))
        cursor = QtGui.QTextCursor(document)
        cursor.setPosition(start)
        cursor.setPosition(start + len(self.passage.text), QtGui.QTextCursor.MoveMode.KeepAnchor)
        cursor.mergeCharFormat(mark)
        cursor.setPosition(start)  # no selection: the mark shows, and the view starts at the passage
        self.text.setTextCursor(cursor)
        self.text.ensureCursorVisible()

    @QtCore.Slot()
    def _on_open_button_clicked(self) -> None:
        self.open_file(QtCore.QUrl.fromLocalFile(self.passage.path))
