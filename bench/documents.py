"""Documents: indexing speed, search latency at 10,000 and 100,000 chunks, and peak memory.

- pages/s indexed: a generated PDF (``PAGES`` pages of ~45 lines) through the library's indexer (read
  page by page, chunked, written to SQLite with its FTS5 trigram index), against pypdf's own text
  extraction of the same file in the same run (the floor: what reading the PDF costs at all).
- query latency, p50/p95 over ``QUERIES`` questions, at 10,000 and 100,000 chunks (random words for
  the text, random 384-dimension unit vectors for the meaning): the exact NumPy search alone, the
  FTS5 word ranking alone, and ``Library.search`` whole (both, fused); the ratio 100k / 10k of each.
  The first search after a write also reads the vectors out of SQLite (``cold``), printed apart.
- peak memory: Python's traced peak while indexing, and the process's peak RSS at the end.

Beyond about 100,000 chunks the exact search grows linearly: each query is a pass over an
``(n, 384)`` float32 matrix (150 MB at 100k, 1.5 GB at 1M) and the first search after a write reads
it all from SQLite again; at a million chunks that is too slow and too large for a desktop app,
and an approximate index (HNSW, IVF) beside the blobs would be the next step. Run:
``.venv/bin/python bench/documents.py`` (about two minutes on two cores).
"""

from __future__ import annotations

import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.documents.embedder import Vectors
from app.core.documents.index import vector_blob, vector_ranking, word_ranking
from app.core.documents.indexer import Indexer
from app.core.documents.library import Library, bump_generation
from tests.core.documents.files import write_pdf

PAGES = 200
DIMENSIONS = 384
QUERIES = 50
SIZES = (10_000, 100_000)
WORDS = [
    "harbour", "lantern", "meadow", "copper", "violin", "orchard", "glacier", "parcel", "saddle", "thimble",
    "river", "stone", "cloud", "tiger", "window", "orange", "basket", "candle", "forest", "mirror",
    "pepper", "rocket", "silver", "tunnel", "velvet", "walnut", "yellow", "zipper", "anchor", "bridge",
]  # fmt: skip


class RandomQueryEmbedder:
    """Stands in for a model at query time only: a random unit vector, so the bench times the search itself."""

    name = "bench-random-384"

    def __init__(self, seed: int) -> None:
        self._random = np.random.default_rng(seed)

    def embed(self, texts: Sequence[str]) -> Vectors:
        return _unit(self._random.standard_normal((len(texts), DIMENSIONS)).astype(np.float32))


def _unit(rows: Vectors) -> Vectors:
    unit: Vectors = (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)
    return unit


def _sentence(pick: random.Random, words: int = 12) -> str:
    return " ".join(pick.choice(WORDS) for _ in range(words))


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def _timed(work: Callable[[], object], times: int) -> list[float]:
    samples = []
    for _ in range(times):
        start = time.perf_counter()
        work()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def bench_indexing(root: Path) -> tuple[float, float, int, int]:
    """(indexer pages/s, pypdf extraction pages/s, traced peak bytes, text bytes)."""
    import pypdf

    pick = random.Random(1)
    pages = ["\n".join(_sentence(pick) for _ in range(45)) for _ in range(PAGES)]
    docs = root / "pdf"
    docs.mkdir()
    write_pdf(docs / "generated.pdf", pages)
    start = time.perf_counter()
    with (docs / "generated.pdf").open("rb") as handle:
        for page in pypdf.PdfReader(handle).pages:
            page.extract_text()
    extraction = PAGES / (time.perf_counter() - start)
    library = Library(root / "indexing.sqlite3")
    library.add_folder(str(docs))
    tracemalloc.start()
    start = time.perf_counter()
    Indexer(library).run(progress=lambda _: None)
    indexing = PAGES / (time.perf_counter() - start)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return indexing, extraction, peak, sum(len(page) for page in pages)


def build_library(path: Path, chunks: int) -> Library:
    """A library of ``chunks`` chunks (random words) with random unit vectors, written straight to its tables."""
    library = Library(path)
    folder = path.parent / f"folder-{chunks}"
    folder.mkdir()
    library.add_folder(str(folder))
    pick = random.Random(chunks)
    vectors = _unit(np.random.default_rng(chunks).standard_normal((chunks, DIMENSIONS)).astype(np.float32))
    with library.connect() as db:
        folder_id = library.folder_id(db, str(folder))
        per_file = 100
        for first in range(0, chunks, per_file):
            file_id = db.execute(
                "INSERT INTO files(folder_id, path, name, size, mtime_ns, sha256, pages, done) "
                "VALUES (?, ?, ?, 0, 0, '', 1, 1)",
                (folder_id, str(folder / f"f{first}.txt"), f"f{first}.txt"),
            ).lastrowid
            for position in range(min(per_file, chunks - first)):
                chunk_id = db.execute(
                    "INSERT INTO chunks(file_id, position, page, text) VALUES (?, ?, NULL, ?)",
                    (file_id, position, " ".join(_sentence(pick) for _ in range(6))),
                ).lastrowid
                db.execute(
                    "INSERT INTO vectors(chunk_id, model, vector) VALUES (?, ?, ?)",
                    (chunk_id, RandomQueryEmbedder.name, vector_blob(vectors[first + position])),
                )
        db.execute("UPDATE folders SET indexed = 1, files_total = ? WHERE id = ?", (chunks // per_file, folder_id))
        bump_generation(db)
    return library


def bench_search(root: Path, chunks: int) -> dict[str, tuple[float, float]]:
    start = time.perf_counter()
    library = build_library(root / f"library-{chunks}.sqlite3", chunks)
    print(f"  built {chunks:,} chunks in {time.perf_counter() - start:.1f} s", flush=True)
    embedder = RandomQueryEmbedder(7)
    pick = random.Random(3)
    questions = [_sentence(pick, 3) for _ in range(QUERIES)]
    matrix = _unit(np.random.default_rng(1).standard_normal((chunks, DIMENSIONS)).astype(np.float32))
    query = embedder.embed(["q"])[0]
    numpy_ms = _timed(lambda: vector_ranking(query, matrix, limit=200), QUERIES)
    db = sqlite3.connect(library.path)
    asked = iter(questions * 2)
    fts_ms = _timed(lambda: word_ranking(db, next(asked), fts_table="chunks_fts", limit=200), QUERIES)
    db.close()
    cold_ms = _timed(lambda: library.search(questions[0], embedder=embedder), 1)
    asked = iter(questions * 2)
    search_ms = _timed(lambda: library.search(next(asked), embedder=embedder), QUERIES)
    return {
        "numpy": _percentiles(numpy_ms),
        "fts": _percentiles(fts_ms),
        "search": _percentiles(search_ms),
        "cold": (cold_ms[0], cold_ms[0]),
    }


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="parley-bench-documents-") as folder:
        root = Path(folder)
        indexing, extraction, peak, text = bench_indexing(root)
        print(
            f"indexing a {PAGES}-page PDF: {indexing:.1f} pages/s; pypdf's extraction alone {extraction:.1f} pages/s "
            f"(ratio {indexing / extraction:.2f}); traced peak {peak / 1e6:.1f} MB for {text / 1e6:.1f} MB of text"
        )
        results = {}
        for size in SIZES:
            results[size] = bench_search(root, size)
            for name, (p50, p95) in results[size].items():
                label = "first search (reads vectors)" if name == "cold" else f"{name} p50 {p50:.1f} ms, p95"
                print(f"  {size:>7,} chunks  {label} {p95:.1f} ms")
        small, large = results[SIZES[0]], results[SIZES[1]]
        for name in ("numpy", "fts", "search", "cold"):
            print(f"{name}: {SIZES[1]:,} vs {SIZES[0]:,} chunks, p50 ratio {large[name][0] / small[name][0]:.1f}x")
        print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3:.0f} MB")


if __name__ == "__main__":
    main()
