"""Reading a file as a document: its text, page by page, or one sentence saying why it cannot be read.

PDF through pypdf (one page at a time, read from the file as needed, so a long PDF is never held whole), Word
through python-docx (paragraphs, then tables), HTML through the stdlib parser (scripts, styles and
navigation dropped), and text, Markdown, CSV and source code as text: UTF-8 (a byte-order mark
allowed), then UTF-16 when it says so, then the locale-free cp1252 / Latin-1 fallback. A file with
NUL bytes in it, or one that decodes to control characters, is binary and refused.

``iter_pages`` is what the library's indexer uses (it never keeps more than one page);
``read_document`` collects them for an attachment.
"""

from __future__ import annotations

import html.parser
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.documents.types import Document, DocumentKind, Page
from app.core.errors import (
    DocumentBinaryError,
    DocumentEmptyError,
    DocumentEncryptedError,
    DocumentError,
    DocumentScannedError,
    DocumentTooLargeError,
    DocumentUnreadableError,
    DocumentUnsupportedError,
)
from app.core.models.library import human_size

if TYPE_CHECKING:
    from pypdf import PdfReader

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


CODE_SUFFIXES = _words(
    ".py .pyi .js .mjs .ts .tsx .jsx .java .kt .c .h .cc .cpp .hpp .cs .go .rs .rb .php .swift .m .scala .sh .bash "
    ".zsh .ps1 .sql .r .lua .pl .hs .ex .exs .dart .vue .css .scss .json .yaml .yml .toml .ini .cfg .xml .tex "
    ".rst .log"
)
_TEXT_KINDS: dict[str, DocumentKind] = {".txt": "text", ".md": "markdown", ".markdown": "markdown", ".csv": "csv"}
SUPPORTED_SUFFIXES = frozenset({".pdf", ".docx", ".html", ".htm", *_TEXT_KINDS, *CODE_SUFFIXES})
_SKIPPED_TAGS = frozenset({"script", "style", "nav", "noscript", "template", "svg", "head"})
_BLOCK_TAGS = _words("p div br li tr h1 h2 h3 h4 h5 h6 section article header footer table ul ol pre blockquote dd dt")
_ALLOWED_CONTROLS = frozenset("\n\r\t\f\v")


def kind_of(path: Path) -> DocumentKind | None:
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return "pdf"
    if suffix == ".docx":
        return "docx"
    if suffix in (".html", ".htm"):
        return "html"
    if suffix in _TEXT_KINDS:
        return _TEXT_KINDS[suffix]
    return "code" if suffix in CODE_SUFFIXES else None


def read_document(path: str | Path) -> Document:
    """The text of ``path``; raises a ``DocumentError`` with the sentence to show when it cannot be used."""
    resolved = Path(path).expanduser().resolve()
    kind, size = check_file(resolved)
    pages = tuple(iter_pages(resolved, kind))
    return Document(str(resolved), resolved.name, kind, size, pages, paged=kind == "pdf")


def check_file(path: Path) -> tuple[DocumentKind, int]:
    """The document kind and size of ``path``, or the refusal: unsupported, empty, too large, missing."""
    kind = kind_of(path)
    if kind is None:
        raise DocumentUnsupportedError(name=path.name)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DocumentUnreadableError(name=path.name, reason=exc.strerror or str(exc)) from exc
    if size == 0:
        raise DocumentEmptyError(name=path.name)
    if size > MAX_DOCUMENT_BYTES:
        raise DocumentTooLargeError(name=path.name, size=human_size(size), limit=human_size(MAX_DOCUMENT_BYTES))
    return kind, size


def iter_pages(path: Path, kind: DocumentKind, on_count: Callable[[int], None] | None = None) -> Iterator[Page]:
    """The pages of a checked file, one at a time; raises ``DocumentEmptyError`` when none has text.
    ``on_count`` hears how many pages there are as soon as that is known (before the first page)."""
    produced = False
    try:
        pages = _pdf_pages(path, on_count) if kind == "pdf" else iter(_single_page(path, kind, on_count))
        for page in pages:
            if page.text.strip():
                produced = True
                yield page
    except DocumentError:
        raise
    except OSError as exc:
        raise DocumentUnreadableError(name=path.name, reason=exc.strerror or str(exc)) from exc
    if not produced:
        raise (DocumentScannedError if kind == "pdf" else DocumentEmptyError)(name=path.name)


def _single_page(path: Path, kind: DocumentKind, on_count: Callable[[int], None] | None) -> list[Page]:
    if on_count is not None:
        on_count(1)
    if kind == "docx":
        return [Page(1, _docx_text(path))]
    text = decode_text(path.read_bytes(), path.name)
    return [Page(1, html_text(text) if kind == "html" else text)]


def _pdf_pages(path: Path, on_count: Callable[[int], None] | None) -> Iterator[Page]:
    import pypdf
    from pypdf.errors import PdfReadError

    try:
        with path.open("rb") as handle:
            yield from _pdf_reader_pages(pypdf.PdfReader(handle), path, on_count)
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        # pypdf meets a damaged file with one of these, depending on where the damage is.
        raise DocumentUnreadableError(name=path.name, reason=_reason(exc, "the PDF is damaged")) from exc


def _pdf_reader_pages(reader: PdfReader, path: Path, on_count: Callable[[int], None] | None) -> Iterator[Page]:
    from pypdf.errors import PdfReadError

    if reader.is_encrypted:
        # An empty user password opens many "protected" PDFs (printing restrictions only).
        try:
            opened = reader.decrypt("")
        except (NotImplementedError, PdfReadError) as exc:
            raise DocumentEncryptedError(name=path.name) from exc
        if not opened:
            raise DocumentEncryptedError(name=path.name)
    if on_count is not None:
        on_count(len(reader.pages))
    for number, page in enumerate(reader.pages, start=1):
        yield Page(number, _tidy(page.extract_text() or ""))
        # pypdf keeps every object it has parsed (each page's decoded content stream included); letting
        # them go after each page keeps reading a 500-page PDF about as small as reading one page.
        reader.resolved_objects.clear()


def _docx_text(path: Path) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DocumentUnreadableError(name=path.name, reason=_reason(exc, "the Word file is damaged")) from exc
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return _tidy("\n".join(parts))


def decode_text(data: bytes, name: str) -> str:
    """``data`` as text; raises ``DocumentBinaryError`` for what is not text."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise DocumentBinaryError(name=name) from exc
    if b"\x00" in data:
        raise DocumentBinaryError(name=name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        # cp1252 takes almost any byte; a file that is mostly control characters or undefined bytes is binary.
        odd = sum(1 for char in text if char == "\ufffd" or (char < " " and char not in _ALLOWED_CONTROLS))
        if odd > len(text) // 100:
            raise DocumentBinaryError(name=name) from None
    controls = sum(1 for char in text[:65536] if char < " " and char not in _ALLOWED_CONTROLS)
    if controls > len(text[:65536]) // 100:
        raise DocumentBinaryError(name=name)
    return text


class _TextOfHtml(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_text(markup: str) -> str:
    """The readable text of an HTML page: no scripts, styles, navigation or head."""
    parser = _TextOfHtml()
    parser.feed(markup)
    parser.close()
    return _tidy("".join(parser.parts))


def _tidy(text: str) -> str:
    """Lines stripped of trailing space, runs of blank lines cut to one, spaces within a line collapsed."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    return "\n".join(kept).strip()


def _reason(exc: BaseException, fallback: str) -> str:
    message = str(exc).strip().rstrip(".")
    return message if message else fallback


def is_document(path: Path) -> bool:
    """True for a file whose suffix Parley reads (what the library indexes in a folder)."""
    return path.suffix.lower() in SUPPORTED_SUFFIXES and not path.name.startswith((".", "~$"))
