"""The documents subsystem's plain data: a read document, its chunks, the passages chosen for a turn.

Frozen dataclasses only, so they cross threads and processes as they are. Page numbers start at 1;
formats without pages (text, Markdown, HTML, CSV, code) have one page numbered 1 and say so with
``paged=False``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

DocumentKind = Literal["pdf", "docx", "html", "text", "markdown", "csv", "code"]
ReadMode = Literal["whole", "passages"]


@dataclass(frozen=True)
class Page:
    number: int  # 1-based
    text: str


@dataclass(frozen=True)
class Document:
    """A file's text as extracted, page by page."""

    path: str  # absolute path the text came from
    name: str  # the file's name as the user sees it
    kind: DocumentKind
    size: int  # bytes on disk
    pages: tuple[Page, ...]
    paged: bool = False  # True for formats with real pages (PDF)

    @property
    def text(self) -> str:
        return "\n\n".join(page.text for page in self.pages)

    @property
    def page_count(self) -> int:
        return len(self.pages)


@dataclass(frozen=True)
class Chunk:
    """A piece of a document, small enough to rank and to cite."""

    path: str
    name: str
    index: int  # its place in the document, 0-based; neighbours differ by one
    page: int | None  # the page it starts on (None for documents without pages)
    text: str


@dataclass(frozen=True)
class Passage:
    """What a turn's prompt quotes: one chunk or neighbouring chunks merged, with its citation number."""

    number: int  # the [n] the answer cites, from 1
    path: str
    name: str
    page: int | None
    text: str
    first_index: int  # the chunks it spans, inclusive
    last_index: int


@dataclass(frozen=True)
class AttachmentUse:
    """How one attached document went into a turn: whole, or ``used`` of its ``total`` passages."""

    path: str
    name: str
    size: int
    pages: int
    mode: ReadMode
    used: int = 0
    total: int = 0


@dataclass(frozen=True)
class DocumentContext:
    """What documents add to a turn: the text put before the question, and what it was made of.

    ``notes`` are plain sentences for the answer's details (for example that a library folder was
    still being indexed when the question was asked)."""

    block: str
    attachments: tuple[AttachmentUse, ...] = ()
    passages: tuple[Passage, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.block
