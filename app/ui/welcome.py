"""The first screen: one click to a working chat, and the place where getting more models will live."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from app.core.catalog import ModelEntry


class WelcomePanel(QtWidgets.QWidget):
    """Shown while there are no conversations yet."""

    start_requested = QtCore.Signal()
    open_file_requested = QtCore.Signal()

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

        more = QtWidgets.QFrame(self)
        more.setObjectName("moreModels")
        more_title = QtWidgets.QLabel(self.tr("Get more models"), more)
        more_title.setStyleSheet("font-weight: 600;")
        more_text = QtWidgets.QLabel(
            self.tr(
                "Downloading models from the Hugging Face Hub is coming soon. "
                "Until then, you can open a GGUF file you already have."
            ),
            more,
        )
        more_text.setObjectName("mutedLabel")
        more_text.setWordWrap(True)
        self.hub_button = QtWidgets.QPushButton(self.tr("Browse models on the Hub (coming soon)"), more)
        self.hub_button.setObjectName("hubButton")
        self.hub_button.setEnabled(False)
        self.open_button = QtWidgets.QPushButton(self.tr("Open a GGUF file…"), more)
        self.open_button.setObjectName("openFileButton")
        more_buttons = QtWidgets.QHBoxLayout()
        more_buttons.addWidget(self.hub_button)
        more_buttons.addWidget(self.open_button)
        more_buttons.addStretch(1)
        more_layout = QtWidgets.QVBoxLayout(more)
        more_layout.setContentsMargins(16, 14, 16, 14)
        more_layout.setSpacing(8)
        more_layout.addWidget(more_title)
        more_layout.addWidget(more_text)
        more_layout.addLayout(more_buttons)

        column = QtWidgets.QVBoxLayout()
        column.setSpacing(14)
        column.addWidget(title)
        column.addWidget(subtitle)
        column.addSpacing(12)
        column.addWidget(self.start_button)
        column.addSpacing(24)
        column.addWidget(more)

        holder = QtWidgets.QWidget(self)
        holder.setLayout(column)
        # A fixed width lets the wrapped labels work out their height.
        holder.setFixedWidth(520)
        row = QtWidgets.QHBoxLayout()
        row.addStretch(1)
        row.addWidget(holder)
        row.addStretch(1)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(32, 32, 32, 32)
        layout.addStretch(2)
        layout.addLayout(row)
        layout.addStretch(3)

        self.start_button.clicked.connect(self._on_start_button_clicked)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.set_model(None)

    def set_model(self, model: ModelEntry | None) -> None:
        """Names the model the first chat will use; without one, chatting has to wait for a model."""
        if model is None:
            self.start_button.setText(self.tr("No model is installed yet"))
            self.start_button.setEnabled(False)
        else:
            self.start_button.setText(self.tr("Start chatting with {model}").format(model=model.name))
            self.start_button.setEnabled(True)

    @QtCore.Slot()
    def _on_start_button_clicked(self) -> None:
        self.start_requested.emit()

    @QtCore.Slot()
    def _on_open_button_clicked(self) -> None:
        self.open_file_requested.emit()
