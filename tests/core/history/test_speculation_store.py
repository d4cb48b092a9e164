"""An answer's speculative-decoding figures (its details line's "speculative: …") travel with the history:
through the JSON export and back, and through a recovery from a damaged file."""

from __future__ import annotations

import json
from pathlib import Path

from app.core import paths
from app.core.engine.protocol import GenerationStats
from app.core.engine.speculation import summary_json
from app.core.history import exchange
from app.core.history.store import Store, open_store
from tests.core.store_helpers import fill, garble_messages

FIGURES = summary_json(
    GenerationStats(
        prompt_tokens=20, prompt_tokens_evaluated=20, generated_tokens=60, ttft_seconds=0.1, tokens_per_second=30.0,
        speculation="prompt lookup", drafted_tokens=140, accepted_tokens=85, speculative_speedup=1.6,
    )
)  # fmt: skip


def _answer(store: Store, question: str) -> int:
    conversation = store.create_conversation(question)
    store.add_message(conversation.id, "user", question)
    answer = store.add_message(conversation.id, "assistant", "", model_name="X")
    store.update_message(answer.id, "Here it is, rewritten.", status="complete", speculation=FIGURES)
    return answer.id


def test_the_figures_survive_export_then_import(tmp_path: Path) -> None:
    store = Store()
    answer_id = _answer(store, "Rewrite this paragraph.")
    assert store.message(answer_id).speculation == FIGURES
    path = tmp_path / "all.json"
    exchange.write(path, exchange.export_json(store))
    other = Store(tmp_path / "other.sqlite3")

    exchange.import_file(other, path)

    imported = other.messages(other.conversations()[0].id)[-1]
    assert imported.content == "Here it is, rewritten."
    assert FIGURES is not None and json.loads(imported.speculation) == json.loads(FIGURES)
    store.close()
    other.close()


def test_the_figures_of_an_answer_newer_than_the_backup_survive_a_recovery() -> None:
    store = Store()
    fill(store, 30, 40, size=400)
    store.backup()
    answer_id = _answer(store, "Translate this paragraph.")
    store.close()
    garble_messages(paths.database_path())

    recovered, report = open_store()

    assert report is not None and report.backup_path is not None
    assert recovered.message(answer_id).speculation == FIGURES
    recovered.close()
