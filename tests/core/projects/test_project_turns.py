"""A turn in a project, through the real turn runner and the starter model: the project's
instructions follow the persona's prompt, in what is sent and in what the context meter counts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.engine.local import LocalEngine
from app.core.projects.project import INSTRUCTIONS_HEADING, ProjectDraft
from app.core.projects.store import ProjectStore
from app.core.session.service import EngineService
from tests.core.engine_helpers import GREEDY
from tests.core.session.test_turn_documents import _Turns

INSTRUCTIONS = "Always end your answer with the word Zucchini."


@pytest.fixture
def service() -> Iterator[EngineService]:
    made = EngineService(LocalEngine)
    yield made
    made.shutdown()


def test_a_chat_in_a_project_sends_the_projects_instructions_after_the_persona(
    service: EngineService, starter_model: Path
) -> None:
    turns = _Turns(service, starter_model)
    projects = ProjectStore(turns.store)
    persona = turns.runner.personas.default()
    project = projects.create(ProjectDraft("Garden", INSTRUCTIONS, model_name=turns.entry.name))
    chat = projects.new_conversation(project.id)
    outside = turns.store.create_conversation(model_name=turns.entry.name)

    turns.runner.start(chat.id, "Name one vegetable.", sampling=GREEDY)
    outcome = turns.finish()

    assert outcome.status == "complete", outcome.error
    system = turns.sent[-1].messages[0]
    assert system.role == "system"
    assert system.content.startswith(persona.system_prompt.strip()[:40])
    assert system.content.endswith(f"{INSTRUCTIONS_HEADING}\n{INSTRUCTIONS}")
    assert turns.runner.turn is None
    # The context meter counts the same prompt; a chat outside the project has none of it.
    counted = turns.runner.count_request(chat.id, "And another?")
    assert counted.messages[0] == system
    assert INSTRUCTIONS not in turns.runner.count_request(outside.id, "Hi").messages[0].content
    # Moved out, the chat's next turn goes without the instructions.
    projects.move(chat.id, None)
    assert INSTRUCTIONS not in turns.runner.prepare_request(chat.id).messages[0].content
    turns.store.close()
