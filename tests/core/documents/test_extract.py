"""Reading each format from files the tests write, and the one-sentence refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.documents import extract
from app.core.documents.extract import read_document
from app.core.errors import (
    DocumentBinaryError,
    DocumentEmptyError,
    DocumentEncryptedError,
    DocumentScannedError,
    DocumentTooLargeError,
    DocumentUnreadableError,
    DocumentUnsupportedError,
)
from tests.core.documents.files import write_docx, write_encrypted_pdf, write_pdf


def test_pdf_pages_keep_their_text_and_numbers(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "report.pdf", ["Quarterly report\nRevenue grew (a lot).", "The codename is Zorblax."])
    document = read_document(path)
    assert document.kind == "pdf" and document.paged
    assert [page.number for page in document.pages] == [1, 2]
    assert "Revenue grew (a lot)." in document.pages[0].text
    assert document.pages[1].text == "The codename is Zorblax."
    assert document.name == "report.pdf" and document.size == path.stat().st_size


def test_pdf_page_without_text_keeps_the_others_numbered(tmp_path: Path) -> None:
    document = read_document(write_pdf(tmp_path / "mixed.pdf", ["first", None, "third"]))
    assert [(page.number, page.text) for page in document.pages] == [(1, "first"), (3, "third")]


def test_scanned_pdf_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DocumentScannedError, match=r"scanned.pdf is a scanned PDF with no text layer"):
        read_document(write_pdf(tmp_path / "scanned.pdf", [None, None]))


def test_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DocumentEncryptedError, match=r"locked.pdf is protected with a password"):
        read_document(write_encrypted_pdf(tmp_path / "locked.pdf", "top secret"))


def test_corrupt_pdf_says_it_could_not_be_read(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF")
    with pytest.raises(DocumentUnreadableError, match=r"broken.pdf could not be read"):
        read_document(path)


def test_docx_paragraphs_and_tables(tmp_path: Path) -> None:
    table = [["Name", "Role"], ["Ada", "Lead"]]
    path = write_docx(tmp_path / "notes.docx", ["Meeting notes", "Budget approved."], table)
    document = read_document(path)
    assert document.kind == "docx" and not document.paged
    assert "Meeting notes\nBudget approved." in document.text
    assert "Ada | Lead" in document.text


def test_damaged_docx_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "bad.docx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(DocumentUnreadableError, match=r"bad.docx could not be read"):
        read_document(path)


def test_html_drops_scripts_styles_and_navigation(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>T</title><style>body { color: red }</style></head><body>"
        "<nav>Home | About</nav><script>var secret = 1;</script>"
        "<h1>Welcome</h1><p>Fish &amp; chips are served daily.</p></body></html>",
        encoding="utf-8",
    )
    text = read_document(path).text
    assert text.split() == ["Welcome", "Fish", "&", "chips", "are", "served", "daily."]


def test_cjk_text_and_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "笔记.txt"
    path.write_bytes("\ufeff项目的代号是紫星。\n第二行。".encode())
    document = read_document(path)
    assert document.text == "项目的代号是紫星。\n第二行。"
    assert document.name == "笔记.txt"


def test_latin1_text_falls_back(tmp_path: Path) -> None:
    path = tmp_path / "old.txt"
    path.write_bytes("Café crème".encode("cp1252"))
    assert read_document(path).text == "Café crème"


def test_source_code_keeps_its_indentation(tmp_path: Path) -> None:
    path = tmp_path / "tool.py"
    path.write_text("def f():\n    return 1\n", encoding="utf-8")
    document = read_document(path)
    assert document.kind == "code" and document.text == "def f():\n    return 1\n"


def test_csv_is_read_as_text(tmp_path: Path) -> None:
    path = tmp_path / "table.csv"
    path.write_text("city,people\nOslo,700000\n", encoding="utf-8")
    assert read_document(path).kind == "csv"


def test_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(DocumentEmptyError, match=r"empty.txt has no text in it"):
        read_document(path)


def test_whitespace_only_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "blank.md"
    path.write_text("  \n\n  ", encoding="utf-8")
    with pytest.raises(DocumentEmptyError):
        read_document(path)


def test_binary_file_with_a_text_suffix_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(DocumentBinaryError, match=r"image.txt is a binary file"):
        read_document(path)


def test_unsupported_suffix_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "movie.mp4"
    path.write_bytes(b"\x00\x00\x00 ftypisom")
    with pytest.raises(DocumentUnsupportedError, match=r"movie.mp4 is not a kind of file Parley can read"):
        read_document(path)


def test_too_large_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract, "MAX_DOCUMENT_BYTES", 1000)
    path = tmp_path / "big.txt"
    path.write_text("word " * 400, encoding="utf-8")
    with pytest.raises(DocumentTooLargeError, match=r"big.txt is 2.0 KB, larger than the 1.0 KB Parley reads"):
        read_document(path)


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(DocumentUnreadableError, match=r"gone.txt could not be read"):
        read_document(tmp_path / "gone.txt")
