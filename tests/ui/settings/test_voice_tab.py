"""Settings → Voice: devices, models with their sizes, a voice per language, the two switches."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets
from pytestqt.qtbot import QtBot

from app.core.errors import AudioUnavailableError
from app.core.models.hub import HubConfig
from app.core.voice import catalog
from app.core.voice.devices import AudioDevice
from app.core.voice.service import VoiceService
from app.core.voice.settings import VoiceSettings
from app.ui.common import i18n
from app.ui.common.background import BackgroundExecutor
from app.ui.controllers.voice_controller import VoiceController
from app.ui.settings.voice_tab import VoiceTab
from tests.fakehub import FakeFile, FakeHub

HEADSET = AudioDevice(1, "USB headset", inputs=1, outputs=2, default_rate=16_000)
WEBCAM = AudioDevice(2, "Webcam microphone", inputs=2, outputs=0, default_rate=44_100)


def items(combo: QtWidgets.QComboBox) -> list[str]:
    return [combo.itemText(i) for i in range(combo.count())]


def test_in_chinese_the_models_say_what_they_speak_in_chinese(qtbot: QtBot, qapp: QtWidgets.QApplication) -> None:
    translators = i18n.install_translators(qapp, "zh_CN")
    try:
        tab = VoiceTab(VoiceSettings(), [HEADSET])
        qtbot.addWidget(tab)
        whisper = items(tab.whisper_combo)
        assert "Whisper tiny（仅英语） · 75.0 MB · 已安装" in whisper  # the English-only one, said so
        assert "Whisper small · 484.0 MB · 未安装" in whisper  # a multilingual one has nothing to add
        assert "Joe（美式英语） · 63.0 MB · 已安装" in items(tab.voice_combos["en"])
        chinese = items(tab.voice_combos["zh"])
        assert chinese == ["Huayan（中文） · 63.0 MB · 未安装", "Huayan（中文，小型） · 21.0 MB · 未安装"]
        shown = [*whisper, *items(tab.voice_combos["en"]), *chinese]
        assert not [text for text in shown if "English" in text or "Chinese" in text or "(" in text]
    finally:
        i18n.remove_translators(qapp, translators)


def test_the_page_lists_microphones_and_models_and_gives_back_the_choices(qtbot: QtBot) -> None:
    tab = VoiceTab(VoiceSettings(input_device="Webcam microphone"), [HEADSET, WEBCAM])
    qtbot.addWidget(tab)
    assert tab.device_combo.currentText() == "Webcam microphone"
    whisper = items(tab.whisper_combo)
    assert "Whisper tiny (English) · 75.0 MB · installed" in whisper
    assert "Whisper small · 484.0 MB · not installed" in whisper
    assert "Joe (US English) · 63.0 MB · installed" in items(tab.voice_combos["en"])
    assert all("Chinese" in text for text in items(tab.voice_combos["zh"]))
    assert not tab.download_buttons[tab.voice_combos["en"]].isVisibleTo(tab)
    assert tab.download_buttons[tab.voice_combos["zh"]].isVisibleTo(tab)  # the default Chinese voice is not here

    tab.device_combo.setCurrentIndex(0)
    tab.language_combo.setCurrentIndex(tab.language_combo.findData("zh"))
    tab.send_check.setChecked(True)
    tab.read_check.setChecked(True)
    assert not tab.conversation_check.isChecked() and "Ctrl+Shift+T" in tab.conversation_check.text()
    tab.conversation_check.setChecked(True)
    values = tab.values()
    assert (values.input_device, values.language, values.send_at_once, values.read_aloud) == (
        "USB headset", "zh", True, True
    )
    assert values.conversation_mode
    assert values.whisper_model == "whisper-tiny.en" and values.voices["en"] == "en_US-joe-medium"


def test_without_portaudio_the_page_says_why_there_is_no_microphone(qtbot: QtBot) -> None:
    tab = VoiceTab(VoiceSettings(), AudioUnavailableError())
    qtbot.addWidget(tab)
    assert not tab.device_combo.isEnabled()
    assert "PortAudio" in tab.device_note.text()


def test_a_voice_not_installed_is_downloaded_from_the_page_and_then_listed_as_installed(
    qtbot: QtBot, hub_env: HubConfig, fake_hub: FakeHub
) -> None:
    voice = catalog.speech_model("zh_CN-huayan-x_low")
    assert voice is not None
    fake_hub.add_repo(voice.repo, {name: FakeFile.from_bytes(name.encode() * 5000) for name in voice.files})
    executor = BackgroundExecutor()
    controller = VoiceController(VoiceService(VoiceSettings(), devices=lambda: []), executor, lambda: hub_env)
    tab = VoiceTab(VoiceSettings(voices={"en": "en_US-joe-medium", "zh": voice.id}), [HEADSET])
    qtbot.addWidget(tab)
    tab.download_requested.connect(controller.download)
    controller.download_progressed.connect(tab.show_progress)
    controller.download_finished.connect(tab.show_finished)
    button = tab.download_buttons[tab.voice_combos["zh"]]
    try:
        with qtbot.waitSignal(controller.download_finished, timeout=60_000) as finished:
            qtbot.mouseClick(button, QtCore.Qt.MouseButton.LeftButton)
        assert finished.args == [voice.id, "installed"]
        assert tab.progress_label.text() == "Huayan (Chinese, small) is installed."
        assert tab.voice_combos["zh"].currentText() == "Huayan (Chinese, small) · 21.0 MB · installed"
        assert not button.isVisibleTo(tab)
    finally:
        controller.shutdown()
        executor.shutdown()
