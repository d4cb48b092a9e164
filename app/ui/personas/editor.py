"""The persona editor: create, duplicate, edit, delete (a built-in is reset instead), import and export
personas, write "About you" and say which personas use it, preview the system prompt exactly as the
model gets it (a built-in's unedited prompt in the window's language), hold a persona's answers to a
JSON Schema (``schema_field``: checked as it is typed, with an example answer), and have every answer of a
persona looked inside ("Look inside every answer").

It works on the ``PersonaBook`` and ``SettingsStore`` it is handed; file pickers go through
``choose_file`` so tests can replace them. Export writes the persona shown or all of them (the Export
button's menu); its dialog opens in the folder used last, else the user's Documents. A refusal is
said in the dialog, except a history found damaged, which goes to the window (``error_reported``)
to be recovered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6 import QtCore, QtWidgets

from app.core.config.settings import SettingsStore
from app.core.engine.protocol import SamplingSettings
from app.core.errors import AppError, DatabaseDamagedInUseError
from app.core.personas.book import PersonaBook
from app.core.personas.persona import (
    OVERFLOWS,
    Persona,
    display_description,
    display_name,
    final_system_prompt,
    shown_prompt,
    stored_prompt,
)
from app.ui.common.narrow import (
    ColumnGrid,
    ShrinkingComboBox,
    SideBySide,
    WrappingCheckBox,
    WrappingLabel,
    wrapping_form,
)
from app.ui.personas.schema_field import SchemaField
from app.ui.shell import geometry

FileChooser = Callable[[QtWidgets.QWidget, bool, Path], Path | None]  # (parent, saving, suggested) -> path

_last_folder: Path | None = None  # where the last import or export went, for this run


def default_folder() -> Path:
    """Where an import or export dialog opens: the folder used last, else Documents, else home."""
    if _last_folder is not None and _last_folder.is_dir():
        return _last_folder
    documents = QtCore.QStandardPaths.writableLocation(QtCore.QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents and Path(documents).is_dir() else Path.home()


def export_name(persona: Persona | None, language: str) -> str:
    """A file name for exporting ``persona`` (None: all of them)."""
    if persona is None:
        return "personas.json"
    stem = "".join(c if c.isalnum() or c in "-_ " else " " for c in display_name(persona, language))
    return ("-".join(stem.split()) or "persona") + ".json"


def _pick_file(parent: QtWidgets.QWidget, saving: bool, suggested: Path) -> Path | None:
    translate = QtCore.QCoreApplication.translate
    title = translate("PersonaEditor", "Export personas") if saving else translate("PersonaEditor", "Import personas")
    pick = QtWidgets.QFileDialog.getSaveFileName if saving else QtWidgets.QFileDialog.getOpenFileName
    name, _ = pick(parent, title, str(suggested), "JSON (*.json)")
    return Path(name) if name else None


ROOMY_WIDTH = 940  # pixels the dialog opens at where the screen has them


class PersonaEditor(QtWidgets.QDialog):
    """GUI thread only."""

    personas_changed = QtCore.Signal()
    error_reported = QtCore.Signal(object)  # DatabaseDamagedInUseError: the window recovers the history

    def __init__(
        self, book: PersonaBook, settings: SettingsStore, language: str = "en",
        parent: QtWidgets.QWidget | None = None, choose_file: FileChooser = _pick_file,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle(self.tr("Personas"))
        self._book, self._settings, self._language, self._choose_file = book, settings, language, choose_file
        self.list = QtWidgets.QListWidget(self)
        self.list.setMaximumWidth(200)
        self.list.setAccessibleName(self.tr("Personas"))
        # Room for an icon and a name of a few words, however narrow the dialog is.
        self.list.setMinimumWidth(min(200, self.fontMetrics().averageCharWidth() * 22))
        self.name_edit = QtWidgets.QLineEdit(self)
        self.name_edit.setAccessibleName(self.tr("Name"))
        self.icon_edit = QtWidgets.QLineEdit(self)
        self.icon_edit.setAccessibleName(self.tr("Icon"))
        self.icon_edit.setMaximumWidth(60)
        self.description_edit = QtWidgets.QLineEdit(self)
        self.prompt_edit = QtWidgets.QPlainTextEdit(self)
        self.prompt_edit.setTabChangesFocus(True)
        self.temperature = self._spin(0, 5, 2, 0.05)
        self.top_p = self._spin(0, 1, 2, 0.05)
        self.min_p = self._spin(0, 1, 2, 0.01)
        self.repeat_penalty = self._spin(0, 5, 2, 0.05)
        self.top_k = QtWidgets.QSpinBox(self)
        self.top_k.setRange(0, 100_000)
        self.max_tokens = QtWidgets.QSpinBox(self)
        self.max_tokens.setRange(1, 1 << 20)
        self.seed_edit = QtWidgets.QLineEdit(self)
        self.seed_edit.setPlaceholderText(self.tr("random"))
        self.stop_edit = QtWidgets.QLineEdit(self)
        self.stop_edit.setPlaceholderText(self.tr("separated by |"))
        self.model_edit = QtWidgets.QLineEdit(self)
        self.model_edit.setPlaceholderText(self.tr("the conversation's model"))
        self.n_ctx = QtWidgets.QSpinBox(self)
        self.n_ctx.setRange(0, 1 << 20)
        self.n_ctx.setSpecialValueText(self.tr("from Settings"))
        self.overflow = ShrinkingComboBox(self)
        overflow_texts = (self.tr("From Settings"), self.tr("Drop the oldest turns"), self.tr("Stop and ask"))
        for value, text in zip(OVERFLOWS, overflow_texts, strict=True):
            self.overflow.addItem(text, value)
        self.target_edit = QtWidgets.QLineEdit(self)
        self.target_edit.setPlaceholderText(self.tr("from the text"))
        self.uses_about_check = WrappingCheckBox(self.tr("This persona uses “About you”"), self)
        self.uses_about_check.setToolTip(
            self.tr("Off for a persona that translates or rewrites your text: About you would leak into it")
        )
        self.look_inside_check = WrappingCheckBox(self.tr("Look inside every answer"), self)
        self.look_inside_check.setAccessibleName(self.tr("Look inside every answer"))
        self.look_inside_check.setToolTip(
            self.tr("Once an answer is written, shade each word by how sure the model was; a remote server is asked "
                    "for its token probabilities")
        )  # fmt: skip
        self.look_inside_check.setAccessibleDescription(self.look_inside_check.toolTip())
        self.about_check = WrappingCheckBox(self.tr("Add “About you” to every persona"), self)
        self.about_edit = QtWidgets.QPlainTextEdit(self)
        self.about_edit.setPlaceholderText(self.tr("e.g. I am a nurse in Shanghai; answer in simple English."))
        self.about_edit.setMaximumHeight(50)
        self.about_edit.setAccessibleName(self.tr("About you"))
        self.schema_field = SchemaField(self)
        self.preview = QtWidgets.QPlainTextEdit(self)
        self.preview.setReadOnly(True)
        self.preview.setObjectName("personaPreview")
        self.error_label = QtWidgets.QLabel(self)
        self.error_label.setObjectName("personaError")
        self.error_label.setWordWrap(True)
        self._build_layout()
        self._fit_to_screen()
        current = settings.current
        self.about_check.setChecked(current.about_you_enabled)
        self.about_edit.setPlainText(current.about_you)
        for widget in (self.prompt_edit, self.about_edit):
            widget.textChanged.connect(self._update_preview)
        self.about_check.toggled.connect(self._update_preview)
        self.uses_about_check.toggled.connect(self._update_preview)
        self.target_edit.textChanged.connect(self._update_preview)
        self.list.currentRowChanged.connect(self._on_list_current_row_changed)
        self._personas: list[Persona] = []
        self._reload()

    def _spin(self, low: float, high: float, decimals: int, step: float) -> QtWidgets.QDoubleSpinBox:
        spin = QtWidgets.QDoubleSpinBox(self)
        spin.setRange(low, high)
        spin.setDecimals(decimals)
        spin.setSingleStep(step)
        return spin

    def _fit_to_screen(self) -> None:
        """Opens at its size, over the window, with its frame inside the screen's available area: at a large
        text size on a small screen the fields scroll and Save stays in view."""
        # A scroll area asks for less than its fields need: the dialog asks for the rest, so that it shows every
        # field where the screen has the room.
        fields = self._scroll.widget()
        inner = fields.sizeHint() if fields is not None else QtCore.QSize()
        shown = self._scroll.sizeHint()
        more = QtCore.QSize(max(0, inner.width() - shown.width()), max(0, inner.height() - shown.height()))
        size = self.sizeHint() + more
        # Roomy where the screen allows: the sampling settings' labels and the switches then keep to one line.
        geometry.place_dialog(self, QtCore.QSize(max(size.width(), ROOMY_WIDTH), size.height()))

    def _build_layout(self) -> None:
        form = wrapping_form()
        head = QtWidgets.QHBoxLayout()
        head.addWidget(self.icon_edit)
        head.addWidget(self.name_edit, 1)
        form.addRow(self.tr("Name"), head)
        form.addRow(self.tr("Description"), self.description_edit)
        form.addRow(self.tr("System prompt"), self.prompt_edit)
        cells = [
            (self.tr("Temperature"), self.temperature), (self.tr("Top-p"), self.top_p), (self.tr("Top-k"), self.top_k),
            (self.tr("Min-p"), self.min_p), (self.tr("Repeat penalty"), self.repeat_penalty),
            (self.tr("Longest answer"), self.max_tokens), (self.tr("Seed"), self.seed_edit),
            (self.tr("Stop strings"), self.stop_edit), (self.tr("Preferred model"), self.model_edit),
            (self.tr("Context length"), self.n_ctx), (self.tr("When the context is full"), self.overflow),
            (self.tr("Target language"), self.target_edit),
        ]  # fmt: skip
        for label, widget in cells:
            widget.setAccessibleName(label)
        form.addRow(ColumnGrid([(WrappingLabel(label, self), widget) for label, widget in cells], self))
        # One row for the persona's two switches where they fit (the dialog fits 800×600), else one under the other.
        form.addRow(SideBySide(self.uses_about_check, self.look_inside_check, spread=False, parent=self))
        form.addRow(self.about_check)
        form.addRow(self.about_edit)
        # The final prompt and the answers' schema share one place: the dialog fits 800×600 with both.
        self.preview.setMinimumHeight(self.preview.fontMetrics().lineSpacing() * 2 + 12)
        self.model_tabs = QtWidgets.QTabWidget(self)
        self.model_tabs.setAccessibleName(self.tr("What the model gets"))
        self.model_tabs.setDocumentMode(True)
        self.model_tabs.addTab(self.preview, self.tr("What the model gets"))
        self.model_tabs.addTab(self.schema_field, self.tr("JSON Schema of the answers"))
        form.addRow(self.model_tabs)
        form.addRow(self.error_label)
        actions: list[QtWidgets.QWidget] = []
        for text, slot in (
            (self.tr("New"), self._on_new_clicked), (self.tr("Duplicate"), self._on_duplicate_clicked),
            (self.tr("Delete"), self._on_delete_clicked), (self.tr("Reset"), self._on_reset_clicked),
            (self.tr("Import…"), self._on_import_clicked),
        ):  # fmt: skip
            button = QtWidgets.QPushButton(text, self)
            button.clicked.connect(slot)
            actions.append(button)
        self.export_button = QtWidgets.QPushButton(self.tr("Export…"), self)
        export_menu = QtWidgets.QMenu(self.export_button)
        self.export_one_action = export_menu.addAction(self.tr("This persona…"))
        self.export_all_action = export_menu.addAction(self.tr("All personas…"))
        self.export_one_action.triggered.connect(self._on_export_one_action_triggered)
        self.export_all_action.triggered.connect(self._on_export_all_action_triggered)
        self.export_button.setMenu(export_menu)
        actions.append(self.export_button)
        self.save_button = QtWidgets.QPushButton(self.tr("Save"), self)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self._on_save_clicked)
        # The persona's fields scroll where the dialog is shorter than they are; Save stays in view below them,
        # and the list's actions under the list (a row of six beside Save took half a small screen at 18 pt).
        fields = QtWidgets.QWidget(self)
        fields.setLayout(form)
        scroll = self._scroll = QtWidgets.QScrollArea(self)
        scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(fields)
        buttons = QtWidgets.QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        right = QtWidgets.QVBoxLayout()
        right.addWidget(scroll, 1)
        right.addLayout(buttons)
        left = QtWidgets.QVBoxLayout()
        left.addWidget(self.list, 1)
        for action in actions:
            action.setMaximumWidth(self.list.maximumWidth())
            left.addWidget(action)
        layout = QtWidgets.QHBoxLayout(self)
        layout.addLayout(left)
        layout.addLayout(right, 1)

    # -- showing --

    def _reload(self, select: int | None = None) -> None:
        self._personas = self._book.all()
        self.list.blockSignals(True)
        self.list.clear()
        for persona in self._personas:
            self.list.addItem(f"{persona.icon} {display_name(persona, self._language)}".strip())
        self.list.blockSignals(False)
        ids = [p.id for p in self._personas]
        self.list.setCurrentRow(ids.index(select) if select in ids else 0)

    @property
    def current(self) -> Persona | None:
        row = self.list.currentRow()
        return self._personas[row] if 0 <= row < len(self._personas) else None

    def _show(self, persona: Persona) -> None:
        self.name_edit.setText(display_name(persona, self._language))
        self.icon_edit.setText(persona.icon)
        self.description_edit.setText(display_description(persona, self._language))
        self.description_edit.setCursorPosition(0)  # a long description shows its start
        self.prompt_edit.setPlainText(shown_prompt(persona, self._language))
        self.uses_about_check.setChecked(persona.uses_about_you)
        self.look_inside_check.setChecked(persona.look_inside)
        sampling = persona.sampling
        self.temperature.setValue(sampling.temperature)
        self.top_p.setValue(sampling.top_p)
        self.top_k.setValue(sampling.top_k)
        self.min_p.setValue(sampling.min_p)
        self.repeat_penalty.setValue(sampling.repeat_penalty)
        self.max_tokens.setValue(sampling.max_tokens)
        self.seed_edit.setText("" if sampling.seed is None else str(sampling.seed))
        self.stop_edit.setText("|".join(sampling.stop))
        self.model_edit.setText(persona.model_name or "")
        self.n_ctx.setValue(persona.n_ctx or 0)
        self.overflow.setCurrentIndex(max(0, self.overflow.findData(persona.overflow)))
        self.target_edit.setText(persona.target_language)
        self.schema_field.set_text(persona.json_schema)
        self.error_label.clear()
        self._update_preview()

    def edited(self) -> Persona:
        """The persona as the form has it (not yet checked)."""
        base = self.current or self._book.default()
        seed_text = self.seed_edit.text().strip()
        try:
            seed = int(seed_text) if seed_text else None
        except ValueError:
            seed = None
            self.error_label.setText(self.tr("The seed must be a whole number; it was left random."))
        name = self.name_edit.text()
        if base.builtin is not None and name == display_name(base, self._language):
            name = base.name  # a built-in's translated name is its shipped one
        description = self.description_edit.text()
        if base.builtin is not None and description == display_description(base, self._language):
            description = base.description  # and so is its translated description
        sampling = SamplingSettings(
            temperature=self.temperature.value(), top_p=self.top_p.value(), top_k=self.top_k.value(),
            min_p=self.min_p.value(), repeat_penalty=self.repeat_penalty.value(), max_tokens=self.max_tokens.value(),
            seed=seed, stop=tuple(s for s in self.stop_edit.text().split("|") if s),
        )  # fmt: skip
        return replace(
            base, name=name, icon=self.icon_edit.text().strip(), description=description,
            system_prompt=stored_prompt(base, self.prompt_edit.toPlainText(), self._language), sampling=sampling,
            model_name=self.model_edit.text() or None, n_ctx=self.n_ctx.value() or None,
            overflow=self.overflow.currentData(), target_language=self.target_edit.text().strip(),
            uses_about_you=self.uses_about_check.isChecked(), json_schema=self.schema_field.text(),
            look_inside=self.look_inside_check.isChecked(),
        )  # fmt: skip

    @QtCore.Slot()
    def _update_preview(self) -> None:
        about, enabled = self.about_edit.toPlainText(), self.about_check.isChecked()
        settings = replace(self._settings.current, about_you=about, about_you_enabled=enabled)
        base = self.current or self._book.default()
        persona = replace(base, system_prompt=stored_prompt(base, self.prompt_edit.toPlainText(), self._language),
                          target_language=self.target_edit.text().strip(),
                          uses_about_you=self.uses_about_check.isChecked())  # fmt: skip
        self.preview.setPlainText(final_system_prompt(persona, settings, language=self._language))

    def _act(self, action: Callable[[], Persona | None]) -> None:
        try:
            persona = action()
        except DatabaseDamagedInUseError as err:
            self.error_reported.emit(err)
            return
        except AppError as err:
            self.error_label.setText(err.user_message(QtCore.QCoreApplication.translate))
            return
        self._reload(persona.id if persona is not None else None)
        self.personas_changed.emit()

    # -- slots --

    @QtCore.Slot(int)
    def _on_list_current_row_changed(self, row: int) -> None:
        if 0 <= row < len(self._personas):
            self._show(self._personas[row])

    @QtCore.Slot()
    def _on_save_clicked(self) -> None:
        def save() -> Persona:
            current = self._settings.current
            enabled = self.about_check.isChecked()
            self._settings.update(replace(current, about_you=self.about_edit.toPlainText(), about_you_enabled=enabled))
            return self._book.update(self.edited())

        self._act(save)

    @QtCore.Slot()
    def _on_new_clicked(self) -> None:
        self._act(lambda: self._book.create(replace(self._book.default(), name=self.tr("New persona"), icon="🙂")))

    @QtCore.Slot()
    def _on_duplicate_clicked(self) -> None:
        current = self.current
        if current is not None and current.id is not None:
            self._act(lambda: self._book.duplicate(current.id or 0, self.tr("copy")))

    @QtCore.Slot()
    def _on_delete_clicked(self) -> None:
        current = self.current
        if current is not None and current.id is not None:
            self._act(lambda: self._book.delete(current.id or 0))

    @QtCore.Slot()
    def _on_reset_clicked(self) -> None:
        current = self.current
        if current is not None and current.builtin is not None:
            self._act(lambda: self._book.reset(current.id or 0))

    @QtCore.Slot()
    def _on_import_clicked(self) -> None:
        path = self._choose(False, default_folder())
        if path is not None:
            self._act(lambda: next(iter(reversed(self._book.import_file(path))), None))

    @QtCore.Slot()
    def _on_export_one_action_triggered(self) -> None:
        current = self.current
        if current is not None:
            self._export([current])

    @QtCore.Slot()
    def _on_export_all_action_triggered(self) -> None:
        self._export(None)

    def _export(self, personas: list[Persona] | None) -> None:
        """Asks where, then writes ``personas`` (None: every persona) there."""
        one = personas[0] if personas is not None and len(personas) == 1 else None
        path = self._choose(True, default_folder() / export_name(one, self._language))
        if path is None:
            return
        shown = self.current

        def export() -> Persona | None:
            self._book.export_file(path, personas)
            return shown  # the persona on screen stays selected

        self._act(export)

    def _choose(self, saving: bool, suggested: Path) -> Path | None:
        global _last_folder
        path = self._choose_file(self, saving, suggested)
        if path is not None:
            _last_folder = path.parent
        return path
