"""``parley projects list|add|remove``: the projects from the command line.

The same repository as the window (``app.core.projects.store``), on the history opened as the window
opens it (``history_file``). ``remove`` puts the project's chats back in the main list unless
``--delete-chats`` says to delete them too (the choice the window asks for).
"""

from __future__ import annotations

import argparse
from typing import TextIO

from app.cli.history_file import open_history
from app.cli.tree import Commands
from app.core import logs
from app.core.personas.book import PersonaBook
from app.core.projects.project import ProjectDraft
from app.core.projects.store import ProjectStore


def add_parser(commands: Commands) -> None:
    projects = commands.add_parser("projects", help="list, add and remove projects")
    projects.set_defaults(run=run_projects)
    actions = projects.add_subparsers(dest="action", required=True)
    actions.add_parser("list", help="every project: id, name, its chats, and whether it is archived")
    add = actions.add_parser("add", help="add a project")
    add.add_argument("name")
    add.add_argument("--instructions", default="", help="added after the persona's prompt in its chats")
    add.add_argument("--persona", help="a new chat's persona (its name or id)")
    add.add_argument("--model", help="a new chat's model (an installed model's name)")
    add.add_argument("--folder", action="append", default=[], help="a library folder its chats search (repeatable)")
    remove = actions.add_parser("remove", help="remove a project; its chats go back to the main list")
    remove.add_argument("name", help="the project's name or id")
    remove.add_argument("--delete-chats", action="store_true", help="delete the project's chats too")


def run_projects(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    logs.configure()
    store = open_history(err)
    try:
        projects = ProjectStore(store)
        if args.action == "list":
            for project in projects.all():
                chats = len(projects.conversation_ids(project.id))
                mark = "\t(archived)" if project.archived else ""
                print(f"{project.id}\t{project.name}\t{chats} chats{mark}", file=out)
        elif args.action == "add":
            persona = PersonaBook(store).find(args.persona) if args.persona else None
            draft = ProjectDraft(args.name, args.instructions, persona.id if persona else None, args.model,
                                 tuple(args.folder))  # fmt: skip
            made = projects.create(draft)
            print(f"added {made.id}\t{made.name}", file=out)
        else:
            project = projects.find(args.name)
            deleted = projects.delete(project.id, "delete_chats" if args.delete_chats else "keep_chats")
            kept = "" if args.delete_chats else " (its chats are back in the main list)"
            print(f"removed {project.name}{kept}; {len(deleted)} chats deleted", file=out)
        return 0
    finally:
        store.close()
