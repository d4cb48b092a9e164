"""The files attached to the next message: a chip each in the composer, and what reaches it by drop or paste.

A chip says the file's name, its pages and its size, and has an ✕ (a real button, so Tab reaches it
and a screen reader names it) that takes the file off. ``local_files`` reads the local files out of a
drag or a paste (``QMimeData`` urls); ``DocumentDropFilter`` takes drops of them on the widgets it
watches and says which files came. Reading them is the controller's (off the GUI thread).
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from app.core.documents.types import AttachmentUse, Document
from app.ui.common.file_drop import FileDropFilter
from app.ui.common.i18n import size_text

MODEL_SUFFIXES = frozenset({".gguf"})  # a dropped model is imported, never attached (GgufDropFilter)


def paperclip_icon(widget: QtWidgets.QWidget) -> QtGui.QIcon:
    """A paperclip drawn in the widget's text colour (no emoji font is needed for it)."""
    pixmap = QtGui.QPixmap(48, 48)
    pixmap.fill(QtCore.Qt.GlobalColor.transparent)
    painter = QtGui.QPainter(pixmap)
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    painter.scale(2, 2)
    pen = QtGui.QPen(widget.palette().color(QtGui.QPalette.ColorRole.ButtonText), 1.7)
    pen.setCapStyle(QtCore.Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    path = QtGui.QPainterPath(QtCore.QPointF(16, 8))
    path.lineTo(16, 17)
    path.arcTo(QtCore.QRectF(8, 13, 8, 8), 0, -180)
    path.lineTo(8, 6)
    path.arcTo(QtCore.QRectF(8, 3, 6, 6), 180, -180)
    path.lineTo(14, 16)
    path.arcTo(QtCore.QRectF(10, 14, 4, 4), 0, -180)
    path.lineTo(10, 8)
    painter.drawPath(path)
    painter.end()
    return QtGui.QIcon(pixmap)


def local_files(mime: QtCore.QMimeData | None) -> list[Path]:
    """The local files (not folders, not models) a drag or a paste carries, in order."""
    if mime is None or not mime.hasUrls():
        return []
    files: list[Path] = []
    for url in mime.urls():
        if not url.isLocalFile():
            continue
        path = Path(url.toLocalFile())
        if path.suffix.lower() in MODEL_SUFFIXES or path.is_dir():
            continue
        files.append(path)
    return files


def pages_text(pages: int, paged: bool) -> str:
    """ "12 pages" for a paged document; empty for one without pages (text, Markdown, code)."""
    translate = QtCore.QCoreApplication.translate
    if not paged:
        return ""
    # Two strings, not "%n page(s)": English has no plural forms without a translation file.
    if pages == 1:
        return translate("Attachments", "1 page")
    return translate("Attachments", "{count} pages").format(count=pages)


def use_text(use: AttachmentUse) -> str:
    """How an attachment went into its turn: "read whole" or "3 of 40 passages used"."""
    translate = QtCore.QCoreApplication.translate
    if use.mode == "whole":
        return translate("Attachments", "read whole")
    return translate("Attachments", "{used} of {total} passages used").format(used=use.used, total=use.total)


def chip_label(name: str, pages: int, paged: bool, size: int) -> str:
    """The text of a chip: "report.pdf · 12 pages · 1.2 MB"."""
    parts = [name, pages_text(pages, paged), size_text(size)]
    return " · ".join(part for part in parts if part)


class AttachmentChip(QtWidgets.QFrame):
    """One attached file: its name, pages and size, and an ✕ that takes it off."""

    remove_requested = QtCore.Signal(str)  # the file's path

    def __init__(self, document: Document, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attachmentChip")
        self.document = document
        text = chip_label(document.name, document.page_count, document.paged, document.size)
        self.label = QtWidgets.QLabel(text, self)
        self.label.setObjectName("attachmentChipLabel")
        self.label.setToolTip(document.path)
        self.remove_button = QtWidgets.QToolButton(self)
        self.remove_button.setObjectName("attachmentRemove")
        self.remove_button.setText("✕")
        self.remove_button.setAutoRaise(True)
        self.remove_button.setAccessibleName(self.tr("Remove {name}").format(name=document.name))
        self.remove_button.setToolTip(self.tr("Do not attach this file"))
        self.remove_button.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(8, 2, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(self.label)
        layout.addWidget(self.remove_button)
        self.setAccessibleName(text)
        self.setStyleSheet("#attachmentChip { border: 1px solid palette(mid); border-radius: 11px; }")
        self.remove_button.clicked.connect(self._on_remove_button_clicked)

    @QtCore.Slot()
    def _on_remove_button_clicked(self) -> None:
        self.remove_requested.emit(self.document.path)


class AttachmentTray(QtWidgets.QWidget):
    """The chips of the next message, in the order the files came; hidden while there are none."""

    changed = QtCore.Signal()  # a file was added or taken off
    emptied = QtCore.Signal()  # the user took the last file off with its ✕

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attachmentTray")
        self._chips: list[AttachmentChip] = []
        self._layout = QtWidgets.QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(6)
        self._layout.addStretch(1)
        self.setVisible(False)

    def documents(self) -> list[Document]:
        return [chip.document for chip in self._chips]

    def chips(self) -> list[AttachmentChip]:
        return list(self._chips)

    def add(self, document: Document) -> bool:
        """Adds a chip for ``document``; False when that file is attached already."""
        if any(chip.document.path == document.path for chip in self._chips):
            return False
        chip = AttachmentChip(document, self)
        chip.remove_requested.connect(self._on_chip_remove_requested)
        self._layout.insertWidget(len(self._chips), chip)
        self._chips.append(chip)
        self.setVisible(True)
        self.changed.emit()
        return True

    def remove(self, path: str) -> None:
        for chip in self._chips:
            if chip.document.path == path:
                self._chips.remove(chip)
                chip.hide()
                chip.deleteLater()
                break
        self.setVisible(bool(self._chips))
        self.changed.emit()

    def clear(self) -> None:
        for chip in self._chips:
            chip.hide()
            chip.deleteLater()
        self._chips.clear()
        self.setVisible(False)
        self.changed.emit()

    @QtCore.Slot(str)
    def _on_chip_remove_requested(self, path: str) -> None:
        index = next((i for i, chip in enumerate(self._chips) if chip.document.path == path), -1)
        self.remove(path)
        # The keyboard stays in the tray: the next chip's ✕, or the message when none is left.
        if self._chips:
            self._chips[min(index, len(self._chips) - 1)].remove_button.setFocus()
        else:
            self.emptied.emit()


class DocumentDropFilter(FileDropFilter):
    """Takes drags of files (not models) on the widgets it watches and reports the dropped files."""

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(local_files, parent)
