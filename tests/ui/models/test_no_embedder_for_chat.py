"""The welcome screen and Find models offer chat models only: an embedding model is never a chat choice."""

from __future__ import annotations

from app.core.models.recommended import load_recommended
from app.ui.shell.main_window import MainWindow


def test_the_welcome_screen_and_find_models_offer_no_embedder(window: MainWindow) -> None:
    embedders = {model.id for model in load_recommended(kind="embedding")}
    assert embedders  # the catalog has some, so the check below can fail
    for listing in (window.welcome.recommended, window.find_models.recommended):
        offered = {card.model.id for card in listing.cards()}
        assert offered and not offered & embedders
    best = window.welcome.best_model()
    assert best is not None and best.kind == "chat"
