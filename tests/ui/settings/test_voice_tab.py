"""Settings → Voice: devices, models with their sizes, a voice per language, the two switches."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.core.errors import AudioUnavailableError
from app.core.voice.devices import AudioDevice
from app.core.voice.settings import VoiceSettings
from app.ui.settings.voice_tab import VoiceTab

HEADSET = AudioDevice(1, "USB headset", inputs=1, outputs=2, default_rate=16_000)
WEBCAM = AudioDevice(2, "Webcam microphone", inputs=2, outputs=0, default_rate=44_100)


def items(combo) -> list[tuple[str, bool]]:  # type: ignore[no-untyped-def]
    return [(combo.itemText(i), combo.model().item(i).isEnabled()) for i in range(combo.count())]


def test_the_page_lists_microphones_and_models_and_gives_back_the_choices(qtbot: QtBot) -> None:
    tab = VoiceTab(VoiceSettings(input_device="Webcam microphone"), [HEADSET, WEBCAM])
    qtbot.addWidget(tab)
    assert tab.device_combo.currentText() == "Webcam microphone"
    whisper = items(tab.whisper_combo)
    assert ("Whisper tiny (English) · 75.0 MB · installed", True) in whisper
    assert ("Whisper small · 484.0 MB · not installed", False) in whisper
    assert ("Joe (US English) · 63.0 MB · installed", True) in items(tab.voice_combos["en"])
    assert all("Chinese" in text for text, _ in items(tab.voice_combos["zh"]))

    tab.device_combo.setCurrentIndex(0)
    tab.language_combo.setCurrentIndex(tab.language_combo.findData("zh"))
    tab.send_check.setChecked(True)
    tab.read_check.setChecked(True)
    values = tab.values()
    assert (values.input_device, values.language, values.send_at_once, values.read_aloud) == (
        "USB headset", "zh", True, True
    )
    assert values.whisper_model == "whisper-tiny.en" and values.voices["en"] == "en_US-joe-medium"


def test_without_portaudio_the_page_says_why_there_is_no_microphone(qtbot: QtBot) -> None:
    tab = VoiceTab(VoiceSettings(), AudioUnavailableError())
    qtbot.addWidget(tab)
    assert not tab.device_combo.isEnabled()
    assert "PortAudio" in tab.device_note.text()
