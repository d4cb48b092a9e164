"""``python -m app``: the window; ``python -m app ask …``, ``models …``, ``history …``, ``personas …``
and ``serve``: the command line."""

from __future__ import annotations

import argparse
import multiprocessing
import sys
from pathlib import Path

from app import __version__
from app.cli.terminal import EXIT_INTERRUPTED, STOPPED, forgiving_output


def _parser() -> argparse.ArgumentParser:
    from app.cli.main import add_ask_parser
    from app.cli.serve import add_serve_parser

    parser = argparse.ArgumentParser(prog="parley", description="A private chat assistant on your own computer.")
    parser.add_argument("--version", action="version", version=f"Parley {__version__}")
    parser.add_argument(
        "--self-test", action="store_true", help="check headless that Qt, resources, database and engine work"
    )
    parser.add_argument(
        "--model", dest="self_test_model", type=Path, help="with --self-test: the .gguf to load (default: the starter)"
    )
    subparsers = parser.add_subparsers(dest="command")
    add_ask_parser(subparsers)
    from app.cli.personas import add_personas_parser

    add_personas_parser(subparsers)
    add_serve_parser(subparsers)
    models = subparsers.add_parser("models", help="list, search, download, import and remove models")
    models.add_argument("models_args", nargs=argparse.REMAINDER)
    history = subparsers.add_parser("history", help="export conversations (Markdown, JSON) and import them")
    history.add_argument("history_args", nargs=argparse.REMAINDER)
    return parser


def main(argv: list[str] | None = None) -> int:
    multiprocessing.freeze_support()
    forgiving_output()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(argv)
    if args.self_test:
        from app.selftest import run

        return run(args.self_test_model)
    if args.command in ("ask", "models", "history", "personas", "serve"):
        try:
            return _run_command(args)
        except KeyboardInterrupt:  # Ctrl+C before a command took it over (while starting, say)
            print(STOPPED, file=sys.stderr)
            return EXIT_INTERRUPTED
    from app.ui.shell.application import run_gui

    return run_gui([sys.argv[0], *argv])


def _run_command(args: argparse.Namespace) -> int:
    if args.command == "ask":
        from app.cli.main import run_ask

        return run_ask(args)
    if args.command == "history":
        from app.cli.history import run_history_command

        return run_history_command(args.history_args)
    if args.command == "personas":
        from app.cli.personas import run_personas

        return run_personas(args)
    if args.command == "serve":
        from app.cli.serve import run_serve

        return run_serve(args)
    from app.cli.models import run_models_command

    return run_models_command(args.models_args)


if __name__ == "__main__":
    sys.exit(main())
