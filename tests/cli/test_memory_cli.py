"""The memories on the command line, run as a user would: ``python -m app memory list|add|forget|export``."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_cli import parley


def test_add_list_forget_and_export(parley_home: Path, tmp_path: Path) -> None:
    for fact in ("I am vegetarian", "My daughter is called Mia", "I live in Leeds"):
        added = parley(parley_home, "memory", "add", *fact.split())
        assert added.returncode == 0, added.stderr
        assert "added by you" in added.stdout and fact in added.stdout
    listed = parley(parley_home, "memory", "list")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert [line.split("\t")[-1] for line in lines] == [
        "I live in Leeds",
        "My daughter is called Mia",
        "I am vegetarian",
    ]
    assert all("\teverywhere\t" in line for line in lines)
    searched = parley(parley_home, "memory", "list", "--search", "mia")
    assert [line.split("\t")[-1] for line in searched.stdout.splitlines()] == ["My daughter is called Mia"]

    by_words = parley(parley_home, "memory", "forget", "I", "live", "in", "Leeds")
    assert by_words.returncode == 0, by_words.stderr
    assert "forgot" in by_words.stdout and "Leeds" in by_words.stdout
    first_id = lines[-1].split("\t")[0]
    by_id = parley(parley_home, "memory", "forget", first_id)
    assert by_id.returncode == 0 and "I am vegetarian" in by_id.stdout
    missing = parley(parley_home, "memory", "forget", "9999")
    assert missing.returncode == 2 and "No memory matches 9999." in missing.stderr

    path = tmp_path / "memories.json"
    exported = parley(parley_home, "memory", "export", "-o", str(path))
    assert exported.returncode == 0, exported.stderr
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["format"] == "parley-memories"
    assert [(m["text"], m["added_by_user"]) for m in document["memories"]] == [("My daughter is called Mia", True)]
