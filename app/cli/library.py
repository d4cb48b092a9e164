"""``parley library …``: the folders of documents Parley searches, from the command line.

``library add FOLDER`` adds a folder and indexes it now (progress on stderr; Ctrl+C stops, and the
next ``reindex`` goes on where it stopped); ``list`` shows each folder's state and counts; ``remove
FOLDER`` drops a folder with its chunks and vectors; ``reindex [FOLDER] [--full]`` brings folders up
to date with the disk (``--full`` reads every file again); ``search QUERY [--folder F] [--limit N]``
prints the passages that best answer QUERY, as a question would quote them. The embedding model is
the one Settings chose (``embedder_for``); without one, passages are ranked by words alone and the
command says so. The library is the window's (``paths.library_path()``).
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from app.cli import tree
from app.cli.terminal import EXIT_INTERRUPTED, STOPPED, Background
from app.cli.tree import Commands
from app.core import paths
from app.core.config.settings import SettingsStore
from app.core.documents.embedder import Embedder
from app.core.documents.indexer import Indexer, IndexProgress
from app.core.documents.library import Library
from app.core.documents.retrieval import merge_neighbours, source_line
from app.core.engine.embedding import embedder_for
from app.core.models.registry import ModelRegistry

EXIT_OK = 0
SEARCH_LIMIT = 5
WORDS_ONLY = "passages are ranked by words only, because no embedding model is set (Settings → Documents)"


def add_parser(commands: Commands) -> None:
    library = commands.add_parser(
        "library",
        help="the folders of documents Parley searches",
        description="Add, list, remove, re-index and search the library's folders.",
    )
    sub = library.add_subparsers(dest="action", required=True)
    add = sub.add_parser("add", help="add a folder and index it now")
    add.add_argument("folder")
    add.set_defaults(run=_run, act=_add)
    listing = sub.add_parser("list", help="each folder, its state and what is indexed")
    listing.set_defaults(run=_run, act=_list)
    remove = sub.add_parser("remove", help="remove a folder with its passages")
    remove.add_argument("folder")
    remove.set_defaults(run=_run, act=_remove)
    reindex = sub.add_parser("reindex", help="bring folders up to date with the files on disk")
    reindex.add_argument("folder", nargs="?", help="only this folder (default: all)")
    reindex.add_argument("--full", action="store_true", help="read every file again, changed or not")
    reindex.set_defaults(run=_run, act=_reindex)
    search = sub.add_parser("search", help="the passages that best answer a question")
    search.add_argument("query")
    search.add_argument("--folder", action="append", help="search only this folder (repeatable)")
    search.add_argument("--limit", type=int, default=SEARCH_LIMIT, help=f"how many passages (default {SEARCH_LIMIT})")
    search.set_defaults(run=_run, act=_search)


def run_library_command(argv: list[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    """``parley library ARGV``, through the one tree (for tests)."""
    return tree.run((add_parser,), ["library", *argv], out, err)


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    library = Library(paths.library_path())
    if library.damage is not None:
        print(f"parley: {library.damage.user_message()}", file=err)
    code: int = args.act(library, args, out, err)
    return code


@contextmanager
def _embedder(err: TextIO) -> Iterator[Embedder | None]:
    """The embedder Settings chose (closed after), or None with the sentence that says so."""
    settings = SettingsStore()
    embedder = embedder_for(settings.current, ModelRegistry(settings))
    if embedder is None:
        print(f"parley library: {WORDS_ONLY}", file=err)
    try:
        yield embedder
    finally:
        close = getattr(embedder, "close", None)
        if callable(close):
            close()


def _add(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    folder = library.add_folder(args.folder)
    print(f"added {folder}", file=out)
    return _index(library, [folder], out, err)


def _reindex(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    folders = [library.folder_path(args.folder)] if args.folder else library.folder_paths()
    if args.full:
        for folder in folders:
            library.mark_for_reindex(folder)
    return _index(library, folders, out, err)


def _index(library: Library, folders: list[str], out: TextIO, err: TextIO) -> int:
    cancel = threading.Event()
    with _embedder(err) as embedder:
        indexer = Indexer(library, embedder=embedder, folders=folders)
        work = Background(lambda: indexer.run(progress=lambda p: _print_progress(p, err), cancel=cancel), "indexer")
        try:
            work.wait()
        except KeyboardInterrupt:
            cancel.set()
            work.wait()
            print(f"{STOPPED} What is not indexed yet will be by `parley library reindex`.", file=err)
            return EXIT_INTERRUPTED
        work.result()
    wanted = set(folders)
    for status in library.folders(embedder.name if embedder is not None else None):
        if status.path in wanted:
            refused = f", {status.refused_files} could not be read" if status.refused_files else ""
            print(
                f"indexed {status.path}: {status.indexed_files} files{refused}, {status.pages} pages, "
                f"{status.chunks} passages",
                file=out,
            )
    return EXIT_OK


def _print_progress(progress: IndexProgress, err: TextIO) -> None:
    if progress.file is None and progress.files_done < progress.files_total and progress.pages_done % 50:
        return  # a line per file started, and one every 50 pages, is enough
    left = f", about {progress.seconds_left:.0f} s left" if progress.seconds_left is not None else ""
    print(
        f"indexing {progress.folder}: {progress.files_done} of {progress.files_total} files, "
        f"{progress.pages_done} pages{left}",
        file=err,
    )


def _list(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    settings = SettingsStore()
    model = settings.current.embedding_model or None
    statuses = library.folders(model)
    if not statuses:
        print("the library has no folders; add one with `parley library add FOLDER`", file=out)
    for status in statuses:
        print(
            f"{status.path}\t{status.state}\t{status.indexed_files} of {status.files} files\t"
            f"{status.pages} pages\t{status.chunks} passages",
            file=out,
        )
    return EXIT_OK


def _remove(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    folder = library.folder_path(args.folder)
    library.remove_folder(folder)
    print(f"removed {folder}", file=out)
    return EXIT_OK


def _search(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    folders = [library.folder_path(folder) for folder in args.folder] if args.folder else None
    with _embedder(err) as embedder:
        hits = library.search(args.query, embedder=embedder, folders=folders, limit=max(1, args.limit))
    if not hits:
        print("nothing in the library matches", file=out)
    for passage in merge_neighbours(hits):
        print(f"{source_line(passage.number, passage.name, passage.page)}  ({passage.path})", file=out)
        print(f"    {' '.join(passage.text.split())}", file=out)
    return EXIT_OK
