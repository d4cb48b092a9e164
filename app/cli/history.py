"""``parley history …``: export conversations to Markdown or JSON, and import an export back.

``history export [--conversation N] [--format md|json] PATH`` writes one conversation (Markdown:
the branch on screen; JSON: every branch) or, without ``--conversation``, all of them as JSON.
``history import [--copies] PATH`` reads a Parley export or ChatGPT's ``conversations.json``; a
conversation already in the history is skipped, or imported as a copy with ``--copies``.
Errors are one line on stderr with exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from app.core.errors import AppError
from app.core.history import exchange
from app.core.history.store import Store

EXIT_OK = 0
EXIT_USER_ERROR = 2


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="parley history", description="Export and import conversations.")
    sub = parser.add_subparsers(dest="action", required=True)
    export = sub.add_parser("export", help="write conversations to a Markdown or JSON file")
    export.add_argument("--conversation", type=int, help="only this conversation (its id)")
    export.add_argument("--format", choices=("md", "json"), default=None, help="md or json (default: from PATH)")
    export.add_argument("path", type=Path)
    imp = sub.add_parser("import", help="add the conversations of a Parley export or ChatGPT's conversations.json")
    imp.add_argument("--copies", action="store_true", help="import conversations already here as copies")
    imp.add_argument("path", type=Path)
    return parser


def run_history_command(argv: list[str], out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    try:
        args = _parser().parse_args(argv)
    except _UsageError as exc:
        print(f"parley history: {exc}", file=err)
        return EXIT_USER_ERROR
    try:
        store = Store()
    except AppError as exc:
        print(f"parley: {exc.user_message()}", file=err)
        return EXIT_USER_ERROR
    try:
        if args.action == "export":
            return _export(store, args, out, err)
        report = exchange.import_file(store, args.path, on_conflict="copy" if args.copies else "skip")
        print(
            f"imported {report.imported} conversations ({report.messages} messages); "
            f"{report.skipped} already here were skipped",
            file=out,
        )
        return EXIT_OK
    except AppError as exc:
        print(f"parley: {exc.user_message()}", file=err)
        return EXIT_USER_ERROR
    finally:
        store.close()


def _export(store: Store, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    fmt = args.format or ("md" if args.path.suffix.lower() in (".md", ".markdown") else "json")
    if fmt == "md" and args.conversation is None:
        print("parley history: a Markdown export is of one conversation: give --conversation N", file=err)
        return EXIT_USER_ERROR
    if args.conversation is not None:
        store.conversation(args.conversation)  # ConversationNotFoundError when there is none
    if fmt == "md":
        text = exchange.export_markdown(store, args.conversation)
    else:
        text = exchange.export_json(store, [args.conversation] if args.conversation is not None else None)
    try:
        exchange.write(args.path, text)
    except OSError as exc:
        print(f"parley: {args.path} could not be written: {exc.strerror or exc}", file=err)
        return EXIT_USER_ERROR
    print(f"wrote {args.path}", file=out)
    return EXIT_OK
