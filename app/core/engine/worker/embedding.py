"""A loaded embedding model: texts in, unit float32 rows out, in batches llama.cpp evaluates together.

The pooling (how a text's token rows become one row) is the one the GGUF declares, or the mean for a
model that declares none (``loading.embedding_pooling``). A text longer than the context is cut to
the context's tokens (``Llama.embed`` truncates to its batch, which is the context here), and the
answer counts how many texts were cut. A text with no tokens at all (an empty one, for a model that
adds no start token) is embedded as a single space, so that every text has its row.
"""

from __future__ import annotations

import llama_cpp
import numpy as np

from app.core.engine.protocol import ModelSpec, OffloadReport, TextsEmbedded


class EmbeddingModel:
    """One ``Llama`` built with ``embedding=True`` (by ``loading.open_embedding_model``)."""

    def __init__(self, spec: ModelSpec, llm: llama_cpp.Llama, load_seconds: float) -> None:
        self.spec = spec
        self.llm = llm
        self.load_seconds = load_seconds
        self.n_ctx = llm.n_ctx()
        self.dimensions = llm.n_embd()
        self.offload: OffloadReport | None = None

    def embed(self, request_id: str, texts: tuple[str, ...]) -> TextsEmbedded:
        """The unit rows of ``texts``, each cut to the context first."""
        limit = self.llm.n_batch
        counts = [len(self.llm.tokenize(text.encode("utf-8"))) for text in texts]
        truncated = sum(1 for count in counts if count > limit)
        inputs = [text if count else " " for text, count in zip(texts, counts, strict=True)]
        rows, tokens = self.llm.embed(inputs, normalize=False, truncate=True, return_count=True)
        vectors = np.asarray(rows, dtype=np.float32).reshape(len(texts), self.dimensions)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors /= np.where(norms > 0, norms, 1.0)
        return TextsEmbedded(request_id, vectors.tobytes(), self.dimensions, int(tokens), truncated)

    def close(self) -> None:
        self.llm.close()
