"""An answer's look-inside data in the history (migration 11's ``answer_tokens``): its tokens, their
log-probabilities and each position's alternatives, kept as compact blobs with the message.

A row goes when its message is deleted (ON DELETE CASCADE) and when its text changes (a trigger: an
edited answer, or one continued); a regenerated answer is a new message, and the old keeps its own.
The blobs are little-endian arrays: the token ids (int32), their log-probabilities (float32), the
alternatives' ids and log-probabilities (``top`` per token, -1 and -inf where fewer), and every
piece once (count, ids, lengths, bytes). The JSON export carries the same blobs in base64.
"""

from __future__ import annotations

import base64
import sqlite3
import struct
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.core.engine.protocol import TokenChoice, TokenLogprobs


@dataclass(frozen=True)
class LookInside:
    """What the model thought of each token of one answer."""

    tokens: tuple[TokenLogprobs, ...]
    model_name: str = ""


_BLOBS = ("token_ids", "logprobs", "top_ids", "top_logprobs", "pieces")


def encode(tokens: tuple[TokenLogprobs, ...]) -> dict[str, Any]:
    """The blobs and ``top`` of ``tokens``."""
    top = max((len(t.alternatives) for t in tokens), default=0)
    ids = np.array([t.token.id for t in tokens], dtype="<i4")
    logprobs = np.array([t.token.logprob for t in tokens], dtype="<f4")
    top_ids = np.full((len(tokens), top), -1, dtype="<i4")
    top_logprobs = np.full((len(tokens), top), -np.inf, dtype="<f4")
    pieces: dict[int, bytes] = {}
    for row, token in enumerate(tokens):
        pieces[token.token.id] = token.token.piece
        for column, choice in enumerate(token.alternatives):
            top_ids[row, column], top_logprobs[row, column] = choice.id, choice.logprob
            pieces[choice.id] = choice.piece
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
        return TokenChoice(token, pieces.get(token, b""), logprob)

    return tuple(
        TokenLogprobs(
            choice(int(ids[row]), float(logprobs[row])),
            tuple(choice(int(t), float(p)) for t, p in zip(top_ids[row], top_logprobs[row], strict=True) if t >= 0),
        )
        for row in range(len(ids))
    )


def save(db: sqlite3.Connection, message_id: int, data: LookInside, now: float) -> None:
    blobs = encode(data.tokens)
    db.execute(
        "INSERT OR REPLACE INTO answer_tokens (message_id, model_name, top, token_ids, logprobs, top_ids, "
        "top_logprobs, pieces, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (message_id, data.model_name, blobs["top"], *(blobs[name] for name in _BLOBS), now),
    )


def load(db: sqlite3.Connection, message_id: int) -> LookInside | None:
    row = db.execute(
        f"SELECT model_name, top, {', '.join(_BLOBS)} FROM answer_tokens WHERE message_id = ?", (message_id,)
    ).fetchone()
    if row is None:
        return None
    return LookInside(decode(int(row[1]), dict(zip(_BLOBS, row[2:], strict=True))), str(row[0] or ""))


def to_json(data: LookInside) -> dict[str, Any]:
    """The export's ``look_inside`` key: the blobs in base64."""
    blobs = encode(data.tokens)
    text = {name: base64.b64encode(blobs[name]).decode("ascii") for name in _BLOBS}
    return {"model": data.model_name, "top": blobs["top"], **text}


def from_json(value: object) -> LookInside | None:
    """An export's ``look_inside`` key back; None when absent or not readable (an answer then has none)."""
    if not isinstance(value, dict):
        return None
    try:
        blobs = {name: base64.b64decode(str(value[name]), validate=True) for name in _BLOBS}
        return LookInside(decode(int(value["top"]), blobs), str(value.get("model") or ""))
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
