"""Settings → Documents: the library's folders (add, remove, read again), their indexing, and the embedding model.

The folder list and the progress come from the documents controller (``DocumentsController``): each
folder's files, pages and state; while a run goes, a bar with files, pages and the time left, which
says "paused" while an answer is being written. Folder changes act at once (like Data's restore);
the embedding model is a setting, saved with the dialog (``apply``). The choice lists the installed
models that embed (``installed_embedders``, read off the GUI thread); with none, the page
offers to download the first recommended embedder (``download_requested``), which is chosen when ready.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6 import QtCore, QtWidgets

from app.core.config.settings import Settings
from app.core.documents.indexer import IndexProgress
from app.core.documents.library import FolderStatus
from app.core.errors import AppError
from app.core.models.installed import ModelEntry
from app.core.models.recommended import RecommendedModel, load_recommended
from app.ui.common.i18n import error_text, model_label, size_text
from app.ui.common.narrow import ShrinkingComboBox, SideBySide
from app.ui.controllers.documents_controller import DocumentsController


def recommended_embedder() -> RecommendedModel | None:
    """The first embedder of the recommended list (multilingual first), which the page offers to download."""
    try:
        listed = load_recommended(kind="embedding")
    except AppError:
        listed = []
    return listed[0] if listed else None


def seconds_text(seconds: float | None) -> str:
    translate = QtCore.QCoreApplication.translate
    if seconds is None:
        return translate("DocumentsTab", "working out the time left")
    if seconds < 60:
        return translate("DocumentsTab", "less than a minute left")
    return translate("DocumentsTab", "about {minutes} min left").format(minutes=round(seconds / 60))


def progress_text(progress: IndexProgress, paused: bool) -> str:
    """ "Indexing notes: 12 of 40 files, 230 pages, about 2 min left" (or "paused while an answer is written")."""
    translate = QtCore.QCoreApplication.translate
    name = QtCore.QFileInfo(progress.folder).fileName() or progress.folder
    text = translate("DocumentsTab", "Indexing {folder}: {done} of {total} files, {pages} pages").format(
        folder=name, done=progress.files_done, total=progress.files_total, pages=progress.pages_done
    )
    if paused:
        return text + " · " + translate("DocumentsTab", "paused while an answer is written")
    return text + " · " + seconds_text(progress.seconds_left)


def folder_text(status: FolderStatus) -> str:
    translate = QtCore.QCoreApplication.translate
    states = {
        "indexing": translate("DocumentsTab", "indexing"),
        "ready": translate("DocumentsTab", "ready"),
        "needs embedder": translate("DocumentsTab", "searched by words (no embedding model)"),
        "missing": translate("DocumentsTab", "folder not found"),
    }
    counts = translate("DocumentsTab", "{files} files, {pages} pages").format(files=status.files, pages=status.pages)
    return f"{status.path}\n{counts} · {states.get(status.state, status.state)}"


class DocumentsTab(QtWidgets.QWidget):
    """The Documents page of the Settings dialog. GUI thread only; ``choose_folder`` is a seam for tests."""

    download_requested = QtCore.Signal(object)  # RecommendedModel: the embedder to download

    def __init__(
        self,
        documents: DocumentsController,
        settings: Settings,
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("documentsTab")
        self._documents = documents
        self._chosen = settings.embedding_model

        private = QtWidgets.QLabel(
            self.tr(
                "Your folders are read and searched on this computer; no document, passage or vector leaves it. "
                "A remote model gets only the passages that go into its question."
            ),
            self,
        )
        private.setObjectName("mutedLabel")
        private.setWordWrap(True)
        folders_title = QtWidgets.QLabel(self.tr("Library folders"), self)
        folders_title.setObjectName("sectionTitle")
        self.folder_list = QtWidgets.QListWidget(self)
        self.folder_list.setAccessibleName(self.tr("Library folders"))
        self.folder_list.setWordWrap(True)
        self.add_button = QtWidgets.QPushButton(self.tr("Add folder…"), self)
        self.add_button.setToolTip(self.tr("Add a folder whose documents answers may use"))
        self.remove_button = QtWidgets.QPushButton(self.tr("Remove"), self)
        self.remove_button.setToolTip(self.tr("Remove the folder and everything indexed from it (not its files)"))
        self.reindex_button = QtWidgets.QPushButton(self.tr("Index again"), self)
        self.reindex_button.setToolTip(self.tr("Read every file of the folder again"))
        self.progress_bar = QtWidgets.QProgressBar(self)
        self.progress_bar.setAccessibleName(self.tr("Indexing progress"))
        self.progress_label = QtWidgets.QLabel(self)
        self.progress_label.setWordWrap(True)
        self.error_label = QtWidgets.QLabel(self)
        self.error_label.setObjectName("errorLabel")
        self.error_label.setWordWrap(True)
        self.error_label.hide()

        embed_title = QtWidgets.QLabel(self.tr("Embedding model"), self)
        embed_title.setObjectName("sectionTitle")
        self.embedder_combo = ShrinkingComboBox(self)
        self.embedder_combo.setAccessibleName(self.tr("Embedding model"))
        self.embedder_combo.setToolTip(self.tr("The model that finds passages by meaning, in any language"))
        self.embedder_note = QtWidgets.QLabel(self)
        self.embedder_note.setObjectName("mutedLabel")
        self.embedder_note.setWordWrap(True)
        self._offered = recommended_embedder()
        self.download_button = QtWidgets.QPushButton(self)
        self.download_button.setToolTip(self.tr("Download the recommended embedding model; it is used once ready"))
        if self._offered is not None:
            # The note under it names the model; a button's words cannot wrap, so at the largest text
            # size a name in it would make the page scroll sideways.
            size = size_text(self._offered.size_bytes)
            self.download_button.setText(self.tr("Download ({size})").format(size=size))
            self.download_button.setAccessibleName(
                self.tr("Download {model} ({size})").format(model=self._offered.name, size=size)
            )

        buttons = SideBySide(self.add_button, self.remove_button, self.reindex_button, spread=False, parent=self)
        embedder_row = SideBySide(self.embedder_combo, self.download_button, parent=self)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(private)
        layout.addWidget(folders_title)
        layout.addWidget(self.folder_list, 1)
        layout.addWidget(buttons)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.error_label)
        layout.addWidget(embed_title)
        layout.addWidget(embedder_row)
        layout.addWidget(self.embedder_note)

        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        self.reindex_button.clicked.connect(self._on_reindex_button_clicked)
        self.download_button.clicked.connect(self._on_download_button_clicked)
        self.folder_list.currentRowChanged.connect(self._update_buttons)
        documents.folders_changed.connect(self._show_folders)
        documents.index_progressed.connect(self._show_progress)
        documents.indexing_changed.connect(self._on_documents_indexing_changed)
        documents.paused_changed.connect(self._on_documents_paused_changed)
        documents.error_reported.connect(self._on_documents_error_reported)
        self._show_embedders([])
        documents.embedders_found.connect(self._show_embedders)  # Qt lets go of it when the page is deleted
        documents.find_embedders()
        self._show_folders()
        self._on_documents_indexing_changed(documents.indexing)

    # -- what Save takes -------------------------------------------------------------------------

    def apply(self, values: Settings) -> Settings:
        """``values`` with the embedding model chosen here."""
        chosen = self.embedder_combo.currentData()
        if not isinstance(chosen, str) and not self.download_button.isEnabled():
            # The embedder downloaded from here may be ready (and chosen) by now: keep that choice.
            chosen = self._documents.embedding_model()
        return replace(values, embedding_model=chosen if isinstance(chosen, str) else None)

    def choose_folder(self) -> str:
        return QtWidgets.QFileDialog.getExistingDirectory(self, self.tr("Add a library folder"))

    # -- showing ---------------------------------------------------------------------------------

    @QtCore.Slot()
    def _show_folders(self) -> None:
        current = self._current_folder()
        self.folder_list.clear()
        for status in self._documents.folders():
            item = QtWidgets.QListWidgetItem(folder_text(status))
            item.setData(QtCore.Qt.ItemDataRole.UserRole, status.path)
            self.folder_list.addItem(item)
            if status.path == current:
                self.folder_list.setCurrentItem(item)
        if self.folder_list.count() == 0:
            self.progress_label.setText(self.tr("No folders yet: add one, and answers can use what is in it."))
        self._update_buttons()

    @QtCore.Slot(object)
    def _show_embedders(self, embedders: list[ModelEntry]) -> None:
        self.embedder_combo.clear()
        self.embedder_combo.addItem(self.tr("None: search by words only"), None)
        names = [entry.name for entry in embedders]
        for entry in embedders:
            self.embedder_combo.addItem(model_label(entry.name), entry.name)
        if self._chosen and self._chosen not in names:
            self.embedder_combo.addItem(model_label(self._chosen), self._chosen)  # chosen before, e.g. remote
        index = self.embedder_combo.findData(self._chosen)
        self.embedder_combo.setCurrentIndex(max(0, index))
        if self.embedder_combo.count() > 1:
            self.embedder_note.setText(self.tr("Passages are found by meaning as well as by words."))
            self.download_button.hide()
        else:
            self.embedder_note.setText(
                self.tr(
                    "No embedding model is installed: the library is searched by words only, and attached files "
                    "that fit are still read whole. Download {model} to find passages by meaning, in any language."
                ).format(model=self._offered.name if self._offered is not None else "BGE-M3")
            )
            self.download_button.setVisible(self._offered is not None)

    def _on_download_button_clicked(self) -> None:
        if self._offered is not None:
            self.download_button.setEnabled(False)
            self.embedder_note.setText(
                self.tr("{model} is downloading (see the sidebar); the library uses it as soon as it is ready.").format(
                    model=self._offered.name
                )
            )
            self.download_requested.emit(self._offered)

    def _show_progress(self, progress: IndexProgress) -> None:
        self.progress_bar.setRange(0, max(1, progress.files_total))
        self.progress_bar.setValue(progress.files_done)
        self.progress_label.setText(progress_text(progress, self._documents.paused))

    def _current_folder(self) -> str | None:
        item = self.folder_list.currentItem()
        value = item.data(QtCore.Qt.ItemDataRole.UserRole) if item is not None else None
        return value if isinstance(value, str) else None

    @QtCore.Slot()
    def _update_buttons(self) -> None:
        chosen = self._current_folder() is not None
        self.remove_button.setEnabled(chosen)
        self.reindex_button.setEnabled(chosen)

    # -- slots -----------------------------------------------------------------------------------

    @QtCore.Slot()
    def _on_add_button_clicked(self) -> None:
        folder = self.choose_folder()
        if folder:
            self.error_label.hide()
            self._documents.add_folder(folder)

    @QtCore.Slot()
    def _on_remove_button_clicked(self) -> None:
        folder = self._current_folder()
        if folder is not None:
            self._documents.remove_folder(folder)

    @QtCore.Slot()
    def _on_reindex_button_clicked(self) -> None:
        folder = self._current_folder()
        if folder is not None:
            self._documents.reindex(folder)

    @QtCore.Slot(bool)
    def _on_documents_indexing_changed(self, indexing: bool) -> None:
        self.progress_bar.setVisible(indexing)
        if indexing:
            self.progress_bar.setRange(0, 0)  # busy until the first count arrives
            last = self._documents.last_progress
            if last is not None:
                self._show_progress(last)
            else:
                self.progress_label.setText(self.tr("Looking for documents…"))
        elif self.folder_list.count():
            self.progress_label.setText(self.tr("Every folder is up to date."))

    @QtCore.Slot(bool)
    def _on_documents_paused_changed(self, paused: bool) -> None:
        del paused
        last = self._documents.last_progress
        if last is not None:
            self._show_progress(last)

    @QtCore.Slot(object)
    def _on_documents_error_reported(self, error: AppError) -> None:
        self.error_label.setText(error_text(error))
        self.error_label.show()
