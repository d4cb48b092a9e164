"""The "Get models" page: the recommended models, and a search of the Hugging Face Hub for GGUF repos.

Typing searches (debounced); a result whose architecture (as the Hub read it from the GGUF header)
this llama.cpp does not know is marked "needs a newer Parley", and its files cannot be downloaded; a
repo lists its GGUF models, a split model as one row, each with a fit badge and a Download button;
an unreachable Hub gets the mirror offer (``mirror``). The rule: every Hub call is a ``BackgroundOp``
on the window's executor, so the window never waits on the network.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from app.core.errors import AppError, ArchitectureUnknownError, HubGatedRepoError
from app.core.models import fit, hub
from app.core.models.gguf import split_name
from app.core.models.library import human_size
from app.core.models.recommended import RecommendedModel
from app.core.models.registry import ModelRegistry
from app.ui.common.background import BackgroundExecutor, BackgroundOp
from app.ui.common.banner import Banner
from app.ui.common.i18n import error_text
from app.ui.common.narrow import WrappingLabel
from app.ui.controllers.download_controller import DownloadController, job_key
from app.ui.models.fit_badge import FitBadge
from app.ui.models.mirror import MirrorOffer
from app.ui.models.recommended_list import RecommendedList, fit_download_button

SEARCH_DELAY_MS = 350
_REPO_ROLE = QtCore.Qt.ItemDataRole.UserRole


def model_display_name(model: hub.GgufModelFile) -> str:
    """A file's name without folders; a split model's common stem and its number of parts."""
    name = model.name.rsplit("/", 1)[-1]
    split = split_name(name)
    if split is None or not model.is_split:
        return name
    return QtCore.QCoreApplication.translate("FindModelsPage", "{name} ({count} parts)").format(
        name=split.stem, count=len(model.parts)
    )


class FindModelsPage(QtWidgets.QWidget):
    """Hub search and repo files. GUI thread only; the Hub is asked on worker threads."""

    back_requested = QtCore.Signal()

    def __init__(
        self,
        manager: DownloadController,
        registry: ModelRegistry,
        executor: BackgroundExecutor,
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("findModelsPage")
        self._manager = manager
        self._registry = registry  # what is installed (the window refreshes the page when that changes)
        self._executor = executor
        self._machine: fit.MachineProfile | None = None
        self._search_op: BackgroundOp[list[hub.RepoSummary]] | None = None  # a newer search cancels it
        self._listing_op: BackgroundOp[hub.RepoFiles] | None = None
        self._listing: hub.RepoFiles | None = None
        self._installed: set[tuple[str, str]] = set()
        self._buttons: dict[str, QtWidgets.QPushButton] = {}  # job key → the file's Download button
        self._mirror: MirrorOffer | None = None
        self._badges: dict[str, FitBadge] = {}  # file name → its badge
        self._debounce = QtCore.QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._build()
        self._connect()
        self._set_status(self.tr("Type a model's name, such as “qwen” or “llama”."))

    # -- building -------------------------------------------------------------------------------

    def _build(self) -> None:
        title = QtWidgets.QLabel(self.tr("Get models"), self)
        title.setObjectName("pageTitle")
        self.back_button = QtWidgets.QPushButton(self.tr("Back"), self)
        self.back_button.setObjectName("backButton")
        header = QtWidgets.QHBoxLayout()
        header.addWidget(title, 1)
        header.addWidget(self.back_button)

        self.search_edit = QtWidgets.QLineEdit(self)
        self.search_edit.setObjectName("searchEdit")
        self.search_edit.setAccessibleName(self.tr("Search the Hub"))
        self.search_edit.setPlaceholderText(self.tr("Search the Hugging Face Hub for GGUF models"))
        self.search_edit.setClearButtonEnabled(True)
        self.status_label = QtWidgets.QLabel(self)
        self.status_label.setObjectName("mutedLabel")
        self.status_label.setWordWrap(True)
        # Its own banner: the window's sits on the chat page, hidden while this page shows.
        self.banner = Banner(self)

        self.results = QtWidgets.QTreeWidget(self)
        self.results.setObjectName("hubResults")
        self.results.setAccessibleName(self.tr("Search results"))
        self.results.setRootIsDecorated(False)
        self.results.setUniformRowHeights(True)
        self.results.setHeaderLabels([self.tr("Repository"), self.tr("Downloads"), self.tr("Likes")])
        results_header = self.results.header()
        results_header.setStretchLastSection(False)
        results_header.setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            results_header.setSectionResizeMode(column, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)

        self.repo_label = WrappingLabel(parent=self)  # "Select a repository to see its models" at 18 pt
        self.repo_label.setObjectName("sectionTitle")
        self.repo_label.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        self.repo_note = QtWidgets.QLabel(self)
        self.repo_note.setObjectName("repoNote")
        self.repo_note.setWordWrap(True)
        self.repo_note.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        self.repo_note.hide()
        self.files = QtWidgets.QTreeWidget(self)
        self.files.setObjectName("hubFiles")
        self.files.setAccessibleName(self.tr("Files in the repository"))
        self.files.setRootIsDecorated(False)
        self.files.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.NoSelection)
        self.files.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.files.setHeaderLabels([self.tr("Model"), self.tr("Quantization"), self.tr("Size"), self.tr("Fit"), ""])
        files_header = self.files.header()
        files_header.setStretchLastSection(False)
        files_header.setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3, 4):
            files_header.setSectionResizeMode(column, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)

        files_box = QtWidgets.QWidget(self)
        files_layout = QtWidgets.QVBoxLayout(files_box)
        files_layout.setContentsMargins(0, 8, 0, 0)
        files_layout.setSpacing(6)
        files_layout.addWidget(self.repo_label)
        files_layout.addWidget(self.repo_note)
        files_layout.addWidget(self.files, 1)
        self.splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical, self)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.results)
        self.splitter.addWidget(files_box)
        self.splitter.setSizes([220, 380])

        self.recommended = RecommendedList(self)
        self.recommended_title = QtWidgets.QLabel(self.tr("Recommended models"), self)
        self.recommended_title.setObjectName("sectionTitle")
        recommended_box = QtWidgets.QWidget(self)
        recommended_box.setObjectName("findRecommended")
        recommended_layout = QtWidgets.QVBoxLayout(recommended_box)
        recommended_layout.setContentsMargins(0, 0, 8, 0)
        recommended_layout.addWidget(self.recommended_title)
        recommended_layout.addWidget(self.recommended)
        recommended_layout.addStretch(1)
        self.recommended_scroll = QtWidgets.QScrollArea(self)
        self.recommended_scroll.setObjectName("welcomeScroll")
        self.recommended_scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.recommended_scroll.setWidgetResizable(True)
        self.recommended_scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.recommended_scroll.setWidget(recommended_box)
        self.body = QtWidgets.QStackedWidget(self)
        self.body.addWidget(self.recommended_scroll)
        self.body.addWidget(self.splitter)

        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(20, 14, 20, 8)
        layout.setSpacing(8)
        layout.addLayout(header)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.status_label)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.banner)
        self._show_files(None)

    def _connect(self) -> None:
        self.back_button.clicked.connect(self._on_back_button_clicked)
        self.search_edit.textEdited.connect(self._on_search_edit_text_edited)
        self.search_edit.returnPressed.connect(self._on_search_edit_return_pressed)
        self._debounce.timeout.connect(self._on_debounce_timeout)
        self.results.currentItemChanged.connect(self._on_results_current_item_changed)
        manager = self._manager
        self.recommended.attach(manager)
        self.recommended.download_requested.connect(self._on_recommended_download_requested)
        manager.download_updated.connect(self._on_manager_download_updated)
        manager.download_finished.connect(self._on_manager_download_finished)

    # -- public ---------------------------------------------------------------------------------

    def set_machine(self, machine: fit.MachineProfile | None) -> None:
        """The computer the badges are for; None measures this one."""
        self._machine = machine
        self.recommended.set_machine(machine)
        self._update_badges()

    def attach_mirror(self, mirror: MirrorOffer) -> None:
        """Where the Hub cannot be reached, the banner offers ``mirror`` and searches again with it."""
        self._mirror = mirror

    def shows_recommended(self) -> bool:
        return self.body.currentWidget() is self.recommended_scroll

    def focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    def search(self, text: str) -> None:
        """Searches the Hub for ``text`` now; an earlier search still running is forgotten."""
        self._debounce.stop()
        if self._search_op is not None:
            self._search_op.cancel()
        # A new search starts clean: no files, buttons or errors left from the repo opened before.
        if self._listing_op is not None:
            self._listing_op.cancel()
            self._listing_op = None
        self._show_files(None)
        self.banner.hide()
        query = text.strip()
        if not query:
            self._search_op = None
            self.results.clear()
            self.body.setCurrentWidget(self.recommended_scroll)
            self._set_status(self.tr("Type a model's name, such as “qwen” or “llama”."))
            return
        self.body.setCurrentWidget(self.splitter)
        config = self._manager.hub_config()
        self._set_status(self.tr("Searching the Hub for “{query}”…").format(query=query))
        self._search_op = (
            BackgroundOp(run=lambda: hub.search_models(query, config=config))
            .on_success(lambda found: self._searched(query, found))
            .on_failure(lambda error: self._search_failed(query, error))
            .start(self._executor)
        )

    def open_repo(self, repo: str) -> None:
        """Lists the GGUF models in ``repo`` (in the background)."""
        if self._listing_op is not None:
            self._listing_op.cancel()
        config = self._manager.hub_config()
        self._show_files(None)
        self.repo_label.setText(repo)
        self._set_note(self.tr("Listing the files of {repo}…").format(repo=repo), warning=False)
        self._listing_op = (
            BackgroundOp(run=lambda: hub.list_gguf_files(repo, config=config))
            .on_success(self._listed)
            .on_failure(self._listing_failed)
            .start(self._executor)
        )

    def result_repos(self) -> list[str]:
        items = (self.results.topLevelItem(row) for row in range(self.results.topLevelItemCount()))
        return [str(item.data(0, _REPO_ROLE)) for item in items if item is not None]

    def file_names(self) -> list[str]:
        """The file each row downloads (a split model's first part)."""
        return [model.name for model in self._listing.models] if self._listing is not None else []

    def download_button(self, name: str) -> QtWidgets.QPushButton | None:
        if self._listing is None:
            return None
        return self._buttons.get(job_key(self._listing.repo, name))

    def badge(self, name: str) -> FitBadge | None:
        return self._badges.get(name)

    def refresh_installed(self) -> None:
        """The installed models changed (a download, a removal, a damaged copy found): the buttons follow."""
        self._installed = self._installed_models()
        for key in list(self._buttons):
            self._update_button(key)

    def shutdown(self) -> None:
        self._debounce.stop()
        for op in (self._search_op, self._listing_op):
            if op is not None:
                op.cancel()

    # -- outcomes -------------------------------------------------------------------------------

    def _searched(self, query: str, found: list[hub.RepoSummary]) -> None:
        self._search_op = None
        self.results.clear()
        locale = QtCore.QLocale()
        for summary in found:
            name = summary.repo + (self.tr(" (gated)") if summary.gated else "")
            if summary.needs_newer_parley:  # the Hub read its GGUF header: this llama.cpp cannot load it
                name = self.tr("{repo} — needs a newer Parley").format(repo=name)
            item = QtWidgets.QTreeWidgetItem([name, locale.toString(summary.downloads), locale.toString(summary.likes)])
            item.setData(0, _REPO_ROLE, summary.repo)
            item.setToolTip(0, error_text(ArchitectureUnknownError(architecture=summary.architecture or ""))
                            if summary.needs_newer_parley else summary.repo)
            for column in (1, 2):
                item.setTextAlignment(column, QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter)
            self.results.addTopLevelItem(item)
        if found:
            self._set_status(self.tr("GGUF repositories for “{query}”: {count}").format(query=query, count=len(found)))
        else:
            self._set_status(
                self.tr(
                    "No GGUF models match “{query}”. Try a shorter name (such as “qwen”), or clear the search "
                    "to see the recommended models."
                ).format(query=query)
            )

    def _search_failed(self, query: str, error: AppError) -> None:
        self._search_op = None
        self._set_status(self.tr("The search did not work."))
        if self._mirror is None or not self._mirror.offer(self.banner, error, lambda: self.search(query)):
            self.banner.show_error(error)

    def _listed(self, listing: hub.RepoFiles) -> None:
        self._listing_op = None
        self._show_files(listing)

    def _listing_failed(self, error: AppError) -> None:
        self._listing_op = None
        self._set_note(error_text(error), warning=True)
        repo = self.repo_label.text()
        if self._mirror is None or not self._mirror.offer(self.banner, error, lambda: self.open_repo(repo)):
            self.banner.show_error(error)

    # -- the files of a repo --------------------------------------------------------------------

    def _show_files(self, listing: hub.RepoFiles | None) -> None:
        self._listing = listing
        self.files.clear()
        self._buttons.clear()
        self._badges.clear()
        if listing is None:
            self.repo_label.setText(self.tr("Select a repository to see its models"))
            self._set_note("", warning=False)
            return
        self.repo_label.setText(listing.repo)
        self._installed = self._installed_models()
        for model in listing.models:
            self._add_file_row(listing, model)
        notes = []
        if listing.gated and self._manager.hub_config().token is None:
            notes.append(error_text(HubGatedRepoError(repo=listing.repo)))
        if listing.needs_newer_parley:
            notes.append(error_text(ArchitectureUnknownError(architecture=listing.architecture or "")))
        if not listing.models:
            notes.append(self.tr("This repository has no GGUF model files."))
        if listing.incomplete:
            notes.append(
                self.tr("Not offered, because parts are missing from the repository: {files}").format(
                    files=", ".join(listing.incomplete)
                )
            )
        self._set_note(" ".join(notes), warning=bool(notes) and (listing.gated or listing.needs_newer_parley))
        self._update_badges()

    def _add_file_row(self, listing: hub.RepoFiles, model: hub.GgufModelFile) -> None:
        item = QtWidgets.QTreeWidgetItem(
            [model_display_name(model), model.quantization or "—", human_size(model.size), "", ""]
        )
        item.setToolTip(0, "\n".join(part.name for part in model.parts))
        item.setTextAlignment(2, QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter)
        self.files.addTopLevelItem(item)
        badge = FitBadge()
        self._badges[model.name] = badge
        self.files.setItemWidget(item, 3, _padded(badge))
        button = QtWidgets.QPushButton(self.tr("Download"))
        button.setObjectName("downloadModelButton")
        fit_download_button(button)
        button.setToolTip(self.tr("Download {file} from {repo}").format(file=model.name, repo=listing.repo))
        button.clicked.connect(lambda _checked=False, model=model: self._download(model))
        key = job_key(listing.repo, model.name)
        self._buttons[key] = button
        self.files.setItemWidget(item, 4, _padded(button))
        self._update_button(key)

    def _download(self, model: hub.GgufModelFile) -> None:
        if self._listing is None:
            return
        name = model_display_name(model)
        self._manager.start(self._listing.repo, model.name, revision=self._listing.commit, label=name)

    def _update_badges(self) -> None:
        if self._listing is None:
            return
        machine = self._machine or fit.MachineProfile.detect()
        n_ctx = self._manager.settings().n_ctx
        for model in self._listing.models:
            badge = self._badges.get(model.name)
            if badge is not None:
                badge.set_estimate(fit.estimate_for_download(model.size, n_ctx, machine))

    def _update_button(self, key: str) -> None:
        button = self._buttons.get(key)
        if button is None or self._listing is None:
            return
        job = self._manager.job(key)
        repo, _, name = key.partition("::")
        if self._listing.needs_newer_parley:  # it would download, then fail to load
            button.setText(self.tr("Needs a newer Parley"))
            button.setEnabled(False)
        elif job is not None and job.is_active:
            percent = round(100 * job.done_bytes / job.total_bytes) if job.total_bytes else 0
            button.setText(self.tr("Downloading… {percent}%").format(percent=percent))
            button.setEnabled(False)
        elif job is not None:
            button.setText(self.tr("Resume"))
            button.setEnabled(True)
        elif (repo, name) in self._installed:
            button.setText(self.tr("Installed"))
            button.setEnabled(False)
        else:
            button.setText(self.tr("Download"))
            button.setEnabled(True)

    def _installed_models(self) -> set[tuple[str, str]]:
        entries = self._registry.models()
        # A damaged copy does not count: its Download button fetches it again.
        return {
            (e.provenance.repo, e.provenance.files[0])
            for e in entries
            if e.provenance and e.provenance.files and not e.damage
        }

    def _set_status(self, text: str) -> None:
        self.status_label.setText(text)

    def _set_note(self, text: str, *, warning: bool) -> None:
        self.repo_note.setText(text)
        self.repo_note.setProperty("warning", warning)
        self.repo_note.style().unpolish(self.repo_note)
        self.repo_note.style().polish(self.repo_note)
        self.repo_note.setVisible(bool(text))

    # -- slots ----------------------------------------------------------------------------------

    @QtCore.Slot()
    def _on_back_button_clicked(self) -> None:
        self.back_requested.emit()

    @QtCore.Slot(str)
    def _on_search_edit_text_edited(self, text: str) -> None:
        del text
        self._debounce.start()

    @QtCore.Slot()
    def _on_search_edit_return_pressed(self) -> None:
        self.search(self.search_edit.text())

    @QtCore.Slot()
    def _on_debounce_timeout(self) -> None:
        self.search(self.search_edit.text())

    @QtCore.Slot(QtWidgets.QTreeWidgetItem, QtWidgets.QTreeWidgetItem)
    def _on_results_current_item_changed(
        self, current: QtWidgets.QTreeWidgetItem | None, previous: QtWidgets.QTreeWidgetItem | None
    ) -> None:
        del previous
        if current is not None:
            self.open_repo(str(current.data(0, _REPO_ROLE)))

    @QtCore.Slot(object)
    def _on_recommended_download_requested(self, model: RecommendedModel) -> None:
        self._manager.start(model.repo, model.file, label=model.name, quantization=model.quantization)

    @QtCore.Slot(str)
    def _on_manager_download_updated(self, key: str) -> None:
        self._update_button(key)

    @QtCore.Slot(str, object)
    def _on_manager_download_finished(self, key: str, result: object) -> None:
        # The window refreshes the registry when a download is installed, and then this page
        # (refresh_installed), in the same delivery of this signal.
        del result
        self._update_button(key)


def _padded(widget: QtWidgets.QWidget) -> QtWidgets.QWidget:
    """``widget`` centred in a cell of the files list, with a little room around it."""
    holder = QtWidgets.QWidget()
    layout = QtWidgets.QHBoxLayout(holder)
    layout.setContentsMargins(4, 3, 4, 3)
    layout.addWidget(widget, 0, QtCore.Qt.AlignmentFlag.AlignVCenter)
    return holder
