"""Local embeddings with the real starter model, in an engine process of their own.

The starter (SmolLM2-135M, a chat model) stands in for an embedding model: mean-pooled, its vectors
still put a paraphrase nearer than an unrelated sentence, which is what search relies on.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from app.core import paths
from app.core.config.settings import Settings, SettingsStore
from app.core.engine.embedding import (
    EMBEDDING_CONTEXT,
    ChosenEmbedder,
    LocalEmbedder,
    embedder_for,
    installed_embedders,
    is_embedding_model,
)
from app.core.engine.protocol import ModelSpec
from app.core.errors import EmbeddingEngineError, ModelLoadError
from app.core.models import gguf
from app.core.models.installed import STARTER_NAME, Provenance, write_provenance
from app.core.models.recommended import load_recommended
from app.core.models.registry import ModelRegistry
from tests import ggufdata

N_CTX = 256


@pytest.fixture(scope="module")
def embedder(starter_model: Path) -> Iterator[LocalEmbedder]:
    local = LocalEmbedder(ModelSpec(str(starter_model), "starter", n_ctx=N_CTX))
    yield local
    local.close()


def test_rows_are_float32_unit_vectors_in_an_engine_process(embedder: LocalEmbedder) -> None:
    texts = ["The cat sat on the mat.", "猫坐在垫子上。", "", "x" * 3]
    vectors = embedder.embed(texts)
    assert vectors.dtype == np.float32 and vectors.shape == (4, 576)  # SmolLM2-135M's width
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.pid is not None and embedder.pid != os.getpid()
    assert embedder.embed([]).shape == (0, 576)


def test_the_same_text_gives_the_same_vector_alone_or_in_a_batch(embedder: LocalEmbedder) -> None:
    text = "Parley keeps every conversation on your own computer."
    alone = embedder.embed([text])
    assert np.array_equal(alone, embedder.embed([text]))  # asked again: the very same bytes
    texts = ["Something else entirely.", text, text] + [f"filler {i}" for i in range(40)]  # two batches
    batch = embedder.embed(texts)
    assert np.array_equal(batch, embedder.embed(texts))
    # Elsewhere in a batch, llama.cpp sums in another order: the same direction, to rounding.
    assert float(batch[1] @ batch[2]) > 0.9999 and float(alone[0] @ batch[1]) > 0.9999


@pytest.mark.parametrize(
    ("text", "paraphrase", "unrelated"),
    [
        ("The cat sat on the mat.", "A cat was sitting on the rug.", "Stock markets fell sharply today."),
        ("How do I reset my password?", "I forgot my password and need to change it.", "The train leaves at noon."),
        ("The meeting moved to Friday.", "We rescheduled the meeting for Friday.", "Bananas are rich in potassium."),
    ],
)
def test_a_paraphrase_is_nearer_than_an_unrelated_sentence(
    embedder: LocalEmbedder, text: str, paraphrase: str, unrelated: str
) -> None:
    query, near, far = embedder.embed([text, paraphrase, unrelated])
    assert float(query @ near) > float(query @ far)


def test_a_text_longer_than_the_context_is_cut_to_it(embedder: LocalEmbedder) -> None:
    start = "Zorblax is the codename of the project. "
    vectors, tokens = embedder.embed_counted([start + "and then some more words " * 400])
    assert vectors.shape == (1, 576) and np.isclose(np.linalg.norm(vectors[0]), 1.0, atol=1e-5)
    assert tokens == N_CTX  # cut, not refused


def test_callers_on_several_threads_each_get_their_own_rows(embedder: LocalEmbedder) -> None:
    texts = [f"Sentence number {i} about a different topic." for i in range(8)]
    expected = embedder.embed(texts)
    results: dict[int, np.ndarray] = {}

    def run(index: int) -> None:
        results[index] = embedder.embed(texts[index:] + texts[:index])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert sorted(results) == [0, 1, 2, 3]
    for index, rows in results.items():
        same = np.sum(rows * np.roll(expected, -index, axis=0), axis=1)  # each row's cosine with its own text's
        assert (same > 0.9999).all()


def test_a_crashed_process_is_one_sentence_and_the_next_call_starts_afresh(starter_model: Path) -> None:
    local = LocalEmbedder(ModelSpec(str(starter_model), "starter", n_ctx=N_CTX))
    try:
        first = local.embed(["before the crash"])
        pid = local.pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        stopped = r"The embedding model starter stopped unexpectedly \(killed by SIGKILL\)"
        with pytest.raises(EmbeddingEngineError, match=stopped):
            local.embed(["during the crash"])
        again = local.embed(["before the crash"])
        assert local.pid not in (None, pid)
        assert np.allclose(first, again, atol=1e-6)
    finally:
        local.close()
    assert local.pid is None


def test_close_ends_the_process_and_a_later_call_starts_one(starter_model: Path) -> None:
    local = LocalEmbedder(ModelSpec(str(starter_model), "starter", n_ctx=N_CTX))
    local.embed(["one"])
    pid = local.pid
    local.close()
    assert local.pid is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid or 0, 0)  # the process is gone
    try:
        assert local.embed(["two"]).shape == (1, 576)
    finally:
        local.close()


def test_a_file_that_will_not_load_is_one_sentence(tmp_path: Path) -> None:
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + b"\0" * 64)
    local = LocalEmbedder(ModelSpec(str(bad), "broken"))
    with pytest.raises(ModelLoadError) as caught:
        local.embed(["anything"])
    assert str(caught.value).startswith(f"The model file {bad} could not be loaded: ")
    assert local.pid is None  # nothing is left running
    missing = LocalEmbedder(ModelSpec(str(tmp_path / "gone.gguf"), "gone"))
    with pytest.raises(ModelLoadError, match="the file does not exist"):
        missing.embed(["anything"])


def test_the_settings_choose_the_embedder(starter_model: Path) -> None:
    registry = ModelRegistry(SettingsStore(Settings()))
    assert embedder_for(Settings(), registry) is None  # none chosen: words only
    assert embedder_for(Settings(embedding_model="bge-m3 (not downloaded)"), registry) is None
    # Documents never leave the computer: a remote server's model is not used to embed them.
    assert embedder_for(Settings(embedding_model="text-embedding-3-small @ gpu1"), registry) is None
    chosen = embedder_for(Settings(embedding_model=STARTER_NAME), registry)
    assert isinstance(chosen, LocalEmbedder) and chosen.name == STARTER_NAME
    assert chosen.model.embedding and chosen.model.path == str(starter_model)
    assert chosen.model.n_ctx == EMBEDDING_CONTEXT  # the starter's own is larger: the cap holds
    assert chosen.pid is None  # nothing starts before the first text


def test_an_embedding_model_is_told_from_a_chat_model_by_its_header(tmp_path: Path, starter_model: Path) -> None:
    def info(arch: str, extra: dict[str, object]) -> gguf.GgufInfo:
        path = tmp_path / f"{arch}-{len(extra)}.gguf"
        metadata = {**ggufdata.llama_metadata(), "general.architecture": arch, **extra}
        path.write_bytes(ggufdata.gguf_bytes(metadata, [ggufdata.Tensor("w", (64,))]))
        return gguf.read_gguf(path)

    assert not is_embedding_model(gguf.read_gguf(starter_model))
    assert is_embedding_model(info("bert", {}))
    assert is_embedding_model(info("qwen3", {"qwen3.pooling_type": 3}))  # Qwen3-Embedding: last token
    assert not is_embedding_model(info("qwen3", {}))
    assert not is_embedding_model(info("bert", {"bert.pooling_type": 4}))  # a reranker scores, it does not embed


def test_a_catalog_embedder_is_listed_and_loads_with_the_catalogs_pooling(starter_model: Path) -> None:
    # The starter's bytes under the name and provenance of Qwen3-Embedding, whose file declares no pooling:
    # what a download of it leaves in the models folder.
    qwen = next(m for m in load_recommended(kind="embedding") if m.id == "qwen3-embedding-0.6b")
    path = paths.models_dir() / qwen.file
    shutil.copyfile(starter_model, path)
    size = path.stat().st_size
    write_provenance(path, Provenance(qwen.repo, "0" * 40, (qwen.file,), ("x",), "2026-01-01T00:00:00Z", sizes=(size,)))
    registry = ModelRegistry(SettingsStore(Settings()))
    assert [entry.path for entry in installed_embedders(registry)] == [path]  # the starter is a chat model
    entry = installed_embedders(registry)[0]
    chosen = embedder_for(Settings(embedding_model=entry.name), registry)
    assert isinstance(chosen, LocalEmbedder) and chosen.model.pooling == "last"
    mean = embedder_for(Settings(embedding_model=STARTER_NAME), registry)
    assert isinstance(mean, LocalEmbedder) and mean.model.pooling == ""
    try:
        texts = ["The cat sat on the mat.", "Stock markets fell sharply today."]
        last_rows, mean_rows = chosen.embed(texts), mean.embed(texts)
        assert np.allclose(np.linalg.norm(last_rows, axis=1), 1.0, atol=1e-5)
        assert not np.allclose(last_rows, mean_rows, atol=1e-3)  # the last token's row, not the mean
    finally:
        chosen.close()
        mean.close()


def test_the_chosen_embedder_is_shared_until_the_user_chooses_another(starter_model: Path) -> None:
    current = Settings(embedding_model=STARTER_NAME)
    registry = ModelRegistry(SettingsStore(Settings()))
    chosen = ChosenEmbedder(lambda: current, registry)
    first = chosen()
    assert isinstance(first, LocalEmbedder)
    assert chosen() is first  # the turns and the indexer share one engine process
    first.embed(["warm it up"])
    assert first.pid is not None
    current = Settings()  # the user turns embeddings off in Settings
    assert chosen() is None
    assert first.pid is None  # the replaced one's process was ended
    current = Settings(embedding_model=STARTER_NAME)
    again = chosen()
    assert isinstance(again, LocalEmbedder) and again is not first
    chosen.close()
