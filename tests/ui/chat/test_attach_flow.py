"""Attaching files in the window, on the real reader, store, engine and starter model: a chip, a refusal,
chips above the sent message, sources under the answer and the passage behind one."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6 import QtCore
from pytestqt.qtbot import QtBot

from app.core import paths
from app.core.documents.library import Library
from app.ui.chat.passage_dialog import PassageDialog
from app.ui.shell.main_window import MainWindow
from tests.core.documents.files import write_pdf
from tests.ui.chat import screen
from tests.ui.conftest import ANSWER_TIMEOUT_MS, WindowFactory, type_message

FACT = "The project's codename is Zorblax."
TOPICS = ("rivers", "bread", "trains", "music", "weather", "gardens", "chess", "bridges", "coffee", "birds")


def handbook_pages(pages: int = 120, fact_page: int = 87) -> list[str | None]:
    """Far more text than the starter's context; only page ``fact_page`` holds the codename."""
    texts: list[str | None] = []
    for number in range(1, pages + 1):
        topic = TOPICS[number % len(TOPICS)]
        text = f"Page {number} is about {topic}. " + f"People enjoy {topic} in many places and seasons. " * 10
        texts.append(FACT + " " + text if number == fact_page else text)
    return texts


def attach(qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, *files: Path) -> None:
    """The paperclip, with the file dialog answering ``files``; returns once they were read."""
    monkeypatch.setattr(window.composer, "choose_files", lambda: list(files))
    qtbot.mouseClick(window.composer.attach_button, QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.services.documents.reading == 0, timeout=60_000)


def send(qtbot: QtBot, window: MainWindow) -> int:
    with qtbot.waitSignal(window.controller.answer_finished, timeout=ANSWER_TIMEOUT_MS) as finished:
        qtbot.keyClick(window.composer.edit, QtCore.Qt.Key.Key_Return)
    answer_id: int = finished.args[0].id
    return answer_id


def test_a_refused_file_says_why_and_keeps_the_draft(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    readable = tmp_path / "brief.txt"
    readable.write_text(FACT)
    window.new_conversation()
    type_message(qtbot, window, "half a question")
    attach(qtbot, window, monkeypatch, empty, readable)
    assert [document.name for document in window.composer.attachments()] == ["brief.txt"]
    assert window.banner.isVisible()
    assert window.banner.text() == "empty.txt has no text in it, so it was not attached."
    assert window.composer.text() == "half a question"


def test_a_whole_file_shows_above_the_message_and_sources_open_their_passage(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    brief = tmp_path / "brief.txt"
    brief.write_text(FACT)
    window.new_conversation()
    attach(qtbot, window, monkeypatch, brief)
    [chip] = window.composer.tray.chips()
    assert chip.label.text().startswith("brief.txt · ")
    type_message(qtbot, window, "What is the project's codename?")
    send(qtbot, window)
    assert window.composer.attachments() == []  # sent: the chips moved to the message
    question = screen.message_ids(window.chat_view)[0]
    assert question is not None
    assert "Attached: brief.txt" in screen.text_of(window.chat_view, question)
    assert "read whole" in screen.text_of(window.chat_view, question)

    handbook = write_pdf(tmp_path / "handbook.pdf", handbook_pages())
    attach(qtbot, window, monkeypatch, handbook)
    type_message(qtbot, window, "What is the project's codename?")
    answer_id = send(qtbot, window)
    question = screen.message_ids(window.chat_view)[-2]
    assert question is not None
    assert "passages used" in screen.text_of(window.chat_view, question)
    answer_text = screen.text_of(window.chat_view, answer_id)
    assert "Sources:   handbook.pdf [" in answer_text and "] p. 87" in answer_text
    frame = screen.block_of(window.chat_view, answer_id)
    label = next(
        label for label, _, _ in screen.links(window.chat_view, frame) if label.replace("\u00a0", " ").endswith("p. 87")
    )
    screen.click_link(qtbot, window.chat_view, frame, label)
    qtbot.waitUntil(lambda: window.attach.dialog is not None, timeout=10_000)
    dialog = window.attach.dialog
    assert isinstance(dialog, PassageDialog)
    assert FACT in dialog.highlighted_text()
    assert dialog.open_button.isEnabled()
    opened: list[QtCore.QUrl] = []
    monkeypatch.setattr(dialog, "open_file", lambda url: opened.append(url) or True)
    qtbot.mouseClick(dialog.open_button, QtCore.Qt.MouseButton.LeftButton)
    assert opened == [QtCore.QUrl.fromLocalFile(str(handbook))]
    dialog.close()

    handbook.unlink()  # the file is gone: the passage still reads, the file cannot be opened
    screen.click_link(qtbot, window.chat_view, frame, label)
    qtbot.waitUntil(lambda: window.attach.dialog is not None, timeout=10_000)
    gone = window.attach.dialog
    assert gone is not None and not gone.open_button.isEnabled()
    assert "no longer" in gone.missing_label.text()
    assert FACT in gone.highlighted_text()


def test_a_question_asked_while_a_chosen_folder_is_indexed_says_so(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    for number in range(200):
        (folder / f"note{number:03}.md").write_text(f"Note {number}: the river runs north.\n" * 20)
    Library(paths.library_path()).add_folder(str(folder))
    window = make_window()
    window.services.documents.shutdown()  # the indexing stops part way, as when Parley closed while it ran
    window.new_conversation()
    switch = window.header.library_switch
    qtbot.mouseClick(switch, QtCore.Qt.MouseButton.LeftButton)
    assert switch.isChecked()
    type_message(qtbot, window, "Which way does the river run?")
    answer_id = send(qtbot, window)
    details = screen.text_of(window.chat_view, answer_id)
    assert "The folder" in details and "was still being indexed" in details
