"""The window with a remote server (llama-cpp-python's own) and with the local API server turned on."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import openai
import pytest
from PySide6 import QtWidgets
from pytestqt.qtbot import QtBot

from app.core.config.settings import Settings, SettingsStore
from app.core.engine.remote.servers import RemoteServers
from app.ui.settings.api_server_tab import ApiServerTab
from app.ui.settings.dialog import SettingsDialog
from app.ui.settings.remote_servers_tab import RemoteServersTab
from app.ui.shell.main_window import MainWindow
from tests.llama_server import API_KEY, MODEL_ALIAS, LlamaServer, free_port
from tests.ui.conftest import ANSWER_TIMEOUT_MS, WindowFactory, send_and_wait
from tests.ui.settings.test_settings_dialog import answer_settings, saved_settings


def _remote_window(qtbot: QtBot, make_window: WindowFactory, server: LlamaServer) -> MainWindow:
    RemoteServers().add("Lab box", server.base_url, API_KEY)
    window = make_window()
    [configured] = window.services.remote.servers.servers()
    if not window.services.remote.state(configured.id)[1]:
        with qtbot.waitSignal(window.services.remote.server_checked, timeout=30_000):
            pass
    return window


def test_a_remote_model_is_in_the_picker_with_its_host_and_its_answer_records_the_server(
    qtbot: QtBot, make_window: WindowFactory, llama_server: LlamaServer, ui_settings: Settings
) -> None:
    window = _remote_window(qtbot, make_window, llama_server)
    window.new_conversation()
    host = llama_server.base_url.split("/")[2]
    picker = window.model_picker
    texts = [picker.itemText(i) for i in range(picker.count())]
    assert f"{MODEL_ALIAS} — {host}" in texts
    index = texts.index(f"{MODEL_ALIAS} — {host}")
    assert not picker.itemIcon(index).isNull()  # marked as remote
    assert not window.header.remote_badge.isVisible()  # the local starter model: nothing leaves
    remote_list = window.models_page.remote_list  # the Models page lists it beside the installed ones
    assert remote_list.list.item(0).text() == f"{MODEL_ALIAS} — on Lab box ({host})"
    assert remote_list.isVisibleTo(window.models_page)
    remote = next(entry for entry in picker.entries() if entry.source == "remote")
    window.use_model(remote)
    assert window.header.remote_badge.isVisible()
    assert window.header.remote_label.text() == host and host in window.header.remote_badge.toolTip()
    qtbot.waitUntil(lambda: window.models.loading_model is None, timeout=30_000)  # the server said it has the model
    answer = send_and_wait(qtbot, window, "Say hello.")
    assert answer.status == "complete" and answer.content.strip()
    assert answer.model_name == MODEL_ALIAS and answer.server == f"Lab box ({host})"
    assert f"{MODEL_ALIAS} · Lab box ({host})" in window.chat_view.toPlainText()  # the answer says where it came from


def test_remote_servers_are_added_in_settings_and_the_key_place_is_said(
    qtbot: QtBot, make_window: WindowFactory, llama_server: LlamaServer, ui_settings: Settings
) -> None:
    window = make_window()
    tab = RemoteServersTab(window.services.remote)
    qtbot.addWidget(tab)
    assert "readable only by you" in tab.key_note.text()  # no keychain in the test run: the 0600 file
    assert tab.status_label.text() == "No remote servers: every conversation stays on this computer."
    tab.name_edit.setText("Lab box")
    tab.url_edit.setText(llama_server.base_url)
    tab.key_edit.setText(API_KEY)
    with qtbot.waitSignal(window.services.remote.server_checked, timeout=30_000):
        tab.add_button.click()
    assert tab.server_list.count() == 1
    assert "(models: 1)" in tab.server_list.item(0).text()
    assert any(entry.source == "remote" for entry in window.registry.all_models())
    check = tab.logprobs_check  # off by default; acts at once, as the rest of the page does
    assert check.accessibleName() == "Ask this server for token probabilities" and not check.isChecked()
    check.setChecked(True)
    assert RemoteServers().servers()[0].ask_logprobs  # kept in the file
    tab.url_edit.setText("not an address")
    tab.save_button.click()
    assert "is not a server address" in tab.status_label.text()
    tab.remove_button.click()
    assert tab.server_list.count() == 0 and not window.registry.remote_models()


def test_the_api_server_is_turned_on_in_settings_and_the_window_says_when_a_program_uses_the_model(
    qtbot: QtBot, make_window: WindowFactory, monkeypatch: pytest.MonkeyPatch, ui_settings: Settings
) -> None:
    window = make_window()
    assert not window.api_status.isVisible()  # off by default
    port = free_port()

    def fill(dialog: SettingsDialog) -> bool:
        tabs = [dialog.pages.tabText(i) for i in range(dialog.pages.count())]
        assert "Remote servers" in tabs and "Local API server" in tabs
        page = dialog.pages.widget(tabs.index("Local API server"))
        assert isinstance(page, ApiServerTab)
        page.enabled_check.setChecked(True)
        page.everywhere_check.setChecked(True)
        assert page.problem() == "To let other computers connect, set an API key first."
        page.everywhere_check.setChecked(False)
        page.port_spin.setValue(port)
        return True

    answer_settings(monkeypatch, fill)
    window.open_settings()
    assert saved_settings()["api_enabled"] is True and saved_settings()["api_host"] == "127.0.0.1"
    assert window.api_status.isVisible()
    assert window.api_status.text() == f"API: serving at http://127.0.0.1:{port}/v1"
    client = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="none", max_retries=0, timeout=120)
    model = client.models.list().data[0].id
    texts: list[str] = []
    done = threading.Event()

    def ask() -> None:
        stream = client.chat.completions.create(
            model=model, messages=[{"role": "user", "content": "Hi"}], stream=True, max_tokens=16, temperature=0
        )
        for _ in stream:
            pass
        done.set()

    with qtbot.waitSignal(window.services.api.activity_changed, check_params_cb=lambda n: n == 1, timeout=30_000):
        threading.Thread(target=ask, daemon=True).start()
    texts.append(window.api_status.text())
    qtbot.waitUntil(done.is_set, timeout=ANSWER_TIMEOUT_MS)
    qtbot.waitUntil(lambda: "serving at" in window.api_status.text(), timeout=10_000)
    assert texts == ["API: a program is using the model"]
    SettingsStore().current  # noqa: B018 - the file stays readable
    window.services.settings.update(replace(window.services.settings.current, api_enabled=False))
    assert not window.api_status.isVisible()
    with pytest.raises(openai.APIConnectionError):
        client.models.list()


def test_the_settings_dialog_keeps_its_own_pages(qtbot: QtBot, ui_settings: Settings, tmp_path: Path) -> None:
    page = QtWidgets.QWidget()
    dialog = SettingsDialog(
        ui_settings, [], default=None, current=None, follows_default=False, gpu_offload=None,
        extra_tabs=[(page, "Extra")],
    )  # fmt: skip
    qtbot.addWidget(dialog)
    assert [dialog.pages.tabText(i) for i in range(dialog.pages.count())][-1] == "Extra"
