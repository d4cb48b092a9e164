"""Attaching files in the composer: the paperclip, a paste, a drop, the chips and their ✕."""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets
from pytestqt.qtbot import QtBot

from app.core.documents.types import Document, Page
from app.ui.chat.attachments import DocumentDropFilter, local_files
from app.ui.chat.composer import Composer


def make_composer(qtbot: QtBot) -> Composer:
    composer = Composer()
    composer.setMinimumSize(480, 160)
    qtbot.addWidget(composer)
    composer.show()
    composer.focus_edit()
    return composer


def document(path: Path, pages: int = 1, *, paged: bool = False) -> Document:
    return Document(
        path=str(path),
        name=path.name,
        kind="pdf" if paged else "text",
        size=2048,
        pages=tuple(Page(n, f"page {n}") for n in range(1, pages + 1)),
        paged=paged,
    )


def file_mime(*paths: Path) -> QtCore.QMimeData:
    mime = QtCore.QMimeData()
    mime.setUrls([QtCore.QUrl.fromLocalFile(str(path)) for path in paths])
    return mime


def test_the_paperclip_is_named_has_a_shortcut_and_asks_for_several_files(qtbot: QtBot, tmp_path: Path) -> None:
    composer = make_composer(qtbot)
    chosen = [tmp_path / "a.txt", tmp_path / "b.md"]
    composer.choose_files = lambda: chosen  # type: ignore[method-assign]  # the file dialog's seam
    assert composer.attach_button.accessibleName() == "Attach files"
    assert "Ctrl+Shift+A" in composer.attach_button.toolTip()
    assert composer.attach_button.shortcut() == QtGui.QKeySequence("Ctrl+Shift+A")
    with qtbot.waitSignal(composer.attach_requested, check_params_cb=lambda files: files == chosen):
        composer.attach_button.click()


def test_a_chip_says_name_pages_and_size_and_its_cross_takes_it_off(qtbot: QtBot, tmp_path: Path) -> None:
    composer = make_composer(qtbot)
    qtbot.keyClicks(composer.edit, "What does it say?")
    composer.add_attachment(document(tmp_path / "report.pdf", 12, paged=True))
    composer.add_attachment(document(tmp_path / "notes.txt"))
    chips = composer.tray.chips()
    assert composer.tray.isVisible()
    assert chips[0].label.text().startswith("report.pdf · 12 pages · 2")
    assert chips[1].label.text().startswith("notes.txt · 2")  # no pages for a text file
    assert chips[0].remove_button.accessibleName() == "Remove report.pdf"
    chips[0].remove_button.setFocus()
    qtbot.keyClick(chips[0].remove_button, QtCore.Qt.Key.Key_Space)  # reachable and usable by keyboard
    assert [d.name for d in composer.attachments()] == ["notes.txt"]
    assert composer.text() == "What does it say?"  # the draft stays
    composer.tray.chips()[0].remove_button.click()
    assert composer.attachments() == []
    assert not composer.tray.isVisible()


def test_the_same_file_is_attached_once(qtbot: QtBot, tmp_path: Path) -> None:
    composer = make_composer(qtbot)
    composer.add_attachment(document(tmp_path / "a.txt"))
    composer.add_attachment(document(tmp_path / "a.txt"))
    assert len(composer.attachments()) == 1


def test_pasting_a_file_attaches_it_and_types_nothing(qtbot: QtBot, tmp_path: Path) -> None:
    composer = make_composer(qtbot)
    qtbot.keyClicks(composer.edit, "draft")
    pasted = tmp_path / "paste.csv"
    pasted.write_text("a,b\n1,2\n")
    with qtbot.waitSignal(composer.attach_requested, check_params_cb=lambda files: files == [pasted]):
        QtWidgets.QApplication.clipboard().setMimeData(file_mime(pasted))
        composer.edit.paste()
    assert composer.text() == "draft"


def test_pasting_text_still_types_it(qtbot: QtBot) -> None:
    composer = make_composer(qtbot)
    with qtbot.assertNotEmitted(composer.attach_requested):
        QtWidgets.QApplication.clipboard().setText("plain words")
        composer.edit.paste()
    assert composer.text() == "plain words"


def test_send_waits_while_files_are_read(qtbot: QtBot) -> None:
    composer = make_composer(qtbot)
    qtbot.keyClicks(composer.edit, "Hello")
    composer.set_reading(1)
    assert not composer.send_button.isEnabled()
    composer.set_reading(0)
    assert composer.send_button.isEnabled()


def test_dropped_files_are_taken_but_models_and_folders_are_not(qtbot: QtBot, tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    wanted = tmp_path / "a.html"
    mime = file_mime(wanted, tmp_path / "model.gguf", tmp_path / "folder")
    assert local_files(mime) == [wanted]
    drops = DocumentDropFilter()
    event = QtGui.QDropEvent(
        QtCore.QPointF(5, 5), QtCore.Qt.DropAction.CopyAction, mime, QtCore.Qt.MouseButton.LeftButton,
        QtCore.Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    with qtbot.waitSignal(drops.files_dropped, check_params_cb=lambda files: files == [wanted]):
        assert drops.eventFilter(drops, event)  # Qt delivers a drop only inside a real drag: the filter directly
    assert event.isAccepted()
