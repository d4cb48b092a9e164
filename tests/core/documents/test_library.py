"""The library: folders indexed with bounded memory, kept in step with the disk, searched, removed cleanly."""

from __future__ import annotations

import os
import random
import resource
import sqlite3
import threading
import tracemalloc
from pathlib import Path

import pytest

from app.core.documents.context import build_context
from app.core.documents.extract import read_document
from app.core.documents.indexer import Indexer, IndexProgress
from app.core.documents.library import Library
from app.core.errors import LibraryFolderError, LibraryFolderNotFoundError
from tests.core.documents.files import write_pdf

_WORDS = ["harbour", "lantern", "meadow", "copper", "violin", "orchard", "glacier", "parcel", "saddle", "thimble"]


def _page(pick: random.Random, lines: int = 45) -> str:
    return "\n".join(" ".join(pick.choice(_WORDS) for _ in range(12)) for _ in range(lines))


def _counts(library_file: Path) -> tuple[int, int, int]:
    db = sqlite3.connect(library_file)
    try:
        return tuple(
            db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in ("files", "chunks", "chunks_fts")
        )  # type: ignore[return-value]
    finally:
        db.close()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "vault.txt").write_text("The vault code is 4417 and it opens at dawn.", encoding="utf-8")
    (docs / "sub" / "notes.md").write_text("# Notes\nThe orchard needs copper wire.", encoding="utf-8")
    (docs / "sub" / "说明.txt").write_text("项目的代号是紫星，由研发部确定。", encoding="utf-8")
    (docs / "empty.txt").write_bytes(b"")
    (docs / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    (docs / ".hidden").mkdir()
    (docs / ".hidden" / "secret.txt").write_text("hidden words", encoding="utf-8")
    return docs


def _index(library: Library) -> list[IndexProgress]:
    seen: list[IndexProgress] = []
    Indexer(library).run(progress=seen.append, pause=threading.Event(), cancel=threading.Event())
    return seen


def test_a_folder_is_indexed_and_searched(tmp_path: Path, folder: Path) -> None:
    library = Library(tmp_path / "library.sqlite3")
    library.add_folder(str(folder))
    assert library.folders()[0].state == "indexing"
    seen = _index(library)
    assert seen[-1].files_done == seen[-1].files_total == 4  # the .txt, .md, Chinese .txt and the empty one
    (status,) = library.folders()
    assert status.path == str(folder.resolve()) and status.state == "needs embedder"
    assert status.indexed_files == 4 and status.refused_files == 1 and status.chunks == 3
    hits = library.search("vault code", embedder=None)
    assert hits[0].chunk.name == "vault.txt" and hits[0].chunk.page is None
    assert library.search("代号是什么", embedder=None)[0].chunk.name == "说明.txt"
    assert not library.search("hidden words", embedder=None)


def test_search_keeps_to_the_chosen_folders(tmp_path: Path, folder: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "code.txt").write_text("The vault code downstairs is 9921.", encoding="utf-8")
    library = Library(tmp_path / "library.sqlite3")
    library.add_folder(str(folder))
    library.add_folder(str(other))
    _index(library)
    assert {hit.chunk.name for hit in library.search("vault code", embedder=None)} == {"vault.txt", "code.txt"}
    only = library.search("vault code", embedder=None, folders=[str(other)])
    assert [hit.chunk.name for hit in only] == ["code.txt"]


def test_a_changed_file_is_read_again_and_a_deleted_one_dropped(tmp_path: Path, folder: Path) -> None:
    library = Library(tmp_path / "library.sqlite3")
    library.add_folder(str(folder))
    _index(library)
    vault = folder / "vault.txt"
    vault.write_text("The vault code changed to 5580 in spring.", encoding="utf-8")
    os.utime(vault, ns=(vault.stat().st_atime_ns, vault.stat().st_mtime_ns + 5_000_000_000))
    (folder / "sub" / "notes.md").unlink()
    _index(library)
    texts = [hit.chunk.text for hit in library.search("vault code", embedder=None)]
    assert texts == ["The vault code changed to 5580 in spring."]
    assert not library.search("orchard copper", embedder=None)
    assert library.folders()[0].files == 3


def test_a_touched_but_unchanged_file_is_not_read_again(tmp_path: Path, folder: Path) -> None:
    library = Library(tmp_path / "library.sqlite3")
    library.add_folder(str(folder))
    _index(library)
    before = library.search("vault code", embedder=None)[0].chunk
    vault = folder / "vault.txt"
    os.utime(vault, ns=(vault.stat().st_atime_ns, vault.stat().st_mtime_ns + 7_000_000_000))
    seen = _index(library)
    assert all(progress.file is None for progress in seen)  # nothing was read, only hashed
    assert library.search("vault code", embedder=None)[0].chunk == before


def test_a_removed_folder_leaves_no_chunks(tmp_path: Path, folder: Path) -> None:
    library_file = tmp_path / "library.sqlite3"
    library = Library(library_file)
    library.add_folder(str(folder))
    _index(library)
    assert _counts(library_file)[1] == 3
    library.remove_folder(str(folder))
    assert library.folders() == []
    assert _counts(library_file) == (0, 0, 0)
    assert not library.search("vault code", embedder=None)
    with pytest.raises(LibraryFolderNotFoundError):
        library.remove_folder(str(folder))


def test_adding_something_that_is_not_a_folder_is_refused(tmp_path: Path) -> None:
    library = Library(tmp_path / "library.sqlite3")
    with pytest.raises(LibraryFolderError, match=r"is not a folder Parley can index"):
        library.add_folder(str(tmp_path / "nowhere"))


def test_pause_holds_the_run_and_cancel_ends_it(tmp_path: Path) -> None:
    docs = tmp_path / "many"
    docs.mkdir()
    for number in range(30):
        (docs / f"note{number:02}.txt").write_text(f"Note number {number} about copper.", encoding="utf-8")
    library = Library(tmp_path / "library.sqlite3")
    library.add_folder(str(docs))
    pause, cancel = threading.Event(), threading.Event()
    seen: list[IndexProgress] = []

    def progressed(progress: IndexProgress) -> None:
        seen.append(progress)
        if progress.files_done == 5:
            pause.set()

    worker = threading.Thread(target=lambda: Indexer(library).run(progress=progressed, pause=pause, cancel=cancel))
    worker.start()
    try:
        assert _eventually(lambda: pause.is_set())
        held = len(seen)
        assert not cancel.wait(0.5)
        assert len(seen) == held and seen[-1].files_done == 5  # nothing moved while paused
        cancel.set()
        worker.join(timeout=60)
        assert not worker.is_alive()
    finally:
        cancel.set()
        worker.join(timeout=60)
    (status,) = library.folders()
    assert status.state == "indexing" and status.indexed_files == 5
    _index(library)  # the next run finishes what was left
    assert library.folders()[0].indexed_files == 30


def _eventually(condition: object, seconds: float = 60.0) -> bool:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return True
        time.sleep(0.01)
    return False


def test_a_question_while_a_folder_is_indexing_says_so(tmp_path: Path, folder: Path) -> None:
    library = Library(tmp_path / "library.sqlite3")
    library.add_folder(str(folder))
    context = build_context("vault code", [], 1000, library=library)
    assert context.notes == (
        f"The folder {folder.resolve()} was still being indexed (0 of 0 files), so some of it was not searched.",
    )
    _index(library)
    context = build_context("What is the vault code?", [], 1000, library=library)
    assert context.notes == ()
    assert "4417" in context.passages[0].text and "[1] vault.txt\n" in context.block


def test_library_passages_fill_what_whole_attachments_leave(tmp_path: Path, folder: Path) -> None:
    library = Library(tmp_path / "library.sqlite3")
    library.add_folder(str(folder))
    _index(library)
    memo = tmp_path / "memo.txt"
    memo.write_text("The meeting is on Friday.", encoding="utf-8")
    context = build_context("vault code", [read_document(memo)], 1000, library=library)
    assert context.attachments[0].mode == "whole"
    assert "The meeting is on Friday." in context.block
    assert context.passages and context.passages[0].name == "vault.txt"


def test_a_damaged_library_is_set_aside_and_rebuilt(tmp_path: Path, folder: Path) -> None:
    library_file = tmp_path / "library.sqlite3"
    library = Library(library_file)
    library.add_folder(str(folder))
    _index(library)
    library_file.write_bytes(b"this is not a database at all" * 100)
    for suffix in ("-wal", "-shm"):
        Path(f"{library_file}{suffix}").unlink(missing_ok=True)
    reopened = Library(library_file)
    assert reopened.damage is not None
    assert "The library's index was damaged; it was set aside as" in str(reopened.damage)
    assert list(tmp_path.glob("library.sqlite3.damaged-*"))
    assert reopened.folders() == []  # the folder list was not readable either: the user adds it again
    reopened.add_folder(str(folder))
    _index(reopened)
    assert reopened.search("vault code", embedder=None)


def test_a_500_page_pdf_is_indexed_with_bounded_memory(tmp_path: Path) -> None:
    docs = tmp_path / "big"
    docs.mkdir()
    pick = random.Random(500)
    pages = [_page(pick) for _ in range(500)]
    pages[321] = "The treasure map is hidden under the third lantern.\n" + pages[321]
    write_pdf(docs / "handbook.pdf", pages)
    text_size = sum(len(page) for page in pages)
    library = Library(tmp_path / "library.sqlite3")
    library.add_folder(str(docs))
    warm = tmp_path / "warm"  # load pypdf's lazy tables before measuring
    warm.mkdir()
    write_pdf(warm / "one.pdf", [_page(pick)])
    Indexer(library, folders=[library.add_folder(str(warm))]).run(progress=lambda _: None)
    seen: list[IndexProgress] = []
    early: list[int] = []  # traced memory once the PDF is open and its first pages read

    def progressed(progress: IndexProgress) -> None:
        seen.append(progress)
        if progress.pages_done >= 10 and not early:
            early.append(tracemalloc.get_traced_memory()[0])

    tracemalloc.start()
    try:
        Indexer(library, folders=[str(docs)]).run(progress=progressed)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"500-page PDF, {text_size / 1e6:.1f} MB of text: peak traced {peak / 1e6:.2f} MB "
        f"({(peak - early[0]) / 1e6:.2f} MB of it after page 10), peak RSS of the test process {rss / 1e3:.0f} MB"
    )
    status = next(s for s in library.folders() if s.path == str(docs.resolve()))
    assert status.pages == 500 and status.chunks > 500
    assert seen[-1].pages_done == 500
    assert any(progress.seconds_left is not None for progress in seen)
    # Reading pages 10 to 500 adds far less than their text (what keeping it would add; the rest is garbage that
    # pypdf's reference cycles leave for the collector): nothing of a page is kept once it is written.
    assert peak - early[0] < text_size / 2
    # The text held once plus its chunks would take over twice the text; the run (pypdf's page tree included) less.
    assert peak < text_size * 1.5
    hit = library.search("treasure map", embedder=None, folders=[str(docs)])[0].chunk
    assert hit.page == 322 and "treasure map" in hit.text


def test_removing_a_folder_while_it_is_indexed_ends_its_run_quietly(tmp_path: Path) -> None:
    docs = tmp_path / "many"
    docs.mkdir()
    for number in range(20):
        (docs / f"note{number:02}.txt").write_text(f"Note number {number} about copper.", encoding="utf-8")
    library_file = tmp_path / "library.sqlite3"
    library = Library(library_file)
    library.add_folder(str(docs))
    removed: list[bool] = []

    def progressed(progress: IndexProgress) -> None:
        if progress.files_done == 3 and not removed:
            library.remove_folder(str(docs))  # as the window's Remove would, between two files
            removed.append(True)

    Indexer(library).run(progress=progressed)
    assert removed and library.folders() == []
    assert _counts(library_file) == (0, 0, 0)
