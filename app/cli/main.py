"""The command line: the commands of ``parley`` (ask, personas, projects, models, history, library, memory,
serve, explain), in one tree.

``app.__main__`` adds ``--version`` and ``--self-test`` to ``build_parser()``, dispatches the command
(``app.cli.tree``), and starts the window when none is named.
"""

from __future__ import annotations

from app.cli import ask, explain, history, library, memory, models, personas, projects, serve, tree

COMMANDS: tuple[tree.AddParser, ...] = (
    ask.add_parser,
    personas.add_parser,
    projects.add_parser,
    models.add_parser,
    history.add_parser,
    library.add_parser,
    memory.add_parser,
    serve.add_parser,
    explain.add_parser,
)


def build_parser() -> tree.CommandParser:
    """``parley`` with every command below it."""
    return tree.build(COMMANDS)
