"""The recommended models on the first screen: one card each, with a fit badge and a Download button.

The list comes from ``resources/catalog.json`` (``recommended.load_recommended``); the badges from
``fit.estimate_for_recommended`` for this computer (``fit.MachineProfile.detect``). Both can be
given instead (``set_models``, ``set_machine``), which is how tests pin them. Beside each badge, the
speed estimate (``speed.estimate_for``, from the calibration of this computer's measured decode
speeds, or ``set_calibration``); the main choice (``best_fitting``), the "comfortable speed only"
filter and the order ("Fastest here first") follow it. A card's button follows the download of its
model: Download, then the percentage while it runs, Resume when stopped. A model the catalog names a draft for offers
that draft's download too (speculative decoding: ``app.core.models.drafts`` picks it once installed).
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from app.core.models import fit, speed
from app.core.models.library import human_size
from app.core.models.recommended import RecommendedModel, load_recommended
from app.ui.common import i18n
from app.ui.common.narrow import WrappingCheckBox, WrappingLabel
from app.ui.controllers.download_controller import DownloadController, job_key
from app.ui.models.fit_badge import FitBadge

DEFAULT_CONTEXT = 4096
_Direction = QtWidgets.QBoxLayout.Direction
_Align = QtCore.Qt.AlignmentFlag
_TEXT_BESIDE_BUTTON = 20  # average characters the card's text keeps beside its button; narrower, it goes below


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

    def __init__(
        self, model: RecommendedModel, parent: QtWidgets.QWidget | None = None, draft: RecommendedModel | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("modelCard")
        self.model = model
        self.draft = draft
        self.estimate: fit.FitEstimate | None = None  # how it fits this computer, once measured
        self.name_label = WrappingLabel(model.name, self)  # a long name at a large text size would widen the page
        self.name_label.setObjectName("modelCardName")
        self.name_label.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        self.badge = FitBadge(self)
        self.tokens_per_second: float | None = None  # the speed estimate here, once measured
        self.speed_label = QtWidgets.QLabel(self)
        self.speed_label.setObjectName("speedEstimate")
        self.speed_label.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        self.speed_label.setWordWrap(True)
        self.speed_label.setToolTip(
            self.tr("An estimate: this computer's measured speed, scaled by how much of the model each word reads.")
        )
        self.speed_label.hide()
        details = " · ".join(
            [
                human_size(model.size_bytes), model.quantization, context_text(model.context_length), model.licence,
                *self._marks(),
            ]
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
        text.addWidget(self.speed_label)  # its own line: beside a long name it would squeeze the card
        text.addWidget(self.details_label)
        text.addWidget(self.description_label)
        self.draft_button: QtWidgets.QPushButton | None = None
        self.draft_note: QtWidgets.QLabel | None = None
        if draft is not None:
            # The sentence wraps; the button beside nothing stays short (its whole sentence was wider than the
            # first screen at 800×600 from 12 pt on).
            self.draft_note = QtWidgets.QLabel(
                self.tr("Its draft model, {name} ({size}), makes its answers faster.").format(
                    name=draft.name, size=human_size(draft.size_bytes)
                ),
                self,
            )
            self.draft_note.setObjectName("mutedLabel")
            self.draft_note.setTextFormat(QtCore.Qt.TextFormat.PlainText)
            self.draft_note.setWordWrap(True)
            text.addWidget(self.draft_note)
            self.draft_button = QtWidgets.QPushButton(self.tr("Also download the draft"), self)
            self.draft_button.setObjectName("downloadDraftButton")
            self.draft_button.setFlat(True)
            self.draft_button.setAccessibleName(self.tr("Download the draft model {name}").format(name=draft.name))
            self.draft_button.setToolTip(
                self.tr("A smaller model of the same family that guesses ahead; {model} checks its guesses.").format(
                    model=model.name
                )
            )
            self.draft_button.clicked.connect(self._on_draft_button_clicked)
            text.addWidget(self.draft_button, 0, QtCore.Qt.AlignmentFlag.AlignLeft)
        self._layout = QtWidgets.QBoxLayout(QtWidgets.QBoxLayout.Direction.LeftToRight, self)
        self._layout.setContentsMargins(14, 10, 12, 10)
        self._layout.setSpacing(12)
        self._layout.addLayout(text, 1)
        self._layout.addWidget(self.download_button, 0, QtCore.Qt.AlignmentFlag.AlignVCenter)
        self.download_button.clicked.connect(self._on_download_button_clicked)
        self.set_state(None)

    def _arrange(self) -> None:
        """The Download button beside the text, or under it where the card is too narrow for both (a small
        window at a large text size), so that neither is cut off."""
        margins = self._layout.contentsMargins()
        beside = (
            margins.left() + self.fontMetrics().averageCharWidth() * _TEXT_BESIDE_BUTTON + self._layout.spacing()
            + self.download_button.minimumWidth() + margins.right()
        )  # fmt: skip
        across = self.width() >= beside
        direction = _Direction.LeftToRight if across else _Direction.TopToBottom
        if self._layout.direction() != direction:
            self._layout.setDirection(direction)
            self._layout.setAlignment(self.download_button, _Align.AlignVCenter if across else _Align.AlignLeft)

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 - Qt's name
        self._arrange()
        super().resizeEvent(event)

    def minimumSizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt's name
        # As narrow as the stacked arrangement: the wider of the button and a few words, with the margins.
        margins = self._layout.contentsMargins()
        words = self.fontMetrics().averageCharWidth() * 12
        width = margins.left() + max(self.download_button.minimumWidth(), words) + margins.right()
        return QtCore.QSize(width, super().minimumSizeHint().height())

    def _marks(self) -> list[str]:
        marks: list[str] = []
        if self.model.thinking == "switch":
            marks.append(self.tr("thinking switch"))
        elif self.model.thinking == "always":
            marks.append(self.tr("thinks before answering"))
        if self.model.coding:
            marks.append(self.tr("for code"))
        if self.model.vision:
            marks.append(self.tr("image input is not supported yet"))
        return marks

    def set_fit(self, estimate: fit.FitEstimate) -> None:
        self.estimate = estimate
        self.badge.set_estimate(estimate)

    def set_speed(self, tokens_per_second: float | None) -> None:
        """The estimate beside the badge: "about 18 tokens/s here"; None hides it (not measured yet)."""
        self.tokens_per_second = tokens_per_second
        self.speed_label.setVisible(tokens_per_second is not None)
        if tokens_per_second is not None:
            self.speed_label.setText(
                self.tr("about {speed} tokens/s here").format(speed=speed.rounded(tokens_per_second))
            )

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

    @QtCore.Slot()
    def _on_draft_button_clicked(self) -> None:
        self.download_requested.emit(self.draft)


class RecommendedList(QtWidgets.QWidget):
    """The cards, in the catalog's order (smallest first)."""

    download_requested = QtCore.Signal(object)  # RecommendedModel
    refreshed = QtCore.Signal()  # the badges were measured again (the best fitting model may differ)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._manager: DownloadController | None = None
        self._machine: fit.MachineProfile | None = None
        self._calibration: speed.Calibration | None = None  # None: this computer's, read at each refresh
        self._cards: list[RecommendedCard] = []
        self._layout = QtWidgets.QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(8)
        self.comfortable_only = WrappingCheckBox(parent=self)
        self.comfortable_only.setObjectName("comfortableOnly")
        self.comfortable_only.toggled.connect(self._on_comfortable_only_toggled)
        self.fastest_first = WrappingCheckBox(parent=self)
        self.fastest_first.setObjectName("fastestFirst")
        self.fastest_first.toggled.connect(self._on_fastest_first_toggled)
        # One under the other: side by side they do not fit a narrow window in every language.
        self._layout.addWidget(self.comfortable_only)
        self._layout.addWidget(self.fastest_first)
        self._retranslate()
        self.set_models(load_recommended())

    def attach(self, manager: DownloadController) -> None:
        """Follows ``manager``'s downloads and takes the context length from its settings."""
        self._manager = manager
        manager.download_updated.connect(self._on_manager_download_updated)
        self._retranslate()
        self.refresh()

    def cards(self) -> list[RecommendedCard]:
        return list(self._cards)

    def best_fitting(self) -> RecommendedModel | None:
        """The main choice: of the models that fit this computer's free memory and need no access token,
        the best one estimated to answer at a comfortable speed here (``speed.main_choice``); before
        this computer's speed is known, the largest that fits."""
        fitting = [
            card
            for card in self._cards
            if card.estimate is not None and card.estimate.verdict == "fits" and not card.model.gated
            and card.model.kind != "embedding"
        ]
        if fitting and all(card.tokens_per_second is not None for card in fitting):
            return speed.main_choice([(card.model, card.tokens_per_second or 0.0) for card in fitting], self.floor())
        return max((card.model for card in fitting), key=lambda model: model.size_bytes, default=None)

    def floor(self) -> float:
        """The speed a model must reach here to be the main choice: the setting (8 tokens/s by default)."""
        if self._manager is None:
            return speed.COMFORTABLE_TOKENS_PER_SECOND
        return float(self._manager.settings().comfortable_tokens_per_second)

    def set_calibration(self, calibration: speed.Calibration | None) -> None:
        """The decode cost the estimates scale; None: this computer's measured one (or the assumed one)."""
        self._calibration = calibration
        self.refresh()

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
        by_id = {model.id: model for model in models}
        for model in (m for m in models if m.kind != "embedding"):  # embedding models belong to documents
            card = RecommendedCard(model, self, by_id.get(model.draft) if model.draft else None)
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
        calibration = self._calibration or speed.current_calibration()
        for card in self._cards:
            estimate = fit.estimate_for_recommended(card.model, n_ctx, machine, card.draft)
            card.set_fit(estimate)
            card.set_speed(speed.estimate_for(card.model, calibration, _gpu_share(
                card.model, estimate, machine)))
            self._update_card(card)
        self._apply_filter()
        self.refreshed.emit()

    def _apply_filter(self) -> None:
        """With "comfortable speed only" ticked, the cards estimated slower than the floor are hidden;
        with "fastest here first", the cards go by their speed estimate (else in the catalog's order)."""
        only = self.comfortable_only.isChecked()
        for card in self._cards:
            slow = card.tokens_per_second is not None and card.tokens_per_second < self.floor()
            card.setHidden(only and slow)
        for card in self.shown_order():
            self._layout.removeWidget(card)
            self._layout.addWidget(card)

    def shown_order(self) -> list[RecommendedCard]:
        """The cards from top to bottom (hidden ones included)."""
        if not self.fastest_first.isChecked():
            return list(self._cards)
        # sorted() is stable: cards of equal speed keep the catalog's order
        return sorted(self._cards, key=lambda card: -(card.tokens_per_second or 0.0))

    def _retranslate(self) -> None:
        self.comfortable_only.setText(
            self.tr("Only models that answer at {speed} tokens/s or faster here").format(
                speed=speed.rounded(self.floor())
            )
        )
        self.fastest_first.setText(self.tr("Fastest here first"))

    @QtCore.Slot(bool)
    def _on_comfortable_only_toggled(self, _checked: bool) -> None:
        self._apply_filter()

    @QtCore.Slot(bool)
    def _on_fastest_first_toggled(self, _checked: bool) -> None:
        self._apply_filter()

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
            self._retranslate()
            self.set_models(load_recommended())  # the cards' texts come from the catalog, in the new language
        super().changeEvent(event)

    @QtCore.Slot(str)
    def _on_manager_download_updated(self, key: str) -> None:
        self._update_key(key)


def _gpu_share(model: RecommendedModel, estimate: fit.FitEstimate, machine: fit.MachineProfile) -> float:
    """The part of ``model``'s layers that would go to the GPU, by the same sums as the badge."""
    if not machine.vram_free_bytes or not model.n_layer:
        return 0.0
    layers = fit.gpu_layers_that_fit(
        estimate.weights_bytes, estimate.kv_cache_bytes, estimate.n_ctx, model.n_layer, machine.vram_free_bytes
    )
    return layers / model.n_layer
