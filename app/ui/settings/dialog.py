"""The Settings dialog: default model, "About you", context overflow, language, model loading, the Hub, appearance.

It edits a copy of ``Settings`` and hands the new one back (``values``); the Hub token is not a setting:
``save_hub_token`` puts it in the key store. Saving and what follows is up to the window; ``run`` is the
blocking call, which tests replace. Extra pages (remote servers, the API server, Data) come from the window.
The pages are listed by category on the left (``categories.CategoryPages``), each scrolled where the screen
is shorter than it; the dialog, its Save and Cancel included, fits the screen it opens on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from PySide6 import QtCore, QtGui, QtWidgets

from app.core.config import secrets
from app.core.config.settings import Settings
from app.core.engine.protocol import AUTO_GPU_LAYERS, MAX_GPU_LAYERS
from app.core.models import gguf, gpu, hub
from app.core.models.installed import ModelEntry
from app.ui.common.i18n import model_label
from app.ui.common.narrow import ShrinkingComboBox, WrappingCheckBox, wrapping_form
from app.ui.common.style import FONT_SIZES
from app.ui.models.mirror import mirror_host
from app.ui.settings.categories import CategoryPages
from app.ui.shell import geometry
from app.ui.shell.about import about_facts

# Language names are shown in their own language, so they are not translated.
LANGUAGES = (("en", "English"), ("zh_CN", "简体中文"))


def _spin(minimum: int, maximum: int, value: int, step: int = 1) -> QtWidgets.QSpinBox:
    box = QtWidgets.QSpinBox()
    box.setRange(minimum, maximum)
    box.setSingleStep(step)
    box.setValue(value)
    return box


def _form(page: QtWidgets.QWidget) -> QtWidgets.QFormLayout:
    """A form at the top of ``page``; the room left over stays below it."""
    outer = QtWidgets.QVBoxLayout(page)
    form = wrapping_form()
    outer.addLayout(form)
    outer.addStretch(1)
    return form


def _note(text: str) -> QtWidgets.QLabel:
    label = QtWidgets.QLabel(text)
    label.setObjectName("mutedLabel")
    label.setWordWrap(True)
    return label


class SettingsDialog(QtWidgets.QDialog):
    """Edits the settings; ``values`` is the result once ``run`` returned True."""

    def __init__(
        self,
        settings: Settings,
        models: list[ModelEntry],
        *,
        default: ModelEntry | None,
        current: ModelEntry | None,
        follows_default: bool,
        gpu_offload: bool | None,
        data_tab: QtWidgets.QWidget | None = None,
        extra_tabs: Sequence[tuple[QtWidgets.QWidget, str]] = (),
        parent: QtWidgets.QWidget | None = None,
        capability: str | None = None,
        keys: secrets.KeyStore | None = None,
    ) -> None:
        """``current`` is the open conversation's model (None: no conversation is open);
        ``follows_default`` says whether that conversation has no model of its own yet;
        ``gpu_offload`` is what the last model load said about this build (None: nothing loaded yet);
        ``data_tab``, when given, becomes the last page ("Data"); ``extra_tabs`` (page, title) come before
        it, and a page with a ``problem()`` method that returns a sentence keeps the dialog from saving;
        ``capability`` is the sentence on what this llama.cpp build and machine can do (gpu_text);
        ``keys`` is the key store that holds the Hub token."""
        self._capability = capability
        self._keys = keys or secrets.KeyStore()
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle(self.tr("Settings"))
        self.setMinimumWidth(560)
        self._settings = settings
        self._default = default
        self._current = current

        self.pages = CategoryPages(self)  # the categories on the left, the chosen page beside them
        self.pages.addTab(self._general_tab(models, follows_default), self.tr("General"))
        self.pages.addTab(self._model_tab(gpu_offload), self.tr("Model"))
        self.pages.addTab(self._hub_tab(), self.tr("Hugging Face Hub"))
        self.pages.addTab(self._appearance_tab(), self.tr("Appearance"))
        for page, title in extra_tabs:
            self.pages.addTab(page, title)
        self.data_tab = data_tab
        if data_tab is not None:
            self.pages.addTab(data_tab, self.tr("Data"))
        self.error_label = QtWidgets.QLabel(self)
        self.error_label.setObjectName("errorLabel")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Save | QtWidgets.QDialogButtonBox.StandardButton.Cancel, self
        )
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.pages)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self._fit_to_screen()
        self.model_combo.currentIndexChanged.connect(self._on_model_combo_current_index_changed)
        self._on_model_combo_current_index_changed(self.model_combo.currentIndex())

    # -- building -------------------------------------------------------------------------------

    def _fit_to_screen(self) -> None:
        """Opens roomy (the pages' notes wrap less), over the window, but with its frame inside the screen's
        available area: a page taller than that scrolls, and the buttons stay in view."""
        hint = self.sizeHint()
        geometry.place_dialog(self, QtCore.QSize(max(hint.width(), 760), hint.height()))

    def _general_tab(self, models: list[ModelEntry], follows_default: bool) -> QtWidgets.QWidget:
        page = QtWidgets.QWidget(self)
        form = _form(page)
        form.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.model_combo = ShrinkingComboBox(page)
        for entry in models:
            self.model_combo.addItem(model_label(entry.name), entry.name)
        if self._default is not None:
            self.model_combo.setCurrentIndex(max(0, self.model_combo.findData(self._default.name)))
        self.switch_check = WrappingCheckBox(self.tr("Switch the open conversation to it as well"), page)
        self.switch_check.setChecked(follows_default)
        self.switch_check.setVisible(self._current is not None)
        self.switch_check.setToolTip(
            self.tr("Unticked, the open conversation keeps its model and only new conversations use the new one")
        )
        self.about_check = WrappingCheckBox(self.tr("Add it to every persona's system prompt"), page)
        self.about_check.setChecked(self._settings.about_you_enabled)
        self.about_edit = QtWidgets.QPlainTextEdit(page)
        self.about_edit.setPlainText(self._settings.about_you)
        self.about_edit.setPlaceholderText(self.tr("e.g. I am a nurse in Shanghai; answer in simple English."))
        self.about_edit.setTabChangesFocus(True)
        self.about_edit.setFixedHeight(self.about_edit.fontMetrics().lineSpacing() * 3 + 12)
        self.overflow_combo = ShrinkingComboBox(page)
        self.overflow_combo.addItem(self.tr("Drop the oldest turns"), "drop_oldest")
        self.overflow_combo.addItem(self.tr("Stop and ask"), "stop")
        self.overflow_combo.setCurrentIndex(max(0, self.overflow_combo.findData(self._settings.overflow)))
        self.overflow_combo.setToolTip(self.tr("For personas that do not choose for themselves"))
        self.language_combo = ShrinkingComboBox(page)
        self.language_combo.addItem(self.tr("Follow the system"), "")
        for code, name in LANGUAGES:
            self.language_combo.addItem(name, code)
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(self._settings.language)))

        form.addRow(self.tr("Default model:"), self.model_combo)
        form.addRow("", self.switch_check)
        form.addRow(self.tr("About you:"), self.about_edit)
        form.addRow("", self.about_check)
        form.addRow(self.tr("When a conversation is full:"), self.overflow_combo)
        form.addRow(
            "", _note(self.tr("System prompts and sampling belong to each persona: open Personas… in the sidebar."))
        )
        form.addRow(self.tr("Language:"), self.language_combo)
        form.addRow("", _note(self.tr("A new language takes effect as soon as you save.")))
        return page

    def _appearance_tab(self) -> QtWidgets.QWidget:
        page = QtWidgets.QWidget(self)
        form = _form(page)
        self.theme_combo = ShrinkingComboBox(page)
        self.theme_combo.addItem(self.tr("Follow the system"), "")
        self.theme_combo.addItem(self.tr("Light"), "light")
        self.theme_combo.addItem(self.tr("Dark"), "dark")
        self.theme_combo.setCurrentIndex(max(0, self.theme_combo.findData(self._settings.theme)))
        self.font_size_combo = ShrinkingComboBox(page)
        for size in FONT_SIZES:
            label = self.tr("System size") if size == 0 else self.tr("{size} pt").format(size=size)
            self.font_size_combo.addItem(label, size)
        self.font_size_combo.setCurrentIndex(max(0, self.font_size_combo.findData(self._settings.font_size)))
        form.addRow(self.tr("Theme:"), self.theme_combo)
        form.addRow(self.tr("Text size:"), self.font_size_combo)
        form.addRow("", _note(self.tr("Both apply to every window as soon as you save.")))
        return page

    def _model_tab(self, gpu_offload: bool | None) -> QtWidgets.QWidget:
        page = QtWidgets.QWidget(self)
        form = _form(page)
        self.context_spin = _spin(256, 1_048_576, self._settings.n_ctx, 1024)
        self.context_spin.setSuffix(self.tr(" tokens"))
        self.gpu_spin = _spin(AUTO_GPU_LAYERS, MAX_GPU_LAYERS, self._settings.n_gpu_layers)
        self.gpu_spin.setSpecialValueText(self.tr("Auto"))
        self.gpu_spin.setToolTip(self.tr("Auto: as many layers as fit the free GPU memory; 0: none"))
        if self._capability:
            gpu_note = self._capability
        elif gpu_offload is None:
            gpu_note = self.tr("Whether this build can use the GPU is known once a model has loaded.")
        elif gpu_offload:
            gpu_note = self.tr("This build of llama.cpp can offload layers to the GPU.")
        else:
            gpu_note = self.tr("This build of llama.cpp runs on the CPU only, so this setting has no effect.")
        self.gpu_note = _note(gpu_note)

        form.addRow(self.tr("Context length:"), self.context_spin)
        form.addRow(self.tr("GPU layers:"), self.gpu_spin)
        form.addRow("", self.gpu_note)
        self.state_cache_spin = _spin(0, 1_048_576, self._settings.state_cache_mb, 256)
        self.state_cache_spin.setSuffix(self.tr(" MB"))
        self.state_cache_spin.setToolTip(self.tr("Disk for saved conversation states, so long chats reopen at once"))
        form.addRow(self.tr("Conversation cache:"), self.state_cache_spin)
        form.addRow("", _note(self.tr("A new context length reloads the model. A persona may set its own.")))
        facts = about_facts()  # the same lines as the About box
        ggml = gguf.ggml_version()
        build = facts.llama_cpp if ggml is None else self.tr("{package}, ggml {version}").format(
            package=facts.llama_cpp, version=ggml
        )
        self.llama_build_label = _note(build)
        self.llama_build_label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(self.tr("llama.cpp build:"), self.llama_build_label)
        # The backends compiled in (the GPU note above says what this machine makes of them).
        self.backends_label = _note(", ".join(["CPU", *sorted(name.upper() for name in gpu.build_backends())]))
        form.addRow(self.tr("Backends:"), self.backends_label)
        return page

    def _hub_tab(self) -> QtWidgets.QWidget:
        page = QtWidgets.QWidget(self)
        form = _form(page)
        form.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.endpoint_edit = QtWidgets.QLineEdit(self._settings.hub_endpoint, page)
        self.endpoint_edit.setPlaceholderText("https://hf-mirror.com")
        self.endpoint_edit.setClearButtonEnabled(True)
        # A token an older settings file still holds (the key store refused it) is shown until it is saved.
        self._saved_token = secrets.hub_token(self._keys)
        self.token_edit = QtWidgets.QLineEdit(self._saved_token or self._settings.hub_token, page)
        self.token_edit.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        self.token_edit.setPlaceholderText("hf_…")
        self.token_edit.setClearButtonEnabled(True)
        self.mirror_button = QtWidgets.QPushButton(self.tr("Use the mirror {host}").format(host=mirror_host()), page)
        self.mirror_button.setToolTip(hub.SUGGESTED_MIRROR)
        self.mirror_button.clicked.connect(self._on_mirror_button_clicked)
        form.addRow(self.tr("Endpoint:"), self.endpoint_edit)
        form.addRow("", self.mirror_button)
        form.addRow(
            "",
            _note(
                self.tr(
                    "Leave empty for huggingface.co. Where the Hub is slow or blocked, enter a mirror, "
                    "for example https://hf-mirror.com."
                )
            ),
        )
        form.addRow(self.tr("Access token:"), self.token_edit)
        form.addRow(
            "",
            _note(
                self.tr(
                    "Only needed for gated models: accept the licence on the Hub, then paste a read token here. "
                    "It is kept in Parley's settings file on this computer and sent only to the endpoint above."
                )
            ),
        )
        return page

    def showEvent(self, event: QtGui.QShowEvent) -> None:  # noqa: N802 - Qt's name
        """Fitted again to the screen it opens on, which may not be the one it was built on."""
        super().showEvent(event)
        if not event.spontaneous():
            self._fit_to_screen()

    # -- seam: tests replace this ---------------------------------------------------------------

    def run(self) -> bool:
        """Shows the dialog until the user saves (True) or cancels (False)."""
        return self.exec() == QtWidgets.QDialog.DialogCode.Accepted

    # -- results --------------------------------------------------------------------------------

    def endpoint(self) -> str:
        return self.endpoint_edit.text().strip().rstrip("/")

    def endpoint_problem(self) -> str | None:
        """Why the endpoint cannot be used, or None."""
        endpoint = self.endpoint()
        url = QtCore.QUrl(endpoint)
        if endpoint and (url.scheme() not in ("http", "https") or not url.host()):
            return self.tr("The endpoint must be a web address such as https://hf-mirror.com.")
        return None

    def values(self) -> Settings:
        """The settings as the dialog shows them."""
        model_name = self.model_combo.currentData()
        if self._settings.model_name is None and self._default is not None and model_name == self._default.name:
            model_name = None  # untouched: keep following the first installed model
        return replace(
            self._settings,
            model_name=model_name if isinstance(model_name, str) else None,
            about_you=self.about_edit.toPlainText(),
            about_you_enabled=self.about_check.isChecked(),
            overflow=str(self.overflow_combo.currentData() or "drop_oldest"),
            n_ctx=self.context_spin.value(),
            n_gpu_layers=self.gpu_spin.value(),
            state_cache_mb=self.state_cache_spin.value(),
            language=str(self.language_combo.currentData() or ""),
            hub_endpoint=self.endpoint(),
            hub_token="" if self._saved_token == self.hub_token() else self._settings.hub_token,
            theme=str(self.theme_combo.currentData() or ""),
            font_size=int(self.font_size_combo.currentData() or 0),
        )

    def hub_token(self) -> str:
        return self.token_edit.text().strip()

    def save_hub_token(self) -> None:
        """Puts the token as the dialog shows it in the key store; ``StorageError`` when the store refuses."""
        if self.hub_token() != self._saved_token:
            self._keys.set(secrets.HUB_TOKEN_ACCOUNT, self.hub_token())
            self._saved_token = self.hub_token()

    def switch_current(self) -> bool:
        """Whether the open conversation should move to the new default model."""
        chosen = self.model_combo.currentData()
        return (
            self._current is not None
            and self.switch_check.isChecked()
            and isinstance(chosen, str)
            and chosen != self._current.name
        )

    # -- slots ----------------------------------------------------------------------------------

    @QtCore.Slot(int)
    def _on_model_combo_current_index_changed(self, index: int) -> None:
        del index
        chosen = self.model_combo.currentData()
        self.switch_check.setEnabled(self._current is not None and chosen != self._current.name)

    @QtCore.Slot()
    def _on_mirror_button_clicked(self) -> None:
        self.endpoint_edit.setText(hub.SUGGESTED_MIRROR)

    @QtCore.Slot()
    def _on_buttons_accepted(self) -> None:
        problem = self.endpoint_problem()
        if problem is not None:
            self.error_label.setText(problem)
            self.error_label.show()
            self.pages.setCurrentIndex(2)
            self.endpoint_edit.setFocus()
            return
        for index in range(self.pages.count()):
            page_problem = getattr(self.pages.widget(index), "problem", None)
            said = page_problem() if callable(page_problem) else None
            if isinstance(said, str):
                self.error_label.setText(said)
                self.error_label.show()
                self.pages.setCurrentIndex(index)
                return
        self.accept()
