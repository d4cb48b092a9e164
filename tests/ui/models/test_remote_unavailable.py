"""A remote model that cannot be loaded stays the conversation's model; the banner offers the one used before.

The server is the suite's own (``misbehaving_server``) on 127.0.0.1, refusing the key it is given.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pytestqt.qtbot import QtBot

from app.core.config.settings import Settings
from app.core.engine.remote.servers import RemoteServers
from app.core.history.store import Store
from app.core.models import installed
from tests.core.engine.misbehaving_server import MODEL, delta, misbehaving_server
from tests.ui.conftest import ANSWER_TIMEOUT_MS, WindowFactory, send_and_wait


def test_a_refused_key_keeps_the_remote_model_and_offers_the_switch_without_making_it(
    qtbot: QtBot, make_window: WindowFactory, store: Store, ui_settings: Settings, starter_model: Path
) -> None:
    with misbehaving_server([delta("Hi"), "[DONE]"], key="right") as url:
        RemoteServers().add("Odd box", url, "wrong")
        window = make_window()
        conversation_id = window.new_conversation()
        assert conversation_id is not None
        remote = window.registry.remote_entry(f"{MODEL} @ Odd box")
        assert remote is not None
        with qtbot.waitSignal(window.models.model_switch_failed, timeout=ANSWER_TIMEOUT_MS):
            window.use_model(remote, make_default=False)

        assert store.conversation(conversation_id).model_name == remote.name  # never changed for the user
        assert window.banner.isVisible() and window.banner.kind() == "error"
        text = window.banner.text()
        assert text.startswith(f"{remote.name} could not be loaded: ")
        assert "refused the API key" in text and "The conversation keeps it" in text
        assert "goes on with" not in text
        assert window.banner.action_button.isVisible()
        assert window.banner.action_button.text() == f"Use {installed.STARTER_NAME}"

        # A message now fails with the reason, offering the switch: it is not answered by another model.
        answer = send_and_wait(qtbot, window, "Hello?")
        assert answer.status == "failed" and answer.model_name != installed.STARTER_NAME
        assert store.conversation(conversation_id).model_name == remote.name
        qtbot.waitUntil(lambda: window.banner.action_button.isVisible(), timeout=ANSWER_TIMEOUT_MS)
        assert "refused the API key" in window.banner.text()
        assert window.banner.action_button.text() == f"Use {installed.STARTER_NAME}"

        # The switch is the user's to make.
        with qtbot.waitSignal(window.models.model_loaded, timeout=ANSWER_TIMEOUT_MS):
            window.banner.action_button.click()
        assert store.conversation(conversation_id).model_name == installed.STARTER_NAME
        answer = send_and_wait(qtbot, window, "Say hello.")
        assert answer.status == "complete" and answer.model_name == installed.STARTER_NAME


def test_the_switch_offer_and_the_status_name_the_starter_in_chinese(
    qtbot: QtBot, make_window: WindowFactory, starter_model: Path
) -> None:
    chinese = "SmolLM2 135M（入门，离线）"
    with misbehaving_server([delta("Hi"), "[DONE]"], key="right") as url:
        RemoteServers().add("Odd box", url, "wrong")
        window = make_window()
        window.settings.update(replace(window.settings.current, language="zh_CN"))  # as Settings → Language does
        assert window.new_conversation() is not None
        remote = window.registry.remote_entry(f"{MODEL} @ Odd box")
        assert remote is not None
        with qtbot.waitSignal(window.models.model_switch_failed, timeout=ANSWER_TIMEOUT_MS):
            window.use_model(remote, make_default=False)
        assert window.banner.action_button.text() == f"改用 {chinese}"

        with qtbot.waitSignal(window.models.model_loaded, timeout=ANSWER_TIMEOUT_MS):
            window.banner.action_button.click()
        qtbot.waitUntil(lambda: chinese in window.status.label.text(), timeout=ANSWER_TIMEOUT_MS)
        assert installed.STARTER_NAME not in window.status.label.text()
