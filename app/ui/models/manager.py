"""The Models page: the installed models (``ModelTable``), and import, delete, use and set as default.

An import is checked (the GGUF header is read off the GUI thread), then copied into the models
folder (off the GUI thread too) or used where it lies, as the user chooses. A file that is not a
usable GGUF is refused with the reason before anything is asked. Every question that would block
(which files, copy or not, delete?, open the folder) is a method tests replace. ``GgufDropFilter``
lets .gguf files dropped anywhere on the window take the same import path. "Check for updates"
(``UpdateChecker``) offers newer revisions of downloaded models.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from app.core import paths
from app.core.errors import AppError, ModelExistsError
from app.core.models import drafts, library
from app.core.models import installed as catalog
from app.core.models.gguf import GgufInfo, read_gguf
from app.core.models.installed import ModelEntry
from app.ui.common.background import BackgroundExecutor, BackgroundOp
from app.ui.common.banner import Banner
from app.ui.common.file_drop import FileDropFilter
from app.ui.common.gpu_text import offload_sentence
from app.ui.common.i18n import error_text, model_label
from app.ui.common.narrow import SideBySide
from app.ui.controllers.models_controller import ModelsController
from app.ui.models.remote_list import RemoteModelsList
from app.ui.models.settings_dialog import ModelSettingsDialog
from app.ui.models.table import ModelTable
from app.ui.models.updates import UpdateChecker


def gguf_files(mime: QtCore.QMimeData) -> list[Path]:
    """The local .gguf files among dragged URLs."""
    if not mime.hasUrls():
        return []
    files = [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
    return [file for file in files if file.suffix.lower() == ".gguf"]


@dataclass(frozen=True)
class _Import:
    source: Path
    copy: bool


def draft_refusal(entry: ModelEntry, draft: ModelEntry | None) -> str | None:
    """Why ``draft`` cannot draft for ``entry``, as the dialog shows it (None: it can)."""
    if draft is None:
        return None
    try:
        drafts.check_draft(entry, draft)
    except AppError as exc:  # DraftVocabularyError, or NotAGgufError for a file that cannot be read
        return error_text(exc)
    return None


class GgufDropFilter(FileDropFilter):
    """Takes drags of .gguf files on the widgets it watches and reports the dropped files."""

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(gguf_files, parent)


class ModelManager(QtWidgets.QWidget):
    """The Models page. GUI thread only."""

    use_requested = QtCore.Signal(object)  # ModelEntry: use it in the current conversation
    default_requested = QtCore.Signal(object)  # ModelEntry: new conversations start with it
    models_changed = QtCore.Signal()  # a model was imported or deleted
    import_finished = QtCore.Signal(object)  # the imported ModelEntry, or None (refused, failed, cancelled)

    def __init__(
        self, controller: ModelsController, executor: BackgroundExecutor, parent: QtWidgets.QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("modelsPage")
        self.setAttribute(QtCore.Qt.WidgetAttribute.WA_StyledBackground, True)  # the page's colour comes from the style
        self._controller = controller
        self._executor = executor
        self._step: BackgroundOp[GgufInfo] | BackgroundOp[library.ImportResult] | None = None  # check, then copy
        self._queue: list[Path] = []
        self._importing: Path | None = None
        self.open_model: ModelEntry | None = None  # the model the open conversation uses (the window says)

        title = QtWidgets.QLabel(self.tr("Models"), self)
        title.setObjectName("pageTitle")
        subtitle = QtWidgets.QLabel(
            self.tr("The models on this computer. Drop a .gguf file anywhere on the window to import it."), self
        )
        subtitle.setObjectName("mutedLabel")
        subtitle.setWordWrap(True)
        self.busy_label = QtWidgets.QLabel(self)
        self.busy_bar = QtWidgets.QProgressBar(self)
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setMaximumWidth(160)
        self.busy_bar.setTextVisible(False)
        self.banner = Banner(self)
        self.updates = UpdateChecker(executor, self.banner, self)  # "Check for updates", then the offer

        self.table = ModelTable(executor, self)
        self.remote_list = RemoteModelsList(self)  # the remote servers' models, beside the installed ones
        self.details = QtWidgets.QLabel(self)
        self.details.setObjectName("mutedLabel")
        self.details.setWordWrap(True)
        self.details.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        self.details.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)

        self.import_button = QtWidgets.QPushButton(self.tr("Import…"), self)
        self.import_button.setToolTip(self.tr("Add a .gguf model file from this computer"))
        self.import_button.setObjectName("modelButton")
        self.delete_button = QtWidgets.QPushButton(self.tr("Delete…"), self)
        self.delete_button.setObjectName("modelButton")
        self.folder_button = QtWidgets.QPushButton(self.tr("Show models folder"), self)
        self.folder_button.setToolTip(str(paths.models_dir()))
        self.folder_button.setObjectName("modelButton")
        self.use_button = QtWidgets.QPushButton(self.tr("Use for this chat"), self)
        self.use_button.setObjectName("useModelButton")
        self.default_button = QtWidgets.QPushButton(self.tr("Set as default"), self)
        self.default_button.setToolTip(self.tr("New conversations start with this model"))
        self.default_button.setObjectName("modelButton")
        self.settings_button = QtWidgets.QPushButton(self.tr("Model settings…"), self)
        self.settings_button.setToolTip(self.tr("Context, GPU layers, threads and chat template for this model"))
        self.settings_button.setObjectName("modelButton")

        self._build_layout(title, subtitle)
        self.import_button.clicked.connect(self._on_import_button_clicked)
        self.delete_button.clicked.connect(self._on_delete_button_clicked)
        self.folder_button.clicked.connect(self._on_folder_button_clicked)
        self.use_button.clicked.connect(self._on_use_button_clicked)
        self.default_button.clicked.connect(self._on_default_button_clicked)
        self.settings_button.clicked.connect(self._on_settings_button_clicked)
        controller.model_loaded.connect(self._on_table_item_selection_changed)
        self.table.itemSelectionChanged.connect(self._on_table_item_selection_changed)
        self.table.entry_activated.connect(self.use_requested)
        self.remote_list.entry_activated.connect(self.use_requested)
        controller.settings_changed.connect(self._on_controller_settings_changed)
        controller.model_removed.connect(self._on_controller_model_removed)
        self._set_busy(None)
        self.refresh()

    def _build_layout(self, title: QtWidgets.QLabel, subtitle: QtWidgets.QLabel) -> None:
        busy = QtWidgets.QHBoxLayout()
        busy.addWidget(self.busy_label)
        busy.addWidget(self.busy_bar)
        busy.addStretch(1)
        busy.addWidget(self.updates.button)  # for every downloaded model: beside the page's own status
        # Two rows, so that every button keeps its whole label in a window 800 pixels wide (the starter's
        # "Remove from list…" is wider than "Delete…"): what to do with the selected model, then the
        # library's own actions with removing one, away from "Use for this chat". Where a row does not fit
        # (a large text size), its buttons go one under the other.
        selected = SideBySide(self.settings_button, self.default_button, self.use_button, spread=False, apart=2)
        library_row = SideBySide(self.import_button, self.folder_button, self.delete_button, spread=False, apart=1)
        # The page scrolls where the window is shorter than it (a large text size on a small screen stacks
        # the buttons), rather than squeezing its rows into each other.
        content = QtWidgets.QWidget(self)
        content.setObjectName("modelsPage")
        scroll = QtWidgets.QScrollArea(self)
        scroll.setObjectName("welcomeScroll")  # the page's background, no frame
        scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        page = QtWidgets.QVBoxLayout(self)
        page.setContentsMargins(0, 0, 0, 0)
        page.addWidget(scroll)
        layout = QtWidgets.QVBoxLayout(content)
        layout.setContentsMargins(24, 18, 24, 16)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addLayout(busy)
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.remote_list)
        layout.addWidget(self.details)
        layout.addWidget(selected)
        layout.addWidget(library_row)
        scroll.setWidget(content)

    # -- seams: tests replace these -------------------------------------------------------------

    def choose_files(self) -> list[Path]:
        """Asks for .gguf files to import; empty when the user cancels."""
        files, _ = QtWidgets.QFileDialog.getOpenFileNames(
            self, self.tr("Import GGUF models"), str(Path.home()), self.tr("GGUF models (*.gguf)")
        )
        return [Path(file) for file in files]

    def ask_copy(self, source: Path, size_bytes: int) -> bool | None:
        """Copy the file into the models folder (True) or use it where it lies (False)? None cancels."""
        box = self.copy_question(source, size_bytes)
        box.exec()
        clicked = box.clickedButton()
        if clicked is None or clicked is box.escapeButton():
            return None
        return clicked is box.defaultButton()

    def copy_question(self, source: Path, size_bytes: int) -> QtWidgets.QMessageBox:
        """The question ``ask_copy`` shows: copy (the default button), use where it lies, or cancel."""
        box = QtWidgets.QMessageBox(self)
        box.setIcon(QtWidgets.QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Import a model"))
        box.setText(self.tr("How should Parley use {name}?").format(name=source.name))
        box.setInformativeText(
            self.tr(
                "A copy in Parley's models folder keeps working when the original is moved or deleted, and "
                "takes {size} more disk space. Used where it lies, the file takes no more space, but Parley "
                "loses it if it moves."
            ).format(size=library.human_size(size_bytes))
        )
        copy_button = box.addButton(self.tr("Copy into the models folder"), QtWidgets.QMessageBox.ButtonRole.AcceptRole)
        box.addButton(self.tr("Use where it lies"), QtWidgets.QMessageBox.ButtonRole.AcceptRole)
        box.setEscapeButton(box.addButton(QtWidgets.QMessageBox.StandardButton.Cancel))
        box.setDefaultButton(copy_button)
        return box

    def delete_question(self, entry: ModelEntry) -> str:
        """What ``confirm_delete`` asks: what goes, and what the open conversation uses instead when it used it."""
        if entry.source == "downloaded":
            text = self.tr("Delete {name}? This frees {size} on the disk and cannot be undone.").format(
                name=entry.name, size=library.human_size(entry.size_bytes)
            )
        else:
            text = self.tr("Remove {name} from the list? The file itself stays at {path}.").format(
                name=entry.name, path=entry.path
            )
        if self.open_model is not None and self.open_model.path == entry.path:
            registry = self._controller.registry
            others = [model for model in registry.models() if model.path != entry.path]
            after = catalog.default_model(self._controller.settings.current.model_name, models=others)
            if after is None:
                text += " " + self.tr("The open conversation uses it, and no other model is installed.")
            else:
                text += " " + self.tr("The open conversation uses it; it will use {other} instead.").format(
                    other=after.name
                )
        return text

    def confirm_delete(self, entry: ModelEntry) -> bool:
        """Asks whether ``entry`` should really be deleted (or, for a file used where it lies, forgotten)."""
        answer = QtWidgets.QMessageBox.question(
            self,
            self.tr("Delete model") if entry.source == "downloaded" else self.tr("Remove model"),
            self.delete_question(entry),
            QtWidgets.QMessageBox.StandardButton.Yes | QtWidgets.QMessageBox.StandardButton.Cancel,
            QtWidgets.QMessageBox.StandardButton.Cancel,
        )
        return answer == QtWidgets.QMessageBox.StandardButton.Yes

    def open_folder(self, folder: Path) -> bool:
        """Shows ``folder`` in the file manager; False when there is none to show it."""
        return QtGui.QDesktopServices.openUrl(QtCore.QUrl.fromLocalFile(str(folder)))

    def run_model_settings(self, dialog: ModelSettingsDialog) -> bool:
        """Shows the per-model settings dialog; True when the user saved."""
        return dialog.exec() == QtWidgets.QDialog.DialogCode.Accepted

    def model_settings_dialog(self, entry: ModelEntry) -> ModelSettingsDialog:
        header = self.table.header_of(entry)
        own = header.chat_template if isinstance(header, GgufInfo) else None
        registry = self._controller.registry
        others = [m for m in registry.models() if not m.server_id and not m.damage]
        return ModelSettingsDialog(
            model_label(entry.name), registry.model_settings.get(str(entry.path)), self._controller.settings.current,
            own, self, [(model_label(m.name), str(m.path)) for m in others],
            lambda path: draft_refusal(entry, next((m for m in others if str(m.path) == path), None)),
        )

    # -- public ---------------------------------------------------------------------------------

    def is_busy(self) -> bool:
        return self._importing is not None

    def refresh(self) -> None:
        """Lists the installed models again (their headers arrive with ``table.refreshed``)."""
        self.updates.entries = self._controller.registry.models()
        self.table.set_entries(self.updates.entries, self._controller.registry.default_model())
        self.remote_list.set_entries(self._controller.registry.remote_models())

    def import_files(self, files: list[Path]) -> None:
        """Imports each file in turn: checked, then copied or used where it lies, as the user says."""
        self._queue.extend(files)
        if self._importing is None:
            self._next_import()

    def delete_selected(self) -> None:
        """Deletes (or forgets) the selected model after asking; the engine lets go of it first."""
        entry = self.table.selected_entry()
        if entry is None or entry.source == "starter" or not self.confirm_delete(entry):
            return
        try:
            self._controller.remove_model(entry)
        except AppError as err:
            self.banner.show_error(err)

    def shutdown(self) -> None:
        """Drops whatever a background read or copy still reports."""
        if self._step is not None:
            self._step.cancel()
        self.table.shutdown()

    # -- import ---------------------------------------------------------------------------------

    def _next_import(self) -> None:
        if not self._queue:
            self._set_busy(None)
            return
        source = self._queue.pop(0).expanduser().absolute()
        self._importing = source
        self._set_busy(self.tr("Checking {name}…").format(name=source.name))
        self._step = (
            BackgroundOp(run=lambda: read_gguf(source))
            .on_success(self._on_import_checked)
            .on_failure(self._on_import_failed)
            .start(self._executor)
        )

    def _ask_how(self, info: GgufInfo) -> _Import | None:
        for entry in self.table.entries():
            if entry.path.resolve() == info.path.resolve():
                self.table.select(entry.path)
                self.banner.show_notice(self.tr("{name} is already installed.").format(name=entry.name))
                return None
        copy = self.ask_copy(info.path, info.file_size)
        if copy is None:
            return None
        target = paths.models_dir() / info.path.name
        if copy and target.exists() and not target.samefile(info.path):
            self.banner.show_error(ModelExistsError(name=target.name, path=info.path))
            return None
        return _Import(info.path, copy)

    def _on_import_checked(self, info: GgufInfo) -> None:
        how = self._ask_how(info)
        if how is None:
            self._import_done(None)
            return
        verb = self.tr("Copying {name} into the models folder…") if how.copy else self.tr("Importing {name}…")
        self._set_busy(verb.format(name=how.source.name))
        self._step = (
            BackgroundOp(run=lambda: library.import_model(how.source, how.copy))
            .on_success(self._on_import_copied)
            .on_failure(self._on_import_failed)
            .start(self._executor)
        )

    def _on_import_copied(self, result: library.ImportResult) -> None:
        try:
            entry = self._controller.add_import(result)
        except AppError as err:
            self._on_import_failed(err)
            return
        self.refresh()
        self.table.select(entry.path)
        how = self.tr("copied into the models folder") if result.copied else self.tr("used where it lies")
        self.banner.show_notice(self.tr("{name} is imported ({how}).").format(name=entry.name, how=how))
        self.models_changed.emit()
        self._import_done(entry)

    def _on_import_failed(self, error: AppError) -> None:
        self.banner.show_error(error)
        self._import_done(None)

    def _import_done(self, entry: ModelEntry | None) -> None:
        self._importing = None
        self.import_finished.emit(entry)
        self._next_import()

    def _set_busy(self, text: str | None) -> None:
        self.busy_label.setText(text or "")
        self.busy_label.setVisible(text is not None)
        self.busy_bar.setVisible(text is not None)
        self.import_button.setEnabled(text is None)

    # -- slots ----------------------------------------------------------------------------------

    @QtCore.Slot(object)
    def _on_controller_model_removed(self, entry: ModelEntry) -> None:
        if entry.source == "downloaded":
            notice = self.tr("{name} is deleted; {size} freed.").format(
                name=entry.name, size=library.human_size(entry.size_bytes)
            )
        else:
            notice = self.tr("{name} is no longer listed. The file itself is still at {path}.").format(
                name=entry.name, path=entry.path
            )
        self.refresh()
        self.banner.show_notice(notice)
        self.models_changed.emit()

    @QtCore.Slot(object)
    def _on_controller_settings_changed(self, settings: object) -> None:
        del settings
        self.refresh()

    def _on_settings_button_clicked(self) -> None:
        entry = self.table.selected_entry()
        if entry is None:
            return
        dialog = self.model_settings_dialog(entry)
        try:
            if self.run_model_settings(dialog):
                self._controller.save_model_settings(entry, dialog.values())
        except AppError as err:
            self.banner.show_error(err)
        finally:
            dialog.deleteLater()

    @QtCore.Slot()
    def _on_table_item_selection_changed(self) -> None:
        entry = self.table.selected_entry()
        for button in (self.delete_button, self.use_button, self.default_button, self.settings_button):
            button.setEnabled(entry is not None)
        if entry is None:
            entries = self.table.entries()
            self.details.setText(
                self.tr("Installed models: {count}, {size} in all.").format(
                    count=len(entries), size=library.human_size(sum(e.size_bytes for e in entries))
                )
            )
            return
        details = self.table.describe(entry)
        loaded = self._controller.last_loaded
        if loaded is not None and loaded.offload is not None and loaded.model.path == str(entry.path):
            details += " · " + offload_sentence(loaded.offload)
        self.details.setText(details)
        removable = entry.source != "starter"
        self.delete_button.setEnabled(removable)
        self.delete_button.setText(self.tr("Delete…") if entry.source == "downloaded" else self.tr("Remove from list…"))
        self.delete_button.setToolTip(
            "" if removable else self.tr("The starter model comes with Parley and cannot be deleted")
        )

    @QtCore.Slot()
    def _on_import_button_clicked(self) -> None:
        files = self.choose_files()
        if files:
            self.import_files(files)

    @QtCore.Slot()
    def _on_delete_button_clicked(self) -> None:
        self.delete_selected()

    @QtCore.Slot()
    def _on_folder_button_clicked(self) -> None:
        folder = paths.models_dir()
        if not self.open_folder(folder):
            self.banner.show_notice(
                self.tr("No file manager could be opened. The models folder is {path}").format(path=folder)
            )

    @QtCore.Slot()
    def _on_use_button_clicked(self) -> None:
        entry = self.table.selected_entry()
        if entry is not None:
            self.use_requested.emit(entry)

    @QtCore.Slot()
    def _on_default_button_clicked(self) -> None:
        entry = self.table.selected_entry()
        if entry is not None:
            self.default_requested.emit(entry)
