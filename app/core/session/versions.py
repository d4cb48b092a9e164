"""The store side of the turns that add versions: regenerate an answer, edit a user message, continue.

Like ``records.begin_turn`` each commits what it adds before any generation starts and returns the
``Turn`` the turn runner hands to the engine. Nothing is erased: a regenerated answer is a sibling
of the old one under the same user message, an edited message a sibling of the old one under the
same parent, each with its own rest of the conversation (``app.core.history.tree``). The request holds
only the branch the new version is on.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.core.documents.types import Document, DocumentContext
from app.core.errors import NothingToRegenerateError, SchemaContinueError
from app.core.history.store import Store
from app.core.session import records
from app.core.session.records import Turn, TurnContext


def begin_regenerate(store: Store, answer_id: int, context: TurnContext) -> Turn:
    """A new answer beside ``answer_id`` (same user message), shown in its place."""
    old = store.message(answer_id)
    if old.role != "assistant" or old.parent_id is None:
        raise NothingToRegenerateError()
    user_message = store.message(old.parent_id)
    conversation = store.conversation(old.conversation_id)
    seen = [*store.history_before(answer_id)]  # the user's message keeps the documents block it was sent with
    turn = records.answer_turn(store, conversation, user_message, seen, context)
    store.copy_answer_documents(answer_id, turn.answer.id)  # the same block: the same sources
    return turn


def begin_edit(
    store: Store,
    message_id: int,
    text: str,
    context: TurnContext,
    *,
    attachments: Sequence[Document] = (),
    documents: DocumentContext | None = None,
) -> Turn:
    """A new version of the user's message ``message_id`` with ``text`` (and the ``attachments`` carried
    over, with the ``documents`` found for the new text), and an answer to it."""
    old = store.message(message_id)
    if old.role != "user":
        raise NothingToRegenerateError()
    conversation = store.conversation(old.conversation_id)
    user_message = records.add_user_message(
        store, old.conversation_id, text, attachments, documents, parent_id=old.parent_id
    )
    seen = store.messages(old.conversation_id)  # the branch now ends with the new version
    return records.answer_turn(store, conversation, user_message, seen, context, documents=documents)


def begin_continue(store: Store, answer_id: int, context: TurnContext) -> Turn:
    """Goes on with an answer that was stopped or cut at its length: the same message grows. One cut
    while still thinking (reasoning, no text) goes on thinking. The answer keeps the persona and
    server that began it (``context``'s are not recorded). An answer held to a JSON Schema is not continued:
    the grammar would start the JSON again after the text already there (``SchemaContinueError``)."""
    answer = store.message(answer_id)
    if answer.role != "assistant" or answer.parent_id is None or not (answer.content or answer.reasoning):
        raise NothingToRegenerateError()
    if context.json_schema:
        raise SchemaContinueError()
    conversation = store.conversation(answer.conversation_id)
    seen = store.history_before(answer_id)
    store.update_message(answer_id, answer.content, status="streaming")
    reasoning = "" if answer.content else answer.reasoning or ""
    request, sources = records.build_request(
        conversation, seen, context, prefill=answer.content, prefill_reasoning=reasoning
    )
    return Turn(answer.conversation_id, store.message(answer.parent_id), store.message(answer_id), request, sources)
