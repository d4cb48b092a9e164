"""What the documents subsystem needs from an embedding model: text in, unit vectors out.

The local implementation runs llama.cpp with ``embedding=True`` in an engine process (never the GUI
process); the remote one calls an OpenAI-compatible ``/v1/embeddings``. Both live beside the engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]  # shape (n, dimensions), each row of length 1


class Embedder(Protocol):
    @property
    def name(self) -> str:
        """The embedding model's name; vectors from different models are never compared."""
        ...

    def embed(self, texts: Sequence[str]) -> Vectors:
        """The unit-length vectors of ``texts``, in order. Blocks; safe to call from a worker thread.
        Raises ``AppError`` when the model cannot be loaded or the engine stops."""
        ...
