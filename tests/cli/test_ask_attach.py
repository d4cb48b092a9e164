"""``parley ask --attach FILE…`` with the real starter model, and its parity with the window's turn runner."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from app.core.config.settings import SettingsStore
from app.core.documents.extract import read_document
from app.core.engine.local import LocalEngine
from app.core.history.store import Store
from app.core.models.registry import ModelRegistry
from app.core.personas.book import PersonaBook
from app.core.session.records import with_documents
from app.core.session.service import EngineService
from app.core.session.turns import TurnRunner
from tests.cli.test_cli import parley
from tests.core.engine_helpers import EventLog
from tests.core.session.test_turn_documents import FACT, QUESTION, TOPICS

GREEDY_FLAGS = ("--temperature", "0", "--seed", "1")


def long_notes(folder: Path) -> Path:
    """A Markdown file far larger than the context, with the codename in one paragraph of many."""
    paragraphs = [
        f"Paragraph {n} is about {TOPICS[n % len(TOPICS)]}. " + f"People enjoy {TOPICS[n % len(TOPICS)]} a lot. " * 8
        for n in range(150)
    ]
    paragraphs[101] = FACT + " " + paragraphs[101]
    path = folder / "notes.md"
    path.write_text("\n\n".join(paragraphs), encoding="utf-8")
    return path


def test_an_attached_file_is_read_and_a_refused_one_is_named_and_left_out(parley_home: Path, tmp_path: Path) -> None:
    brief = tmp_path / "brief.txt"
    brief.write_text(FACT + "\n", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")

    attach = ("--attach", str(brief), str(empty))
    result = parley(parley_home, "ask", QUESTION, "--max-tokens", "32", *GREEDY_FLAGS, *attach)

    assert result.returncode == 0, result.stderr
    assert "Zorblax" in result.stdout
    assert "parley: brief.txt: read whole" in result.stderr.splitlines()
    refusal = [line for line in result.stderr.splitlines() if "empty.txt" in line]
    assert refusal == ["parley: empty.txt has no text in it, so it was not attached."]
    store = Store()
    [conversation] = store.conversations()
    user = store.messages(conversation.id)[0]
    assert [a.name for a in store.attachments(user.id)] == ["brief.txt"]
    store.close()


def test_when_no_attached_file_can_be_read_the_message_is_not_sent(parley_home: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")

    result = parley(parley_home, "ask", QUESTION, "--attach", str(empty))

    assert result.returncode == 2
    assert "none of the attached files could be read, so the message was not sent" in result.stderr
    store = Store()
    assert store.conversations() == []
    store.close()


def test_ask_attach_and_the_windows_turn_send_the_same_prompt(parley_home: Path, tmp_path: Path) -> None:
    notes = long_notes(tmp_path)

    result = parley(parley_home, "ask", QUESTION, "--max-tokens", "32", *GREEDY_FLAGS, "--attach", str(notes))

    assert result.returncode == 0, result.stderr
    [how] = [line for line in result.stderr.splitlines() if line.startswith("parley: notes.md: ")]
    assert how.endswith(" passages used") and " of " in how
    assert "\nSources:\n[1] notes.md\n" in result.stdout
    store = Store()
    [from_cli] = store.conversations()
    cli_user = store.messages(from_cli.id)[0]
    assert FACT in cli_user.documents

    # The window's path: TurnRunner.start with the same file read and the same question and sampling.
    settings = SettingsStore()
    registry = ModelRegistry(settings)
    persona = PersonaBook(store).default()
    sampling = replace(persona.sampling, max_tokens=32, temperature=0.0, seed=1)
    service = EngineService(LocalEngine)
    log = EventLog()
    try:
        runner = TurnRunner(store, service.connect(log.put, "window"), settings, registry)
        in_window = store.create_conversation(persona_id=persona.id)
        turn = runner.start(in_window.id, QUESTION, attachments=[read_document(notes)], sampling=sampling)
        runner.stop()
        runner.abandon()
    finally:
        service.shutdown()

    assert turn.request.messages[-1].content == with_documents(cli_user.documents, QUESTION)
    window_user = store.message(turn.user_message.id)
    assert window_user.documents == cli_user.documents
    strip = [(a.name, a.mode, a.used, a.total, a.page_texts) for a in store.attachments(cli_user.id)]
    assert [(a.name, a.mode, a.used, a.total, a.page_texts) for a in store.attachments(window_user.id)] == strip
    cli_answer = store.messages(from_cli.id)[1]
    assert store.citations(turn.answer.id) == store.citations(cli_answer.id)
    store.close()
