"""The projects on the command line, run as a user would: ``python -m app projects list|add|remove``
and ``python -m app ask --project NAME`` with the starter model."""

from __future__ import annotations

import json
from pathlib import Path

from app.core.history.store import Store
from app.core.projects.store import ProjectStore
from tests.cli.test_cli import parley


def test_add_list_ask_in_a_project_and_remove(parley_home: Path) -> None:
    added = parley(parley_home, "projects", "add", "Garden", "--instructions", "Answer as a gardener.",
                   "--persona", "Tutor", "--folder", "/docs/garden")  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert parley(parley_home, "projects", "add", "garden").returncode != 0  # the name is taken

    asked = parley(parley_home, "ask", "--project", "Garden", "--max-tokens", "4", "Name a flower.")
    assert asked.returncode == 0, asked.stderr
    store = Store()
    project = ProjectStore(store).find("Garden")
    [chat] = [c for c in store.conversations() if c.project_id == project.id]
    assert chat.persona_id == project.persona_id and [m.role for m in store.messages(chat.id)] == ["user", "assistant"]
    store.close()

    listed = parley(parley_home, "projects", "list")
    assert listed.returncode == 0 and f"{project.id}\tGarden\t1 chats" in listed.stdout

    exported = parley(parley_home, "history", "export", "--project", "Garden", str(parley_home / "garden.json"))
    assert exported.returncode == 0, exported.stderr
    document = json.loads((parley_home / "garden.json").read_text(encoding="utf-8"))
    assert [p["name"] for p in document["projects"]] == ["Garden"]
    assert [c["project"] for c in document["conversations"]] == [project.uuid]

    removed = parley(parley_home, "projects", "remove", "Garden")
    assert removed.returncode == 0, removed.stderr
    assert parley(parley_home, "projects", "list").stdout == ""
    store = Store()
    assert store.conversation(chat.id).project_id is None  # back in the main list
    store.close()
    missing = parley(parley_home, "projects", "remove", "Garden")
    assert missing.returncode != 0 and "There is no project named Garden." in missing.stderr
