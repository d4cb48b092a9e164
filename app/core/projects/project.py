"""What a project is (``Project``, ``ProjectDraft``), and the one rule for how its instructions join a
conversation's system prompt (``with_instructions``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# What deleting a project does with its conversations: back to the main list, or deleted with it.
DeleteChoice = Literal["keep_chats", "delete_chats"]

INSTRUCTIONS_HEADING = "Instructions for this project:"


@dataclass(frozen=True)
class ProjectDraft:
    """What the user sets for a project: in the edit dialog, on the command line, in an import."""

    name: str
    instructions: str = ""
    persona_id: int | None = None  # a new chat's persona; None: the default persona
    model_name: str | None = None  # a new chat's model; None: the persona's or the default
    folders: tuple[str, ...] = ()  # library folders a new chat searches ("Use my library" on); (): none


@dataclass(frozen=True)
class Project:
    id: int
    uuid: str  # kept through export and import: the same project in another history
    name: str
    instructions: str
    persona_id: int | None
    model_name: str | None
    folders: tuple[str, ...]
    archived: bool
    created_at: float
    updated_at: float

    def draft(self) -> ProjectDraft:
        return ProjectDraft(self.name, self.instructions, self.persona_id, self.model_name, self.folders)


def with_instructions(system_prompt: str, project: Project | None) -> str:
    """The system prompt of a conversation in ``project``: the persona's (with "About you"), then the
    project's instructions under a heading; unchanged outside a project or when it has none."""
    instructions = project.instructions.strip() if project is not None else ""
    if not instructions:
        return system_prompt
    if not system_prompt.strip():
        return instructions
    return f"{system_prompt}\n\n{INSTRUCTIONS_HEADING}\n{instructions}"
