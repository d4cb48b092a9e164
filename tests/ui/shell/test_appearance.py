"""Theme, text size and language, switched in Settings and applied at once to the open window."""

from __future__ import annotations

import re
from pathlib import Path
from typing import cast

import pytest
from PySide6 import QtCore, QtGui, QtWidgets
from pytestqt.qtbot import QtBot

from app.core.errors import NOTHING_ANSWERS, RemoteServerError
from app.core.history.store import Store
from app.ui.common import i18n, retranslate, style
from app.ui.controllers.api_controller import ApiServerController
from app.ui.settings.dialog import SettingsDialog
from app.ui.shell.api_status import ApiStatusLabel
from app.ui.shell.main_window import MainWindow
from tests.ui.chat import screen
from tests.ui.conftest import WindowFactory
from tests.ui.settings.test_settings_dialog import answer_settings, saved_settings


def choose(combo: QtWidgets.QComboBox, data: object) -> None:
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def bubble_colour(window: MainWindow) -> QtGui.QColor:
    return window.chat_view.document().rootFrame().childFrames()[0].frameFormat().background().color()


def test_the_theme_and_text_size_switch_at_once_from_settings(
    qtbot: QtBot,
    qapp: QtWidgets.QApplication,
    store: Store,
    make_window: WindowFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    conversation = store.create_conversation("Colours")
    store.add_message(conversation.id, "user", "Hi")
    store.add_message(conversation.id, "assistant", "```python\nx = 1\n```", model_name="SmolLM2")
    window = make_window()
    assert window.services.appearance.theme == "light"  # the offscreen platform has no dark preference
    light_bubble = bubble_colour(window)
    size = qapp.font().pointSize()

    def fill(dialog: SettingsDialog) -> bool:
        choose(dialog.theme_combo, "dark")
        choose(dialog.font_size_combo, 16)
        return True

    answer_settings(monkeypatch, fill)
    window.settings_action.trigger()
    qtbot.waitUntil(lambda: bubble_colour(window) != light_bubble)
    assert saved_settings()["theme"] == "dark" and saved_settings()["font_size"] == 16
    assert qapp.palette().color(QtGui.QPalette.ColorRole.Base).lightness() < 80
    assert bubble_colour(window).lightness() < 80 and light_bubble.lightness() > 200
    assert window.font().pointSize() == 16 != size
    # The code block's colours follow the theme too.
    code = window.chat_view.document().find("x = 1")
    assert not code.isNull()

    answer_settings(monkeypatch, lambda dialog: (choose(dialog.theme_combo, ""), True)[1])
    window.settings_action.trigger()
    qtbot.waitUntil(lambda: bubble_colour(window).lightness() > 200)


def _title_points(window: MainWindow) -> dict[str, float]:
    """The point size of each kind of title the window shows (the welcome page's and the chat header's)."""
    names = ("welcomeTitle", "sectionTitle", "chatTitle")
    labels = [label for label in window.findChildren(QtWidgets.QLabel) if label.objectName() in names]
    return {label.objectName(): label.font().pointSizeF() for label in labels}


def test_titles_grow_and_shrink_with_the_text_size(
    qtbot: QtBot, make_window: WindowFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window()
    shown = _title_points(window)
    for points in (18, 9):
        answer_settings(monkeypatch, lambda dialog, points=points: (choose(dialog.font_size_combo, points), True)[1])
        window.settings_action.trigger()
        # The window restyles when its font's change reaches it, after the settings are saved.
        qtbot.waitUntil(lambda before=shown: _title_points(window) != before)
        before, shown = shown, _title_points(window)
        assert set(shown) == {"welcomeTitle", "sectionTitle", "chatTitle"}
        # Every title stands above the text it heads, at the largest size as at the smallest.
        assert all(size > points for size in shown.values()), (points, shown)
        assert shown["welcomeTitle"] > shown["chatTitle"] > shown["sectionTitle"]
        grew = points == 18
        assert all((size > before[name]) == grew for name, size in shown.items()), (before, shown)


def test_the_palettes_tell_the_two_speakers_apart_in_both_themes() -> None:
    for theme in style.THEMES:
        palette = style.palette_for(theme)
        user, answer = style.user_bubble(palette), style.answer_bubble(palette)
        assert user != answer
        text, base = palette.color(QtGui.QPalette.ColorRole.Text), palette.color(QtGui.QPalette.ColorRole.Base)
        assert abs(text.lightness() - base.lightness()) > 150  # readable contrast


def shown_texts(root: QtWidgets.QWidget) -> list[str]:
    """Every fixed string a window shows or says (texts, titles, tips, placeholders, names, items), in order."""
    texts: list[str] = []
    for widget in [root, *root.findChildren(QtWidgets.QWidget)]:
        texts += [widget.toolTip(), widget.accessibleName(), widget.windowTitle()]
        if isinstance(widget, QtWidgets.QAbstractButton | QtWidgets.QLabel):
            texts.append(widget.text())
        if isinstance(widget, QtWidgets.QLineEdit | QtWidgets.QPlainTextEdit):
            texts.append(widget.placeholderText())
        if isinstance(widget, QtWidgets.QComboBox):
            texts += [widget.itemText(index) for index in range(widget.count())]
        if isinstance(widget, QtWidgets.QTabWidget):
            texts += [widget.tabText(index) for index in range(widget.count())]
        if isinstance(widget, QtWidgets.QTreeWidget):
            texts += [widget.headerItem().text(column) for column in range(widget.columnCount())]
        if isinstance(widget, QtWidgets.QTableWidget):
            items = (widget.horizontalHeaderItem(column) for column in range(widget.columnCount()))
            texts += [item.text() for item in items if item is not None]
    texts += [action.text() for action in root.findChildren(QtGui.QAction)]
    # The free memory the fit badges quote is read anew each time; it is not a translated string.
    return [re.sub(r"\d[\d.,]* GB", "# GB", text) for text in texts if text]


def test_switching_the_language_retranslates_the_open_window_at_once(
    qtbot: QtBot, store: Store, make_window: WindowFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    conversation = store.create_conversation("Languages")
    store.add_message(conversation.id, "user", "Hi")
    store.add_message(conversation.id, "assistant", "Hello", model_name="SmolLM2", status="stopped")
    window = make_window()
    qtbot.waitUntil(lambda: window.services.voice.checked)
    english = shown_texts(window)
    assert "New chat" in english and "Get models" in english

    answer_settings(monkeypatch, lambda dialog: (choose(dialog.language_combo, "zh_CN"), True)[1])
    window.settings_action.trigger()
    qtbot.waitUntil(lambda: window.sidebar.new_button.text() == "新对话")
    assert i18n.current_language() == "zh_CN"
    switched = shown_texts(window)
    assert "SmolLM2 · 已停止" in screen.text_of(window.chat_view, 2) or "已停止" in screen.text_of(window.chat_view, 2)

    fresh = make_window()  # built in Chinese from the start: what the switched window must now show
    qtbot.waitUntil(lambda: fresh.services.voice.checked)  # its microphone says what it can do
    expected = shown_texts(fresh)
    different = [f"{a!r} != {b!r}" for a, b in zip(switched, expected, strict=False) if a != b]
    assert different == [], "\n".join(different)
    assert switched == expected
    fresh.close()

    answer_settings(monkeypatch, lambda dialog: (choose(dialog.language_combo, "en"), True)[1])
    window.settings_action.trigger()
    qtbot.waitUntil(lambda: window.sidebar.new_button.text() == "New chat")
    assert shown_texts(window) == english


def test_the_live_switch_needs_only_the_compiled_qm_as_the_bundle_ships_it(
    qtbot: QtBot, make_window: WindowFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    shipped = i18n.translations_dir() / "parley_zh_CN.qm"
    (tmp_path / shipped.name).write_bytes(shipped.read_bytes())  # no .ts beside it
    monkeypatch.setattr(i18n, "translations_dir", lambda: tmp_path)
    monkeypatch.setattr(retranslate, "translations_dir", lambda: tmp_path)
    retranslate.catalogue.cache_clear()
    try:
        window = make_window()
        menu = window.menuBar().actions()[0]
        assert menu.text() == "&Chat"
        i18n.switch_language(QtWidgets.QApplication.instance(), "zh_CN")  # type: ignore[arg-type]
        qtbot.waitUntil(lambda: window.sidebar.new_button.text() == "新对话", timeout=60_000)
        assert menu.text() == "聊天(&C)"
        assert window.composer.edit.placeholderText().startswith("给 Parley 发消息")
    finally:
        i18n.switch_language(QtWidgets.QApplication.instance(), "en")  # type: ignore[arg-type]
        retranslate.catalogue.cache_clear()


def test_the_qm_reader_finds_every_translated_message_of_the_catalogue() -> None:
    import xml.etree.ElementTree as ElementTree

    index = retranslate.read_catalogue(i18n.translations_dir() / "parley_zh_CN.qm")
    root = ElementTree.parse(i18n.translations_dir() / "parley_zh_CN.ts").getroot()
    checked = 0
    for context in root.iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            source, translation = message.findtext("source") or "", message.find("translation")
            if translation is None or not translation.text or translation.get("type") in ("vanished", "obsolete"):
                continue
            checked += 1
            assert (name, source) in index[source]
            assert (name, source) in index[translation.text]
    assert checked > 400


def test_a_file_that_is_not_a_qm_is_refused_by_name(tmp_path: Path) -> None:
    bad = tmp_path / "parley_zh_CN.qm"
    bad.write_bytes(b"<TS></TS>")
    with pytest.raises(retranslate.QmFormatError):
        retranslate.read_catalogue(bad)


class _ServingController(QtCore.QObject):
    activity_changed = QtCore.Signal(int)
    state_changed = QtCore.Signal()
    base_url = "http://127.0.0.1:8717/v1"


def test_in_chinese_mode_the_api_line_and_a_servers_reason_follow_a_live_switch(qtbot: QtBot) -> None:
    application = QtWidgets.QApplication.instance()
    assert isinstance(application, QtWidgets.QApplication)
    label = ApiStatusLabel(cast(ApiServerController, _ServingController()))
    qtbot.addWidget(label)
    assert label.text() == "API: serving at http://127.0.0.1:8717/v1"
    error = RemoteServerError(host="gpu1:8000", reason=NOTHING_ANSWERS.format(host="gpu1:8000"))
    assert "nothing answers at gpu1:8000" in i18n.error_text(error)
    try:
        i18n.switch_language(application, "zh_CN")
        qtbot.waitUntil(lambda: "API" in label.text() and "serving" not in label.text(), timeout=60_000)
        assert "http://127.0.0.1:8717/v1" in label.text()
        chinese = i18n.error_text(error)
        assert "gpu1:8000" in chinese and "nothing answers" not in chinese and "running" not in chinese
    finally:
        i18n.switch_language(application, "en")
    qtbot.waitUntil(lambda: label.text() == "API: serving at http://127.0.0.1:8717/v1", timeout=60_000)
