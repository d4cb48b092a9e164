"""The memory's data: one fact about the user, and what one answer used, saved and retired of them."""

from __future__ import annotations

from dataclasses import dataclass, field

ADDED_BY_USER = "added by you"  # a memory's source when the user wrote it (Settings, the CLI, "remember that")


@dataclass(frozen=True)
class Memory:
    """One short fact about the user, where it came from, when, and where it applies."""

    id: int
    text: str
    created_at: float
    updated_at: float
    conversation_id: int | None = None  # the conversation it was said in (None: added by the user, or deleted since)
    message_id: int | None = None  # the user's message it was taken from
    added_by_user: bool = False
    project_id: int | None = None  # None: everywhere; else only in that project's conversations
    confidence: float | None = None  # the model's, for an extracted fact
    retired_at: float | None = None  # set when a later fact contradicted it (kept for Undo, never used)
    replaced_by: int | None = None

    @property
    def source(self) -> str:
        """Where it came from, for the CLI (the window translates its own)."""
        if self.added_by_user:
            return ADDED_BY_USER
        if self.conversation_id is None:
            return "a conversation since deleted"
        return f"conversation {self.conversation_id}, message {self.message_id}"


@dataclass(frozen=True)
class MemoryChange:
    """What one extraction (or one "remember"/"forget" command) did: for the "Memory updated" line and Undo."""

    answer_id: int | None
    saved: tuple[Memory, ...] = ()  # new memories (or merged ones whose text changed)
    retired: tuple[Memory, ...] = ()  # memories a new fact contradicted (Undo puts them back)
    forgotten: tuple[Memory, ...] = ()  # deleted at the user's word ("forget that …")

    @property
    def empty(self) -> bool:
        return not (self.saved or self.retired or self.forgotten)


@dataclass(frozen=True)
class MemoryBlock:
    """The memories a turn sends, as the system prompt's block, and which ones they are."""

    text: str = ""
    used: tuple[Memory, ...] = field(default_factory=tuple)
