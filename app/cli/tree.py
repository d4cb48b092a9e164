"""The command line's argparse tree and its one dispatch, for every command module to build on.

A command module adds its subparser with ``add_parser(commands)`` and names its handler there
(``set_defaults(run=...)``, a ``Handler``). Every command ends the same way: a usage error is one line,
``parley COMMAND: …``, with status 2; an ``AppError`` is its sentence, ``parley: …``, with status 2;
Ctrl+C that reaches here is "Stopped." with status 130 (a command that settles Ctrl+C itself, as
``ask`` and a download do, says more first).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from typing import TextIO, TypeAlias

from app.cli.terminal import EXIT_INTERRUPTED, EXIT_USER_ERROR, STOPPED
from app.core.errors import AppError

Handler = Callable[[argparse.Namespace, TextIO, TextIO], int]
# What add_subparsers returns, that each command module adds its parser to; argparse names its type privately.
Commands: TypeAlias = "argparse._SubParsersAction[CommandParser]"
AddParser = Callable[[Commands], None]


class UsageError(Exception):
    """A command line argparse refused; ``prog`` is the parser that refused it (``parley models search``)."""

    def __init__(self, prog: str, message: str) -> None:
        super().__init__(message)
        self.prog = prog

    @property
    def command(self) -> str:
        """``parley`` and the command it was for: what the line that says what is wrong starts with."""
        return " ".join(self.prog.split()[:2])


class CommandParser(argparse.ArgumentParser):
    """A parser whose errors are raised (``UsageError``) for ``parse`` to print as one line; its
    subparsers are of this class too."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(self.prog, message)


def build(commands: Iterable[AddParser]) -> CommandParser:
    """``parley`` with ``commands`` below it."""
    parser = CommandParser(prog="parley", description="A private chat assistant on your own computer.")
    below = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add_parser in commands:
        add_parser(below)
    return parser


def parse(parser: argparse.ArgumentParser, argv: list[str], err: TextIO) -> argparse.Namespace | int:
    """The parsed arguments, or the exit status when parsing ended the command (a usage error, ``--help``)."""
    try:
        return parser.parse_args(argv)
    except UsageError as exc:
        print(f"{exc.command}: {exc}", file=err)
        return EXIT_USER_ERROR
    except SystemExit as exc:  # --help or --version, printed
        return int(exc.code or 0)


def dispatch(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Runs the command ``args`` names through its handler."""
    run: Handler = args.run
    try:
        return run(args, out, err)
    except AppError as exc:
        print(f"parley: {exc.user_message()}", file=err)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:  # Ctrl+C before the command took it over (while starting, say)
        print(STOPPED, file=err)
        return EXIT_INTERRUPTED


def run(commands: Iterable[AddParser], argv: list[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    """``parley ARGV``, parsed by the tree of ``commands`` and dispatched; ARGV must name a command."""
    out, err = out or sys.stdout, err or sys.stderr
    args = parse(build(commands), argv, err)
    if isinstance(args, int):
        return args
    if getattr(args, "run", None) is None:
        print("parley: name a command; see `parley --help`", file=err)
        return EXIT_USER_ERROR
    return dispatch(args, out, err)
