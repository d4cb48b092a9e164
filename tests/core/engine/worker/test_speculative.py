"""Speculative decoding with the real starter: drafts verified by the model's own sampler change nothing.

The starter drafting for itself shares its vocabulary (so every greedy guess should be accepted, which
proves the plumbing); prompt lookup drafts from a paragraph the answer rewrites. At temperature 0 both
must give plain decoding's tokens, id for id (with flash attention, which drafting needs). A draft with
another vocabulary is refused with a sentence: the test makes one by copying the starter and rewriting one
token's text, in place and of the same length, inside the GGUF's token list (``with_one_token_renamed``),
so only the vocabulary hash tells them apart.
"""

from __future__ import annotations

import ctypes
import shutil
from dataclasses import replace
from multiprocessing import Value
from pathlib import Path

import numpy as np
import pytest

from app.core.engine.output import OutputSplitter
from app.core.engine.protocol import (
    ChatMessage,
    GenerationFinished,
    ModelLoadFailed,
    ModelSpec,
    SamplingSettings,
)
from app.core.engine.worker import generation, loading
from app.core.engine.worker.model import LoadedModel
from app.core.engine.worker.speculative import PromptLookupDrafter
from app.core.errors import DraftVocabularyError
from app.core.models import drafts, gguf
from app.core.models.installed import ModelEntry
from tests.core.engine_helpers import request, running_engine, spec_for

GREEDY_LONG = SamplingSettings(temperature=0.0, top_k=1, max_tokens=64, repeat_penalty=1.0, seed=1)
PARAGRAPH = (
    "The old lighthouse stood at the edge of the cliff for more than a century. Sailors trusted its light on "
    "stormy nights, and the keeper climbed its stairs every evening to wind the clockwork and trim the wick."
)
REWRITE = [ChatMessage("user", f"Repeat this paragraph exactly, word for word:\n\n{PARAGRAPH}")]
CHAT = [ChatMessage("user", "Tell me a short story about a cat who learns to sail.")]


def _reply_ids(spec: ModelSpec, messages: list[ChatMessage]) -> tuple[list[int], LoadedModel]:
    """The answer's token ids from the real token loop (the model is left open for its tally)."""
    loaded = loading.open_model(spec, loading.LlamaLog(), Value(ctypes.c_longlong, 0), None)
    prompt = loaded.template.render(messages)
    output = OutputSplitter(prompt, model_stops=loaded.stop_strings, pairs=loaded.reasoning_pairs)
    drafting = (loaded.drafter, loaded.draft_policy.begin()) if loaded.drafter is not None else None
    done = generation.run(
        loaded.llm, loaded.prompt_ids(prompt), request_id="r", sampling=GREEDY_LONG, output=output,
        vocab=loaded.vocab, n_ctx=loaded.n_ctx, seq=1 << 40, stop_seq=Value(ctypes.c_longlong, 0),
        watch=lambda _: None, emit=lambda _: None, drafting=drafting,
    )  # fmt: skip
    if drafting is not None:
        loaded.last_outcome = drafting[1].finish()  # type: ignore[attr-defined]
    return done.reply_ids, loaded


def _spec(model: Path, n_ctx: int = 2048) -> ModelSpec:
    return replace(spec_for(model, n_ctx), flash_attn=True)  # drafting needs it (as the registry sets it)


def _plain(model: Path, messages: list[ChatMessage]) -> list[int]:
    ids, loaded = _reply_ids(replace(_spec(model), prompt_lookup=False), messages)
    assert loaded.drafter is None
    loaded.close()
    return ids


def test_the_starter_drafting_for_itself_decodes_as_plain_decoding_and_nearly_every_guess_is_kept(
    starter_model: Path,
) -> None:
    plain = _plain(starter_model, CHAT)
    drafted, loaded = _reply_ids(replace(_spec(starter_model), draft_path=str(starter_model)), CHAT)
    outcome = loaded.last_outcome  # type: ignore[attr-defined]
    loaded.close()
    assert drafted == plain
    assert outcome.drafted > 0
    # The last draft may be cut off by the answer's end before it is checked: nearly all, not all.
    assert outcome.accepted / outcome.drafted >= 0.9


def test_prompt_lookup_on_a_rewrite_decodes_as_plain_decoding_and_keeps_some_guesses(starter_model: Path) -> None:
    plain = _plain(starter_model, REWRITE)
    looked_up, loaded = _reply_ids(_spec(starter_model), REWRITE)
    outcome = loaded.last_outcome  # type: ignore[attr-defined]
    loaded.close()
    assert looked_up == plain
    assert outcome.accepted > 0


def test_the_engine_reports_what_drafting_did_and_answers_as_without_it(starter_model: Path) -> None:
    with running_engine() as (engine, log):
        engine.generate(request(replace(_spec(starter_model), prompt_lookup=False), REWRITE))
        plain = log.wait_for(GenerationFinished)
        engine.generate(request(_spec(starter_model), REWRITE))
        looked_up = log.wait_for(GenerationFinished)
    assert looked_up.text == plain.text
    assert plain.stats.speculation == "" and plain.stats.drafted_tokens == 0
    assert looked_up.stats.speculation == "prompt lookup"
    assert 0 < looked_up.stats.accepted_tokens <= looked_up.stats.drafted_tokens


def with_one_token_renamed(source: Path, target: Path) -> Path:
    """A copy of ``source`` whose token list spells one token differently (same length, so nothing moves)."""
    shutil.copyfile(source, target)
    old, new = b"hello", b"hellp"
    entry = len(old).to_bytes(8, "little") + old
    with target.open("r+b") as handle:
        head = handle.read(8 * 1024 * 1024)  # the metadata, token list included, is at the start
        at = head.index(entry)
        handle.seek(at + 8)
        handle.write(new)
    return target


def _entry(name: str, path: Path, size: int) -> ModelEntry:
    return ModelEntry(name=name, path=path, source="file", size_bytes=size)


def test_a_draft_with_another_vocabulary_is_refused_with_a_sentence(starter_model: Path, tmp_path: Path) -> None:
    other = with_one_token_renamed(starter_model, tmp_path / "other-vocabulary.gguf")
    assert gguf.vocabulary_hash(other) != gguf.vocabulary_hash(starter_model)
    main, draft = _entry("starter", starter_model, 10**9), _entry("other", other, 10**6)
    with pytest.raises(DraftVocabularyError) as refused:
        drafts.check_draft(main, draft)
    assert refused.value.user_message().startswith("The draft model “other” cannot draft for “starter”")
    with running_engine() as (engine, log):
        engine.load(replace(_spec(starter_model), draft_path=str(other)))
        failed = log.wait_for(ModelLoadFailed)
    assert "its vocabulary is not the same" in failed.reason


def test_auto_picks_an_installed_model_with_the_same_vocabulary_several_times_smaller(
    starter_model: Path, tmp_path: Path
) -> None:
    other = with_one_token_renamed(starter_model, tmp_path / "other-vocabulary.gguf")
    same = tmp_path / "same-vocabulary.gguf"
    same.symlink_to(starter_model)
    main = _entry("main", starter_model, 10**9)
    models = [main, _entry("other", other, 10**8), _entry("same", same, 10**8), _entry("big", same, 9 * 10**8)]
    assert drafts.auto_draft(main, models) == models[2]
    assert drafts.resolve_draft(drafts.DRAFT_AUTO, main, models) == str(same)
    assert drafts.resolve_draft(drafts.DRAFT_NONE, main, models) == ""
    assert drafts.resolve_draft(str(other), main, models) == str(other)  # checked by the dialog and the engine
    assert drafts.auto_draft(main, [main, models[1]]) is None


def test_prompt_lookup_drafts_what_followed_the_last_three_tokens_where_they_last_appeared() -> None:
    drafter = PromptLookupDrafter()
    context = np.array([1, 2, 3, 4, 5, 9, 1, 2, 3, 7, 8, 6, 1, 2, 3], dtype=np.intc)
    assert drafter.propose(context, 3) == [7, 8, 6]  # the later of the two earlier "1 2 3", not the first
    assert drafter.propose(context, 1) == [7]
    # Only the last two tokens appeared before: too short a match to draft from.
    assert drafter.propose(np.array([1, 2, 3, 4, 9, 2, 3], dtype=np.intc), 3) == []
