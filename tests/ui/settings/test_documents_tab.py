"""Settings → Documents on a real library and real files: add, index with progress, pause while answering,
index again, remove; the embedding model choice, and what to download without one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.core.config.settings import Settings, SettingsStore
from app.core.documents.extract import read_document
from app.core.documents.indexer import IndexProgress
from app.core.documents.library import Library
from app.core.engine.embedding import installed_embedders
from app.core.models.recommended import load_recommended
from app.core.models.registry import ModelRegistry
from app.ui.common.background import BackgroundExecutor
from app.ui.common.i18n import size_text
from app.ui.controllers.documents_controller import DocumentsController
from app.ui.settings.documents_tab import DocumentsTab, progress_text

TIMEOUT_MS = 60_000


@pytest.fixture
def executor() -> Iterator[BackgroundExecutor]:
    made = BackgroundExecutor()
    yield made
    made.shutdown()


@pytest.fixture
def documents(executor: BackgroundExecutor, tmp_path: Path) -> Iterator[DocumentsController]:
    controller = DocumentsController(executor, read_document, library=Library(tmp_path / "library.sqlite3"))
    yield controller
    controller.shutdown()


def notes_folder(tmp_path: Path, files: int = 3) -> Path:
    folder = tmp_path / "notes"
    folder.mkdir()
    for number in range(files):
        (folder / f"note{number}.md").write_text(f"# Note {number}\n\nThe river number {number} runs north.\n")
    return folder


def make_tab(qtbot: QtBot, documents: DocumentsController, executor: BackgroundExecutor) -> DocumentsTab:
    tab = DocumentsTab(documents, Settings())
    # Shown as a window of its own: an explicit minimum keeps offscreen Qt from warning about size hints.
    tab.setMinimumSize(720, 520)
    qtbot.addWidget(tab)
    tab.show()
    return tab


def test_a_folder_is_added_indexed_with_progress_and_removed(
    qtbot: QtBot, documents: DocumentsController, executor: BackgroundExecutor, tmp_path: Path
) -> None:
    folder = notes_folder(tmp_path)
    tab = make_tab(qtbot, documents, executor)
    assert "no document, passage or vector leaves" in tab.findChild(type(tab.progress_label), "mutedLabel").text()
    progress: list[IndexProgress] = []
    documents.index_progressed.connect(progress.append)
    tab.choose_folder = lambda: str(folder)  # type: ignore[method-assign]  # the folder dialog's seam
    with qtbot.waitSignal(documents.indexing_changed, check_params_cb=lambda on: not on, timeout=TIMEOUT_MS):
        tab.add_button.click()
    assert progress and progress[-1].files_total == 3
    qtbot.waitUntil(lambda: tab.folder_list.count() == 1, timeout=TIMEOUT_MS)
    text = tab.folder_list.item(0).text()
    assert str(folder) in text and "3 files" in text
    assert tab.progress_label.text() == "Every folder is up to date."

    tab.folder_list.setCurrentRow(0)
    with qtbot.waitSignal(documents.indexing_changed, check_params_cb=lambda on: not on, timeout=TIMEOUT_MS):
        tab.reindex_button.click()
    tab.folder_list.setCurrentRow(0)
    with qtbot.waitSignal(documents.folders_changed, timeout=TIMEOUT_MS):
        tab.remove_button.click()
    qtbot.waitUntil(lambda: tab.folder_list.count() == 0, timeout=TIMEOUT_MS)
    assert documents.folders() == []


def test_indexing_waits_while_an_answer_is_written(
    qtbot: QtBot, documents: DocumentsController, executor: BackgroundExecutor, tmp_path: Path
) -> None:
    folder = notes_folder(tmp_path, files=40)
    tab = make_tab(qtbot, documents, executor)
    documents.set_answering(True)  # an answer is being written when the folder comes
    documents.add_folder(str(folder))
    qtbot.waitUntil(lambda: documents.last_progress is not None, timeout=TIMEOUT_MS)
    first = documents.last_progress
    assert first is not None and first.files_done < first.files_total
    assert "paused while an answer is written" in tab.progress_label.text()
    assert tab.progress_bar.isVisible()
    qtbot.wait(500)
    assert documents.indexing and documents.last_progress.files_done == first.files_done  # it waits
    with qtbot.waitSignal(documents.indexing_changed, check_params_cb=lambda on: not on, timeout=TIMEOUT_MS):
        documents.set_answering(False)
    [status] = documents.folders()
    assert status.indexed_files == 40


def test_without_an_embedding_model_the_page_says_what_to_download(
    qtbot: QtBot, executor: BackgroundExecutor, tmp_path: Path, starter_model: Path
) -> None:
    del starter_model  # installed: a chat model, which does not embed
    registry = ModelRegistry(SettingsStore())
    documents = DocumentsController(
        executor, read_document, library=Library(tmp_path / "library.sqlite3"),
        embedders=lambda: installed_embedders(registry),
    )  # fmt: skip
    with qtbot.waitSignal(documents.embedders_found, check_params_cb=lambda found: found == [], timeout=TIMEOUT_MS):
        tab = DocumentsTab(documents, Settings())
    qtbot.addWidget(tab)
    assert tab.embedder_combo.count() == 1
    note = tab.embedder_note.text()
    assert "No embedding model is installed" in note
    assert load_recommended(kind="embedding")[0].name in note  # the first recommended embedder
    assert tab.apply(Settings(embedding_model="x")).embedding_model is None  # the combo says none
    offered = load_recommended(kind="embedding")[0]
    assert not tab.download_button.isHidden() and size_text(offered.size_bytes) in tab.download_button.text()
    assert offered.name in tab.download_button.accessibleName()  # the note under it names it to the eye
    with qtbot.waitSignal(tab.download_requested, check_params_cb=lambda model: model == offered):
        tab.download_button.click()
    assert "is downloading" in tab.embedder_note.text() and not tab.download_button.isEnabled()


def test_progress_says_files_pages_and_time_left() -> None:
    progress = IndexProgress("/home/me/notes", 12, 40, 230, 150.0)
    assert progress_text(progress, paused=False) == "Indexing notes: 12 of 40 files, 230 pages · about 2 min left"
    assert progress_text(progress, paused=True).endswith("paused while an answer is written")


def test_a_file_written_added_or_removed_in_a_folder_is_indexed_without_asking(
    qtbot: QtBot, documents: DocumentsController, tmp_path: Path
) -> None:
    library = documents.library
    assert library is not None
    folder = notes_folder(tmp_path)
    (folder / "deeper").mkdir()
    documents.add_folder(str(folder))
    qtbot.waitUntil(lambda: bool(library.search("river number", embedder=None)) and not documents.indexing,
                    timeout=TIMEOUT_MS)  # fmt: skip
    qtbot.waitUntil(lambda: str(folder / "deeper") in documents.watch.watched(), timeout=TIMEOUT_MS)

    (folder / "note1.md").write_text("# Note 1\n\nThe lighthouse keeper is called Quillon.\n")
    qtbot.waitUntil(lambda: bool(library.search("Quillon", embedder=None)), timeout=TIMEOUT_MS)
    (folder / "deeper" / "new.md").write_text("The orchard grows copper apples.\n")
    qtbot.waitUntil(lambda: bool(library.search("copper apples", embedder=None)), timeout=TIMEOUT_MS)
    (folder / "note2.md").unlink()
    def note2_gone() -> bool:
        return all(hit.chunk.name != "note2.md" for hit in library.search("river number", embedder=None, limit=50))

    qtbot.waitUntil(note2_gone, timeout=TIMEOUT_MS)
