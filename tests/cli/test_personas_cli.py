"""The personas on the command line, run as a user would: ``python -m app personas list|show|export|import``
and ``python -m app ask --persona NAME`` with the starter model."""

from __future__ import annotations

import json
from pathlib import Path

from app.core.history.store import Store
from app.core.personas.book import PersonaBook
from tests.cli.test_cli import parley


def test_list_show_export_and_import(parley_home: Path, tmp_path: Path) -> None:
    listed = parley(parley_home, "personas", "list")
    assert listed.returncode == 0, listed.stderr
    names = [line.split("\t")[1] for line in listed.stdout.splitlines()]
    assert len(names) == 6 and any("Translator" in name for name in names) and any("Tutor" in name for name in names)
    assert all("(built-in)" in line for line in listed.stdout.splitlines())

    shown = parley(parley_home, "personas", "show", "Translator")
    assert shown.returncode == 0, shown.stderr
    assert '"name": "Translator"' in shown.stdout
    assert "The system prompt the model gets:" in shown.stdout

    path = tmp_path / "translator.json"
    exported = parley(parley_home, "personas", "export", "Translator", "-o", str(path))
    assert exported.returncode == 0, exported.stderr
    document = json.loads(path.read_text(encoding="utf-8"))
    assert (document["format"], document["version"], len(document["personas"])) == ("parley-personas", 1, 1)
    document["personas"][0].update(name="French translator", target_language="French")
    path.write_text(json.dumps(document), encoding="utf-8")

    imported = parley(parley_home, "personas", "import", str(path))
    assert imported.returncode == 0, imported.stderr
    assert "French translator" in imported.stdout
    assert "French translator\t(yours)" in parley(parley_home, "personas", "list").stdout.replace("🌐 ", "")

    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "parley-personas", "version": 1, "personas": [{"name": 3}]}', encoding="utf-8")
    refused = parley(parley_home, "personas", "import", str(broken))
    assert refused.returncode != 0 and "name" in refused.stderr


def test_ask_with_a_persona_answers_as_it_and_records_it(parley_home: Path, tmp_path: Path) -> None:
    store = Store()
    book = PersonaBook(store)
    translator = book.find("Translator")
    path = tmp_path / "french.json"
    document = book.export_json([translator])
    document["personas"][0].update(name="French translator", target_language="French")
    path.write_text(json.dumps(document), encoding="utf-8")
    store.close()
    assert parley(parley_home, "personas", "import", str(path)).returncode == 0

    # SmolLM2-135M handles English -> French for a greeting: "Good morning" -> "Bonjour".
    result = parley(parley_home, "ask", "--persona", "French translator", "--max-tokens", "8", "Good morning")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("Bonjour"), result.stdout
    store = Store()
    french = PersonaBook(store).find("French translator")
    (conversation,) = store.conversations()
    assert conversation.persona_id == french.id
    answer = store.messages(conversation.id)[-1]
    assert (answer.role, answer.persona_id) == ("assistant", french.id)
    assert answer.finish_reason in ("done", "length")
    store.close()

    unknown = parley(parley_home, "ask", "--persona", "Nobody", "Hello")
    assert unknown.returncode != 0 and "There is no persona named Nobody" in unknown.stderr
