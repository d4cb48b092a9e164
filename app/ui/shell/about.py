"""Help → About Parley: which build this is, what it runs on, and where it keeps its data, with a Copy button.

The facts are gathered by ``about_facts`` (the version from ``app.version``, llama-cpp-python's from its
package metadata, the GPU sentence from ``gpu_text``, Qt's and PySide6's versions, ``paths.data_dir``);
the dialog only shows them, and "Copy" puts them on the clipboard as the text a bug report wants.
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass

import PySide6
from PySide6 import QtCore, QtGui, QtWidgets

from app.core import paths
from app.ui.common.gpu_text import capability_for, capability_sentence
from app.version import full_version

translate = QtCore.QCoreApplication.translate


@dataclass(frozen=True)
class AboutFacts:
    version: str
    llama_cpp: str  # the llama-cpp-python package that carries llama.cpp
    backends: str  # the capability sentence: what this build and machine can do
    qt: str
    data_folder: str


def _package_version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return translate("AboutDialog", "not installed")


def about_facts() -> AboutFacts:
    """What the About box says, gathered now (the GPU probe may ask nvidia-smi, as opening Settings does)."""
    return AboutFacts(
        version=full_version(),
        llama_cpp=f"llama-cpp-python {_package_version('llama-cpp-python')}",
        backends=capability_sentence(capability_for(None)),
        qt=f"Qt {QtCore.qVersion()}, PySide6 {PySide6.__version__}",
        data_folder=str(paths.data_dir()),
    )


class AboutDialog(QtWidgets.QDialog):
    """The About box. ``text()`` is what "Copy" puts on the clipboard."""

    def __init__(self, facts: AboutFacts, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(self.tr("About Parley"))
        self._facts = facts
        title = QtWidgets.QLabel(self.tr("Parley"), self)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        tagline = QtWidgets.QLabel(self.tr("A private chat assistant that runs language models on this computer."))
        tagline.setWordWrap(True)
        form = QtWidgets.QGridLayout()
        form.setColumnStretch(1, 1)
        form.setHorizontalSpacing(16)
        self._rows: list[tuple[str, str]] = []
        for row, (label, value) in enumerate(self._lines()):
            name = QtWidgets.QLabel(label, self)
            name.setAlignment(QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignTop)
            field = QtWidgets.QLabel(value, self)
            field.setWordWrap(len(value) > 40)  # the GPU sentence, a long folder; short ones stay on one line
            field.setMinimumWidth(320)
            field.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
            field.setAccessibleName(label)
            form.addWidget(name, row, 0)
            form.addWidget(field, row, 1)
            self._rows.append((label, value))
        self.copy_button = QtWidgets.QPushButton(self.tr("Copy"), self)
        self.copy_button.setObjectName("aboutCopyButton")
        self.copy_button.setAccessibleName(self.tr("Copy these details"))
        self.copy_button.setToolTip(self.tr("Copy these details, for a bug report"))
        self.copy_button.clicked.connect(self.copy)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(self.copy_button, QtWidgets.QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        close = buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Close)
        close.setAccessibleName(self.tr("Close"))
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(tagline)
        layout.addSpacing(8)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.resize(600, 260)

    def _lines(self) -> list[tuple[str, str]]:
        facts = self._facts
        return [
            (self.tr("Version"), facts.version),
            (self.tr("llama.cpp"), facts.llama_cpp),
            (self.tr("Backends"), facts.backends),
            (self.tr("Qt"), facts.qt),
            (self.tr("Data folder"), facts.data_folder),
        ]

    def text(self) -> str:
        """Everything the box says, as plain text: the version line, then one "label: value" per line."""
        lines = [f"Parley {self._facts.version}"]
        lines += [f"{label}: {value}" for label, value in self._rows]
        return "\n".join(lines)

    def copy(self) -> None:
        QtGui.QGuiApplication.clipboard().setText(self.text())
        self.copy_button.setText(self.tr("Copied"))
