"""The first screen: one click to a working chat, and one more to a better model.

First, the button that starts a chat with the starter model, which needs no download. Below it,
while no model but the starter is installed, the recommended models with their fit badges and a
Download button each; the window opens a chat with the model once its download is done. When
another model is installed, the list gives way to a compact "Find more models" link.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from app.core.catalog import ModelEntry
from app.ui.downloads import DownloadManager
from app.ui.recommended_list import RecommendedList


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
        subtitle = QtWidgets.QLabel(
            self.tr("A private assistant that runs entirely on this computer. What you write never leaves it."), self
        )
        subtitle.setObjectName("welcomeSubtitle")
        subtitle.setWordWrap(True)
        subtitle.setAlignment(QtCore.Qt.AlignmentFlag.AlignHCenter)

        self.start_button = QtWidgets.QPushButton(self)
        self.start_button.setObjectName("startButton")
        self.start_button.setDefault(True)
        self.start_button.setMinimumHeight(44)

        self.recommended_title = QtWidgets.QLabel(self.tr("Or download a recommended model"), self)
        self.recommended_title.setObjectName("sectionTitle")
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
        more_buttons = QtWidgets.QHBoxLayout()
        more_buttons.setSpacing(8)
        more_buttons.addWidget(self.hub_button)
        more_buttons.addWidget(self.open_button)
        more_buttons.addStretch(1)

        column = QtWidgets.QVBoxLayout()
        column.setSpacing(10)
        column.addWidget(title)
        column.addWidget(subtitle)
        column.addSpacing(14)
        column.addWidget(self.start_button)
        column.addSpacing(22)
        column.addWidget(self.recommended_title)
        column.addWidget(self.recommended_text)
        column.addSpacing(4)
        column.addWidget(self.recommended)
        column.addSpacing(6)
        column.addLayout(more_buttons)

        holder = QtWidgets.QWidget(self)
        holder.setObjectName("welcomeColumn")
        holder.setLayout(column)
        # A fixed width lets the wrapped labels work out their height.
        holder.setFixedWidth(600)
        row = QtWidgets.QHBoxLayout()
        row.addStretch(1)
        row.addWidget(holder)
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
        self.scroll_area.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.scroll_area.setWidget(content)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll_area)

        self.start_button.clicked.connect(self._on_start_button_clicked)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.hub_button.clicked.connect(self._on_hub_button_clicked)
        self.recommended.download_requested.connect(self._on_recommended_download_requested)
        self.set_model(None)
        self.set_installed([])

    def attach_downloads(self, manager: DownloadManager) -> None:
        """The cards' buttons follow ``manager``'s downloads."""
        self.recommended.attach(manager)

    def set_model(self, model: ModelEntry | None) -> None:
        """Names the model the first chat will use; without one, chatting has to wait for a model."""
        if model is None:
            self.start_button.setText(self.tr("No model is installed yet"))
            self.start_button.setEnabled(False)
        else:
            self.start_button.setText(self.tr("Start chatting with {model}").format(model=model.name))
            self.start_button.setEnabled(True)

    def set_installed(self, models: list[ModelEntry]) -> None:
        """Shows the recommended list while no model but the starter is installed, else a compact link."""
        only_starter = all(model.source == "starter" for model in models)
        for widget in (self.recommended_title, self.recommended_text, self.recommended):
            widget.setVisible(only_starter)
        self.hub_button.setText(self.tr("Find models on the Hub…") if only_starter else self.tr("Find more models"))
        self.hub_button.setProperty("link", not only_starter)
        self.hub_button.style().unpolish(self.hub_button)
        self.hub_button.style().polish(self.hub_button)
        if only_starter:
            self.recommended.refresh()

    def shows_recommended(self) -> bool:
        return not self.recommended.isHidden()

    @QtCore.Slot()
    def _on_start_button_clicked(self) -> None:
        self.start_requested.emit()

    @QtCore.Slot()
    def _on_open_button_clicked(self) -> None:
        self.open_file_requested.emit()

    @QtCore.Slot()
    def _on_hub_button_clicked(self) -> None:
        self.find_models_requested.emit()

    @QtCore.Slot(object)
    def _on_recommended_download_requested(self, model: object) -> None:
        self.download_requested.emit(model)
