"""The Models page's "Check for updates": asks the Hub about each downloaded model, then offers the update.

The check runs off the GUI thread (``downloads.newer_revision`` for every model downloaded from the
Hub, one request each). What it finds is said in the page's banner with an "Update" button; only
that button starts a download (the same repo and file at the new commit), and the download replaces
the installed file only once the new one is whole and verified. Nothing is replaced without asking.
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtWidgets

from app.core.errors import AppError
from app.core.models import downloads
from app.core.models.installed import ModelEntry
from app.ui.common.background import BackgroundExecutor, BackgroundOp
from app.ui.common.banner import Banner
from app.ui.common.i18n import model_label
from app.ui.controllers.download_controller import DownloadController


class UpdateChecker(QtCore.QObject):
    """Owns the check's button; the page lays it out and hands over its banner."""

    checked = QtCore.Signal(object)  # list[downloads.NewerRevision]: what the last check found

    def __init__(self, executor: BackgroundExecutor, banner: Banner, parent: QtWidgets.QWidget) -> None:
        super().__init__(parent)
        self._executor = executor
        self._banner = banner
        self._downloads: DownloadController | None = None
        self._op: BackgroundOp[list[downloads.NewerRevision]] | None = None
        self.found: list[downloads.NewerRevision] = []
        self.button = QtWidgets.QPushButton(parent)
        self.button.setObjectName("modelButton")
        self.button.clicked.connect(self._on_button_clicked)
        self.entries: list[ModelEntry] = []  # the page keeps this up to date
        self.retranslate()

    def retranslate(self) -> None:
        self.button.setText(self.tr("Check for updates"))
        self.button.setToolTip(self.tr("Ask the Hugging Face Hub whether downloaded models have a newer version"))

    def attach_downloads(self, manager: DownloadController) -> None:
        self._downloads = manager
        self._update_button()

    def check(self) -> None:
        """Starts a check of every model downloaded from the Hub."""
        paths = [entry.path for entry in self.entries if entry.provenance is not None and entry.provenance.repo]
        if self._op is not None or self._downloads is None:
            return
        if not paths:
            self._banner.show_notice(self.tr("No model here was downloaded from the Hugging Face Hub."))
            return
        config = self._downloads.hub_config()
        self.button.setEnabled(False)
        self.button.setText(self.tr("Checking…"))

        def run() -> list[downloads.NewerRevision]:
            found = [downloads.newer_revision(path, config=config) for path in paths]
            return [newer for newer in found if newer is not None]

        self._op = BackgroundOp(run=run).on_success(self._on_checked).on_failure(self._on_failed)
        self._op.on_end(self._on_ended).start(self._executor)

    def update_all(self) -> None:
        """Downloads every update found; each replaces its model once it is verified."""
        if self._downloads is None:
            return
        for newer in self.found:
            self._downloads.start(newer.repo, newer.file, revision=newer.commit, label=model_label(newer.file))
        self.found = []

    def _on_checked(self, found: list[downloads.NewerRevision]) -> None:
        self.found = found
        if not found:
            self._banner.show_notice(self.tr("Every downloaded model is up to date."))
        else:
            names = ", ".join(model_label(Path(newer.model_path).name) for newer in found)
            self._banner.show_notice(
                self.tr("A newer version is on the Hub for: {models}.").format(models=names),
                action=self.tr("Update"),
                on_action=self.update_all,
            )
        self.checked.emit(found)

    def _on_failed(self, error: AppError) -> None:
        self._banner.show_error(error)
        self.checked.emit([])

    def _on_ended(self) -> None:
        self._op = None
        self.retranslate()
        self._update_button()

    def _update_button(self) -> None:
        self.button.setEnabled(self._downloads is not None and self._op is None)

    @QtCore.Slot()
    def _on_button_clicked(self) -> None:
        self.check()
