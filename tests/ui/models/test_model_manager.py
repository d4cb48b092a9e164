"""The Models page as a user drives it: the list with each model's header, import (picker and drop), delete."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from PySide6 import QtCore, QtGui, QtWidgets
from pytestqt.qtbot import QtBot

from app.core import paths
from app.core.config import settings as settings_module
from app.core.models import installed as catalog
from app.core.models.installed import ModelEntry
from app.ui.models.manager import ModelManager
from app.ui.shell.main_window import MainWindow
from tests.ui.conftest import ANSWER_TIMEOUT_MS

STARTER_SIZE = "98.4 MB"


def open_models_page(qtbot: QtBot, window: MainWindow) -> ModelManager:
    page = window.models_page
    qtbot.mouseClick(window.models_button, QtCore.Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is page
    qtbot.waitUntil(lambda: all(page.table.header_of(entry) is not None for entry in page.table.entries()))
    return page


def row_of(page: ModelManager, path: Path) -> int:
    return next(row for row, entry in enumerate(page.table.entries()) if entry.path == path)


def import_by_picker(
    qtbot: QtBot, page: ModelManager, monkeypatch: pytest.MonkeyPatch, source: Path, copy: bool
) -> ModelEntry | None:
    """Import… → the file dialog answers ``source`` → the copy question answers ``copy``."""
    monkeypatch.setattr(page, "choose_files", lambda: [source])
    monkeypatch.setattr(page, "ask_copy", lambda path, size: copy)
    with qtbot.waitSignal(page.import_finished, timeout=ANSWER_TIMEOUT_MS) as finished:
        qtbot.mouseClick(page.import_button, QtCore.Qt.MouseButton.LeftButton)
    entry: ModelEntry | None = finished.args[0]
    qtbot.waitUntil(lambda: all(page.table.header_of(e) is not None for e in page.table.entries()))
    return entry


def mapped_files(pid: int) -> str:
    return Path(f"/proc/{pid}/maps").read_text()


def test_the_starter_is_listed_with_its_header_and_origin(qtbot: QtBot, window: MainWindow) -> None:
    page = open_models_page(qtbot, window)

    assert [entry.source for entry in page.table.entries()] == ["starter"]
    assert page.table.cell_text(0, "name") == f"{catalog.STARTER_NAME} · default"
    assert page.table.cell_text(0, "size") == STARTER_SIZE
    assert page.table.cell_text(0, "quantization") == "Q4_1"
    assert page.table.cell_text(0, "architecture") == "llama"
    assert page.table.cell_text(0, "parameters") == "135M"
    assert page.table.cell_text(0, "context") == QtCore.QLocale().toString(8192)
    assert page.table.cell_text(0, "origin") == "Built in"

    page.table.selectRow(0)
    assert not page.delete_button.isEnabled(), "the built-in starter cannot be deleted"
    assert page.use_button.isEnabled() and page.default_button.isEnabled()
    assert "Comes with Parley" in page.details.text()


def test_import_by_the_file_picker_copies_or_uses_the_file_where_it_lies(
    qtbot: QtBot, window: MainWindow, starter_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_models_page(qtbot, window)
    source = tmp_path / "copied-model.gguf"
    shutil.copyfile(starter_model, source)

    copied = import_by_picker(qtbot, page, monkeypatch, source, copy=True)

    assert copied is not None and copied.path == paths.models_dir() / "copied-model.gguf"
    assert copied.path.stat().st_size == source.stat().st_size and source.exists()
    row = row_of(page, copied.path)
    assert page.table.cell_text(row, "origin") == "Imported (copied)"
    assert page.table.cell_text(row, "architecture") == "llama" and page.table.cell_text(row, "quantization") == "Q4_1"
    assert page.table.selected_entry() == copied
    assert window.banner.text() == "" or not window.banner.isVisible()
    assert page.banner.kind() == "info" and "copied-model" in page.banner.text()
    assert settings_module.load().imported_models == ()
    assert "copied-model" in [window.model_picker.itemText(i) for i in range(window.model_picker.count())]

    # The same file again: a copy would land on the one already there, so it is refused.
    assert import_by_picker(qtbot, page, monkeypatch, source, copy=True) is None
    assert page.banner.kind() == "error" and "already has a file called copied-model.gguf" in page.banner.text()
    assert [e.path for e in page.table.entries()].count(copied.path) == 1
    # The installed copy itself is recognised as installed, and nothing is asked.
    monkeypatch.setattr(page, "ask_copy", lambda path, size: pytest.fail("asked about an installed model"))
    page.import_files([copied.path])
    qtbot.waitUntil(lambda: "is already installed" in page.banner.text())

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    in_place = elsewhere / "in-place.gguf"
    shutil.copyfile(starter_model, in_place)

    used = import_by_picker(qtbot, page, monkeypatch, in_place, copy=False)

    assert used is not None and used.path == in_place and used.source == "imported"
    assert not (paths.models_dir() / "in-place.gguf").exists(), "a file used where it lies is not copied"
    assert page.table.cell_text(row_of(page, in_place), "origin") == f"Used where it lies: {in_place}"
    assert settings_module.load().imported_models == (str(in_place),)


def test_a_gguf_file_dropped_on_the_window_is_imported(
    qtbot: QtBot, window: MainWindow, starter_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = window.models_page
    dropped = tmp_path / "dropped-model.gguf"
    shutil.copyfile(starter_model, dropped)
    note = tmp_path / "notes.txt"
    note.write_text("not a model")
    monkeypatch.setattr(page, "ask_copy", lambda path, size: True)
    position = QtCore.QPoint(window.width() // 2, window.height() // 2)

    def drag_enter(files: list[Path]) -> QtGui.QDragEnterEvent:
        mime = QtCore.QMimeData()
        mime.setUrls([QtCore.QUrl.fromLocalFile(str(file)) for file in files])
        event = QtGui.QDragEnterEvent(
            position,
            QtCore.Qt.DropAction.CopyAction,
            mime,
            QtCore.Qt.MouseButton.LeftButton,
            QtCore.Qt.KeyboardModifier.NoModifier,
        )
        QtWidgets.QApplication.sendEvent(window, event)
        return event

    assert not drag_enter([note]).isAccepted(), "only .gguf files are taken"
    assert drag_enter([dropped]).isAccepted()

    mime = QtCore.QMimeData()
    mime.setUrls([QtCore.QUrl.fromLocalFile(str(dropped))])
    drop = QtGui.QDropEvent(
        QtCore.QPointF(position),
        QtCore.Qt.DropAction.CopyAction,
        mime,
        QtCore.Qt.MouseButton.LeftButton,
        QtCore.Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(page.import_finished, timeout=ANSWER_TIMEOUT_MS) as finished:
        QtWidgets.QApplication.sendEvent(window, drop)
        assert drop.isAccepted()
        assert window.pages.currentWidget() is page, "a drop opens the Models page"

    entry = finished.args[0]
    assert entry is not None and entry.path == paths.models_dir() / "dropped-model.gguf"
    assert entry.path.exists() and dropped.exists()
    assert entry in page.table.entries()


@pytest.mark.parametrize("damage", ["not a gguf file", "truncated"])
def test_a_file_that_is_not_a_usable_gguf_is_refused_with_the_reason(
    qtbot: QtBot,
    window: MainWindow,
    starter_model: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    damage: str,
) -> None:
    page = open_models_page(qtbot, window)
    bad = tmp_path / "bad-model.gguf"
    if damage == "truncated":
        data = starter_model.read_bytes()
        bad.write_bytes(data[: len(data) // 2])
        reason = "truncated"
    else:
        bad.write_text("This is a shopping list, not a model.\n" * 50)
        reason = "does not start with the GGUF signature"
    before = page.table.entries()
    asked: list[Path] = []
    monkeypatch.setattr(page, "choose_files", lambda: [bad])

    def ask_copy(path: Path, size: int) -> bool:
        asked.append(path)
        return True

    monkeypatch.setattr(page, "ask_copy", ask_copy)

    with qtbot.waitSignal(page.import_finished, timeout=ANSWER_TIMEOUT_MS) as finished:
        qtbot.mouseClick(page.import_button, QtCore.Qt.MouseButton.LeftButton)

    assert finished.args[0] is None
    assert asked == [], "a bad file is refused before any question"
    assert page.banner.isVisible() and page.banner.kind() == "error"
    assert "bad-model.gguf" in page.banner.text() and reason in page.banner.text()
    assert page.table.entries() == before
    assert list(paths.models_dir().iterdir()) == []
    assert settings_module.load().imported_models == ()
    assert page.import_button.isEnabled() and not page.busy_bar.isVisible()


def test_delete_asks_first_then_removes_the_file_and_frees_it_in_the_engine(
    qtbot: QtBot, window: MainWindow, starter_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_models_page(qtbot, window)
    source = tmp_path / "doomed-model.gguf"
    shutil.copyfile(starter_model, source)
    entry = import_by_picker(qtbot, page, monkeypatch, source, copy=True)
    assert entry is not None
    real_path = os.path.realpath(entry.path)

    # Use it, so the engine holds the file open: deleting must unload it for the space to come back.
    page.table.select(entry.path)
    with qtbot.waitSignal(window.models.model_loaded, timeout=ANSWER_TIMEOUT_MS):
        qtbot.mouseClick(page.use_button, QtCore.Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.chat_page
    pid = window.session.pid
    assert pid is not None and real_path in mapped_files(pid)

    qtbot.mouseClick(window.models_button, QtCore.Qt.MouseButton.LeftButton)
    page.table.select(entry.path)
    assert page.delete_button.isEnabled() and page.delete_button.text() == "Delete…"
    asked: list[str] = []
    answers = [False, True]

    def confirm_delete(chosen: ModelEntry) -> bool:
        asked.append(chosen.name)
        return answers.pop(0)

    monkeypatch.setattr(page, "confirm_delete", confirm_delete)
    qtbot.mouseClick(page.delete_button, QtCore.Qt.MouseButton.LeftButton)
    assert entry.path.exists() and entry in page.table.entries(), "“no” keeps the model"

    with qtbot.waitSignal(page.models_changed):
        qtbot.mouseClick(page.delete_button, QtCore.Qt.MouseButton.LeftButton)

    assert asked == ["doomed-model", "doomed-model"]
    assert not entry.path.exists() and not catalog.provenance_path(entry.path).exists()
    assert list(paths.models_dir().iterdir()) == []
    assert [e.source for e in page.table.entries()] == ["starter"]
    assert page.banner.kind() == "info" and f"{STARTER_SIZE} freed" in page.banner.text()
    # The engine let go of the file, so the disk space really is free (a deleted mapped file shows here).
    qtbot.waitUntil(lambda: real_path not in mapped_files(pid), timeout=ANSWER_TIMEOUT_MS)
    assert window.model_picker.currentText() == catalog.STARTER_NAME
    assert settings_module.load().model_name is None
    assert source.exists(), "the original of a copied import is not touched"


def test_a_file_used_where_it_lies_is_only_forgotten(
    qtbot: QtBot, window: MainWindow, starter_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_models_page(qtbot, window)
    in_place = tmp_path / "kept-model.gguf"
    shutil.copyfile(starter_model, in_place)
    entry = import_by_picker(qtbot, page, monkeypatch, in_place, copy=False)
    assert entry is not None
    page.table.select(entry.path)
    assert page.delete_button.text() == "Remove from list…"
    monkeypatch.setattr(page, "confirm_delete", lambda chosen: True)

    qtbot.mouseClick(page.delete_button, QtCore.Qt.MouseButton.LeftButton)

    assert in_place.exists()
    assert entry not in page.table.entries() and settings_module.load().imported_models == ()
    assert "still at" in page.banner.text()


def test_show_models_folder_opens_it(qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    page = open_models_page(qtbot, window)
    opened: list[Path] = []

    def open_folder(folder: Path) -> bool:
        opened.append(folder)
        return True

    monkeypatch.setattr(page, "open_folder", open_folder)
    qtbot.mouseClick(page.folder_button, QtCore.Qt.MouseButton.LeftButton)
    assert opened == [paths.models_dir()] and not page.banner.isVisible()

    # Without a file manager, the page says where the folder is.
    monkeypatch.setattr(page, "open_folder", lambda folder: False)
    qtbot.mouseClick(page.folder_button, QtCore.Qt.MouseButton.LeftButton)
    assert page.banner.kind() == "info" and str(paths.models_dir()) in page.banner.text()
