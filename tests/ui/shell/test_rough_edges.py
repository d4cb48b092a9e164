"""The rough edges a new user hit: sidebar keys, the rename dialog, empty chats, the header picker and the
default model, deleting the model in use, "Chat now", and clipped Download buttons."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6 import QtCore, QtWidgets
from pytestqt.qtbot import QtBot

from app.core import paths
from app.core.history.store import Store
from app.core.models import installed, library
from app.core.models.hub import HubConfig
from app.ui.common import i18n
from app.ui.models.recommended_list import RecommendedCard
from app.ui.shell.main_window import MainWindow
from tests.fakehub import STARTER_FILE, STARTER_REPO, FakeHub
from tests.ui.conftest import WindowFactory
from tests.ui.hub_helpers import DOWNLOAD_TIMEOUT_MS

SECOND = "second-model"


def chats(store: Store, count: int) -> list[int]:
    ids = []
    for number in range(count):
        conversation = store.create_conversation(f"Chat {number}")
        store.add_message(conversation.id, "user", f"Question {number}")
        ids.append(conversation.id)
    return ids


def test_f2_and_del_work_on_the_conversation_chosen_with_the_keyboard(
    qtbot: QtBot, store: Store, make_window: WindowFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = chats(store, 3)
    window = make_window()
    window.activateWindow()
    qtbot.waitActive(window)
    window.sidebar.list.setFocus()
    qtbot.waitUntil(window.sidebar.list.hasFocus)
    qtbot.keyClick(window.sidebar.list, QtCore.Qt.Key.Key_Down)
    assert window.conversation_id == ids[1]
    assert window.sidebar.list.hasFocus(), "choosing from the list kept the keyboard in the list"

    asked: list[str] = []
    monkeypatch.setattr(window.sidebar, "ask_new_title", lambda current: asked.append(current) or "Renamed")
    qtbot.keyClick(window.sidebar.list, QtCore.Qt.Key.Key_F2)
    assert asked == ["Chat 1"] and store.conversation(ids[1]).title == "Renamed"

    qtbot.keyClick(window.sidebar.list, QtCore.Qt.Key.Key_Delete)
    assert ids[1] not in window.sidebar.ids(), "Del took it off the list, with an Undo for a few seconds"
    window.sidebar.apply_pending_deletes()
    assert ids[1] not in [c.id for c in store.conversations()]

    # A click (or a conversation chosen any other way) still puts the cursor in the message box.
    window.sidebar.select(ids[0])
    window.composer.edit.clearFocus()
    window.sidebar.list.clearFocus()
    window.sidebar.select(ids[2])
    assert window.composer.edit.hasFocus()


@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")  # a dialog, offscreen
@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_rename_dialog_is_wide_enough_for_its_title(
    qtbot: QtBot, qapp: QtWidgets.QApplication, window: MainWindow, language: str
) -> None:
    translators = i18n.install_translators(qapp, language)
    try:
        dialog = window.sidebar.rename_dialog("A title")
        qtbot.addWidget(dialog)
        dialog.show()
        title_width = dialog.fontMetrics().horizontalAdvance(dialog.windowTitle())
        assert dialog.width() >= title_width + 150  # room for the title bar's buttons as well
        assert dialog.textValue() == "A title"
    finally:
        i18n.remove_translators(qapp, translators)


def test_an_empty_new_chat_is_not_kept(qtbot: QtBot, store: Store, make_window: WindowFactory) -> None:
    (kept,) = chats(store, 1)
    window = make_window()
    window.new_action.trigger()
    empty = window.conversation_id
    assert empty is not None and empty != kept
    window.sidebar.select(kept)
    qtbot.waitUntil(lambda: empty not in window.sidebar.ids())
    assert [c.id for c in store.conversations()] == [kept]

    window.new_action.trigger()
    window.shutdown()  # closing the window with an empty chat open
    assert [c.id for c in store.conversations()] == [kept]


@pytest.fixture
def second_model(starter_model: Path, tmp_path: Path) -> Path:
    source = tmp_path / f"{SECOND}.gguf"
    shutil.copyfile(starter_model, source)
    library.import_model(source, copy=True)
    return paths.models_dir() / f"{SECOND}.gguf"


def test_the_header_picker_changes_this_chat_only_not_the_default(
    qtbot: QtBot, store: Store, make_window: WindowFactory, second_model: Path
) -> None:
    (conversation_id,) = chats(store, 1)
    window = make_window()
    default_before = window.settings.current.model_name
    picker = window.model_picker
    index = picker.findText(SECOND)
    assert index >= 0
    picker.setCurrentIndex(index)
    picker.activated.emit(index)  # what a user's choice in the list sends
    assert store.conversation(conversation_id).model_name == SECOND
    assert window.settings.current.model_name == default_before
    assert window.registry.default_model() is not None and window.registry.default_model().name != SECOND


def test_deleting_the_open_chats_model_says_what_it_will_use_instead(
    qtbot: QtBot, store: Store, make_window: WindowFactory, second_model: Path
) -> None:
    conversation = store.create_conversation("Uses the second", model_name=SECOND)
    store.add_message(conversation.id, "user", "Hi")
    window = make_window()
    page = window.models_page
    second = next(entry for entry in window.registry.models() if entry.name == SECOND)
    starter = next(entry for entry in window.registry.models() if entry.source == "starter")
    assert page.delete_question(second).endswith(
        f"The open conversation uses it; it will use {installed.STARTER_NAME} instead."
    )
    assert "open conversation" not in page.delete_question(starter)  # not the one in use: nothing to add


def test_a_finished_download_offers_chat_now(
    qtbot: QtBot, window: MainWindow, store: Store, fake_hub: FakeHub, hub_env: HubConfig
) -> None:
    (kept,) = chats(store, 1)
    window.reload()
    default_before = window.settings.current.model_name
    with qtbot.waitSignal(window.downloads.download_finished, timeout=DOWNLOAD_TIMEOUT_MS):
        window.downloads.start(STARTER_REPO, STARTER_FILE, label="SmolLM2 from the Hub")
    banner = window.banner
    assert banner.isVisible() and banner.action_button.isVisible()
    assert banner.action_button.text() == "Chat now"
    qtbot.mouseClick(banner.action_button, QtCore.Qt.MouseButton.LeftButton)
    assert window.conversation_id not in (None, kept)
    conversation = store.conversation(window.conversation_id)
    assert conversation.model_name == "SmolLM2-135M-Instruct.Q4_1"
    assert window.settings.current.model_name == default_before, "Chat now did not change the default"
    assert not banner.isVisible()


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_download_buttons_keep_their_whole_label_while_downloading(
    qtbot: QtBot, qapp: QtWidgets.QApplication, window: MainWindow, language: str
) -> None:
    translators = i18n.install_translators(qapp, language)
    try:
        card = RecommendedCard(window.welcome.recommended.cards()[0].model, window)
        card.resize(560, 90)
        card.show()
        for state, percent in (("running", 100), ("paused", None), (None, None)):
            card.set_state(state, percent)
            button = card.download_button
            needed = button.fontMetrics().horizontalAdvance(button.text())
            assert button.width() >= needed + 16, (button.text(), button.width(), needed)
    finally:
        i18n.remove_translators(qapp, translators)
