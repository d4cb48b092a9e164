"""The composer: where the user writes a message, with its Send and Stop buttons and the files attached.

Enter sends and Shift+Enter starts a new line. A message that is empty or only whitespace cannot
be sent. While an answer streams, Send is disabled and Stop is enabled, but typing goes on.
Files come by the paperclip (a file dialog, several at once), by a drop or by a paste; the composer
only says which (``attach_requested``), and shows as chips (``attachments``) what the window read.
The microphone (``microphone``) dictates; its text lands where the cursor is (``insert_dictated``). Beside it,
``conversation`` toggles conversation mode, whose state the empty message box says while it is on.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from app.core.documents.types import Document
from app.ui.chat.attachments import AttachmentTray, local_files, paperclip_icon
from app.ui.chat.conversation_button import ConversationButton
from app.ui.chat.voice_button import MicrophoneButton

MIN_LINES = 2
MAX_LINES = 10


class MessageEdit(QtWidgets.QPlainTextEdit):
    """A plain-text editor whose Enter key submits instead of breaking the line.

    It asks for the height of its text, between ``MIN_LINES`` and ``MAX_LINES`` lines. Only its size
    hint changes, never its minimum, so the window's minimum size stays put while the user types.
    """

    submitted = QtCore.Signal()
    files_pasted = QtCore.Signal(object)  # list[Path]: a paste that carried files, not text

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Preferred)
        self.document().documentLayout().documentSizeChanged.connect(self._on_layout_document_size_changed)

    def _height_for(self, lines: int) -> int:
        margins = self.contentsMargins()
        return (
            lines * self.fontMetrics().lineSpacing()
            + int(2 * self.document().documentMargin())
            + margins.top()
            + margins.bottom()
        )

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt's name
        # The plain-text layout measures the document in lines, wrapped lines included.
        lines = max(MIN_LINES, min(MAX_LINES, int(self.document().size().height())))
        return QtCore.QSize(super().sizeHint().width(), self._height_for(lines))

    def minimumSizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt's name
        return QtCore.QSize(super().minimumSizeHint().width(), self._height_for(MIN_LINES))

    @QtCore.Slot(QtCore.QSizeF)
    def _on_layout_document_size_changed(self, size: QtCore.QSizeF) -> None:
        del size
        self.updateGeometry()

    def canInsertFromMimeData(self, source: QtCore.QMimeData) -> bool:  # noqa: N802 - Qt's name
        return bool(local_files(source)) or super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QtCore.QMimeData) -> None:  # noqa: N802 - Qt's name
        files = local_files(source)
        if files:  # a copied file is attached; its path is not typed into the message
            self.files_pasted.emit(files)
            return
        super().insertFromMimeData(source)

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.key() in (QtCore.Qt.Key.Key_Return, QtCore.Qt.Key.Key_Enter):
            modifiers = event.modifiers() & ~QtCore.Qt.KeyboardModifier.KeypadModifier
            if modifiers == QtCore.Qt.KeyboardModifier.ShiftModifier:
                # A real paragraph break, so the sent text has "\n" and not U+2028.
                self.textCursor().insertText("\n")
                self.ensureCursorVisible()
                return
            if modifiers == QtCore.Qt.KeyboardModifier.NoModifier:
                self.submitted.emit()
                return
        super().keyPressEvent(event)


class Composer(QtWidgets.QFrame):
    """The message box and its buttons. Emits what the user asks for; the window decides."""

    send_requested = QtCore.Signal(str)
    stop_requested = QtCore.Signal()
    attach_requested = QtCore.Signal(object)  # list[Path]: chosen, dropped or pasted files to read and attach

    ATTACH_SHORTCUT = "Ctrl+Shift+A"

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composer")
        self._busy = False
        self._waiting = False
        self._reading = 0  # files being read: Send waits for their chips
        self.attach_suffixes: frozenset[str] = frozenset()  # what the file dialog offers; empty: any file

        self.edit = MessageEdit(self)
        self.edit.setObjectName("composerEdit")
        self.edit.setAccessibleName(self.tr("Message"))
        self.edit.setTabChangesFocus(True)
        self.edit.installEventFilter(self)  # the frame draws the focus ring for the edit inside it
        self.edit.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.edit.setVerticalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAsNeeded)

        self.send_button = QtWidgets.QPushButton(self.tr("Send"), self)
        self.send_button.setObjectName("sendButton")
        self.send_button.setToolTip(self.tr("Send the message (Enter)"))
        self.stop_button = QtWidgets.QPushButton(self.tr("Stop"), self)
        self.stop_button.setObjectName("stopButton")
        self.stop_button.setToolTip(self.tr("Stop the answer (Esc)"))

        self.attach_button = QtWidgets.QToolButton(self)
        self.attach_button.setObjectName("attachButton")
        self.attach_button.setIcon(paperclip_icon(self.attach_button))
        self.attach_button.setIconSize(QtCore.QSize(22, 22))
        self.attach_button.setAutoRaise(True)
        self.attach_button.setAccessibleName(self.tr("Attach files"))
        self._set_attach_tooltip()
        self.attach_button.setShortcut(QtGui.QKeySequence(self.ATTACH_SHORTCUT))
        self.tray = AttachmentTray(self)
        self.microphone = MicrophoneButton(self)
        self.conversation = ConversationButton(self)
        self.conversation.look_changed.connect(self._set_placeholder)
        self._set_placeholder()
        self.stop_reading_button = QtWidgets.QPushButton(self.tr("Stop reading"), self)
        self.stop_reading_button.setObjectName("stopReadingButton")
        self.stop_reading_button.setToolTip(self.tr("Stop reading the answer aloud (Esc)"))
        self.stop_reading_button.hide()

        buttons = QtWidgets.QVBoxLayout()
        buttons.setSpacing(6)
        buttons.addStretch(1)
        buttons.addWidget(self.stop_reading_button)
        buttons.addWidget(self.stop_button)
        buttons.addWidget(self.send_button)
        clip = QtWidgets.QGridLayout()
        clip.setSpacing(2)
        clip.setRowStretch(0, 1)
        clip.addWidget(self.microphone, 1, 0, QtCore.Qt.AlignmentFlag.AlignBottom)
        clip.addWidget(self.conversation, 1, 1, QtCore.Qt.AlignmentFlag.AlignBottom)
        clip.addWidget(self.attach_button, 2, 0)
        row = QtWidgets.QHBoxLayout()
        row.setSpacing(8)
        row.addLayout(clip)
        row.addWidget(self.edit, 1)
        row.addLayout(buttons)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(self.tray)
        layout.addLayout(row)

        self.edit.submitted.connect(self._on_edit_submitted)
        self.edit.textChanged.connect(self._on_edit_text_changed)
        self.send_button.clicked.connect(self._on_send_button_clicked)
        self.stop_button.clicked.connect(self._on_stop_button_clicked)
        self.attach_button.clicked.connect(self._on_attach_button_clicked)
        self.edit.files_pasted.connect(self._on_edit_files_pasted)
        self.tray.emptied.connect(self.focus_edit)  # the user took the last chip off: back to the message
        self._update_buttons()

    # -- public ---------------------------------------------------------------------------------

    def text(self) -> str:
        return self.edit.toPlainText()

    def set_text(self, text: str) -> None:
        self.edit.setPlainText(text)

    def insert_dictated(self, text: str) -> None:
        """Dictated ``text`` at the cursor, a space apart from what is already there; left to edit."""
        cursor = self.edit.textCursor()
        before = self.edit.toPlainText()[: cursor.position()]
        cursor.insertText((" " if before and not before[-1].isspace() else "") + text)
        self.edit.setTextCursor(cursor)
        self.focus_edit()

    def send_now(self) -> None:
        """Sends what is written, as Enter would (dictation that is sent at once)."""
        self._submit()

    def set_busy(self, busy: bool) -> None:
        """While busy, an answer streams: Send waits, Stop works, typing goes on."""
        self._busy = busy
        self._update_buttons()

    def set_waiting(self, waiting: bool) -> None:
        """While a model loads, Send waits; there is no answer for Stop to stop."""
        self._waiting = waiting
        self._update_buttons()

    def can_send(self) -> bool:
        return not self._busy and not self._waiting and not self._reading and bool(self.text().strip())

    def attachments(self) -> list[Document]:
        """The files the next message carries, in the order they came."""
        return self.tray.documents()

    def add_attachment(self, document: Document) -> None:
        self.tray.add(document)

    def set_attachments(self, documents: Iterable[Document]) -> None:
        """Puts back the chips of a message that was not sent, so nothing the user gave is lost."""
        self.tray.clear()
        for document in documents:
            self.tray.add(document)

    def clear_attachments(self) -> None:
        self.tray.clear()

    def set_reading(self, count: int) -> None:
        """How many files are being read; Send waits until their chips are there."""
        self._reading = count
        self._update_buttons()

    def choose_files(self) -> list[Path]:
        """The file dialog (several files at once); tests replace this seam."""
        suffixes = " ".join(f"*{suffix}" for suffix in sorted(self.attach_suffixes))
        filters = [self.tr("Documents ({patterns})").format(patterns=suffixes)] if suffixes else []
        filters.append(self.tr("All files (*)"))
        names, _ = QtWidgets.QFileDialog.getOpenFileNames(self, self.tr("Attach files"), "", ";;".join(filters))
        return [Path(name) for name in names]

    def focus_edit(self) -> None:
        self.edit.setFocus(QtCore.Qt.FocusReason.OtherFocusReason)

    def changeEvent(self, event: QtCore.QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QtCore.QEvent.Type.PaletteChange:  # the paperclip follows the theme's text colour
            self.attach_button.setIcon(paperclip_icon(self.attach_button))
        elif event.type() == QtCore.QEvent.Type.LanguageChange:  # built from data: not in the catalogue
            self._set_attach_tooltip()
            self._set_placeholder()
        super().changeEvent(event)

    def _set_placeholder(self) -> None:
        """Conversation mode's state while it is on, else the usual hint."""
        hint = self.tr("Message Parley (Enter sends, Shift+Enter starts a new line)")
        self.edit.setPlaceholderText(self.conversation.status_text() or hint)
        # Qt repaints only when the placeholder appears or goes (QPlainTextEditPrivate::updatePlaceholderVisibility),
        # not when a shown one changes its text: without this the old state stays on screen.
        self.edit.viewport().update()

    def _set_attach_tooltip(self) -> None:
        self.attach_button.setToolTip(self.tr("Attach files to the message ({keys})").format(keys=self.ATTACH_SHORTCUT))

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.edit and event.type() in (QtCore.QEvent.Type.FocusIn, QtCore.QEvent.Type.FocusOut):
            self.setProperty("focused", event.type() == QtCore.QEvent.Type.FocusIn)
            self.style().unpolish(self)
            self.style().polish(self)
        return super().eventFilter(watched, event)

    # -- internals ------------------------------------------------------------------------------

    def _submit(self) -> None:
        if not self.can_send():
            return
        text = self.text()
        self.edit.clear()
        self.send_requested.emit(text)

    def _update_buttons(self) -> None:
        self.send_button.setEnabled(self.can_send())
        self.stop_button.setEnabled(self._busy)

    @QtCore.Slot()
    def _on_edit_submitted(self) -> None:
        self._submit()

    @QtCore.Slot()
    def _on_send_button_clicked(self) -> None:
        self._submit()

    @QtCore.Slot()
    def _on_stop_button_clicked(self) -> None:
        self.stop_requested.emit()

    @QtCore.Slot()
    def _on_edit_text_changed(self) -> None:
        self._update_buttons()

    @QtCore.Slot()
    def _on_attach_button_clicked(self) -> None:
        files = self.choose_files()
        if files:
            self.attach_requested.emit(files)
        self.focus_edit()

    @QtCore.Slot(object)
    def _on_edit_files_pasted(self, files: list[Path]) -> None:
        self.attach_requested.emit(files)
