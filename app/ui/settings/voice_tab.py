"""Settings → Voice: the microphone, the speech recognition model, the dictation language, a voice per language,
whether dictation is sent at once and answers are read aloud as they are written, and conversation mode.

Each speech model is listed with its size and whether it is installed; one that is not installed can be
chosen and downloaded with the Download button beside it (``download_requested``; the window downloads it and
``show_progress`` says how far it got). The page edits a copy of ``VoiceSettings`` and hands the new one back
(``values``) on Save.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6 import QtCore, QtWidgets

from app.core.errors import AppError
from app.core.models.downloads import DownloadProgress
from app.core.models.library import human_size
from app.core.voice import catalog
from app.core.voice.devices import AudioDevice
from app.core.voice.settings import VoiceSettings
from app.ui.common.i18n import error_text
from app.ui.common.narrow import ShrinkingComboBox, SideBySide, WrappingCheckBox, wrapping_form

VOICE_LANGUAGES = ("en", "zh")


class VoiceTab(QtWidgets.QWidget):
    """GUI thread only. ``devices`` is PortAudio's list, or the error that says why there is none."""

    download_requested = QtCore.Signal(str)  # a speech model's catalog id

    def __init__(
        self, settings: VoiceSettings, devices: list[AudioDevice] | AppError, parent: QtWidgets.QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("voiceTab")
        self._settings = settings
        form = wrapping_form()
        outer = QtWidgets.QVBoxLayout(self)
        outer.addLayout(form)

        self.device_combo = ShrinkingComboBox(self)
        self.device_combo.setAccessibleName(self.tr("Microphone"))
        self.device_note = QtWidgets.QLabel(self)
        self.device_note.setObjectName("mutedLabel")
        self.device_note.setWordWrap(True)
        inputs = [device for device in devices if device.inputs > 0] if isinstance(devices, list) else []
        for device in inputs:
            self.device_combo.addItem(device.name, device.name)
        if inputs:
            self.device_combo.setCurrentIndex(max(0, self.device_combo.findData(settings.input_device)))
            self.device_note.hide()
        else:
            self.device_combo.addItem(self.tr("No microphone"), "")
            self.device_combo.setEnabled(False)
            reason = devices if isinstance(devices, AppError) else None
            self.device_note.setText(
                error_text(reason) if reason else self.tr("No microphone was found; connect one and try again.")
            )
        form.addRow(self.tr("Microphone:"), self.device_combo)
        form.addRow("", self.device_note)

        self.download_buttons: dict[QtWidgets.QComboBox, QtWidgets.QPushButton] = {}
        self.whisper_combo = self._models_combo("whisper", "", settings.whisper_model, self.tr("Speech recognition"))
        form.addRow(self.tr("Speech recognition:"), self._with_download(self.whisper_combo))
        self.language_combo = ShrinkingComboBox(self)
        self.language_combo.setAccessibleName(self.tr("Dictation language"))
        for code, label in (("", self.tr("Detect it")), ("en", "English"), ("zh", "中文")):
            self.language_combo.addItem(label, code)
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(settings.language)))
        form.addRow(self.tr("Dictation language:"), self.language_combo)

        self.voice_combos: dict[str, QtWidgets.QComboBox] = {}
        names = {
            "en": (self.tr("English voice"), self.tr("English voice:")),
            "zh": (self.tr("Chinese voice"), self.tr("Chinese voice:")),
        }
        for language in VOICE_LANGUAGES:
            name, label = names[language]
            combo = self._models_combo("piper", language, settings.voices.get(language, ""), name)
            self.voice_combos[language] = combo
            form.addRow(label, self._with_download(combo))

        self.send_check = WrappingCheckBox(self.tr("Send dictated text at once (without editing it first)"), self)
        self.send_check.setChecked(settings.send_at_once)
        self.read_check = WrappingCheckBox(self.tr("Read answers aloud as they are written"), self)
        self.read_check.setChecked(settings.read_aloud)
        self.conversation_check = WrappingCheckBox(
            self.tr("Conversation mode: listen, answer aloud, listen again (Ctrl+Shift+T)"), self
        )
        self.conversation_check.setToolTip(
            self.tr("Speaking while the answer is read stops it and is heard as your next message.")
        )
        self.conversation_check.setChecked(settings.conversation_mode)
        outer.addWidget(self.send_check)
        outer.addWidget(self.read_check)
        outer.addWidget(self.conversation_check)
        note = QtWidgets.QLabel(
            self.tr(
                "Speech is recognised and spoken on this computer; nothing you say leaves it. "
                "Code blocks are not read out: the voice says “code block” instead."
            ),
            self,
        )
        note.setObjectName("mutedLabel")
        note.setWordWrap(True)
        outer.addWidget(note)
        self.progress_label = QtWidgets.QLabel(self)
        self.progress_label.setObjectName("mutedLabel")
        outer.addWidget(self.progress_label)
        outer.addStretch(1)

    def _models_combo(self, kind: catalog.SpeechKind, language: str, chosen: str, name: str) -> QtWidgets.QComboBox:
        """The speech models of ``kind`` (voices of ``language``), with sizes; only installed ones can be chosen."""
        combo = ShrinkingComboBox(self)
        combo.setAccessibleName(name)
        for model in catalog.SPEECH_MODELS:
            if model.kind != kind or (kind == "piper" and model.language != language):
                continue
            combo.addItem("", model.id)
        self._label_models(combo)
        combo.setCurrentIndex(max(0, combo.findData(chosen)))
        return combo

    def _label_models(self, combo: QtWidgets.QComboBox) -> None:
        for index in range(combo.count()):
            model = catalog.speech_model(str(combo.itemData(index)))
            assert model is not None
            state = self.tr("installed") if catalog.model_dir(model) is not None else self.tr("not installed")
            combo.setItemText(index, f"{self._shown_name(model)} · {human_size(model.size_bytes)} · {state}")

    def _shown_name(self, model: catalog.SpeechModel) -> str:
        """``model``'s name with what it speaks in the window's language: the catalog's "(English)" (a Whisper that
        hears English only), "(US English)", "(Chinese)"… said in the window's words."""
        name, _, speaks = model.name.partition(" (")
        speaks = speaks.removesuffix(")")
        if not speaks:
            return name
        words = {
            "English": self.tr("English"),
            "US English": self.tr("US English"),
            "British English": self.tr("British English"),
            "Chinese": self.tr("Chinese"),
            "Chinese, small": self.tr("Chinese, small"),
        }
        return self.tr("{name} ({speaks})").format(name=name, speaks=words.get(speaks, speaks))

    def _with_download(self, combo: QtWidgets.QComboBox) -> QtWidgets.QWidget:
        """``combo`` with a Download button beside it (below it where the page is narrow), shown while its choice
        is not installed."""
        button = QtWidgets.QPushButton(self.tr("Download"), self)
        button.setAccessibleName(self.tr("Download {name}").format(name=combo.accessibleName()))
        row = SideBySide(combo, button, parent=self)
        self.download_buttons[combo] = button
        button.clicked.connect(lambda: self._on_download_clicked(combo))
        combo.currentIndexChanged.connect(lambda _index: self._show_download(combo))
        self._show_download(combo)
        return row

    def _chosen_model(self, combo: QtWidgets.QComboBox) -> catalog.SpeechModel | None:
        return catalog.speech_model(str(combo.currentData()))

    def _show_download(self, combo: QtWidgets.QComboBox) -> None:
        model = self._chosen_model(combo)
        self.download_buttons[combo].setVisible(model is not None and catalog.model_dir(model) is None)

    def _on_download_clicked(self, combo: QtWidgets.QComboBox) -> None:
        model = self._chosen_model(combo)
        if model is not None:
            self.download_buttons[combo].setEnabled(False)
            self.download_requested.emit(model.id)

    @QtCore.Slot(str, object)
    def show_progress(self, model_id: str, progress: DownloadProgress) -> None:
        done_bytes, total_bytes = progress.done_bytes, progress.total_bytes
        model = catalog.speech_model(model_id)
        name = self._shown_name(model) if model is not None else model_id
        self.progress_label.setText(
            self.tr("Downloading {name}: {done} of {total}").format(
                name=name, done=human_size(done_bytes), total=human_size(total_bytes)
            )
        )

    @QtCore.Slot(str, str)
    def show_finished(self, model_id: str, status: str) -> None:
        """A download ended: the lists say what is installed now."""
        model = catalog.speech_model(model_id)
        name = self._shown_name(model) if model is not None else model_id
        self.progress_label.setText(
            self.tr("{name} is installed.").format(name=name) if status in ("installed", "already_installed") else ""
        )
        for combo, button in self.download_buttons.items():
            self._label_models(combo)
            button.setEnabled(True)
            self._show_download(combo)

    def values(self) -> VoiceSettings:
        voices = dict(self._settings.voices)
        for language, combo in self.voice_combos.items():
            voices[language] = str(combo.currentData() or voices.get(language, ""))
        return replace(
            self._settings,
            input_device=str(self.device_combo.currentData() or self._settings.input_device),
            whisper_model=str(self.whisper_combo.currentData() or self._settings.whisper_model),
            language=str(self.language_combo.currentData() or ""),
            voices=voices,
            send_at_once=self.send_check.isChecked(),
            read_aloud=self.read_check.isChecked(),
            conversation_mode=self.conversation_check.isChecked(),
        )
