"""``parley history …``: export conversations to Markdown or JSON, and import an export back.

``history export [--conversation N] [--format md|json] PATH`` writes one conversation (Markdown:
the branch on screen; JSON: every branch) or, without ``--conversation``, all of them as JSON;
``--project NAME`` writes that project's conversations, with the project, as JSON.
``history import [--copies] PATH`` reads a Parley export or ChatGPT's ``conversations.json``; a
conversation already in the history is skipped, or imported as a copy with ``--copies``.
The history is opened as the window opens it (``history_file``); errors end the command as every
command's do (``app.cli.tree``).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from app.cli import tree
from app.cli.history_file import open_history
from app.cli.terminal import EXIT_USER_ERROR
from app.cli.tree import Commands
from app.core.history import exchange
from app.core.history.store import Store
from app.core.projects.store import ProjectStore

EXIT_OK = 0


def add_parser(commands: Commands) -> None:
    history = commands.add_parser(
        "history",
        help="export conversations (Markdown, JSON) and import them",
        description="Export and import conversations.",
    )
    sub = history.add_subparsers(dest="action", required=True)
    export = sub.add_parser("export", help="write conversations to a Markdown or JSON file")
    export.add_argument("--conversation", type=int, help="only this conversation (its id)")
    export.add_argument("--project", help="only this project's conversations, with the project (JSON)")
    export.add_argument("--format", choices=("md", "json"), default=None, help="md or json (default: from PATH)")
    export.add_argument("path", type=Path)
    export.set_defaults(run=_run, act=_export)
    imp = sub.add_parser("import", help="add the conversations of a Parley export or ChatGPT's conversations.json")
    imp.add_argument("--copies", action="store_true", help="import conversations already here as copies")
    imp.add_argument("path", type=Path)
    imp.set_defaults(run=_run, act=_import)


def run_history_command(argv: list[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    """``parley history ARGV``, through the one tree (for tests)."""
    return tree.run((add_parser,), ["history", *argv], out, err)


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    store = open_history(err)
    try:
        code: int = args.act(store, args, out, err)
        return code
    finally:
        store.close()


def _import(store: Store, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    report = exchange.import_file(store, args.path, on_conflict="copy" if args.copies else "skip")
    print(
        f"imported {report.imported} conversations ({report.messages} messages); "
        f"{report.skipped} already here were skipped",
        file=out,
    )
    return EXIT_OK


def _export(store: Store, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    fmt = args.format or ("md" if args.path.suffix.lower() in (".md", ".markdown") else "json")
    if args.project is not None:
        if fmt == "md":
            print("parley history: a project's conversations are exported as JSON", file=err)
            return EXIT_USER_ERROR
        projects = ProjectStore(store)
        text = exchange.export_json(store, projects.conversation_ids(projects.find(args.project).id))
        return _write(args.path, text, out, err)
    if fmt == "md" and args.conversation is None:
        print("parley history: a Markdown export is of one conversation: give --conversation N", file=err)
        return EXIT_USER_ERROR
    if args.conversation is not None:
        store.conversation(args.conversation)  # ConversationNotFoundError when there is none
    if fmt == "md":
        text = exchange.export_markdown(store, args.conversation)
    else:
        text = exchange.export_json(store, [args.conversation] if args.conversation is not None else None)
    return _write(args.path, text, out, err)


def _write(path: Path, text: str, out: TextIO, err: TextIO) -> int:
    try:
        exchange.write(path, text)
    except OSError as exc:
        print(f"parley: {path} could not be written: {exc.strerror or exc}", file=err)
        return EXIT_USER_ERROR
    print(f"wrote {path}", file=out)
    return EXIT_OK
