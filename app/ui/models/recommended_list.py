"""The recommended models on the first screen: one card each, with a fit badge and a Download button.

The list comes from ``resources/catalog.json`` (``recommended.load_recommended``); the badges from
``fit.estimate_for_recommended`` for this computer (``fit.MachineProfile.detect``). Both can be
given instead (``set_models``, ``set_machine``), which is how tests pin them. A card's button
follows the download of its model: Download, then the percentage while it runs, Resume when stopped.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from app.core.models import fit
from app.core.models.library import human_size
from app.core.models.recommended import RecommendedModel, load_recommended
from app.ui.common import i18n
from app.ui.controllers.download_controller import DownloadController, job_key
from app.ui.models.fit_badge import FitBadge

DEFAULT_CONTEXT = 4096


def context_text(tokens: int) -> str:
    """32768 → "32K context"."""
    amount = f"{tokens // 1024}K" if tokens >= 1024 and tokens % 1024 == 0 else f"{tokens:,}"
    return QtCore.QCoreApplication.translate("RecommendedCard", "{amount} context").format(amount=amount)


def fit_download_button(button: QtWidgets.QPushButton) -> None:
    """Wide enough for every text a Download button shows ("Downloading… 100%" included), in this language."""
    translate = QtCore.QCoreApplication.translate
    texts = [
        translate("RecommendedCard", "Downloading… {percent}%").format(percent=100),
        translate("RecommendedCard", "Download"),
        translate("RecommendedCard", "Resume"),
        translate("FindModelsPage", "Downloading… {percent}%").format(percent=100),
        translate("FindModelsPage", "Installed"),
    ]
    metrics = button.fontMetrics()
    bold = QtGui.QFont(button.font())
    bold.setWeight(QtGui.QFont.Weight.DemiBold)  # the style sheet draws these buttons' labels bold
    bold_metrics = QtGui.QFontMetrics(bold)
    widest = max(max(metrics.horizontalAdvance(text), bold_metrics.horizontalAdvance(text)) for text in texts)
    button.setMinimumWidth(widest + 2 * 12 + 8)  # the style sheet's padding and border, and a little air


class RecommendedCard(QtWidgets.QFrame):
    """One recommended model."""

    download_requested = QtCore.Signal(object)  # RecommendedModel

    def __init__(self, model: RecommendedModel, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modelCard")
        self.model = model
        self.estimate: fit.FitEstimate | None = None  # how it fits this computer, once measured
        self.name_label = QtWidgets.QLabel(model.name, self)
        self.name_label.setObjectName("modelCardName")
        self.name_label.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        self.badge = FitBadge(self)
        details = " · ".join(
            [human_size(model.size_bytes), model.quantization, context_text(model.context_length), model.licence]
        )
        self.details_label = QtWidgets.QLabel(details, self)
        self.details_label.setObjectName("mutedLabel")
        self.details_label.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        self.details_label.setWordWrap(True)  # a narrow window wraps it rather than cutting it off
        self.description_label = QtWidgets.QLabel(model.description_in(i18n.current_language()), self)
        self.description_label.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        self.description_label.setWordWrap(True)
        self.download_button = QtWidgets.QPushButton(self)
        self.download_button.setObjectName("downloadModelButton")
        self.download_button.setToolTip(self.tr("Download {file} from {repo}").format(file=model.file, repo=model.repo))
        fit_download_button(self.download_button)

        top = QtWidgets.QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(self.name_label)
        top.addWidget(self.badge)
        top.addStretch(1)
        text = QtWidgets.QVBoxLayout()
        text.setSpacing(3)
        text.addLayout(top)
        text.addWidget(self.details_label)
        text.addWidget(self.description_label)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(14, 10, 12, 10)
        layout.setSpacing(12)
        layout.addLayout(text, 1)
        layout.addWidget(self.download_button, 0, QtCore.Qt.AlignmentFlag.AlignVCenter)
        self.download_button.clicked.connect(self._on_download_button_clicked)
        self.set_state(None)

    def set_fit(self, estimate: fit.FitEstimate) -> None:
        self.estimate = estimate
        self.badge.set_estimate(estimate)

    def set_state(self, state: str | None, percent: int | None = None) -> None:
        """Follows the model's download: None (not downloading), a job state, and how far it got."""
        if state in ("running", "pausing", "cancelling"):
            text = self.tr("Downloading… {percent}%").format(percent=percent) if percent is not None else None
            self.download_button.setText(text or self.tr("Downloading…"))
            self.download_button.setEnabled(False)
        elif state in ("paused", "interrupted"):
            self.download_button.setText(self.tr("Resume"))
            self.download_button.setEnabled(True)
        else:
            self.download_button.setText(self.tr("Download"))
            self.download_button.setEnabled(True)

    @QtCore.Slot()
    def _on_download_button_clicked(self) -> None:
        self.download_requested.emit(self.model)


class RecommendedList(QtWidgets.QWidget):
    """The cards, in the catalog's order (smallest first)."""

    download_requested = QtCore.Signal(object)  # RecommendedModel
    refreshed = QtCore.Signal()  # the badges were measured again (the best fitting model may differ)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._manager: DownloadController | None = None
        self._machine: fit.MachineProfile | None = None
        self._cards: list[RecommendedCard] = []
        self._layout = QtWidgets.QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(8)
        self.set_models(load_recommended())

    def attach(self, manager: DownloadController) -> None:
        """Follows ``manager``'s downloads and takes the context length from its settings."""
        self._manager = manager
        manager.download_updated.connect(self._on_manager_download_updated)
        self.refresh()

    def cards(self) -> list[RecommendedCard]:
        return list(self._cards)

    def best_fitting(self) -> RecommendedModel | None:
        """The largest model that fits this computer's free memory and needs no access token, if any."""
        fitting = [
            card.model
            for card in self._cards
            if card.estimate is not None and card.estimate.verdict == "fits" and not card.model.gated
        ]
        return max(fitting, key=lambda model: model.size_bytes, default=None)

    def manager(self) -> DownloadController | None:
        return self._manager

    def card(self, model_id: str) -> RecommendedCard | None:
        return next((card for card in self._cards if card.model.id == model_id), None)

    def set_models(self, models: list[RecommendedModel]) -> None:
        for card in self._cards:
            self._layout.removeWidget(card)
            card.hide()
            card.setParent(None)  # gone from the window's widget tree now, not at the next event loop pass
            card.deleteLater()
        self._cards = []
        for model in models:
            card = RecommendedCard(model, self)
            card.download_requested.connect(self.download_requested)
            self._cards.append(card)
            self._layout.addWidget(card)
        self.refresh()

    def set_machine(self, machine: fit.MachineProfile | None) -> None:
        """The computer the badges are for; None measures this one at each refresh."""
        self._machine = machine
        self.refresh()

    def refresh(self) -> None:
        """Recomputes the badges (free memory changes) and the buttons' states."""
        machine = self._machine or fit.MachineProfile.detect()
        n_ctx = self._manager.settings().n_ctx if self._manager is not None else DEFAULT_CONTEXT
        for card in self._cards:
            card.set_fit(fit.estimate_for_recommended(card.model, n_ctx, machine))
            self._update_card(card)
        self.refreshed.emit()

    def _update_card(self, card: RecommendedCard) -> None:
        job = self._manager.job(job_key(card.model.repo, card.model.file)) if self._manager is not None else None
        if job is None:
            card.set_state(None)
            return
        percent = round(100 * job.done_bytes / job.total_bytes) if job.total_bytes else None
        card.set_state(job.state, percent)

    def _update_key(self, key: str) -> None:
        for card in self._cards:
            if job_key(card.model.repo, card.model.file) == key:
                self._update_card(card)

    def changeEvent(self, event: QtCore.QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QtCore.QEvent.Type.LanguageChange:
            self.set_models(load_recommended())  # the cards' texts come from the catalog, in the new language
        super().changeEvent(event)

    @QtCore.Slot(str)
    def _on_manager_download_updated(self, key: str) -> None:
        self._update_key(key)
