"""Embeddings from an OpenAI-compatible server: ``RemoteEmbedder`` posts to ``{base_url}/embeddings``.

OpenAI's shape both ways: ``{"model", "input": [texts], "encoding_format": "float"}`` in,
``{"data": [{"index", "embedding"}], "usage"}`` out. Every failure (nothing answers, the key refused,
no such model, a reply of another shape) is a ``RemoteServerError`` with one sentence; the rows are
normalized here, since not every server sends unit vectors.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx
import numpy as np

from app.core.documents.embedder import Vectors
from app.core.engine.remote.chunks import RemoteRequestError
from app.core.engine.remote.engine import (
    CONNECT_SECONDS,
    READ_SECONDS,
    failure_from_exception,
    failure_from_response,
)
from app.core.errors import RemoteServerError

TEXTS_PER_REQUEST = 64  # a bounded body; OpenAI takes up to 2048 inputs, smaller servers fewer


class RemoteEmbedder:
    """An ``Embedder`` on ``model`` at the server ``base_url`` (``…/v1``); safe from any thread."""

    def __init__(self, base_url: str, model: str, api_key: str = "", *, label: str = "") -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self._api_key = api_key
        self._label = label or model

    @property
    def name(self) -> str:
        return self._label

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc or self.base_url

    def embed(self, texts: Sequence[str]) -> Vectors:
        texts = list(texts)
        rows: list[Vectors] = []
        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        url = f"{self.base_url}/embeddings"
        with httpx.Client(timeout=httpx.Timeout(READ_SECONDS, connect=CONNECT_SECONDS), headers=headers) as client:
            for start in range(0, len(texts), TEXTS_PER_REQUEST):
                part = texts[start : start + TEXTS_PER_REQUEST]
                body = {"model": self.model, "input": part, "encoding_format": "float"}
                try:
                    try:
                        response = client.post(url, json=body)
                    except httpx.HTTPError as exc:
                        raise failure_from_exception(exc, url) from exc
                    if response.status_code >= 400:
                        raise failure_from_response(response, url)
                    rows.append(self._rows(response, len(part)))
                except RemoteRequestError as failure:
                    raise RemoteServerError(host=self.host, reason=failure.reason) from failure
        if not rows:
            return np.zeros((0, 0), dtype=np.float32)
        return np.concatenate(rows)

    def _rows(self, response: httpx.Response, count: int) -> Vectors:
        """The unit rows of a reply for ``count`` texts; ``RemoteRequestError`` when it is not OpenAI's shape."""
        try:
            data: Any = response.json()
        except ValueError as exc:
            raise self._malformed("the reply is not JSON") from exc
        items = data.get("data") if isinstance(data, dict) else None
        if not isinstance(items, list) or len(items) != count:
            raise self._malformed(f"“data” is not a list of {count} embeddings")
        try:
            ordered = sorted(items, key=lambda item: int(item.get("index", 0)))
            vectors = np.array([item["embedding"] for item in ordered], dtype=np.float32)
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise self._malformed("an embedding is not a list of numbers") from exc
        if vectors.ndim != 2 or vectors.shape[1] == 0 or not np.isfinite(vectors).all():
            raise self._malformed("the embeddings are not rows of numbers of one length")
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors /= np.where(norms > 0, norms, 1.0)
        return vectors

    def _malformed(self, what: str) -> RemoteRequestError:
        return RemoteRequestError(f"{self.host} sent embeddings Parley cannot read ({what})", malformed=True)
