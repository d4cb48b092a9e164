"""``POST /v1/embeddings`` of the local API server: OpenAI's request and reply, and the embedder it serves.

``ServedEmbedder`` holds the embedding model chosen in Settings (``embedding.embedder_for``), made once
and kept while the choice stays, its process started on the first request. The request is checked here
(``input`` a text or a list of texts; token arrays are refused, naming ``input``; ``encoding_format``
"float" or "base64"), and the embedding runs on a worker thread so the server keeps answering.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import threading
from dataclasses import dataclass
from typing import Any

from app.core.api_server.openai_shapes import ApiRequestError
from app.core.config.settings import Settings
from app.core.documents.embedder import Embedder, Vectors
from app.core.engine.budget import estimate_tokens
from app.core.engine.embedding import LocalEmbedder, embedder_for
from app.core.errors import AppError
from app.core.models.registry import ModelRegistry

log = logging.getLogger("app.api")

MAX_INPUTS = 2048  # OpenAI's own limit on the texts of one request
ENCODINGS = ("float", "base64")


@dataclass(frozen=True)
class EmbeddingRequest:
    """A checked ``/v1/embeddings`` body."""

    model: str
    texts: tuple[str, ...]
    encoding: str  # "float" or "base64"
    dimensions: int | None


def parse_embedding_request(body: Any) -> EmbeddingRequest:
    """The request ``body`` asks for; ``ApiRequestError`` naming the field it cannot accept."""
    if not isinstance(body, dict):
        raise ApiRequestError(400, "the request body must be a JSON object")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise ApiRequestError(400, "'model' must be the name of the embedding model", param="model")
    value = body.get("input")
    texts = [value] if isinstance(value, str) else value
    if not isinstance(texts, list) or not texts:
        raise ApiRequestError(400, "'input' must be a text or a non-empty list of texts", param="input")
    if any(isinstance(item, int | list) for item in texts):
        raise ApiRequestError(
            400, "'input' as token arrays is not supported by this server: send the text itself", param="input"
        )
    if not all(isinstance(item, str) for item in texts):
        raise ApiRequestError(400, "'input' must be a text or a list of texts", param="input")
    if any(not item for item in texts):
        raise ApiRequestError(400, "'input' must not hold an empty text", param="input")
    if len(texts) > MAX_INPUTS:
        raise ApiRequestError(400, f"'input' may hold at most {MAX_INPUTS} texts", param="input")
    encoding = body.get("encoding_format") or "float"
    if encoding not in ENCODINGS:
        raise ApiRequestError(400, "'encoding_format' must be 'float' or 'base64'", param="encoding_format")
    dimensions = body.get("dimensions")
    if dimensions is not None and (isinstance(dimensions, bool) or not isinstance(dimensions, int)):
        raise ApiRequestError(400, "'dimensions' must be a whole number", param="dimensions")
    return EmbeddingRequest(model, tuple(texts), encoding, dimensions)


def embedding_reply(model: str, vectors: Vectors, tokens: int, encoding: str) -> dict[str, Any]:
    """OpenAI's reply: one ``embedding`` object per text (a list of floats, or base64 of little-endian float32)."""

    def encoded(row: Vectors) -> list[float] | str:
        if encoding == "base64":
            return base64.b64encode(row.astype("<f4").tobytes()).decode("ascii")
        return [float(value) for value in row]

    return {
        "object": "list",
        "data": [{"object": "embedding", "index": i, "embedding": encoded(row)} for i, row in enumerate(vectors)],
        "model": model,
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }


class ServedEmbedder:
    """The embedder ``/v1/embeddings`` uses, as the settings choose it; safe from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._embedder: Embedder | None = None
        self._choice: object = None  # what the embedder was made from, to keep it while that stays

    @property
    def current(self) -> Embedder | None:
        with self._lock:
            return self._embedder

    def choose(self, settings: Settings, registry: ModelRegistry) -> None:
        """Serves ``settings.embedding_model`` (nothing when it is unset or not installed)."""
        embedder = embedder_for(settings, registry)
        choice = embedder.model if isinstance(embedder, LocalEmbedder) else getattr(embedder, "name", None)
        with self._lock:
            if choice == self._choice and choice is not None:
                return  # the same model: its running process stays
            old, self._embedder, self._choice = self._embedder, embedder, choice
        _close_later(old)

    def close(self) -> None:
        """Ends the embedder's process (the next request starts it again)."""
        embedder = self.current
        if isinstance(embedder, LocalEmbedder):
            embedder.close()

    def serve(self, request: EmbeddingRequest) -> tuple[Vectors, int, str]:
        """The rows of the request's texts, the tokens they took, and the model's name; blocks."""
        embedder = self.current
        if embedder is None:
            raise ApiRequestError(
                400, "No embedding model is set up: choose one in Parley's Settings → Documents, once it is installed",
                param="model", code="embedding_model_not_set",
            )  # fmt: skip
        if request.model != embedder.name:
            raise ApiRequestError(
                404, f"The model '{request.model}' is not this server's embedding model, which is '{embedder.name}'",
                param="model", code="model_not_found",
            )  # fmt: skip
        try:
            if isinstance(embedder, LocalEmbedder):
                vectors, tokens = embedder.embed_counted(request.texts)
            else:
                vectors = embedder.embed(request.texts)
                tokens = sum(estimate_tokens(len(text)) for text in request.texts)
        except AppError as exc:
            raise ApiRequestError(500, str(exc), kind="server_error") from exc
        if request.dimensions is not None and request.dimensions != vectors.shape[1]:
            raise ApiRequestError(
                400, f"'dimensions' can only be {vectors.shape[1]}, the width of '{embedder.name}'", param="dimensions"
            )
        return vectors, tokens, embedder.name

    async def reply(self, request: EmbeddingRequest) -> dict[str, Any]:
        vectors, tokens, name = await asyncio.to_thread(self.serve, request)
        return embedding_reply(name, vectors, tokens, request.encoding)


def _close_later(embedder: Embedder | None) -> None:
    """Closes a replaced local embedder off the caller's thread (a running batch finishes first)."""
    if isinstance(embedder, LocalEmbedder):
        threading.Thread(target=embedder.close, name="parley-embedder-close", daemon=True).start()
