"""A bug while a conversation is open: a local report without its text, and a dialog to open or copy it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6 import QtCore, QtWidgets
from pytestqt.qtbot import QtBot

from app.core import crashreport, paths
from app.core.history.store import Store
from app.ui.shell.crash import CrashDialog, CrashHandler
from tests.ui.conftest import WindowFactory

WRITTEN = "Please keep this between us: my appointment at the clinic is on Tuesday."
ANSWERED = "Of course. Your appointment stays private."


def test_a_bug_in_a_slot_writes_a_report_without_the_conversation(
    qtbot: QtBot, make_window: WindowFactory, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    conversation = store.create_conversation("The clinic")
    store.add_message(conversation.id, "user", WRITTEN)
    store.add_message(conversation.id, "assistant", ANSWERED)
    window = make_window()
    window.show_conversation(conversation.id)
    handler = CrashHandler()
    shown: list[tuple[str, Path | None]] = []
    monkeypatch.setattr(handler, "show_dialog", lambda details, path: shown.append((details, path)))

    def buggy_slot() -> None:
        messages = window.store.messages(conversation.id)
        raise IndexError(f"message {len(messages)} is out of range")

    handler.install()
    try:
        with qtbot.waitSignal(handler.crash_reported, timeout=10_000):
            QtCore.QTimer.singleShot(0, buggy_slot)  # a bug in a slot reaches sys.excepthook
    finally:
        handler.uninstall()

    (report_path,) = crashreport.reports()
    report = report_path.read_text(encoding="utf-8")
    assert shown == [(report, report_path)] and report_path.parent == paths.log_dir()
    assert "buggy_slot" in report and "IndexError: message 2 is out of range" in report
    assert "llama.cpp" in report and "Qt" in report
    for text in (WRITTEN, ANSWERED, "clinic", "appointment", "The clinic"):
        assert text not in report


def test_the_dialog_copies_the_report_and_opens_its_folder(
    qtbot: QtBot, qapp: QtWidgets.QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = crashreport.write_report("Parley crash report\nTraceback ...")
    assert path is not None
    dialog = CrashDialog(path.read_text(encoding="utf-8"), path)
    qtbot.addWidget(dialog)
    opened: list[Path] = []
    monkeypatch.setattr(dialog, "open_folder", lambda folder: opened.append(folder) or True)
    dialog.show()

    qtbot.mouseClick(dialog.copy_button, QtCore.Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.open_button, QtCore.Qt.MouseButton.LeftButton)

    assert qapp.clipboard().text() == "Parley crash report\nTraceback ..."
    assert opened == [paths.log_dir()]
    assert dialog.isVisible()  # both buttons leave it open
    assert str(path) in dialog.where_label.text()


def test_without_a_saved_report_the_dialog_still_copies(qtbot: QtBot) -> None:
    dialog = CrashDialog("report text", None)
    qtbot.addWidget(dialog)
    assert not dialog.open_button.isEnabled() and dialog.copy_button.isEnabled()
