"""Export and import in the window: one conversation from the sidebar's menu, all of them and imports
from Settings → Data, the question about conversations already here, and errors said in the window."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from app.core.history import exchange
from app.core.history.exchange import OnConflict
from app.core.history.store import Store
from app.ui.controllers.exchange_controller import ExchangeController, ExportFormat, file_stem
from app.ui.settings.data_tab import DataTab
from app.ui.settings.dialog import SettingsDialog
from app.ui.shell.main_window import MainWindow
from tests.ui.settings.categories import open_category

CHATGPT = Path(__file__).parent.parent.parent / "data" / "chatgpt" / "conversations.json"


def _two_conversations(store: Store) -> list[int]:
    first = store.create_conversation("Bread: a recipe?")
    store.add_message(first.id, "user", "How do I bake bread?")
    store.add_message(first.id, "assistant", "Flour, water, **salt** and time.")
    second = store.create_conversation("北京旅行")
    store.add_message(second.id, "user", "请介绍一下北京")
    store.add_message(second.id, "assistant", "北京是中国的首都。")
    return [first.id, second.id]


class Dialogs:
    """Stands in for the file dialogs and the question: what the user would pick, and what was asked."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.save_to: Path | None = None
        self.open_path: Path | None = None
        self.answer: OnConflict | None = "skip"
        self.suggested: list[tuple[Path, str]] = []
        self.asked: list[tuple[int, int]] = []
        monkeypatch.setattr(ExchangeController, "choose_save_path", self._save)
        monkeypatch.setattr(ExchangeController, "choose_open_path", lambda exchange, parent: self.open_path)
        monkeypatch.setattr(ExchangeController, "ask_on_conflict", self._ask)

    def _save(self, parent: object, suggested: Path, fmt: ExportFormat) -> Path | None:
        self.suggested.append((suggested, fmt))
        return self.save_to

    def _ask(self, parent: object, present: int, total: int) -> OnConflict | None:
        self.asked.append((present, total))
        return self.answer


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> Dialogs:
    return Dialogs(monkeypatch)


def _in_data_tab(window: MainWindow, monkeypatch: pytest.MonkeyPatch, act: Callable[[DataTab], None]) -> None:
    """Opens Settings, lets ``act`` press buttons on the Data page, then closes the dialog."""

    def run(dialog: SettingsDialog) -> bool:
        assert isinstance(dialog.data_tab, DataTab)
        assert open_category(dialog, "Data") is dialog.data_tab
        act(dialog.data_tab)
        return False

    monkeypatch.setattr(SettingsDialog, "run", run)
    window.settings_action.trigger()


def test_one_conversation_is_exported_from_the_sidebar_as_markdown_and_json(
    window: MainWindow, store: Store, dialogs: Dialogs, tmp_path: Path
) -> None:
    first, _ = _two_conversations(store)
    window.reload()
    window.sidebar.select(first)

    dialogs.save_to = tmp_path / "bread.md"
    window.sidebar.export_markdown_action.trigger()
    dialogs.save_to = tmp_path / "bread.json"
    window.sidebar.export_json_action.trigger()

    assert [(path.name, fmt) for path, fmt in dialogs.suggested] == [
        ("Bread a recipe.md", "md"),
        ("Bread a recipe.json", "json"),
    ]
    markdown = (tmp_path / "bread.md").read_text(encoding="utf-8")
    assert markdown.startswith("# Bread: a recipe?") and "Flour, water, **salt** and time." in markdown
    document = json.loads((tmp_path / "bread.json").read_text(encoding="utf-8"))
    assert [c["title"] for c in document["conversations"]] == ["Bread: a recipe?"]
    assert [m["content"] for m in document["conversations"][0]["messages"]] == [
        "How do I bake bread?",
        "Flour, water, **salt** and time.",
    ]
    assert window.banner.kind() == "info" and str(tmp_path / "bread.json") in window.banner.text()


def test_a_cancelled_or_failed_export_writes_nothing_and_says_why(
    window: MainWindow, store: Store, dialogs: Dialogs, tmp_path: Path
) -> None:
    first, _ = _two_conversations(store)
    window.reload()
    window.sidebar.select(first)
    exports = tmp_path / "exports"
    exports.mkdir()
    dialogs.save_to = None  # the user cancels the file dialog
    window.sidebar.export_json_action.trigger()
    assert not window.banner.isVisible() and list(exports.iterdir()) == []

    dialogs.save_to = exports / "no such folder" / "bread.json"
    window.sidebar.export_json_action.trigger()
    assert window.banner.kind() == "error"
    assert "could not be written" in window.banner.text() and "no such folder" in window.banner.text()


def test_all_conversations_go_out_and_come_back_skipped_or_as_copies(
    window: MainWindow, store: Store, dialogs: Dialogs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    originals = _two_conversations(store)
    window.reload()
    everything = tmp_path / "all.json"
    messages: list[str] = []

    def export_then_import_twice(tab: DataTab) -> None:
        assert tab.export_all_button.isVisibleTo(tab) and tab.import_button.isVisibleTo(tab)
        dialogs.save_to = everything
        tab.export_all_button.click()
        messages.append(tab.message_label.text())
        dialogs.open_path = everything
        dialogs.answer = "skip"
        tab.import_button.click()
        messages.append(tab.message_label.text())
        dialogs.answer = "copy"
        tab.import_button.click()
        messages.append(tab.message_label.text())
        dialogs.answer = None  # the user cancels the question
        tab.import_button.click()

    _in_data_tab(window, monkeypatch, export_then_import_twice)

    whole = json.loads(everything.read_text(encoding="utf-8"))
    assert whole.pop("memories") == []  # a whole history's export carries the memories (none here)
    assert whole == json.loads(exchange.export_json(store, originals))
    assert messages[0] == f"Conversations exported: 2, to {everything}."
    assert dialogs.asked == [(2, 2), (2, 2), (2, 2)]  # the copies have uuids of their own
    assert messages[1] == "Conversations imported: 0. Already here, so skipped: 2."
    assert messages[2] == "Conversations imported: 2."
    titles = sorted(c.title for c in store.conversations())
    assert titles == ["Bread: a recipe?", "Bread: a recipe?", "北京旅行", "北京旅行"]
    assert len({c.uuid for c in store.conversations()}) == 4
    assert sorted(window.sidebar.titles()) == titles  # the sidebar lists the copies at once


def test_chatgpt_export_is_imported_into_an_empty_history(
    window: MainWindow, store: Store, dialogs: Dialogs, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert window.conversation_id is None  # the welcome panel
    dialogs.open_path = CHATGPT
    seen: list[str] = []
    _in_data_tab(window, monkeypatch, lambda tab: (tab.import_button.click(), seen.append(tab.message_label.text())))

    chatgpt = json.loads(CHATGPT.read_text(encoding="utf-8"))
    assert dialogs.asked == []  # nothing was here: no question
    assert seen == [f"Conversations imported: {len(chatgpt)}."]
    assert sorted(window.sidebar.titles()) == sorted(item["title"] for item in chatgpt)
    assert window.conversation_id is not None  # the window shows the newest imported conversation


def test_a_file_parley_cannot_read_is_refused_with_a_clear_message(
    window: MainWindow, store: Store, dialogs: Dialogs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _two_conversations(store)
    window.reload()
    garbage = tmp_path / "notes.json"
    garbage.write_text("these are my notes, not JSON", encoding="utf-8")
    newer = tmp_path / "future.json"
    newer.write_text(json.dumps({"format": "parley-history", "version": 99, "conversations": []}), encoding="utf-8")
    shown: list[tuple[str, str]] = []

    def import_both(tab: DataTab) -> None:
        for path in (garbage, newer):
            dialogs.open_path = path
            tab.import_button.click()
            shown.append((tab.message_label.objectName(), tab.message_label.text()))

    _in_data_tab(window, monkeypatch, import_both)

    assert [name for name, _ in shown] == ["errorLabel", "errorLabel"]
    assert str(garbage) in shown[0][1] and "not a conversation export Parley can read" in shown[0][1]
    assert str(newer) in shown[1][1] and "version 99 is newer than this Parley" in shown[1][1]
    assert len(store.conversations()) == 2


def test_file_names_come_from_titles_in_any_language() -> None:
    assert file_stem("北京旅行") == "北京旅行"
    assert file_stem('a/b\\c: "d"?') == "a b c d"
    assert file_stem("...") == "conversation"
