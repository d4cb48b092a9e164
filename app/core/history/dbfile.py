"""The history's SQLite file: opening it checked and upgraded, and setting it aside when damaged.

``open_database`` is the one way a connection to the history is made (by the store and by the
recovery path), one process at a time (a lock around the schema step): the file is looked at
read-only first (version, ``PRAGMA quick_check``), copied before a migration, migrated by numbered
scripts recorded in ``PRAGMA user_version``, and probed for writing, so that a read-only folder is
reported at start rather than at the first message.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from pathlib import Path

from app.core import paths
from app.core.errors import BackupCheckFailedError, DatabaseDamagedError, DatabaseTooNewError
from app.core.history import backups, health, instances, look_inside

log = logging.getLogger("app.store")


def _fts_script() -> str:
    """Migration 4's search index: FTS5 with the trigram tokenizer (SQLite 3.34 or later).

    Trigrams find any run of three characters or more in any script, Chinese included, where
    FTS5's default tokenizer sees a whole Chinese sentence as one word. A SQLite without FTS5 or
    without the trigram tokenizer gets no index: ``app.core.history.search`` then searches with
    ``LIKE`` alone (slower on a big history, the same results).
    """
    try:
        probe = sqlite3.connect(":memory:")
        try:
            probe.execute("CREATE VIRTUAL TABLE probe USING fts5(text, tokenize='trigram')")
        finally:
            probe.close()
    except sqlite3.Error as exc:
        log.warning("SQLite %s has no FTS5 trigram tokenizer (%s): search uses LIKE", sqlite3.sqlite_version, exc)
        return ""
    return """
    CREATE VIRTUAL TABLE messages_fts USING fts5(
        content, content='messages', content_rowid='id', tokenize='trigram'
    );
    CREATE VIRTUAL TABLE conversations_fts USING fts5(
        title, content='conversations', content_rowid='id', tokenize='trigram'
    );
    INSERT INTO messages_fts (rowid, content) SELECT id, content FROM messages;
    INSERT INTO conversations_fts (rowid, title) SELECT id, title FROM conversations;
    CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);
    END;
    CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
    END;
    CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
        INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);
    END;
    CREATE TRIGGER conversations_fts_insert AFTER INSERT ON conversations BEGIN
        INSERT INTO conversations_fts (rowid, title) VALUES (new.id, new.title);
    END;
    CREATE TRIGGER conversations_fts_delete AFTER DELETE ON conversations BEGIN
        INSERT INTO conversations_fts (conversations_fts, rowid, title) VALUES ('delete', old.id, old.title);
    END;
    CREATE TRIGGER conversations_fts_update AFTER UPDATE OF title ON conversations BEGIN
        INSERT INTO conversations_fts (conversations_fts, rowid, title) VALUES ('delete', old.id, old.title);
        INSERT INTO conversations_fts (rowid, title) VALUES (new.id, new.title);
    END;
    """


_FTS_SCRIPT = _fts_script()

MIGRATIONS: tuple[str, ...] = (
    # 1: conversations and messages.
    """
    CREATE TABLE conversations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        title TEXT NOT NULL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        model_name TEXT,
        system_prompt TEXT
    );
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
        content TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'complete',
        model_name TEXT,
        created_at REAL NOT NULL,
        n_tokens INTEGER,
        tokens_per_second REAL,
        ttft_seconds REAL
    );
    CREATE INDEX messages_by_conversation ON messages(conversation_id, id);
    CREATE INDEX conversations_by_update ON conversations(updated_at DESC);
    """,
    # 2: which instance writes a streaming answer (see app.core.history.instances), so that opening the
    # history settles only the answers of instances that are gone.
    """
    ALTER TABLE messages ADD COLUMN writer TEXT;
    CREATE INDEX messages_streaming ON messages(writer) WHERE status = 'streaming';
    """,
    # 3: a reasoning model's thinking, kept apart from its answer; and whether a conversation asks
    # the model to think ('on', 'off', or NULL for the model's own default).
    """
    ALTER TABLE messages ADD COLUMN reasoning TEXT;
    ALTER TABLE conversations ADD COLUMN thinking TEXT;
    """,
    # 4: history people can use (app.core.history.tree, app.core.history.search, app.core.history.exchange):
    # a UUID per conversation (kept through export and import), pinning, whether the user chose the
    # title (an automatic title never replaces theirs), the messages as a tree (a parent per message
    # and the chosen child; the flat list becomes one chain), and a trigram full-text index of
    # titles and messages, so any three characters of any language are found.
    """
    ALTER TABLE conversations ADD COLUMN uuid TEXT;
    ALTER TABLE conversations ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE conversations ADD COLUMN title_set_by_user INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE conversations ADD COLUMN chosen_root_id INTEGER;
    ALTER TABLE messages ADD COLUMN parent_id INTEGER;
    ALTER TABLE messages ADD COLUMN chosen_child_id INTEGER;
    UPDATE messages SET parent_id = (
        SELECT max(earlier.id) FROM messages AS earlier
        WHERE earlier.conversation_id = messages.conversation_id AND earlier.id < messages.id
    );
    UPDATE messages SET chosen_child_id = (
        SELECT min(later.id) FROM messages AS later
        WHERE later.conversation_id = messages.conversation_id AND later.id > messages.id
    );
    UPDATE conversations SET chosen_root_id = (
        SELECT min(id) FROM messages WHERE messages.conversation_id = conversations.id
    );
    UPDATE conversations SET uuid = lower(
        hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-'
        || substr('89ab', 1 + abs(random()) % 4, 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))
    );
    CREATE UNIQUE INDEX conversations_by_uuid ON conversations(uuid);
    CREATE INDEX messages_by_parent ON messages(parent_id);
    CREATE TRIGGER conversations_get_uuid AFTER INSERT ON conversations WHEN new.uuid IS NULL
    BEGIN
        UPDATE conversations SET uuid = lower(
            hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-'
            || substr('89ab', 1 + abs(random()) % 4, 1) || substr(hex(randomblob(2)), 2) || '-'
            || hex(randomblob(6))
        ) WHERE id = new.id;
    END;
    """
    + _FTS_SCRIPT,
    # 5: personas (app.core.personas.book). A conversation points at its persona and remembers where the
    # model's memory of it begins (the first message still sent; NULL: the first one). An answer
    # records its persona and why it ended; a message of kind 'persona' is the divider a persona
    # change leaves in the transcript (role 'system': never sent to the model).
    """
    CREATE TABLE personas (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        builtin TEXT UNIQUE,
        name TEXT NOT NULL,
        icon TEXT NOT NULL DEFAULT '',
        description TEXT NOT NULL DEFAULT '',
        system_prompt TEXT NOT NULL DEFAULT '',
        sampling TEXT NOT NULL DEFAULT '{}',
        model_name TEXT,
        n_ctx INTEGER,
        overflow TEXT NOT NULL DEFAULT '',
        target_language TEXT NOT NULL DEFAULT '',
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    ALTER TABLE conversations ADD COLUMN persona_id INTEGER REFERENCES personas(id) ON DELETE SET NULL;
    ALTER TABLE conversations ADD COLUMN memory_start INTEGER;
    ALTER TABLE messages ADD COLUMN persona_id INTEGER REFERENCES personas(id) ON DELETE SET NULL;
    ALTER TABLE messages ADD COLUMN finish_reason TEXT;
    ALTER TABLE messages ADD COLUMN kind TEXT;
    """,
    # 6: the remote server that wrote an answer (its name and host, e.g. 'Lab box (gpu1:8000)'); NULL:
    # a model on this computer.
    """
    ALTER TABLE messages ADD COLUMN server TEXT;
    """,
    # 7: a conversation's own overflow policy (NULL: its persona's, else the settings'), set when the
    # user answers "stop and ask" with "drop the oldest turns" for this conversation.
    """
    ALTER TABLE conversations ADD COLUMN overflow TEXT;
    """,
    # 8: whether a persona's prompt takes "About you" (1: yes; not the built-ins that translate or
    # rewrite the user's text), and the smallest model (in parameters) that does its job well (NULL: any).
    """
    ALTER TABLE personas ADD COLUMN uses_about_you INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE personas ADD COLUMN min_parameters INTEGER;
    UPDATE personas SET uses_about_you = 0 WHERE builtin IN ('translator', 'writer');
    UPDATE personas SET min_parameters = 1000000000 WHERE builtin = 'translator';
    """,
    # 9: documents (app.core.history.attachments). A user message's attached files, with the text
    # extracted from them (page by page, as JSON) so export, edit and regenerate never need the file
    # again; the documents block sent before the user's text (the history replays the exact prompt);
    # an answer's numbered citations and its notes ("a folder was still being indexed"); and a
    # conversation's "Use my library" choice (off unless a row says on; folders NULL: every folder).
    # Each row goes with its message or conversation (ON DELETE CASCADE).
    """
    CREATE TABLE message_attachments (
        message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        name TEXT NOT NULL,
        path TEXT NOT NULL,
        size INTEGER NOT NULL,
        pages INTEGER NOT NULL,
        kind TEXT NOT NULL,
        paged INTEGER NOT NULL DEFAULT 0,
        mode TEXT NOT NULL CHECK (mode IN ('whole', 'passages')),
        used INTEGER NOT NULL DEFAULT 0,
        total INTEGER NOT NULL DEFAULT 0,
        page_texts TEXT NOT NULL,
        PRIMARY KEY (message_id, position)
    );
    CREATE TABLE message_documents (
        message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
        block TEXT NOT NULL
    );
    CREATE TABLE answer_citations (
        answer_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        number INTEGER NOT NULL,
        name TEXT NOT NULL,
        path TEXT NOT NULL,
        page INTEGER,
        text TEXT NOT NULL,
        first_index INTEGER NOT NULL,
        last_index INTEGER NOT NULL,
        PRIMARY KEY (answer_id, number)
    );
    CREATE TABLE answer_document_notes (
        answer_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        note TEXT NOT NULL,
        PRIMARY KEY (answer_id, position)
    );
    CREATE TABLE conversation_library (
        conversation_id INTEGER PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
        enabled INTEGER NOT NULL DEFAULT 0,
        folders TEXT
    );
    """,
    # 10: projects (app.core.projects): a named group of conversations with its own instructions (added
    # after the persona's prompt), default persona and model, and library folders (JSON; [] none) a
    # new chat in it searches. A uuid keeps a project through export and import. A conversation's
    # project_id is NULL outside any project; deleting a project puts its chats back (SET NULL).
    """
    CREATE TABLE projects (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        uuid TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        instructions TEXT NOT NULL DEFAULT '',
        persona_id INTEGER REFERENCES personas(id) ON DELETE SET NULL,
        model_name TEXT,
        folders TEXT NOT NULL DEFAULT '[]',
        archived INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE INDEX projects_by_name ON projects(archived, name);
    ALTER TABLE conversations ADD COLUMN project_id INTEGER REFERENCES projects(id) ON DELETE SET NULL;
    CREATE INDEX conversations_by_project ON conversations(project_id, updated_at DESC);
    """,
    # 11: an answer looked inside: its tokens, their probabilities and alternatives (app.core.history.look_inside).
    look_inside.MIGRATION,
    # 12: memories (app.core.memory): short facts about the user, each with where it came from (a
    # conversation and message, or added by the user), its scope (project_id NULL: everywhere) and,
    # once contradicted, when it was retired and by which memory; which memories an answer used and
    # which it saved or retired; and the temporary conversations (deleted when left, never listed).
    """
    CREATE TABLE memories (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        text TEXT NOT NULL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        conversation_id INTEGER REFERENCES conversations(id) ON DELETE SET NULL,
        message_id INTEGER REFERENCES messages(id) ON DELETE SET NULL,
        added_by_user INTEGER NOT NULL DEFAULT 0,
        project_id INTEGER REFERENCES projects(id) ON DELETE CASCADE,
        confidence REAL,
        retired_at REAL,
        replaced_by INTEGER,
        vector BLOB,
        vector_model TEXT
    );
    CREATE INDEX memories_active ON memories(retired_at, project_id);
    CREATE TABLE answer_memories (
        answer_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        memory_id INTEGER NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('used', 'saved', 'retired', 'forgotten')),
        text TEXT NOT NULL,
        PRIMARY KEY (answer_id, memory_id, role)
    );
    CREATE TABLE temporary_conversations (
        conversation_id INTEGER PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE
    );
    """,
    # 13: speculative decoding's figures for an answer (app.core.engine.speculation.summary_json), for its
    # details line.
    """
    ALTER TABLE messages ADD COLUMN speculation TEXT;
    """,
    # 14: a JSON Schema a persona's answers follow
    # (its text; NULL: free text).
    """
    ALTER TABLE personas ADD COLUMN json_schema TEXT;
    """,
    # 15: a persona that looks inside every answer (app.core.session.auto_inside); an answer's thinking looked
    # inside, where its figures came from, and why a remote server's answer has none (app.core.history.look_inside).
    """
    ALTER TABLE personas ADD COLUMN look_inside INTEGER NOT NULL DEFAULT 0;
    """
    + look_inside.MIGRATION_THINKING,
)
SCHEMA_VERSION = len(MIGRATIONS)


def backups_folder_for(database: Path) -> Path:
    """Where the copies of ``database`` go: a folder beside it, so two histories never share copies.

    For the user's own history this is ``paths.backups_dir()``.
    """
    return database.parent / paths.BACKUPS_FOLDER


def open_database(path: Path, backups_folder: Path) -> sqlite3.Connection:
    """Opens the history at ``path``: checked, copied if it is about to be migrated, upgraded.

    The schema step runs under ``instances.schema_lock``: two processes opening a new history at
    once do not both create it; the second waits and finds it made. A backup's temporary file left
    by a killed writer is cleared first (``backups.clear_stale_temps``).
    """
    for folder in (backups_folder, path.parent):
        backups.clear_stale_temps(folder)
    with instances.schema_lock(path):
        return _open_database(path, backups_folder)


def _open_database(path: Path, backups_folder: Path) -> sqlite3.Connection:
    checked = _inspect(path)
    try:
        db = sqlite3.connect(path, isolation_level=None)
    except sqlite3.Error as exc:
        raise health.storage_error(exc, path) from exc
    try:
        found = int(db.execute("PRAGMA user_version").fetchone()[0])
        if found > SCHEMA_VERSION:
            raise DatabaseTooNewError(path=path, found=found, known=SCHEMA_VERSION)
        if not checked:
            _raise_if_damaged(path, health.quick_check(db, seconds=health.QUICK_CHECK_SECONDS))
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA busy_timeout = 5000")
        db.execute("PRAGMA journal_mode = WAL")
        if 0 < found < SCHEMA_VERSION:
            try:
                backups.create_backup(db, path, backups_folder, "pre-migration")
            except BackupCheckFailedError as exc:
                # A copy is the pages as they are: if it fails its check, so does the history.
                raise DatabaseDamagedError(path=path, reason=exc.fields["reason"]) from exc
        migrate(db, found)
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("SELECT count(*) FROM conversations").fetchone()
        _probe_writable(db)
    except BaseException as exc:
        db.close()
        if isinstance(exc, sqlite3.Error):
            raise health.storage_error(exc, path) from exc
        raise
    db.row_factory = sqlite3.Row
    return db


def _inspect(path: Path) -> bool:
    """Reads the version and checks an existing file through a read-only connection.

    Nothing may change a file that is too new or damaged before it is refused or set aside: not
    WAL mode (it rewrites the header), and not the checkpoint SQLite runs when the last writable
    connection to a WAL database closes, which would fold the -wal into the damaged file.
    Returns False when the file could not be looked at read-only (the writer then checks it).
    """
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return True  # a new history: nothing to check
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    except (OSError, sqlite3.Error):
        return False
    try:
        found = int(db.execute("PRAGMA user_version").fetchone()[0])
        if found > SCHEMA_VERSION:
            raise DatabaseTooNewError(path=path, found=found, known=SCHEMA_VERSION)
        check = health.quick_check(db, seconds=health.QUICK_CHECK_SECONDS)
    except sqlite3.Error as exc:
        if health.is_damage(exc):
            raise DatabaseDamagedError(path=path, reason=exc) from exc
        # e.g. a hot rollback journal, which only a writer may roll back
        log.info("could not check %s read-only (%s); checking it while opening", path, exc)
        return False
    finally:
        db.close()
    _raise_if_damaged(path, check)
    return True


def _raise_if_damaged(path: Path, check: health.CheckResult) -> None:
    if check.damaged:
        raise DatabaseDamagedError(path=path, reason=check.detail)
    if check.status == "not checked":
        log.warning("%s was not checked at start (%s); damage will be caught when read", path, check.detail)


def read_only_guard(path: Path) -> sqlite3.Connection | None:
    """An open read-only connection to ``path``, while a damaged history's last writer closes.

    SQLite checkpoints (and then deletes) the -wal when the last connection closes; one more
    connection that cannot write keeps the damaged file and its -wal exactly as they were.
    """
    try:
        guard = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    except sqlite3.Error:
        return None
    try:
        guard.execute("PRAGMA user_version").fetchone()  # joins the WAL: the lock that counts
    except sqlite3.Error as exc:
        log.info("no read-only guard on %s: %s", path, exc)
    return guard


def set_aside(path: Path) -> Path:
    """Renames a database that cannot be used (and its WAL files) out of the way, keeping every byte.

    Returns the new name of the main file; its -wal and -shm keep their suffixes beside it.
    """
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    number = 1
    while any(Path(f"{target}{suffix}").exists() for suffix in ("", "-wal", "-shm")):
        number += 1  # never replace a file set aside earlier in the same second
        target = path.with_name(f"{path.name}.damaged-{stamp}-{number}")
    try:
        for suffix in ("", "-wal", "-shm"):
            source = Path(f"{path}{suffix}")
            if source.exists():
                os.replace(source, Path(f"{target}{suffix}"))
    except OSError as exc:
        raise health.os_storage_error(exc, path) from exc
    return target


def _probe_writable(db: sqlite3.Connection) -> None:
    """Raises SQLITE_READONLY now, at open, rather than at the user's first message."""
    db.execute("BEGIN IMMEDIATE")
    try:
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        db.execute(f"PRAGMA user_version = {version}")
    finally:
        rollback(db)


def rollback(db: sqlite3.Connection) -> None:
    try:
        db.execute("ROLLBACK")
    except sqlite3.Error as exc:
        log.warning("rollback failed: %s", exc)


def migrate(db: sqlite3.Connection, found: int) -> None:
    """Applies each migration after ``found`` as one script in its own transaction.

    ``executescript`` runs the script whole, so a migration may hold triggers with ``;`` inside
    ``BEGIN … END``. It commits any open transaction before it starts, so the script carries its
    own ``BEGIN IMMEDIATE`` … ``COMMIT``; on an error SQLite stops mid-script and we roll back.
    """
    for number in range(found + 1, len(MIGRATIONS) + 1):
        script = f"BEGIN IMMEDIATE;\n{MIGRATIONS[number - 1]}\n;\nPRAGMA user_version = {number};\nCOMMIT;"
        try:
            db.executescript(script)
        except BaseException:
            if db.in_transaction:
                rollback(db)
            raise
        log.info("migrated the history to schema %d", number)
