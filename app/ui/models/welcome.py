"""The first screen: one click to a model worth talking to.

While no model but the starter is installed, the main button downloads the best recommended model
that fits this computer and is estimated to answer at a comfortable speed here (its size and speed
shown, then its progress and time left), and the window opens a
chat with it once it is installed. The starter, which needs no download but gives only basic
answers, is the secondary "Try a tiny offline demo model". Below, the other recommended models
with their fit badges. When another model is installed, the main button starts a chat with it and
the list gives way to a compact "Find more models" link (the list stays on the "Get models" page).
With no model at all (the default bundle ships none), the second button opens a GGUF file instead,
under a line that says why: a user with no network still has a way forward.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from app.core.models import speed
from app.core.models.installed import ModelEntry
from app.core.models.library import human_size
from app.core.models.recommended import RecommendedModel
from app.ui.common.i18n import model_label
from app.ui.common.narrow import SideBySide, WrappingButton
from app.ui.controllers.download_controller import DownloadController, job_key
from app.ui.models.recommended_list import RecommendedList
from app.ui.sidebar.download_panel import duration_text


class WelcomePanel(QtWidgets.QWidget):
    """Shown while there are no conversations yet."""

    start_requested = QtCore.Signal()
    open_file_requested = QtCore.Signal()
    find_models_requested = QtCore.Signal()
    download_requested = QtCore.Signal(object)  # RecommendedModel

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomePage")

        title = QtWidgets.QLabel(self.tr("Welcome to Parley"), self)
        title.setObjectName("welcomeTitle")
        title.setAlignment(QtCore.Qt.AlignmentFlag.AlignHCenter)
        title.setWordWrap(True)  # every text here wraps: at 18 pt in an 800×600 window the column is ~530 px
        subtitle = QtWidgets.QLabel(
            self.tr("A private assistant that runs entirely on this computer. What you write never leaves it."), self
        )
        subtitle.setObjectName("welcomeSubtitle")
        subtitle.setWordWrap(True)
        subtitle.setAlignment(QtCore.Qt.AlignmentFlag.AlignHCenter)

        self.best_button = WrappingButton(parent=self)
        self.best_button.setObjectName("startButton")
        self.best_button.setDefault(True)
        self.best_button.setMinimumHeight(44)
        self.best_note = QtWidgets.QLabel(self)
        self.best_note.setObjectName("mutedLabel")
        self.best_note.setWordWrap(True)
        self.best_note.setAlignment(QtCore.Qt.AlignmentFlag.AlignHCenter)
        self.start_button = WrappingButton(parent=self)
        self.start_button.setObjectName("startButton")
        self.start_button.setMinimumHeight(44)
        self.start_note = QtWidgets.QLabel(self)  # why there is nothing to chat with yet, when there is no model
        self.start_note.setObjectName("mutedLabel")
        self.start_note.setWordWrap(True)
        self.start_note.setAlignment(QtCore.Qt.AlignmentFlag.AlignHCenter)
        self._best: RecommendedModel | None = None
        self._model: ModelEntry | None = None
        self._only_starter = True

        self.recommended_title = QtWidgets.QLabel(self.tr("Or choose another recommended model"), self)
        self.recommended_title.setObjectName("sectionTitle")
        self.recommended_title.setWordWrap(True)
        self.recommended_text = QtWidgets.QLabel(
            self.tr(
                "They come from the Hugging Face Hub. The badge tells how well each fits this computer's free "
                "memory; a chat opens when the download is done."
            ),
            self,
        )
        self.recommended_text.setObjectName("mutedLabel")
        self.recommended_text.setWordWrap(True)
        self.recommended = RecommendedList(self)

        self.hub_button = QtWidgets.QPushButton(self.tr("Find models on the Hub…"), self)
        self.hub_button.setObjectName("hubButton")
        self.open_button = QtWidgets.QPushButton(self.tr("Open a GGUF file…"), self)
        self.open_button.setObjectName("openFileButton")
        more_buttons = SideBySide(self.hub_button, self.open_button, spread=False, parent=self)

        column = QtWidgets.QVBoxLayout()
        column.setSpacing(10)
        column.addWidget(title)
        column.addWidget(subtitle)
        column.addSpacing(14)
        column.addWidget(self.best_button)
        column.addWidget(self.best_note)
        column.addWidget(self.start_note)
        column.addWidget(self.start_button)
        column.addSpacing(22)
        column.addWidget(self.recommended_title)
        column.addWidget(self.recommended_text)
        column.addSpacing(4)
        column.addWidget(self.recommended)
        column.addSpacing(6)
        column.addWidget(more_buttons)

        holder = QtWidgets.QWidget(self)
        holder.setObjectName("welcomeColumn")
        holder.setLayout(column)
        # At most 600 px wide (a readable column), narrower in a small window: at 800×600 the page has
        # about 540 px, and nothing may be cut off there.
        holder.setMaximumWidth(600)
        holder.setMinimumWidth(300)
        holder.setSizePolicy(QtWidgets.QSizePolicy.Policy.Preferred, QtWidgets.QSizePolicy.Policy.Preferred)
        row = QtWidgets.QHBoxLayout()
        row.addStretch(1)
        row.addWidget(holder, 100)
        row.addStretch(1)
        content = QtWidgets.QWidget(self)
        content.setObjectName("welcomeContent")
        content_layout = QtWidgets.QVBoxLayout(content)
        content_layout.setContentsMargins(32, 32, 32, 32)
        content_layout.addStretch(2)
        content_layout.addLayout(row)
        content_layout.addStretch(3)

        # The list is taller than a small window: the page scrolls.
        self.scroll_area = QtWidgets.QScrollArea(self)
        self.scroll_area.setObjectName("welcomeScroll")
        self.scroll_area.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(content)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll_area)

        self.start_button.clicked.connect(self._on_start_button_clicked)
        self.best_button.clicked.connect(self._on_best_button_clicked)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.hub_button.clicked.connect(self._on_hub_button_clicked)
        self.recommended.download_requested.connect(self._on_recommended_download_requested)
        self.recommended.refreshed.connect(self._update_best)
        self.set_model(None)
        self.set_installed([])

    def attach_downloads(self, manager: DownloadController) -> None:
        """The cards' buttons, and the main button, follow ``manager``'s downloads."""
        self.recommended.attach(manager)
        manager.download_updated.connect(self._on_manager_download_updated)
        self._update_best()

    def set_model(self, model: ModelEntry | None) -> None:
        """Names the model the first chat will use; without one, chatting has to wait for a model."""
        self._model = model
        self._update_start()

    def best_model(self) -> RecommendedModel | None:
        """What the main button downloads: the best recommended model that fits, while only the starter is here."""
        return self._best if self._only_starter else None

    def offers_open_file(self) -> bool:
        """Whether the second button opens a GGUF file (there is no model to start a chat with)."""
        return self._model is None

    def _update_start(self) -> None:
        model = self._model
        demo = self._only_starter
        self.start_button.setProperty("secondary", demo)
        self.start_button.setDefault(not demo)
        self.start_note.setVisible(model is None)
        self.start_button.setEnabled(True)
        if model is None:
            self.start_note.setText(
                self.tr("No model is on this computer yet: download one, or open a GGUF file you have.")
            )
            self.start_button.setText(self.tr("Open a GGUF file…"))
        elif demo and model.source == "starter":
            self.start_button.setText(self.tr("Try a tiny offline demo model (basic answers)"))
        else:
            self.start_button.setText(self.tr("Start chatting with {model}").format(model=model_label(model.name)))
        self.start_button.style().unpolish(self.start_button)
        self.start_button.style().polish(self.start_button)

    def _update_best(self) -> None:
        """The main button: download the best fitting model (its size), or its progress while it downloads."""
        best = self.recommended.best_fitting() if self._only_starter else None
        self._best = best
        self.best_button.setVisible(best is not None)
        self.best_note.setVisible(best is not None)
        if best is None:
            return
        manager = self.recommended.manager()
        job = manager.job(job_key(best.repo, best.file)) if manager is not None else None
        if job is not None and job.is_active:
            percent = round(100 * job.done_bytes / job.total_bytes) if job.total_bytes else 0
            text = self.tr("Downloading {model}… {percent}%").format(model=best.name, percent=percent)
            if job.eta_s is not None:
                text = self.tr("{progress} · {time} left").format(progress=text, time=duration_text(job.eta_s))
            self.best_button.setText(text)
            self.best_button.setEnabled(False)
        else:
            self.best_button.setText(
                self.tr("Download {model} ({size})").format(model=best.name, size=human_size(best.size_bytes))
            )
            self.best_button.setEnabled(True)
        card = self.recommended.card(best.id)
        estimate = card.tokens_per_second if card is not None else None
        if estimate is None:
            note = self.tr(
                "The best recommended model that fits this computer. A chat with it opens when the download is done."
            )
        else:
            note = self.tr(
                "The best recommended model that fits this computer and answers at about {speed} tokens/s here "
                "(an estimate). A chat with it opens when the download is done."
            ).format(speed=speed.rounded(estimate))
        self.best_note.setText(note)

    def set_installed(self, models: list[ModelEntry]) -> None:
        """Shows the recommended list while no model but the starter is installed, else a compact link."""
        only_starter = all(model.source == "starter" for model in models)
        self._only_starter = only_starter
        for widget in (self.recommended_title, self.recommended_text, self.recommended):
            widget.setVisible(only_starter)
        self.open_button.setVisible(bool(models))  # with no model, the button above opens a file
        self.hub_button.setText(self.tr("Find models on the Hub…") if only_starter else self.tr("Find more models"))
        self.hub_button.setProperty("link", not only_starter)
        self.hub_button.style().unpolish(self.hub_button)
        self.hub_button.style().polish(self.hub_button)
        if only_starter:
            self.recommended.refresh()
        self._update_best()
        self._update_start()

    def shows_recommended(self) -> bool:
        return not self.recommended.isHidden()

    @QtCore.Slot()
    def _on_start_button_clicked(self) -> None:
        if self._model is None:
            self.open_file_requested.emit()
        else:
            self.start_requested.emit()

    @QtCore.Slot()
    def _on_best_button_clicked(self) -> None:
        if self._best is not None:
            self.download_requested.emit(self._best)

    @QtCore.Slot(str)
    def _on_manager_download_updated(self, key: str) -> None:
        if self._best is not None and key == job_key(self._best.repo, self._best.file):
            self._update_best()

    @QtCore.Slot()
    def _on_open_button_clicked(self) -> None:
        self.open_file_requested.emit()

    @QtCore.Slot()
    def _on_hub_button_clicked(self) -> None:
        self.find_models_requested.emit()

    @QtCore.Slot(object)
    def _on_recommended_download_requested(self, model: object) -> None:
        self.download_requested.emit(model)
