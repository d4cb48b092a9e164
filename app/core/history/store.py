"""The history repository: owns the open history database and its conversations and messages.

The file is opened, checked and upgraded by ``dbfile``; the tree, search, backups, recovery and the
personas use the store's connection through ``reading``/``writing``. The rule: every write commits at
once, and every SQLite failure leaves as an ``AppError`` (``health``); damage found while open is
recovered by ``recover_from_damage``. ``open_store`` opens the history at start, recovering a damaged
one first; both tell a recovery's progress to a callback.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Literal

from app.core import paths
from app.core.documents.types import Document, DocumentContext, Passage
from app.core.errors import (
    AppError,
    BackupCheckFailedError,
    ConversationNotFoundError,
    DatabaseDamagedError,
    DatabaseTooNewError,
)
from app.core.history import attachments, backups, dbfile, health, instances, look_inside, recovery, tree
from app.core.history.backups import Backup, BackupKind

# Re-exported: the schema and setting a damaged file aside were this module's before dbfile existed.
from app.core.history.dbfile import MIGRATIONS as MIGRATIONS
from app.core.history.dbfile import SCHEMA_VERSION as SCHEMA_VERSION
from app.core.history.dbfile import set_aside as set_aside
from app.core.history.types import (
    DEFAULT_TITLE,
    Conversation,
    FinishReason,
    LibraryChoice,
    Message,
    MessageStatus,
    Role,
    StoredAttachment,
    Thinking,
    Versions,
)

log = logging.getLogger("app.store")

# Runs a recovery (the job) where its caller wants it, a worker thread, and returns its report.
RecoveryRunner = Callable[[Callable[[], recovery.RecoveryReport]], recovery.RecoveryReport]

_CONVERSATION_COLUMNS = (
    "id, title, created_at, updated_at, model_name, system_prompt, thinking, uuid, pinned, title_set_by_user, "
    "persona_id, memory_start, project_id"
)
_MESSAGE_COLUMNS = (
    "id, conversation_id, role, content, status, model_name, created_at, n_tokens, "
    "tokens_per_second, ttft_seconds, reasoning, parent_id, persona_id, finish_reason, kind, server, "
    + attachments.DOCUMENTS_COLUMN
    + ", COALESCE(speculation, '')"
)


class Store:
    """One open history database. Use it from one thread at a time."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or self.default_path()
        self.backups_folder = dbfile.backups_folder_for(self.path)
        self._db = dbfile.open_database(self.path, self.backups_folder)
        self._lock = instances.InstanceLock(self.path)
        self._lock.acquire()
        self.instance_id = self._lock.id
        try:
            self.recover_interrupted()
        except BaseException:
            self.close()
            raise

    @staticmethod
    def default_path() -> Path:
        return paths.database_path()

    def close(self) -> None:
        self._db.close()
        # Only now may another instance settle this one's unfinished answers.
        self._lock.release()

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """The connection, for the history's other modules (branches, search, export): failures become AppError."""
        with self._reading() as db:
            yield db

    @contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """One committed transaction, for the history's other modules; failures become AppError."""
        with self._write() as db:
            yield db

    # -- failures ------------------------------------------------------------------------------

    def _failure(self, exc: sqlite3.Error) -> AppError:
        error = health.storage_error(exc, self.path, in_use=True)
        if isinstance(error, DatabaseDamagedError):
            log.error("the history %s is damaged: %s", self.path, exc)
        return error

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        try:
            yield self._db
        except (sqlite3.ProgrammingError, sqlite3.InterfaceError):
            raise  # misuse (a closed store, bad SQL) is a bug, not a storage failure
        except sqlite3.Error as exc:
            raise self._failure(exc) from exc

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        db = self._db
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
                db.execute("COMMIT")
            except BaseException:
                # A COMMIT that failed (a full disk) leaves the transaction open as well.
                if db.in_transaction:
                    dbfile.rollback(db)
                raise
        except (sqlite3.ProgrammingError, sqlite3.InterfaceError):
            raise
        except sqlite3.Error as exc:
            raise self._failure(exc) from exc

    # -- instances, backups, recovery ----------------------------------------------------------

    def recover_interrupted(self) -> int:
        """Marks answers left streaming by an instance that is gone as interrupted; returns how many.

        An answer that another running instance (a second window, ``parley ask``) is still
        writing is left streaming.
        """
        with self._reading() as db:
            rows = db.execute("SELECT DISTINCT writer FROM messages WHERE status = 'streaming'").fetchall()
        gone = [row[0] for row in rows if row[0] != self.instance_id and not instances.is_alive(self.path, row[0])]
        settled = 0
        if gone:
            with self._write() as db:
                for writer in gone:
                    cursor = db.execute(
                        "UPDATE messages SET status = 'interrupted' WHERE status = 'streaming' AND writer IS ?",
                        (writer,),
                    )
                    settled += cursor.rowcount
        instances.sweep(self.path)
        return settled

    def backup(self, kind: BackupKind = "daily") -> Backup:
        """A checked copy of the history in ``backups_folder`` now."""
        with self._reading() as db:
            return backups.create_backup(db, self.path, self.backups_folder, kind)

    def maybe_daily_backup(self, *, now: float | None = None) -> Backup | None:
        """Today's copy, unless there is one already; the app calls this at start and on a timer."""
        with self._reading() as db:
            return backups.maybe_daily_backup(db, self.path, self.backups_folder, now=now)

    def backups(self) -> list[Backup]:
        """The copies of this history, newest first."""
        return backups.list_backups(self.backups_folder, self.path)

    def restore_backup(self, backup: Backup) -> Backup:
        """Replaces the history with ``backup``; returns the "pre-restore" copy of what it replaced."""
        check = backups.check_backup(backup.path)
        if check.damaged:
            raise BackupCheckFailedError(path=backup.path, reason=check.detail)
        version = backups.schema_version(backup.path)
        if version > dbfile.SCHEMA_VERSION:
            raise DatabaseTooNewError(path=backup.path, found=version, known=dbfile.SCHEMA_VERSION)
        before = self.backup("pre-restore")
        backups.copy_into(backup.path, self._db, self.path)
        with self._reading() as db:
            db.execute("PRAGMA journal_mode = WAL")
            dbfile.migrate(db, version)  # the copy being replaced is ``before``: no pre-migration copy
        self.recover_interrupted()
        log.warning("restored %s from %s (the previous history is kept at %s)", self.path, backup.path, before.path)
        return before

    def recover_from_damage(self, progress: recovery.Progress | None = None) -> recovery.RecoveryReport:
        """After a ``DatabaseDamagedInUseError``: keeps the damaged file aside, restores and salvages.

        ``progress`` is told the fraction done, on this thread, while the store's connection is closed.
        The store stays usable on the recovered history. If recovery itself fails, the error is
        raised and the store is closed.
        """
        guard = dbfile.read_only_guard(self.path)
        self._db.close()
        try:
            report = recovery.recover(self.path, backups_folder=self.backups_folder, progress=progress)
            self._db = dbfile.open_database(self.path, self.backups_folder)
        except BaseException:
            self._lock.release()
            raise
        finally:
            if guard is not None:
                guard.close()  # on the file now set aside; a read-only close writes nothing
        self.recover_interrupted()
        return report

    # -- conversations -------------------------------------------------------------------------

    def create_conversation(
        self,
        title: str = DEFAULT_TITLE,
        *,
        model_name: str | None = None,
        system_prompt: str | None = None,
        persona_id: int | None = None,
    ) -> Conversation:
        now = time.time()
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO conversations (title, created_at, updated_at, model_name, system_prompt, persona_id) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (title, now, now, model_name, system_prompt, persona_id),
            )
            new_id = int(cursor.lastrowid or 0)
        return self.conversation(new_id)

    def conversations(self) -> list[Conversation]:
        """Every conversation kept in the history (not the temporary ones), the most recently active first."""
        with self._reading() as db:
            rows = db.execute(
                f"SELECT {_CONVERSATION_COLUMNS} FROM conversations "
                "WHERE id NOT IN (SELECT conversation_id FROM temporary_conversations) "  # temporary: never listed
                "ORDER BY pinned DESC, updated_at DESC, id DESC"
            ).fetchall()
        return [_conversation(row) for row in rows]

    def conversation(self, conversation_id: int) -> Conversation:
        with self._reading() as db:
            row = db.execute(
                f"SELECT {_CONVERSATION_COLUMNS} FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchone()
        if row is None:
            raise ConversationNotFoundError(id=conversation_id)
        return _conversation(row)

    def rename_conversation(self, conversation_id: int, title: str, *, by_user: bool = True) -> bool:
        """Sets the title. One not ``by_user`` (first words, an automatic title) never replaces the
        user's own; returns whether the title was set."""
        with self._write() as db:
            cursor = db.execute(
                "UPDATE conversations SET title = ?, title_set_by_user = max(title_set_by_user, ?) "
                "WHERE id = ? AND (? OR title_set_by_user = 0)",
                (title.strip() or DEFAULT_TITLE, int(by_user), conversation_id, int(by_user)),
            )
            return cursor.rowcount > 0

    def set_pinned(self, conversation_id: int, pinned: bool) -> None:
        """Pins a conversation to the top of the list, or unpins it."""
        with self._write() as db:
            db.execute("UPDATE conversations SET pinned = ? WHERE id = ?", (int(pinned), conversation_id))

    def set_conversation_model(self, conversation_id: int, model_name: str | None) -> None:
        with self._write() as db:
            db.execute("UPDATE conversations SET model_name = ? WHERE id = ?", (model_name, conversation_id))

    def set_thinking(self, conversation_id: int, thinking: Thinking | None) -> None:
        """Whether the conversation asks a reasoning model to think: 'on', 'off', or None (the model's default)."""
        with self._write() as db:
            db.execute("UPDATE conversations SET thinking = ? WHERE id = ?", (thinking, conversation_id))

    def set_system_prompt(self, conversation_id: int, system_prompt: str | None) -> None:
        with self._write() as db:
            db.execute("UPDATE conversations SET system_prompt = ? WHERE id = ?", (system_prompt, conversation_id))

    def set_conversation_persona(self, conversation_id: int, persona_id: int, name: str) -> Message:
        """Points the conversation at another persona and leaves a divider naming it; returns the divider."""
        now = time.time()
        with self._write() as db:
            db.execute("UPDATE conversations SET persona_id = ? WHERE id = ?", (persona_id, conversation_id))
            parent = tree.leaf_id(db, conversation_id)
            cursor = db.execute(
                "INSERT INTO messages (conversation_id, role, content, status, created_at, persona_id, kind, "
                "parent_id) VALUES (?, 'system', ?, 'complete', ?, ?, 'persona', ?)",
                (conversation_id, name, now, persona_id, parent),
            )
            new_id = int(cursor.lastrowid or 0)
            tree.choose_in(db, conversation_id, parent, new_id)
        return self.message(new_id)

    def set_memory_start(self, conversation_id: int, message_id: int | None) -> None:
        """Where the model's memory of the conversation now begins (older messages are no longer sent)."""
        with self._write() as db:
            db.execute("UPDATE conversations SET memory_start = ? WHERE id = ?", (message_id, conversation_id))

    def delete_conversation(self, conversation_id: int) -> None:
        with self._write() as db:
            db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))

    # -- messages ------------------------------------------------------------------------------

    def add_message(
        self,
        conversation_id: int,
        role: Role,
        content: str,
        *,
        status: MessageStatus = "complete",
        model_name: str | None = None,
        parent_id: int | Literal["leaf"] | None = "leaf",
        persona_id: int | None = None,
        server: str | None = None,
    ) -> Message:
        """Adds a message after ``parent_id`` (None: a first message; "leaf": the end of the branch on
        screen), makes it the branch shown there, and commits it before returning."""
        now = time.time()
        writer = self.instance_id if status == "streaming" else None
        with self._write() as db:
            parent = tree.leaf_id(db, conversation_id) if parent_id == "leaf" else parent_id
            cursor = db.execute(
                "INSERT INTO messages (conversation_id, role, content, status, model_name, created_at, writer, "
                "parent_id, persona_id, server) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (conversation_id, role, content, status, model_name, now, writer, parent, persona_id, server),
            )
            new_id = int(cursor.lastrowid or 0)
            tree.choose_in(db, conversation_id, parent, new_id)
            db.execute("UPDATE conversations SET updated_at = ? WHERE id = ?", (now, conversation_id))
        return self.message(new_id)

    def update_message(
        self,
        message_id: int,
        content: str,
        *,
        status: MessageStatus | None = None,
        n_tokens: int | None = None,
        tokens_per_second: float | None = None,
        ttft_seconds: float | None = None,
        reasoning: str | None = None,
        finish_reason: FinishReason | None = None,
        speculation: str | None = None,
    ) -> None:
        with self._write() as db:
            db.execute(
                "UPDATE messages SET content = ?, status = COALESCE(?, status), "
                "speculation = COALESCE(?, speculation), "
                "n_tokens = COALESCE(?, n_tokens), tokens_per_second = COALESCE(?, tokens_per_second), "
                "ttft_seconds = COALESCE(?, ttft_seconds), reasoning = COALESCE(?, reasoning), "
                "finish_reason = COALESCE(?, finish_reason), "
                "writer = CASE WHEN ? = 'streaming' THEN ? ELSE writer END WHERE id = ?",
                (
                    content,
                    status,
                    speculation,
                    n_tokens,
                    tokens_per_second,
                    ttft_seconds,
                    reasoning or None,
                    finish_reason,
                    status,
                    self.instance_id,
                    message_id,
                ),
            )

    def delete_message(self, message_id: int) -> None:
        """Deletes a message that has no replies (one taken back); the version shown in its place is
        then its newest sibling, or none."""
        with self._write() as db:
            row = db.execute("SELECT conversation_id, parent_id FROM messages WHERE id = ?", (message_id,)).fetchone()
            db.execute("DELETE FROM messages WHERE id = ?", (message_id,))
            if row is None:
                return
            conversation_id, parent_id = row
            sibling = db.execute(
                "SELECT max(id) FROM messages WHERE conversation_id = ? AND parent_id IS ?",
                (conversation_id, parent_id),
            ).fetchone()[0]
            if parent_id is None:
                db.execute(
                    "UPDATE conversations SET chosen_root_id = ? WHERE id = ? AND chosen_root_id = ?",
                    (sibling, conversation_id, message_id),
                )
            else:
                db.execute(
                    "UPDATE messages SET chosen_child_id = ? WHERE id = ? AND chosen_child_id = ?",
                    (sibling, parent_id, message_id),
                )

    def message(self, message_id: int) -> Message:
        with self._reading() as db:
            row = db.execute(f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE id = ?", (message_id,)).fetchone()
        if row is None:
            raise LookupError(f"no message {message_id}")
        return Message(*row)

    def messages(self, conversation_id: int) -> list[Message]:
        """The branch on screen, first message first (every version: ``all_messages``)."""
        with self._reading() as db:
            return tree.visible_branch(db, conversation_id, self.all_messages(conversation_id))

    def all_messages(self, conversation_id: int) -> list[Message]:
        """Every message of every branch, oldest first."""
        with self._reading() as db:
            rows = db.execute(
                f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ? ORDER BY id", (conversation_id,)
            ).fetchall()
        return [Message(*row) for row in rows]


    # -- documents (app.core.history.attachments) ------------------------------------------------

    def save_user_documents(self, message_id: int, documents: Sequence[Document], context: DocumentContext) -> None:
        """Records a user message's attachments (how each went in, from ``context``) and its documents block."""
        with self._write() as db:
            attachments.save_user_documents(db, message_id, documents, context)

    def save_answer_documents(self, answer_id: int, passages: Sequence[Passage], notes: Sequence[str]) -> None:
        """Records the passages an answer was given (its numbered sources) and its documents notes."""
        with self._write() as db:
            attachments.save_answer_documents(db, answer_id, passages, notes)

    def copy_answer_documents(self, source_id: int, target_id: int) -> None:
        """A regenerated answer gets the sources and notes of the answer it stands beside."""
        with self._write() as db:
            attachments.copy_answer_documents(db, source_id, target_id)

    def attachments(self, message_id: int) -> list[StoredAttachment]:
        with self._reading() as db:
            return attachments.attachments(db, message_id)

    def citations(self, answer_id: int) -> list[Passage]:
        with self._reading() as db:
            return attachments.citations(db, answer_id)

    def document_notes(self, answer_id: int) -> list[str]:
        with self._reading() as db:
            return attachments.notes(db, answer_id)

    def library_choice(self, conversation_id: int) -> LibraryChoice | None:
        """The conversation's "Use my library" choice; None: never set (off)."""
        with self._reading() as db:
            return attachments.library_choice(db, conversation_id)

    def set_library_choice(self, conversation_id: int, choice: LibraryChoice) -> None:
        with self._write() as db:
            attachments.set_library_choice(db, conversation_id, choice)

    # -- looking inside an answer (app.core.history.look_inside) --------------------------------

    def save_look_inside(self, message_id: int, data: look_inside.LookInside) -> None:
        with self._write() as db:
            look_inside.save(db, message_id, data, time.time())

    def look_inside(self, message_id: int) -> look_inside.LookInside | None:
        """An answer's stored look-inside data; None when it was never looked inside (or edited since)."""
        with self._reading() as db:
            return look_inside.load(db, message_id)

    # -- versions ------------------------------------------------------------------------------

    def versions(self, conversation_id: int) -> dict[int, Versions]:
        """For every message that has other versions: where it stands among them."""
        found: dict[int | None, list[int]] = {}
        for message in self.all_messages(conversation_id):
            found.setdefault(message.parent_id, []).append(message.id)
        result: dict[int, Versions] = {}
        for siblings in found.values():
            if len(siblings) < 2:
                continue
            for index, message_id in enumerate(siblings):
                result[message_id] = Versions(
                    index + 1,
                    len(siblings),
                    siblings[index - 1] if index > 0 else None,
                    siblings[index + 1] if index + 1 < len(siblings) else None,
                )
        return result

    def choose(self, message_id: int) -> None:
        """Shows ``message_id`` (and the rest of the conversation that followed it) instead of its siblings."""
        message = self.message(message_id)
        with self.writing() as db:
            tree.choose_in(db, message.conversation_id, message.parent_id, message.id)

    def show_message(self, message_id: int) -> None:
        """Makes the branch on screen pass through ``message_id`` (a search result in another version)."""
        message = self.message(message_id)
        path = [message]
        while path[-1].parent_id is not None:
            path.append(self.message(path[-1].parent_id))
        with self.writing() as db:
            for step in path:
                tree.choose_in(db, message.conversation_id, step.parent_id, step.id)

    def history_before(self, message_id: int) -> list[Message]:
        """The messages the model saw before ``message_id``: its ancestors, first message first."""
        path: list[Message] = []
        current = self.message(message_id).parent_id
        while current is not None:
            step = self.message(current)
            path.append(step)
            current = step.parent_id
        return path[::-1]


def open_store(
    path: Path | None = None,
    *,
    progress: recovery.Progress | None = None,
    runner: RecoveryRunner | None = None,
) -> tuple[Store, recovery.RecoveryReport | None]:
    """Opens the history; a damaged one is recovered first, and the report says how.

    ``progress`` is told the recovery's fraction done (rising, up to 1) from the thread it runs on:
    ``runner(job)`` runs ``job`` (the recovery) and returns what it returned, or raises what it raised;
    without one it runs here. The store itself is always opened on this thread.
    """
    try:
        return Store(path), None
    except DatabaseDamagedError as err:
        log.error("the history is damaged at start: %s", err)
        job = partial(recovery.recover, path or Store.default_path(), progress=progress)
        report = runner(job) if runner is not None else job()
        return Store(path), report


def _conversation(row: sqlite3.Row | tuple[object, ...]) -> Conversation:
    values = list(row)
    values[8] = bool(values[8])
    values[9] = bool(values[9])
    return Conversation(*values)  # type: ignore[arg-type]
