"""The project dialog: a project's name, instructions, default persona and model, and library folders.

``ask_project`` runs it, and ``ask_delete_project`` asks what deleting a project does with its chats.
It shows a ``ProjectDraft`` (empty for "New project…") among the choices the window gives it
(``ProjectChoices``: the personas, the installed models, the library's folders) and gives back the
draft the user accepted; it stores nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from PySide6 import QtCore, QtWidgets

from app.core.projects.project import DeleteChoice, ProjectDraft

_FOLDER_ROLE = QtCore.Qt.ItemDataRole.UserRole


@dataclass(frozen=True)
class ProjectChoices:
    """What the dialog offers: personas as (id, name), model names, library folders."""

    personas: Sequence[tuple[int, str]] = ()
    models: Sequence[str] = ()
    folders: Sequence[str] = field(default_factory=tuple)


class ProjectDialog(QtWidgets.QDialog):
    """GUI thread only."""

    def __init__(
        self, draft: ProjectDraft | None, choices: ProjectChoices, parent: QtWidgets.QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("projectDialog")
        self.setWindowTitle(self.tr("Edit project") if draft is not None else self.tr("New project"))
        draft = draft or ProjectDraft("")
        self.name_edit = QtWidgets.QLineEdit(draft.name, self)
        self.name_edit.setAccessibleName(self.tr("Project name"))
        self.name_edit.setPlaceholderText(self.tr("e.g. Garden plans"))
        self.instructions_edit = QtWidgets.QPlainTextEdit(draft.instructions, self)
        self.instructions_edit.setAccessibleName(self.tr("Instructions"))
        self.instructions_edit.setPlaceholderText(self.tr("Added after the persona's instructions in every chat here"))
        self.instructions_edit.setTabChangesFocus(True)
        self.persona_box = QtWidgets.QComboBox(self)
        self.persona_box.setAccessibleName(self.tr("Default persona"))
        self.persona_box.addItem(self.tr("The default persona"), None)
        for persona_id, name in choices.personas:
            self.persona_box.addItem(name, persona_id)
        self.persona_box.setCurrentIndex(max(0, self.persona_box.findData(draft.persona_id)))
        self.model_box = QtWidgets.QComboBox(self)
        self.model_box.setAccessibleName(self.tr("Default model"))
        self.model_box.addItem(self.tr("The persona's or the default model"), None)
        names = list(choices.models)
        if draft.model_name is not None and draft.model_name not in names:
            names.append(draft.model_name)  # kept while it is not installed
        for name in names:
            self.model_box.addItem(name, name)
        self.model_box.setCurrentIndex(max(0, self.model_box.findData(draft.model_name)))
        self.folder_list = QtWidgets.QListWidget(self)
        self.folder_list.setAccessibleName(self.tr("Library folders"))
        folders = list(choices.folders) + [f for f in draft.folders if f not in choices.folders]
        for folder in folders:
            item = QtWidgets.QListWidgetItem(QtCore.QFileInfo(folder).fileName() or folder, self.folder_list)
            item.setToolTip(folder)
            item.setData(_FOLDER_ROLE, folder)
            item.setFlags(item.flags() | QtCore.Qt.ItemFlag.ItemIsUserCheckable)
            checked = folder in draft.folders
            item.setCheckState(QtCore.Qt.CheckState.Checked if checked else QtCore.Qt.CheckState.Unchecked)
        self.folder_note = QtWidgets.QLabel(self)
        self.folder_note.setWordWrap(True)
        self.folder_note.setText(
            self.tr("New chats here use my library with the folders ticked.")
            if folders
            else self.tr("Add folders in Settings → Documents to give this project files.")
        )
        self.buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Save | QtWidgets.QDialogButtonBox.StandardButton.Cancel, self
        )
        self.save_button = self.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Save)
        self.save_button.setAccessibleName(self.tr("Save project"))
        cancel = self.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName(self.tr("Cancel"))

        form = QtWidgets.QFormLayout()
        form.addRow(self.tr("Name:"), self.name_edit)
        form.addRow(self.tr("Instructions:"), self.instructions_edit)
        form.addRow(self.tr("Default persona:"), self.persona_box)
        form.addRow(self.tr("Default model:"), self.model_box)
        if folders:
            form.addRow(self.tr("Library folders:"), self.folder_list)
            form.addRow("", self.folder_note)
        else:  # nothing to tick: only where folders come from
            self.folder_list.hide()
            form.addRow(self.tr("Library folders:"), self.folder_note)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.folder_list.setMaximumHeight(110)
        self.resize(520, 440)

        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.name_edit.textChanged.connect(self._on_name_edit_text_changed)
        self._on_name_edit_text_changed(self.name_edit.text())

    def draft(self) -> ProjectDraft:
        """What the dialog holds now."""
        folders = tuple(
            str(self.folder_list.item(row).data(_FOLDER_ROLE))
            for row in range(self.folder_list.count())
            if self.folder_list.item(row).checkState() == QtCore.Qt.CheckState.Checked
        )
        return ProjectDraft(
            self.name_edit.text().strip(),
            self.instructions_edit.toPlainText().strip(),
            self.persona_box.currentData(),
            self.model_box.currentData(),
            folders,
        )

    @QtCore.Slot(str)
    def _on_name_edit_text_changed(self, text: str) -> None:
        self.save_button.setEnabled(bool(text.strip()))


def ask_project(parent: QtWidgets.QWidget, draft: ProjectDraft | None, choices: ProjectChoices) -> ProjectDraft | None:
    """Shows the dialog; the draft the user saved, or None when they cancelled."""
    dialog = ProjectDialog(draft, choices, parent)
    try:
        return dialog.draft() if dialog.exec() == QtWidgets.QDialog.DialogCode.Accepted else None
    finally:
        dialog.deleteLater()


def ask_delete_project(parent: QtWidgets.QWidget, name: str, chats: int) -> DeleteChoice | None:
    """Asks whether project ``name``'s ``chats`` go back to the main list or are deleted too; None: cancelled."""
    translate = QtCore.QCoreApplication.translate
    box = QtWidgets.QMessageBox(parent)
    box.setObjectName("deleteProjectBox")
    box.setIcon(QtWidgets.QMessageBox.Icon.Question)
    box.setWindowTitle(translate("Sidebar", "Delete project"))
    box.setText(translate("Sidebar", "Delete the project “{name}”?").format(name=name))
    box.setInformativeText(
        translate("Sidebar", "It has {count} chats. Keep them in the main list, or delete them too?").format(
            count=chats
        )
    )
    keep = box.addButton(translate("Sidebar", "Keep the chats"), QtWidgets.QMessageBox.ButtonRole.AcceptRole)
    delete_role = QtWidgets.QMessageBox.ButtonRole.DestructiveRole
    delete = box.addButton(translate("Sidebar", "Delete the chats too"), delete_role)
    box.addButton(QtWidgets.QMessageBox.StandardButton.Cancel)
    try:
        box.exec()
        clicked = box.clickedButton()
        return "keep_chats" if clicked is keep else "delete_chats" if clicked is delete else None
    finally:
        box.deleteLater()
