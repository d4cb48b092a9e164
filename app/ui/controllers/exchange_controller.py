"""Export and import of conversations from the window (the CLI's ``history export|import``).

One conversation goes out as Markdown (the branch on screen) or JSON (every branch), from the
sidebar's context menu; all of them as one JSON file, and an import of a Parley export or of
ChatGPT's ``conversations.json``, from Settings → Data. ``app.core.history.exchange`` does the work; this
asks where (``choose_save_path``, ``choose_open_path``) and, when some conversations of an
import are here already, whether to skip them or import them as copies (``ask_on_conflict``):
the seams tests replace. Each action returns the sentence that says what happened (None when the
user cancelled) and raises ``AppError`` for the caller to show where the user is looking.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from PySide6 import QtCore, QtWidgets

from app.core.errors import HistoryExportError
from app.core.history import exchange
from app.core.history.exchange import ImportReport, OnConflict
from app.core.history.store import Store

ExportFormat = Literal["md", "json"]
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def file_stem(title: str) -> str:
    """A file name made from a conversation's title (any language), without the characters file systems refuse."""
    stem = _UNSAFE.sub(" ", title).strip().strip(".")
    return " ".join(stem.split())[:80] or "conversation"


class ExchangeController(QtCore.QObject):
    """GUI thread only. ``history_imported`` tells whoever lists conversations to read them again."""

    history_imported = QtCore.Signal(object)  # ImportReport

    def __init__(self, store: Store, window: QtWidgets.QWidget) -> None:
        super().__init__(window)
        self._store = store
        self._window = window
        self._folder = Path.home()  # the folder of the last file chosen

    # -- seams: tests replace these -------------------------------------------------------------

    def choose_save_path(self, parent: QtWidgets.QWidget, suggested: Path, fmt: ExportFormat) -> Path | None:
        """Asks where to write an export; None when the user cancels."""
        title = self.tr("Export as Markdown") if fmt == "md" else self.tr("Export as JSON")
        name_filter = self.tr("Markdown (*.md)") if fmt == "md" else self.tr("JSON (*.json)")
        path, _ = QtWidgets.QFileDialog.getSaveFileName(parent, title, str(suggested), name_filter)
        return Path(path) if path else None

    def choose_open_path(self, parent: QtWidgets.QWidget) -> Path | None:
        """Asks for a Parley export or ChatGPT's conversations.json; None when the user cancels."""
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            parent,
            self.tr("Import conversations"),
            str(self._folder),
            self.tr("Conversation exports (*.json);;All files (*)"),
        )
        return Path(path) if path else None

    def ask_on_conflict(self, parent: QtWidgets.QWidget, present: int, total: int) -> OnConflict | None:
        """Some conversations of the file are here already: skip them, or import them as copies? None cancels."""
        box = QtWidgets.QMessageBox(parent)
        box.setIcon(QtWidgets.QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Import conversations"))
        box.setText(
            self.tr("{present} of the {total} conversations in this file are already here.").format(
                present=present, total=total
            )
        )
        box.setInformativeText(self.tr("Skip them, or import them again as copies?"))
        skip = box.addButton(self.tr("Skip them"), QtWidgets.QMessageBox.ButtonRole.AcceptRole)
        copy = box.addButton(self.tr("Import as copies"), QtWidgets.QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QtWidgets.QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(skip)
        box.exec()
        clicked = box.clickedButton()
        return "skip" if clicked is skip else "copy" if clicked is copy else None

    # -- actions --------------------------------------------------------------------------------

    def export_conversation(
        self, conversation_id: int, fmt: ExportFormat, parent: QtWidgets.QWidget | None = None
    ) -> str | None:
        """Writes one conversation as Markdown (the branch on screen) or JSON (every branch)."""
        conversation = self._store.conversation(conversation_id)
        suggested = self._folder / f"{file_stem(conversation.title)}.{fmt}"
        path = self.choose_save_path(parent or self._window, suggested, fmt)
        if path is None:
            return None
        if fmt == "md":
            text = exchange.export_markdown(self._store, conversation_id)
        else:
            text = exchange.export_json(self._store, [conversation_id])
        self._write(path, text)
        return self.tr("“{title}” was exported to {path}.").format(title=conversation.title, path=path)

    def export_all(self, parent: QtWidgets.QWidget | None = None) -> str | None:
        """Writes every conversation, every branch, as one JSON file."""
        date = QtCore.QDate.currentDate().toString("yyyy-MM-dd")
        path = self.choose_save_path(parent or self._window, self._folder / f"parley-history-{date}.json", "json")
        if path is None:
            return None
        count = len(self._store.conversations())
        self._write(path, exchange.export_json(self._store))
        return self.tr("Conversations exported: {count}, to {path}.").format(count=count, path=path)

    def import_history(self, parent: QtWidgets.QWidget | None = None) -> str | None:
        """Reads a Parley export or ChatGPT's conversations.json into the history."""
        parent = parent or self._window
        path = self.choose_open_path(parent)
        if path is None:
            return None
        self._folder = path.parent
        document = exchange.read_document(path)  # HistoryFileError when it is neither
        conversations = document.get("conversations")
        total = len(conversations) if isinstance(conversations, list) else 0
        present = exchange.already_present(self._store, document)
        on_conflict = self.ask_on_conflict(parent, present, total) if present else "skip"
        if on_conflict is None:
            return None
        report = exchange.import_document(self._store, document, path, on_conflict=on_conflict)
        self.history_imported.emit(report)
        return self.report_text(report)

    def report_text(self, report: ImportReport) -> str:
        text = self.tr("Conversations imported: {count}.").format(count=report.imported)
        if report.skipped:
            text += " " + self.tr("Already here, so skipped: {count}.").format(count=report.skipped)
        return text

    # -- helpers --------------------------------------------------------------------------------

    def _write(self, path: Path, text: str) -> None:
        self._folder = path.parent
        try:
            exchange.write(path, text)
        except OSError as exc:
            raise HistoryExportError(path=path, reason=exc.strerror or exc) from exc
