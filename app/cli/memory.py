"""``parley memory list|add|forget|export``: the memories from the command line.

The same store as the window (``app.core.memory.store``), on the history opened as the window opens it
(``history_file``). ``forget`` takes a memory's id, or words: then every memory they name goes, by the
rule "forget that …" follows in a chat (``keeping.apply_command``).
"""

from __future__ import annotations

import argparse
import datetime
import json
from pathlib import Path
from typing import TextIO

from app.cli.history_file import open_history
from app.cli.tree import Commands
from app.core import atomic, logs
from app.core.errors import MemoryNotFoundError
from app.core.memory import keeping
from app.core.memory.exchange import export_memories
from app.core.memory.extraction import MemoryCommand
from app.core.memory.store import MemoryStore
from app.core.memory.types import Memory

FORMAT = "parley-memories"
VERSION = 1


def add_parser(commands: Commands) -> None:
    memory = commands.add_parser("memory", help="list, add, forget and export what Parley remembers about you")
    memory.set_defaults(run=run_memory)
    actions = memory.add_subparsers(dest="action", required=True)
    listed = actions.add_parser("list", help="every memory in use: id, when, where it came from, the fact")
    listed.add_argument("--search", default="", help="only the memories whose text holds these words")
    added = actions.add_parser("add", help="add a memory in your own words")
    added.add_argument("text", nargs="+", help="the fact, e.g. I am vegetarian")
    forget = actions.add_parser("forget", help="delete a memory by its id, or every memory some words name")
    forget.add_argument("what", nargs="+", help="an id from `memory list`, or words such as: I live in Leeds")
    export = actions.add_parser("export", help="write the memories as JSON")
    export.add_argument("--output", "-o", help="a file to write; default: stdout")


def run_memory(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    logs.configure()
    store = open_history(err)
    try:
        return _run(args, MemoryStore(store), out)
    finally:
        store.close()


def _line(memory: Memory) -> str:
    when = datetime.datetime.fromtimestamp(memory.created_at).strftime("%Y-%m-%d %H:%M")
    scope = "everywhere" if memory.project_id is None else f"project {memory.project_id}"
    return f"{memory.id}\t{when}\t{memory.source}\t{scope}\t{memory.text}"


def _run(args: argparse.Namespace, memories: MemoryStore, out: TextIO) -> int:
    if args.action == "list":
        for memory in memories.listed(args.search):
            print(_line(memory), file=out)
    elif args.action == "add":
        memory = memories.add(" ".join(args.text), added_by_user=True)
        print(f"added {_line(memory)}", file=out)
    elif args.action == "forget":
        what = " ".join(args.what)
        if what.isdigit():
            try:
                gone = [memories.get(int(what))]
            except LookupError as exc:
                raise MemoryNotFoundError(what=what) from exc
            memories.delete([gone[0].id])
        else:
            change = keeping.apply_command(
                memories, MemoryCommand("forget", what), conversation_id=None, message_id=None
            )
            gone = list(change.forgotten)
            if not gone:
                raise MemoryNotFoundError(what=what)
        for memory in gone:
            print(f"forgot {memory.id}\t{memory.text}", file=out)
    else:
        with memories.store.reading() as db:
            document = {"format": FORMAT, "version": VERSION, "memories": export_memories(db)}
        text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        if args.output:
            data = text.encode("utf-8")
            atomic.write_atomically(Path(args.output), lambda handle: handle.write(data))
        else:
            out.write(text)
    return 0
