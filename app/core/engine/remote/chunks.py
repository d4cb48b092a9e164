"""The shape of one streamed ``/chat/completions`` chunk, checked, and the remote engine's error.

OpenAI's stream sends ``{"choices": [{"delta": {"content": "…"}, "finish_reason": …}]}``; a chunk
of another shape (``choices`` an object or null, a number for ``content``) is a
``RemoteRequestError`` marked ``malformed``, so the answer ends instead of waiting for ever. A chunk's
``logprobs`` (asked for with ``top_logprobs``) are read leniently: a server may send none at all.
"""

from __future__ import annotations

from typing import Any

from app.core.engine.protocol import TokenChoice, TokenLogprobs


class RemoteRequestError(Exception):
    """A request to a remote server failed; ``reason`` says why in one sentence."""

    def __init__(self, reason: str, status: int | None = None, *, malformed: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.malformed = malformed  # the server answered, but not in the shape of an OpenAI stream


def _malformed(host: str, what: str) -> RemoteRequestError:
    return RemoteRequestError(f"{host} sent an answer Parley cannot read ({what})", malformed=True)


def first_choice(chunk: object, host: str) -> dict[str, Any] | None:
    """The first choice of a streamed chunk; None for a chunk without one (usage only).

    Anything not shaped like OpenAI's chunk is a ``RemoteRequestError``: a server that sends it
    would otherwise leave the answer unfinished.
    """
    if not isinstance(chunk, dict):
        raise _malformed(host, f"a chunk that is {type(chunk).__name__}, not an object")
    choices = chunk.get("choices", [])
    if choices is None and isinstance(chunk.get("usage"), dict):
        return None
    if not isinstance(choices, list):
        raise _malformed(host, f"“choices” is {_kind(choices)}, not a list")
    if not choices:
        return None
    choice = choices[0]
    if not isinstance(choice, dict):
        raise _malformed(host, f"a choice that is {_kind(choice)}, not an object")
    delta = choice.get("delta")
    if delta is not None and not isinstance(delta, dict):
        raise _malformed(host, f"“delta” is {_kind(delta)}, not an object")
    finish = choice.get("finish_reason")
    if finish is not None and not isinstance(finish, str):
        raise _malformed(host, f"“finish_reason” is {_kind(finish)}, not text")
    return choice


def text_field(delta: dict[str, Any], field: str, host: str) -> str:
    value = delta.get(field)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _malformed(host, f"“{field}” is {_kind(value)}, not text")
    return value


def logprobs_of(choice: dict[str, Any]) -> tuple[TokenLogprobs, ...]:
    """The tokens of a chunk's ``logprobs.content`` (OpenAI's shape), each with its alternatives; () where the
    server sent none. A server names tokens by their text and bytes, not ids: the ids are -1."""
    logprobs = choice.get("logprobs")
    content = logprobs.get("content") if isinstance(logprobs, dict) else None
    if not isinstance(content, list):
        return ()
    found: list[TokenLogprobs] = []
    for entry in content:
        token = _token_choice(entry)
        if token is None:
            continue  # not a token OpenAI's way: the others still are
        alternatives = entry.get("top_logprobs")
        choices = [_token_choice(item) for item in alternatives] if isinstance(alternatives, list) else []
        found.append(TokenLogprobs(token, tuple(c for c in choices if c is not None)))
    return tuple(found)


def _token_choice(entry: object) -> TokenChoice | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("token"), str):
        return None
    logprob = entry.get("logprob")
    if not isinstance(logprob, int | float) or isinstance(logprob, bool):
        return None
    raw = entry.get("bytes")
    piece = bytes(raw) if isinstance(raw, list) and all(isinstance(b, int) and 0 <= b < 256 for b in raw) else None
    return TokenChoice(-1, piece if piece is not None else entry["token"].encode("utf-8"), float(logprob))


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__
