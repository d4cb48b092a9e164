"""``parley personas list|show|export|import``: the personas from the command line.

The same repository as the window (``app.core.personas.book``), on the history opened as the window
opens it (``history_file``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TextIO

from app.cli.history_file import open_history
from app.cli.tree import Commands
from app.core import logs
from app.core.config.settings import SettingsStore
from app.core.personas.book import PersonaBook, migrate_settings
from app.core.personas.persona import display_name, final_system_prompt, persona_to_json


def add_parser(commands: Commands) -> None:
    personas = commands.add_parser("personas", help="list, show, export and import personas")
    personas.set_defaults(run=run_personas)
    actions = personas.add_subparsers(dest="action", required=True)
    actions.add_parser("list", help="every persona: id, icon, name and description")
    show = actions.add_parser("show", help="one persona's values and the system prompt the model gets")
    show.add_argument("name", help="the persona's name or id")
    export = actions.add_parser("export", help="write personas as JSON (all of them, or those named)")
    export.add_argument("names", nargs="*", help="names or ids; none: every persona")
    export.add_argument("--output", "-o", help="a file to write; default: stdout")
    imported = actions.add_parser("import", help="add the personas of an exported JSON file")
    imported.add_argument("path", help="the JSON file")


def run_personas(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    logs.configure()
    settings = SettingsStore()
    store = open_history(err)
    try:
        book = PersonaBook(store)
        migrate_settings(book, settings)
        return _run(args, book, settings, out)
    finally:
        store.close()


def _run(args: argparse.Namespace, book: PersonaBook, settings: SettingsStore, out: TextIO) -> int:
    command = args.action
    if command == "list":
        for persona in book.all():
            kind = "built-in" if persona.builtin else "yours"
            print(f"{persona.id}\t{persona.icon} {display_name(persona)}\t({kind})\t{persona.description}", file=out)
    elif command == "show":
        persona = book.find(args.name)
        print(json.dumps(persona_to_json(persona), ensure_ascii=False, indent=2), file=out)
        print("\nThe system prompt the model gets:\n" + final_system_prompt(persona, settings.current), file=out)
    elif command == "export":
        chosen = [book.find(name) for name in args.names] if args.names else None
        if args.output:
            book.export_file(Path(args.output), chosen)
        else:
            print(json.dumps(book.export_json(chosen), ensure_ascii=False, indent=2), file=out)
    else:
        for persona in book.import_file(Path(args.path)):
            print(f"imported {persona.id}\t{persona.icon} {persona.name}", file=out)
    return 0
