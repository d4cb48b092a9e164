"""The projects repository over the history database: create, edit, archive, delete, and which
conversations are in which project.

Projects live in the history's ``projects`` table (migration 10) and a conversation points at its
project (``conversations.project_id``). The rule for files: a chat in a project that names library
folders has "Use my library" on with those folders, unless the user chose otherwise for that chat;
a new chat, a chat moved in, and (when the folders are edited) every chat still on the old default
get them.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid as uuid_module
from dataclasses import replace

from app.core.errors import ProjectNameError, ProjectNotFoundError
from app.core.history import attachments
from app.core.history.store import Store
from app.core.history.types import Conversation, LibraryChoice
from app.core.projects.project import DeleteChoice, Project, ProjectDraft
from app.core.session import records

PROJECT_COLUMNS = (
    "id, uuid, name, instructions, persona_id, model_name, folders, archived, created_at, updated_at"
)


def project_from_row(row: sqlite3.Row | tuple[object, ...]) -> Project:
    values = list(row)
    return Project(
        int(values[0]),  # type: ignore[call-overload]
        str(values[1]),
        str(values[2]),
        str(values[3]),
        values[4] if isinstance(values[4], int) else None,
        values[5] if isinstance(values[5], str) else None,
        tuple(str(folder) for folder in json.loads(str(values[6]) or "[]")),
        bool(values[7]),
        float(values[8]),  # type: ignore[arg-type]
        float(values[9]),  # type: ignore[arg-type]
    )


def folders_json(folders: tuple[str, ...]) -> str:
    return json.dumps(list(folders), ensure_ascii=False)


def library_default(project: Project) -> LibraryChoice | None:
    """The "Use my library" a chat in ``project`` starts with; None when the project names no folders."""
    return LibraryChoice(True, project.folders) if project.folders else None


class ProjectStore:
    """The projects of one open history. Use it from the store's thread."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- reading --------------------------------------------------------------------------------

    def all(self) -> list[Project]:
        """Every project: the active ones first, then the archived, each by name."""
        with self.store.reading() as db:
            rows = db.execute(
                f"SELECT {PROJECT_COLUMNS} FROM projects ORDER BY archived, name COLLATE NOCASE, id"
            ).fetchall()
        return [project_from_row(row) for row in rows]

    def get(self, project_id: int) -> Project:
        with self.store.reading() as db:
            row = db.execute(f"SELECT {PROJECT_COLUMNS} FROM projects WHERE id = ?", (project_id,)).fetchone()
        if row is None:
            raise ProjectNotFoundError(name=f"#{project_id}")
        return project_from_row(row)

    def find(self, name_or_id: str) -> Project:
        """The project with this name (any case) or id; ``ProjectNotFoundError`` when there is none."""
        wanted = name_or_id.strip()
        for project in self.all():
            if project.name.casefold() == wanted.casefold() or str(project.id) == wanted:
                return project
        raise ProjectNotFoundError(name=wanted)

    def of(self, conversation: Conversation) -> Project | None:
        """The project ``conversation`` is in, or None."""
        return self.get(conversation.project_id) if conversation.project_id is not None else None

    def conversation_ids(self, project_id: int) -> list[int]:
        """The project's conversations, the most recently active first."""
        with self.store.reading() as db:
            rows = db.execute(
                "SELECT id FROM conversations WHERE project_id = ? ORDER BY updated_at DESC, id DESC", (project_id,)
            ).fetchall()
        return [int(row[0]) for row in rows]

    # -- editing --------------------------------------------------------------------------------

    def create(self, draft: ProjectDraft) -> Project:
        name = self._checked_name(draft.name, None)
        now = time.time()
        with self.store.writing() as db:
            cursor = db.execute(
                "INSERT INTO projects (uuid, name, instructions, persona_id, model_name, folders, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (str(uuid_module.uuid4()), name, draft.instructions.strip(), draft.persona_id, draft.model_name,
                 folders_json(draft.folders), now, now),
            )  # fmt: skip
            new_id = int(cursor.lastrowid or 0)
        return self.get(new_id)

    def update(self, project_id: int, draft: ProjectDraft) -> Project:
        """Sets what the user edited. Chats whose library choice was the old folders' default follow the new one."""
        before = self.get(project_id)
        name = self._checked_name(draft.name, project_id)
        with self.store.writing() as db:
            db.execute(
                "UPDATE projects SET name = ?, instructions = ?, persona_id = ?, model_name = ?, folders = ?, "
                "updated_at = ? WHERE id = ?",
                (name, draft.instructions.strip(), draft.persona_id, draft.model_name, folders_json(draft.folders),
                 time.time(), project_id),
            )  # fmt: skip
            if draft.folders != before.folders:
                old_default = library_default(before)
                new_default = LibraryChoice(True, draft.folders) if draft.folders else LibraryChoice()
                for (conversation_id,) in db.execute(
                    "SELECT id FROM conversations WHERE project_id = ?", (project_id,)
                ).fetchall():
                    if attachments.library_choice(db, conversation_id) == old_default:
                        attachments.set_library_choice(db, conversation_id, new_default)
        return self.get(project_id)

    def rename(self, project_id: int, name: str) -> Project:
        return self.update(project_id, replace(self.get(project_id).draft(), name=name))

    def set_archived(self, project_id: int, archived: bool) -> None:
        """Archives a project (its section goes to the end of the list, closed) or brings it back."""
        self.get(project_id)
        with self.store.writing() as db:
            db.execute("UPDATE projects SET archived = ? WHERE id = ?", (int(archived), project_id))

    def delete(self, project_id: int, choice: DeleteChoice) -> list[int]:
        """Deletes the project. Its chats go back to the main list ("keep_chats") or are deleted with it
        ("delete_chats"); returns the ids of the chats deleted."""
        deleted = self.conversation_ids(project_id) if choice == "delete_chats" else []
        for conversation_id in deleted:
            records.delete_conversation(self.store, conversation_id)
        with self.store.writing() as db:
            db.execute("UPDATE conversations SET project_id = NULL WHERE project_id = ?", (project_id,))
            db.execute("DELETE FROM projects WHERE id = ?", (project_id,))
        return deleted

    def move(self, conversation_id: int, project_id: int | None) -> None:
        """Puts a conversation into a project (None: back to the main list). A chat moved in that never
        chose its library gets the project's folders."""
        project = self.get(project_id) if project_id is not None else None
        self.store.conversation(conversation_id)  # ConversationNotFoundError for one that is gone
        with self.store.writing() as db:
            db.execute("UPDATE conversations SET project_id = ? WHERE id = ?", (project_id, conversation_id))
            default = library_default(project) if project is not None else None
            if default is not None and attachments.library_choice(db, conversation_id) is None:
                attachments.set_library_choice(db, conversation_id, default)

    def new_conversation(self, project_id: int) -> Conversation:
        """A new, empty chat in the project, with its persona, model and library folders."""
        project = self.get(project_id)
        conversation = self.store.create_conversation(persona_id=project.persona_id, model_name=project.model_name)
        self.move(conversation.id, project_id)
        return self.store.conversation(conversation.id)

    def _checked_name(self, name: str, project_id: int | None) -> str:
        name = " ".join(name.split())
        taken = {p.name.casefold() for p in self.all() if p.id != project_id}
        if not name or name.casefold() in taken:
            raise ProjectNameError(name=name)
        return name
