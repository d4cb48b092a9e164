"""``python -m app``: the window; ``python -m app COMMAND …``: the command line (``app.cli.main``).

``--version`` (the build's version, the About box's first line) and ``--self-test`` are the window's own
options, added here to the command line's tree.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
from pathlib import Path
from typing import Any


def main(argv: list[str] | None = None) -> int:
    multiprocessing.freeze_support()  # first: a spawned engine process of the bundle stops here
    from app.cli.terminal import EXIT_INTERRUPTED, STOPPED, forgiving_output

    forgiving_output()
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = _parse(argv)
    except KeyboardInterrupt:  # Ctrl+C while the command line's modules load
        print(STOPPED, file=sys.stderr)
        return EXIT_INTERRUPTED
    if isinstance(args, int):
        return args
    if args.self_test:
        from app.selftest import run

        return run(args.self_test_model)
    if args.command is not None:
        from app.cli import tree

        return tree.dispatch(args, sys.stdout, sys.stderr)
    from app.ui.shell.application import run_gui

    return run_gui([sys.argv[0], *argv])


def _parse(argv: list[str]) -> argparse.Namespace | int:
    """The command line's tree with the window's own options; the exit status when parsing ended it."""
    from app.cli import main as cli
    from app.cli import tree

    parser = cli.build_parser()
    parser.add_argument("--version", action=_Version, help="print the version of this build and exit")
    parser.add_argument(
        "--self-test", action="store_true", help="check headless that Qt, resources, database and engine work"
    )
    parser.add_argument(
        "--model", dest="self_test_model", type=Path, help="with --self-test: the .gguf to load (default: the starter)"
    )
    return tree.parse(parser, argv, sys.stderr)


class _Version(argparse.Action):
    """``--version``: the line the About box heads with, asked of git only when it is wanted."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        from app.version import version_line

        print(version_line())
        parser.exit()


if __name__ == "__main__":
    sys.exit(main())
