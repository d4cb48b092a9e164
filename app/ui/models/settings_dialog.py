"""The per-model settings dialog, opened from the Models page: load settings and the chat template.

Every load setting can follow the global settings ("Global") or be the model's own. The chat
template is the GGUF's own by default; the user can pick a built-in or paste a Jinja template,
and a live preview renders a sample conversation with it. An invalid template shows Jinja's
error and cannot be saved; "Reset to the model's own" goes back to the GGUF's template. The draft
model for speculative decoding is Auto, None or one of the installed models; one whose vocabulary
differs is refused with the sentence ``check_draft`` gives, and cannot be saved.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6 import QtCore, QtWidgets

from app.core.config.model_settings import ModelSettings
from app.core.config.settings import Settings
from app.core.engine.builtin_templates import BUILTINS, builtin, check_template, key_for_source
from app.core.engine.protocol import AUTO_GPU_LAYERS, KV_TYPES, MAX_GPU_LAYERS, NO_GPU_LAYERS, gpu_layers_mode
from app.core.models.drafts import DRAFT_AUTO, DRAFT_NONE

_OWN = "own"
_CUSTOM = "custom"
_GLOBAL = object()
DraftCheck = Callable[[str], str | None]  # a draft model's path -> why it cannot draft for this model, or None
TEMPLATE_LINES = 10  # the template editor's least height, in lines
PREVIEW_LINES = 4


def _lines_high(edit: QtWidgets.QPlainTextEdit, lines: int) -> int:
    """The height that shows ``lines`` lines of ``edit``'s text with its frame and margins."""
    margins = edit.contentsMargins().top() + edit.contentsMargins().bottom()
    return edit.fontMetrics().lineSpacing() * lines + 2 * edit.frameWidth() + margins + 8


class ModelSettingsDialog(QtWidgets.QDialog):
    """Edits one model's settings; ``values`` is the result once ``exec`` accepted."""

    def __init__(
        self,
        model_name: str,
        current: ModelSettings,
        defaults: Settings,
        own_template: str | None,
        parent: QtWidgets.QWidget | None = None,
        draft_models: Sequence[tuple[str, str]] = (),
        check_draft: DraftCheck | None = None,
    ) -> None:
        """``own_template`` is the GGUF's chat template (None: it has none); ``draft_models`` the installed
        models a draft may be (label, path), checked with ``check_draft`` when chosen."""
        super().__init__(parent)
        self._draft_models = list(draft_models)
        self._check_draft = check_draft
        self.setObjectName("modelSettingsDialog")
        self.setWindowTitle(self.tr("Settings for {model}").format(model=model_name))
        self.setMinimumWidth(560)
        self._current = current
        self._own_template = own_template
        self.tabs = QtWidgets.QTabWidget(self)
        self.tabs.addTab(self._loading_tab(current, defaults), self.tr("Loading"))
        self.tabs.addTab(self._template_tab(current), self.tr("Chat template"))
        note = QtWidgets.QLabel(
            self.tr("These apply the next time the model loads: the next message reloads it."), self
        )
        note.setObjectName("mutedLabel")
        note.setWordWrap(True)
        self.buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Save | QtWidgets.QDialogButtonBox.StandardButton.Cancel, self
        )
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._update_preview()

    # -- building -------------------------------------------------------------------------------

    def _combo(self, page: QtWidgets.QWidget, items: list[tuple[str, object]], value: object) -> QtWidgets.QComboBox:
        combo = QtWidgets.QComboBox(page)
        for text, data in items:
            combo.addItem(text, data)
        index = next((i for i, (_, data) in enumerate(items) if data == value), 0)
        combo.setCurrentIndex(index)
        return combo

    def _spin(
        self, page: QtWidgets.QWidget, low: int, high: int, value: int | None, step: int = 1
    ) -> QtWidgets.QSpinBox:
        """A spin box whose lowest value reads "Global" (the model follows the global setting)."""
        spin = QtWidgets.QSpinBox(page)
        spin.setRange(low - 1, high)
        spin.setSingleStep(step)
        spin.setSpecialValueText(self.tr("Global"))
        spin.setValue(value if value is not None else low - 1)
        return spin

    def _loading_tab(self, current: ModelSettings, defaults: Settings) -> QtWidgets.QWidget:
        page = QtWidgets.QWidget(self)
        form = QtWidgets.QFormLayout(page)
        form.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.context_spin = self._spin(page, 256, 1_048_576, current.n_ctx, 1024)
        self.context_spin.setSuffix(self.tr(" tokens"))
        mode = _GLOBAL if current.n_gpu_layers is None else gpu_layers_mode(current.n_gpu_layers)
        self.gpu_combo = self._combo(
            page,
            [
                (self.tr("Global"), _GLOBAL),
                (self.tr("Auto"), "auto"),
                (self.tr("Off"), "off"),
                (self.tr("A number"), "number"),
            ],
            mode,
        )
        self.gpu_layers_spin = QtWidgets.QSpinBox(page)
        self.gpu_layers_spin.setRange(NO_GPU_LAYERS + 1, MAX_GPU_LAYERS)
        self.gpu_layers_spin.setValue(current.n_gpu_layers if mode == "number" and current.n_gpu_layers else 16)
        self.gpu_layers_spin.setSuffix(self.tr(" layers"))
        self.gpu_layers_spin.setAccessibleName(self.tr("GPU layers"))
        gpu_row = QtWidgets.QHBoxLayout()
        gpu_row.addWidget(self.gpu_combo)
        gpu_row.addWidget(self.gpu_layers_spin)
        gpu_row.addStretch(1)
        self.threads_spin = self._spin(page, 1, 512, current.n_threads)
        self.batch_spin = self._spin(page, 32, 8192, current.n_batch, 64)
        self.flash_combo = self._combo(
            page,
            [(self.tr("Global"), _GLOBAL), (self.tr("On"), True), (self.tr("Off"), False)],
            _GLOBAL if current.flash_attn is None else current.flash_attn,
        )
        self.kv_combo = self._combo(
            page,
            [(self.tr("Global"), _GLOBAL), *[(kind, kind) for kind in KV_TYPES]],
            _GLOBAL if current.kv_type is None else current.kv_type,
        )
        form.addRow(self.tr("Context length:"), self.context_spin)
        form.addRow(self.tr("GPU layers:"), gpu_row)
        form.addRow(self.tr("Threads:"), self.threads_spin)
        form.addRow(self.tr("Batch size:"), self.batch_spin)
        form.addRow(self.tr("Flash attention:"), self.flash_combo)
        form.addRow(self.tr("KV cache type:"), self.kv_combo)
        choices: list[tuple[str, object]] = [(self.tr("Auto"), DRAFT_AUTO), (self.tr("None"), DRAFT_NONE)]
        choices += self._draft_models
        chosen = current.draft_model
        if chosen not in (DRAFT_AUTO, DRAFT_NONE) and all(path != chosen for _, path in self._draft_models):
            # The saved draft is no longer installed: shown as it is, so that Save keeps it rather than Auto.
            choices.append((self.tr("{name} (not installed)").format(name=Path(str(chosen)).stem), chosen))
        self.draft_combo = self._combo(page, choices, chosen)
        self.draft_combo.setAccessibleName(self.tr("Draft model"))
        self.draft_combo.setToolTip(
            self.tr(
                "A smaller model with the same vocabulary guesses the next tokens and this model checks them "
                "all at once. Auto picks an installed one; without one, Parley guesses from the conversation."
            )
        )
        self.draft_error = QtWidgets.QLabel(page)
        self.draft_error.setObjectName("errorLabel")
        self.draft_error.setWordWrap(True)
        self.draft_error.hide()
        form.addRow(self.tr("Draft model:"), self.draft_combo)
        form.addRow("", self.draft_error)
        draft_hint = QtWidgets.QLabel(
            self.tr("Drafting (speculative decoding) needs flash attention, so Global turns it on."), page
        )
        draft_hint.setObjectName("mutedLabel")
        draft_hint.setWordWrap(True)
        form.addRow("", draft_hint)
        hint = QtWidgets.QLabel(
            self.tr(
                "Global: as in Settings → Model (context {ctx} tokens). q8_0 and q4_0 need flash attention."
            ).format(ctx=defaults.n_ctx),
            page,
        )
        hint.setObjectName("mutedLabel")
        hint.setWordWrap(True)
        form.addRow("", hint)
        self.gpu_combo.currentIndexChanged.connect(self._on_gpu_combo_current_index_changed)
        self._on_gpu_combo_current_index_changed()
        self.draft_combo.currentIndexChanged.connect(self._on_draft_combo_current_index_changed)
        return page

    def _template_tab(self, current: ModelSettings) -> QtWidgets.QWidget:
        page = QtWidgets.QWidget(self)
        self.template_combo = QtWidgets.QComboBox(page)
        self.template_combo.addItem(self.tr("The model's own"), _OWN)
        for template in BUILTINS:
            self.template_combo.addItem(template.label, template.key)
        self.template_combo.addItem(self.tr("Custom (Jinja)"), _CUSTOM)
        self.reset_button = QtWidgets.QPushButton(self.tr("Reset to the model's own"), page)
        self.template_edit = QtWidgets.QPlainTextEdit(page)
        self.template_edit.setObjectName("templateEdit")
        self.template_edit.setAccessibleName(self.tr("Chat template"))
        self.template_edit.setLineWrapMode(QtWidgets.QPlainTextEdit.LineWrapMode.NoWrap)
        self.preview = QtWidgets.QPlainTextEdit(page)
        self.preview.setObjectName("templatePreview")
        self.preview.setAccessibleName(self.tr("Template preview"))
        self.preview.setReadOnly(True)
        # Room to read a template: ten lines of it (the dialog grows to give them), four of the preview.
        self.template_edit.setMinimumHeight(_lines_high(self.template_edit, TEMPLATE_LINES))
        self.preview.setMinimumHeight(_lines_high(self.preview, PREVIEW_LINES))
        self.error_label = QtWidgets.QLabel(page)
        self.error_label.setObjectName("errorLabel")
        self.error_label.setWordWrap(True)
        self.error_label.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        top = QtWidgets.QHBoxLayout()
        top.addWidget(QtWidgets.QLabel(self.tr("Template:"), page))
        top.addWidget(self.template_combo, 1)
        top.addWidget(self.reset_button)
        layout = QtWidgets.QVBoxLayout(page)
        layout.addLayout(top)
        layout.addWidget(self.template_edit, 3)
        layout.addWidget(QtWidgets.QLabel(self.tr("Preview of a sample conversation:"), page))
        layout.addWidget(self.preview, 2)
        layout.addWidget(self.error_label)

        if current.chat_template is None:
            key = _OWN
        else:
            key = current.template_name or key_for_source(current.chat_template) or _CUSTOM
        self.template_combo.setCurrentIndex(max(0, self.template_combo.findData(key)))
        self._show_source(key, current.chat_template)
        self.template_combo.currentIndexChanged.connect(self._on_template_combo_current_index_changed)
        self.template_edit.textChanged.connect(self._on_template_edit_text_changed)
        self.reset_button.clicked.connect(self._on_reset_button_clicked)
        return page

    def _show_source(self, key: str, text: str | None) -> None:
        self.template_edit.blockSignals(True)
        if key == _OWN:
            self.template_edit.setPlainText(self._own_template or "")
        elif key == _CUSTOM:
            self.template_edit.setPlainText(text if text is not None else self.template_edit.toPlainText())
        else:
            chosen = builtin(key)
            self.template_edit.setPlainText(chosen.source if chosen else "")
        self.template_edit.setReadOnly(key == _OWN)
        self.template_edit.blockSignals(False)

    # -- results --------------------------------------------------------------------------------

    def template_error(self) -> str | None:
        """Why the template shown cannot be used (None: it can, or it is the model's own)."""
        if self.template_combo.currentData() == _OWN:
            return None
        return check_template(self.template_edit.toPlainText()).error

    def values(self) -> ModelSettings:
        def spin(box: QtWidgets.QSpinBox) -> int | None:
            return None if box.value() < box.minimum() + 1 else box.value()

        mode = self.gpu_combo.currentData()
        layers = {"auto": AUTO_GPU_LAYERS, "off": NO_GPU_LAYERS, "number": self.gpu_layers_spin.value()}.get(mode)
        flash = self.flash_combo.currentData()
        kv = self.kv_combo.currentData()
        key = self.template_combo.currentData()
        template = None if key == _OWN else self.template_edit.toPlainText()
        return ModelSettings(
            n_ctx=spin(self.context_spin),
            n_gpu_layers=layers if isinstance(layers, int) else None,
            n_threads=spin(self.threads_spin),
            n_batch=spin(self.batch_spin),
            flash_attn=flash if isinstance(flash, bool) else None,
            kv_type=kv if isinstance(kv, str) else None,
            chat_template=template,
            template_name=key if key not in (_OWN, _CUSTOM) else None,
            draft_model=self.draft_combo.currentData(),
        )

    def draft_refusal(self) -> str | None:
        """Why the chosen draft model cannot draft for this model (None: it can, or Auto or None is chosen)."""
        chosen = self.draft_combo.currentData()
        if chosen in (DRAFT_AUTO, DRAFT_NONE) or self._check_draft is None:
            return None
        return self._check_draft(str(chosen))

    # -- slots ----------------------------------------------------------------------------------

    def _update_preview(self) -> None:
        source = self.template_edit.toPlainText()
        if self.template_combo.currentData() == _OWN and not source.strip():
            self.preview.setPlainText(self.tr("This model has no template of its own: Parley uses ChatML for it."))
            self.error_label.hide()
            self._update_save(True)
            return
        check = check_template(source)
        self.preview.setPlainText(check.preview)
        own = self.template_combo.currentData() == _OWN
        if check.error is not None:
            self.error_label.setText(self.tr("This template cannot be used: {error}").format(error=check.error))
        self.error_label.setVisible(check.error is not None)
        self._update_save(own or check.error is None)

    def _update_save(self, template_ok: bool | None = None) -> None:
        if template_ok is None:
            template_ok = self.template_combo.currentData() == _OWN or self.template_error() is None
        refusal = self.draft_refusal()
        self.draft_error.setText(refusal or "")
        self.draft_error.setVisible(refusal is not None)
        self.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Save).setEnabled(template_ok and refusal is None)

    def _on_gpu_combo_current_index_changed(self) -> None:
        self.gpu_layers_spin.setEnabled(self.gpu_combo.currentData() == "number")

    def _on_draft_combo_current_index_changed(self) -> None:
        self._update_save()

    def _on_template_combo_current_index_changed(self) -> None:
        self._show_source(str(self.template_combo.currentData()), None)
        self._update_preview()

    def _on_template_edit_text_changed(self) -> None:
        key = self.template_combo.currentData()
        chosen = builtin(str(key))
        if chosen is not None and self.template_edit.toPlainText() != chosen.source:
            # An edited built-in is the user's own template now.
            self.template_combo.blockSignals(True)
            self.template_combo.setCurrentIndex(self.template_combo.findData(_CUSTOM))
            self.template_combo.blockSignals(False)
        self._update_preview()

    def _on_reset_button_clicked(self) -> None:
        self.template_combo.setCurrentIndex(self.template_combo.findData(_OWN))
