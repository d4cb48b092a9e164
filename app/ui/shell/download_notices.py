"""The window's side of downloads: starting one from the welcome panel, and what it says when one ends.

A finished download opens a chat with it (when asked for) or offers "Chat now"; a failed one offers
the Hub's mirror where that may help. News goes to the "Get models" page's banner while it shows.
A download's error that a banner still shows goes away when a download finishes: it is old news, and
it must not come back in the chat that "Chat now" opens.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6 import QtCore

from app.core.engine.embedding import catalog_embedder
from app.core.errors import AppError
from app.core.models.downloads import DownloadResult
from app.core.models.installed import ModelEntry
from app.core.models.recommended import RecommendedModel
from app.ui.chat.page import PageStack
from app.ui.common.banner import Banner
from app.ui.controllers.download_controller import DownloadJob
from app.ui.models.find import FindModelsPage
from app.ui.models.mirror import MirrorOffer
from app.ui.models.welcome import WelcomePanel
from app.ui.shell.services import Services

translate = QtCore.QCoreApplication.translate


class DownloadNotices(QtCore.QObject):
    """GUI thread only. The window wires ``open_requested`` and ``chat_now_requested`` (a ``ModelEntry`` each)."""

    open_requested = QtCore.Signal(object)  # a new conversation with the model, the default from now on
    chat_now_requested = QtCore.Signal(object)  # a new conversation with the model; the default stays

    def __init__(
        self,
        services: Services,
        *,
        welcome: WelcomePanel,
        find_models: FindModelsPage,
        pages: PageStack,
        mirror: MirrorOffer,
        banner: Banner,
        parent: QtCore.QObject,
    ) -> None:
        super().__init__(parent)
        self.services, self.find_models, self.pages = services, find_models, pages
        self.mirror, self.banner = mirror, banner
        self.downloads = services.downloads
        self._errors_shown: list[tuple[Banner, str]] = []  # the download errors told, while a banner may show them
        welcome.download_requested.connect(self._on_welcome_download_requested)
        self.downloads.download_finished.connect(self._on_downloads_download_finished)
        self.downloads.download_failed.connect(self._on_downloads_download_failed)
        mirror.endpoint_chosen.connect(self._on_mirror_endpoint_chosen)

    def banner_for_news(self) -> Banner:
        """Where news of a download goes: the "Get models" page's own banner while it shows."""
        return self.find_models.banner if self.pages.currentWidget() is self.find_models else self.banner

    @QtCore.Slot(object)
    def _on_welcome_download_requested(self, model: RecommendedModel) -> None:
        self.banner.hide()
        self.downloads.start(
            model.repo, model.file, label=model.name, open_when_done=True, quantization=model.quantization
        )

    @QtCore.Slot(str, object)
    def _on_downloads_download_finished(self, key: str, result: DownloadResult) -> None:
        job = self.downloads.job(key)
        registry = self.services.registry
        registry.refresh()  # the Models page, the pickers and the welcome list follow its signal
        entry = registry.entry_for_path(result.model_path) if result.model_path is not None else None
        self._forget_errors()
        if entry is None:
            return
        if catalog_embedder(entry) is not None:
            self._embedder_downloaded(entry)
        elif job is not None and job.open_when_done:
            self.open_requested.emit(entry)
        else:
            self.banner_for_news().show_notice(
                translate("MainWindow", "{model} is downloaded. Choose it in the model menu to chat with it.").format(
                    model=entry.name
                ),
                action=translate("MainWindow", "Chat now"),
                on_action=lambda: self.chat_now_requested.emit(entry),
            )

    def _embedder_downloaded(self, entry: ModelEntry) -> None:
        """A downloaded embedder becomes the library's when none is chosen; the folders are indexed with it."""
        settings = self.services.settings
        if not settings.current.embedding_model:
            settings.update(replace(settings.current, embedding_model=entry.name))
        self.services.documents.index()
        self.banner_for_news().show_notice(
            translate("MainWindow", "{model} is downloaded: your documents are now searched by meaning as well.")
            .format(model=entry.name)
        )

    @QtCore.Slot(str, object)
    def _on_downloads_download_failed(self, key: str, error: AppError) -> None:
        banner = self.banner_for_news()
        job = self.downloads.job(key)  # still there while its failure is told; gone after it when nothing arrived
        if job is None or not self.mirror.offer(banner, error, lambda: self._download_again(job)):
            banner.show_error(error)
        self._errors_shown.append((banner, banner.text()))

    def _forget_errors(self) -> None:
        """Hides the download errors a banner still shows (and nothing it said since)."""
        for banner, text in self._errors_shown:
            if not banner.isHidden() and banner.text() == text:
                banner.hide()
        self._errors_shown.clear()

    def _download_again(self, job: DownloadJob) -> None:
        """Starts ``job``'s download again (from the mirror just chosen); it resumes what had arrived."""
        self.downloads.start(
            job.repo, job.file, revision=job.revision, label=job.label, open_when_done=job.open_when_done
        )

    @QtCore.Slot(str)
    def _on_mirror_endpoint_chosen(self, endpoint: str) -> None:
        models = self.services.models
        models.update_settings(replace(self.services.settings.current, hub_endpoint=endpoint))
