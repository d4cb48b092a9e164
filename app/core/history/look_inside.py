"""An answer's look-inside data in the history (migration 11's ``answer_tokens``, 15's thinking and source):
its tokens, their log-probabilities and each position's alternatives, kept as compact blobs with the message,
and the same for the thinking the model wrote before it.

A row goes when its message is deleted (ON DELETE CASCADE) and when its text or its reasoning changes
(triggers: an edited answer, or one continued); a regenerated answer is a new message, and the old keeps
its own. The blobs are little-endian arrays: the token ids (int32), their log-probabilities (float32),
the alternatives' ids and log-probabilities (``top`` per token, -1 and -inf where fewer), and every
piece once (count, ids, lengths, bytes). A token a remote server named by its text alone (id -1) is
kept under an id of its own below -1, one per distinct piece, and read back as -1. The JSON export
carries the same blobs in base64.

``source`` says where the figures came from: "evaluated" (this computer's engine evaluated the answer
again) or "streamed" (a remote server sent them with the answer). A streamed row may hold no tokens and
a ``note`` instead, saying why there are none: "none" (the server sent none), "refused" (it refused
the field, and the answer was written again without it) or "unmatched" (what it sent does not spell the
answer).
"""

from __future__ import annotations

import base64
import sqlite3
import struct
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from app.core.engine.protocol import TokenChoice, TokenLogprobs

Source = Literal["evaluated", "streamed"]
Note = Literal["", "none", "refused", "unmatched"]
NOTES: tuple[Note, ...] = ("", "none", "refused", "unmatched")


@dataclass(frozen=True)
class LookInside:
    """What the model thought of each token of one answer (and of its thinking, before it)."""

    tokens: tuple[TokenLogprobs, ...]
    model_name: str = ""
    # The thinking's tokens as the model wrote them, its reasoning tags included; () for an answer without.
    thinking: tuple[TokenLogprobs, ...] = ()
    source: Source = "evaluated"
    note: Note = ""  # a streamed answer without figures: why ("none", "refused", "unmatched")

    @property
    def has_ids(self) -> bool:
        """Whether every token is named by its vocabulary id (a remote server names only the text)."""
        return all(t.token.id >= 0 for t in (*self.tokens, *self.thinking))


_BLOBS = ("token_ids", "logprobs", "top_ids", "top_logprobs", "pieces")
_NO_ID = -1


def encode(tokens: tuple[TokenLogprobs, ...]) -> dict[str, Any]:
    """The blobs and ``top`` of ``tokens``."""
    top = max((len(t.alternatives) for t in tokens), default=0)
    textual: dict[bytes, int] = {}  # a piece without an id -> the id it is kept under (-2, -3, …)

    def key(token: int, piece: bytes) -> int:
        if token != _NO_ID:
            return token
        return textual.setdefault(piece, -2 - len(textual))

    ids = np.array([key(t.token.id, t.token.piece) for t in tokens], dtype="<i4")
    logprobs = np.array([t.token.logprob for t in tokens], dtype="<f4")
    top_ids = np.full((len(tokens), top), _NO_ID, dtype="<i4")
    top_logprobs = np.full((len(tokens), top), -np.inf, dtype="<f4")
    pieces: dict[int, bytes] = {}
    for row, token in enumerate(tokens):
        pieces[int(ids[row])] = token.token.piece
        for column, choice in enumerate(token.alternatives):
            kept = key(choice.id, choice.piece)
            top_ids[row, column], top_logprobs[row, column] = kept, choice.logprob
            pieces[kept] = choice.piece
    known = sorted(pieces)
    packed = (
        struct.pack("<I", len(known))
        + np.array(known, dtype="<i4").tobytes()
        + np.array([len(pieces[i]) for i in known], dtype="<u2").tobytes()
        + b"".join(pieces[i] for i in known)
    )
    return {"top": top, "token_ids": ids.tobytes(), "logprobs": logprobs.tobytes(), "top_ids": top_ids.tobytes(),
            "top_logprobs": top_logprobs.tobytes(), "pieces": packed}  # fmt: skip


def decode(top: int, blobs: dict[str, bytes]) -> tuple[TokenLogprobs, ...]:
    ids = np.frombuffer(blobs["token_ids"], dtype="<i4")
    logprobs = np.frombuffer(blobs["logprobs"], dtype="<f4")
    top_ids = np.frombuffer(blobs["top_ids"], dtype="<i4").reshape(len(ids), top)
    top_logprobs = np.frombuffer(blobs["top_logprobs"], dtype="<f4").reshape(len(ids), top)
    packed = blobs["pieces"]
    (count,) = struct.unpack_from("<I", packed)
    known = np.frombuffer(packed, dtype="<i4", count=count, offset=4)
    lengths = np.frombuffer(packed, dtype="<u2", count=count, offset=4 + 4 * count)
    pieces: dict[int, bytes] = {}
    at = 4 + 6 * count
    for token, length in zip(known.tolist(), lengths.tolist(), strict=True):
        pieces[token], at = packed[at : at + length], at + length

    def choice(token: int, logprob: float) -> TokenChoice:
        return TokenChoice(max(token, _NO_ID), pieces.get(token, b""), logprob)

    return tuple(
        TokenLogprobs(
            choice(int(ids[row]), float(logprobs[row])),
            tuple(
                choice(int(t), float(p))
                for t, p in zip(top_ids[row], top_logprobs[row], strict=True)
                if t != _NO_ID
            ),
        )
        for row in range(len(ids))
    )


_THINKING = tuple(f"thinking_{name}" for name in _BLOBS)
_COLUMNS = ("model_name", "top", *_BLOBS, "thinking_top", *_THINKING, "source", "note")


def save(db: sqlite3.Connection, message_id: int, data: LookInside, now: float) -> None:
    blobs, thinking = encode(data.tokens), encode(data.thinking) if data.thinking else None
    values = (
        data.model_name, blobs["top"], *(blobs[name] for name in _BLOBS),
        thinking["top"] if thinking else 0, *(thinking[name] if thinking else None for name in _BLOBS),
        data.source, data.note,
    )  # fmt: skip
    db.execute(
        f"INSERT OR REPLACE INTO answer_tokens (message_id, {', '.join(_COLUMNS)}, created_at) "
        f"VALUES (?, {', '.join('?' for _ in _COLUMNS)}, ?)",
        (message_id, *values, now),
    )


def _source(value: object) -> Source:
    return "streamed" if value == "streamed" else "evaluated"


def _note(value: object) -> Note:
    return value if value in NOTES else ""


def load(db: sqlite3.Connection, message_id: int) -> LookInside | None:
    row = db.execute(f"SELECT {', '.join(_COLUMNS)} FROM answer_tokens WHERE message_id = ?", (message_id,)).fetchone()
    if row is None:
        return None
    values = dict(zip(_COLUMNS, row, strict=True))
    tokens = decode(int(values["top"]), {name: values[name] for name in _BLOBS})
    thinking: tuple[TokenLogprobs, ...] = ()
    if values["thinking_token_ids"] is not None:
        thinking = decode(int(values["thinking_top"]), {name: values[f"thinking_{name}"] for name in _BLOBS})
    return LookInside(tokens, str(values["model_name"] or ""), thinking, _source(values["source"]),
                      _note(values["note"]))  # fmt: skip


def _base64(tokens: tuple[TokenLogprobs, ...]) -> dict[str, Any]:
    blobs = encode(tokens)
    return {"top": blobs["top"], **{name: base64.b64encode(blobs[name]).decode("ascii") for name in _BLOBS}}


def _from_base64(value: dict[str, Any]) -> tuple[TokenLogprobs, ...]:
    blobs = {name: base64.b64decode(str(value[name]), validate=True) for name in _BLOBS}
    return decode(int(value["top"]), blobs)


def to_json(data: LookInside) -> dict[str, Any]:
    """The export's ``look_inside`` key: the blobs in base64 (the thinking's, the source and the note only
    where there are any, so an older export reads the same)."""
    found: dict[str, Any] = {"model": data.model_name, **_base64(data.tokens)}
    if data.thinking:
        found["thinking"] = _base64(data.thinking)
    if data.source != "evaluated":
        found["source"] = data.source
    if data.note:
        found["note"] = data.note
    return found


def from_json(value: object) -> LookInside | None:
    """An export's ``look_inside`` key back; None when absent or not readable (an answer then has none)."""
    if not isinstance(value, dict):
        return None
    try:
        thinking = value.get("thinking")
        return LookInside(
            _from_base64(value), str(value.get("model") or ""),
            _from_base64(thinking) if isinstance(thinking, dict) else (),
            _source(value.get("source")), _note(value.get("note")),
        )  # fmt: skip
    except (KeyError, ValueError, TypeError, struct.error):
        return None


MIGRATION = """
    CREATE TABLE answer_tokens (
        message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
        model_name TEXT NOT NULL DEFAULT '',
        top INTEGER NOT NULL,
        token_ids BLOB NOT NULL,
        logprobs BLOB NOT NULL,
        top_ids BLOB NOT NULL,
        top_logprobs BLOB NOT NULL,
        pieces BLOB NOT NULL,
        created_at REAL NOT NULL
    );
    CREATE TRIGGER answer_tokens_edited AFTER UPDATE OF content ON messages
    WHEN old.content IS NOT new.content BEGIN
        DELETE FROM answer_tokens WHERE message_id = new.id;
    END;
"""

# 15: the thinking's figures beside the answer's, where the figures came from, why a streamed answer has none;
# and the row goes when the reasoning changes too.
MIGRATION_THINKING = """
    ALTER TABLE answer_tokens ADD COLUMN thinking_top INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE answer_tokens ADD COLUMN thinking_token_ids BLOB;
    ALTER TABLE answer_tokens ADD COLUMN thinking_logprobs BLOB;
    ALTER TABLE answer_tokens ADD COLUMN thinking_top_ids BLOB;
    ALTER TABLE answer_tokens ADD COLUMN thinking_top_logprobs BLOB;
    ALTER TABLE answer_tokens ADD COLUMN thinking_pieces BLOB;
    ALTER TABLE answer_tokens ADD COLUMN source TEXT NOT NULL DEFAULT 'evaluated';
    ALTER TABLE answer_tokens ADD COLUMN note TEXT NOT NULL DEFAULT '';
    CREATE TRIGGER answer_tokens_rethought AFTER UPDATE OF reasoning ON messages
    WHEN old.reasoning IS NOT new.reasoning BEGIN
        DELETE FROM answer_tokens WHERE message_id = new.id;
    END;
"""
