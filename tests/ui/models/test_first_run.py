"""The first screen: the starter one click away, the recommended models with fit badges, one click to a new model."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6 import QtCore
from pytestqt.qtbot import QtBot

from app.core import paths
from app.core.history.store import Store
from app.core.models import fit, installed, speed
from app.core.models.fit import MachineProfile
from app.core.models.hub import HubConfig
from app.core.models.library import human_size
from app.core.models.recommended import RecommendedModel, load_recommended
from app.ui.shell.main_window import MainWindow
from tests.fakehub import STARTER_FILE, STARTER_REPO, FakeHub, sha256
from tests.ui.conftest import WindowFactory, send_and_wait
from tests.ui.hub_helpers import DOWNLOAD_TIMEOUT_MS

GB = 1_000_000_000
STARTER_BYTES = speed.STARTER_BYTES


def entry(model_id: str, size_bytes: int, **changes: object) -> RecommendedModel:
    fields: dict[str, object] = {
        "id": model_id, "name": f"Model {model_id}", "repo": "someone/model-GGUF", "files": (f"{model_id}.gguf",),
        "quantization": "Q4_K_M", "size_bytes": size_bytes, "context_length": 32768, "licence": "apache-2.0",
        "gated": False, "description": "A model for tests.", "n_layer": 24, "n_head_kv": 2, "head_dim": 64,
    }
    fields.update(changes)
    return RecommendedModel(**fields)  # type: ignore[arg-type]


def starter_from_the_hub(fake_hub: FakeHub) -> RecommendedModel:
    """A catalog entry for the fake Hub's copy of the starter model (it loads, and it is quick)."""
    size = fake_hub.repos[STARTER_REPO].files[STARTER_FILE].size
    return entry("smol", size, name="SmolLM2 from the Hub", repo=STARTER_REPO, files=(STARTER_FILE,),
                 quantization="Q4_1", context_length=8192, n_layer=30, n_head_kv=3, head_dim=64)


def test_the_first_screen_offers_the_best_fitting_model_first_the_demo_second_then_the_list(
    qtbot: QtBot, window: MainWindow
) -> None:
    welcome = window.welcome
    assert window.stack.currentWidget() is welcome
    fast = speed.DecodeMeasurement(STARTER_BYTES, 2000.0, 16, gpu_offload=False, measured_at=0.0)
    # A computer fast enough for all: the choice is by fit alone.
    welcome.recommended.set_calibration(speed.from_one(fast))
    welcome.recommended.set_machine(MachineProfile(ram_free_bytes=2 * GB))
    fitting = [card.model for card in welcome.recommended.cards() if card.badge.verdict() == "fits"]
    best = welcome.best_model()
    assert best is not None and best == max(fitting, key=lambda model: model.size_bytes)  # the largest that fits
    assert best.size_bytes < 2 * GB and len(fitting) < len(welcome.recommended.cards())
    assert welcome.best_button.text() == f"Download {best.name} ({human_size(best.size_bytes)})"
    assert welcome.start_button.text() == "Try a tiny offline demo model (basic answers)"
    assert welcome.start_button.isEnabled() and welcome.shows_recommended()
    y = lambda widget: widget.mapTo(welcome, QtCore.QPoint()).y()  # noqa: E731 - a one-line helper
    assert y(welcome.best_button) < y(welcome.start_button)
    welcome.recommended.set_machine(MachineProfile(ram_free_bytes=64 * GB))
    best = welcome.best_model()
    # Everything fits and answers fast enough: the strongest (a mixture of experts counts by its active weights).
    assert best is not None and speed.quality_rank(best) == max(
        speed.quality_rank(m) for m in load_recommended() if not m.gated and not m.coding and m.thinking != "always"
    )
    welcome.recommended.set_machine(MachineProfile(ram_free_bytes=int(0.3 * GB)))
    assert welcome.best_model() is None and welcome.best_button.isHidden()  # nothing fits: the list says why
    cards = welcome.recommended.cards()
    assert [card.model.id for card in cards] == [model.id for model in load_recommended()]
    first = cards[0]
    assert first.name_label.text() == "Qwen2.5 0.5B Instruct"
    assert first.details_label.text() == "491.4 MB · Q4_K_M · 32K context · apache-2.0"
    assert first.speed_label.text().startswith("about ") and first.speed_label.text().endswith(" tokens/s here")
    assert first.description_label.text() == "Tiny and quick; fine for short questions on any computer."
    assert first.download_button.text() == "Download" and first.download_button.isEnabled()
    assert all(card.badge.text() in ("Fits", "May be slow", "Won't fit") for card in cards)
    # Both buttons come before the list.
    assert y(welcome.start_button) < y(first)


def test_a_two_core_computer_without_a_gpu_is_offered_a_model_that_answers_at_8_tokens_a_second(
    qtbot: QtBot, window: MainWindow
) -> None:
    welcome = window.welcome
    # This 2-core machine's own figures: the engine's decode speeds of the starter and its F16 re-pack
    # (medians of three alternated 128-token answers each, 2026-12-07, while other work shared the
    # machine); tests/core/models/test_speed.py measures them live.
    measured = [
        speed.DecodeMeasurement(STARTER_BYTES, 44.3, 2, False, 1.0, "SmolLM2-135M-Instruct.Q4_1.gguf"),
        speed.DecodeMeasurement(270_885_952, 35.7, 2, False, 2.0, "starter-f16.gguf"),
    ]
    welcome.recommended.set_calibration(speed.calibrate(measured))
    welcome.recommended.set_machine(MachineProfile(ram_free_bytes=24 * GB))
    best = welcome.best_model()
    assert best is not None
    card = welcome.recommended.card(best.id)
    assert card is not None and card.tokens_per_second is not None and card.tokens_per_second >= 8
    largest = max((c for c in welcome.recommended.cards() if c.badge.verdict() == "fits"
                   and not c.model.active_parameters_b), key=lambda c: c.model.size_bytes)
    assert largest.model != best and (largest.tokens_per_second or 0) < 8  # the largest that fits is slow here
    assert f"about {speed.rounded(card.tokens_per_second)} tokens/s here (an estimate)" in welcome.best_note.text()
    # The filter hides the slow ones.
    welcome.recommended.comfortable_only.setChecked(True)
    assert largest.isHidden() and not card.isHidden()


@pytest.mark.parametrize(
    ("machine", "expected"),
    [
        (MachineProfile(ram_free_bytes=2 * GB), ["Fits", "May be slow", "Won't fit"]),
        (MachineProfile(ram_free_bytes=64 * GB), ["Fits", "Fits", "Fits"]),
        (MachineProfile(ram_free_bytes=int(0.3 * GB)), ["Won't fit", "Won't fit", "Won't fit"]),
        # A graphics card takes what it can hold; the rest spills into (slower) memory.
        (MachineProfile(ram_free_bytes=2 * GB, vram_free_bytes=8 * GB), ["Fits", "Fits", "Fits"]),
        (MachineProfile(ram_free_bytes=int(1.5 * GB), vram_free_bytes=1 * GB), ["Fits", "May be slow", "Won't fit"]),
    ],
)
def test_fit_badges_follow_the_machine_profile(
    qtbot: QtBot, window: MainWindow, machine: MachineProfile, expected: list[str]
) -> None:
    models = [entry("small", 300_000_000), entry("medium", 1_300_000_000), entry("large", 4_000_000_000)]
    recommended = window.welcome.recommended
    recommended.set_models(models)
    recommended.set_machine(machine)

    badges = [card.badge for card in recommended.cards()]
    assert [badge.text() for badge in badges] == expected
    n_ctx = window.settings.current.n_ctx
    for model, badge in zip(models, badges, strict=True):
        estimate = fit.estimate_for_recommended(model, n_ctx, machine)
        assert badge.verdict() == badge.property("verdict") == estimate.verdict
        assert f"{estimate.n_ctx:,}-token context" in badge.toolTip()


def test_one_click_downloads_a_recommended_model_then_a_chat_with_it_opens_and_answers(
    qtbot: QtBot, window: MainWindow, store: Store, fake_hub: FakeHub, hub_env: HubConfig
) -> None:
    model = starter_from_the_hub(fake_hub)
    window.welcome.recommended.set_models([model])
    card = window.welcome.recommended.cards()[0]

    with qtbot.waitSignal(window.downloads.download_finished, timeout=DOWNLOAD_TIMEOUT_MS):
        qtbot.mouseClick(card.download_button, QtCore.Qt.MouseButton.LeftButton)
        assert card.download_button.text().startswith("Downloading") and not card.download_button.isEnabled()

    installed = paths.models_dir() / STARTER_FILE
    assert sha256(installed) == fake_hub.repos[STARTER_REPO].files[STARTER_FILE].sha256
    assert window.stack.currentWidget() is window.chat_view
    assert window.conversation_id is not None
    conversation = store.conversation(window.conversation_id)
    assert conversation.model_name == "SmolLM2-135M-Instruct.Q4_1"
    current = window.model_picker.current_entry()
    assert current is not None and current.path == installed and current.source == "downloaded"
    assert window.settings.current.model_name == "SmolLM2-135M-Instruct.Q4_1"

    answer = send_and_wait(qtbot, window, "Say hello.")
    assert answer.status == "complete" and answer.content.strip()
    assert answer.model_name == "SmolLM2-135M-Instruct.Q4_1"


def test_with_another_model_installed_the_list_gives_way_to_a_link(
    qtbot: QtBot, make_window: WindowFactory, starter_model: Path
) -> None:
    shutil.copyfile(starter_model, paths.models_dir() / "Another-Model.Q4_1.gguf")
    window = make_window()

    welcome = window.welcome
    assert window.stack.currentWidget() is welcome
    assert not welcome.shows_recommended() and welcome.recommended_title.isHidden()
    assert welcome.hub_button.isVisible() and welcome.hub_button.text() == "Find more models"
    assert welcome.start_button.isVisible()

    qtbot.mouseClick(welcome.hub_button, QtCore.Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.find_models and window.find_models_button.isChecked()
    assert window.focusWidget() is window.find_models.search_edit

    qtbot.mouseClick(window.find_models.back_button, QtCore.Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.chat_page and not window.find_models_button.isChecked()
    assert window.stack.currentWidget() is welcome


def test_the_list_shows_a_stopped_download_as_resumable(
    qtbot: QtBot, window: MainWindow, fake_hub: FakeHub, hub_env: HubConfig
) -> None:
    model = starter_from_the_hub(fake_hub)
    window.welcome.recommended.set_models([model])
    card = window.welcome.recommended.cards()[0]
    fake_hub.faults.throttle_bps = 4_000_000
    with qtbot.waitSignal(window.downloads.download_progressed, timeout=DOWNLOAD_TIMEOUT_MS):
        qtbot.mouseClick(card.download_button, QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: card.download_button.text().endswith("%"))

    key = window.downloads.jobs()[0].key
    with qtbot.waitSignal(window.downloads.download_paused, timeout=DOWNLOAD_TIMEOUT_MS):
        window.downloads.pause(key)
    assert card.download_button.text() == "Resume" and card.download_button.isEnabled()

    with qtbot.waitSignal(window.downloads.download_cancelled):
        window.downloads.cancel(key)
    assert card.download_button.text() == "Download"


def test_with_no_model_at_all_the_first_screen_says_why_and_opens_a_gguf_file(
    qtbot: QtBot, make_window: WindowFactory, monkeypatch: pytest.MonkeyPatch, starter_model: Path
) -> None:
    monkeypatch.setattr(installed, "starter_model_path", lambda: None)  # the default bundle ships no model
    window = make_window()
    welcome = window.welcome
    assert welcome.offers_open_file()
    assert welcome.start_button.isEnabled() and welcome.start_button.text() == "Open a GGUF file…"
    assert welcome.start_note.isVisible() and "No model is on this computer yet" in welcome.start_note.text()
    assert welcome.open_button.isHidden(), "one Open button, not two"
    asked: list[bool] = []
    monkeypatch.setattr(window.model_picker, "choose_gguf_file", lambda: asked.append(True) and None)
    qtbot.mouseClick(welcome.start_button, QtCore.Qt.MouseButton.LeftButton)
    assert asked == [True]
    # Once a model is there, the button starts a chat with it.
    assert installed.installed_models() == []
    welcome.set_model(installed.ModelEntry("mine", starter_model, "imported", starter_model.stat().st_size))
    assert not welcome.offers_open_file() and welcome.start_note.isHidden()
    assert welcome.start_button.text() == "Start chatting with mine"


def test_the_list_goes_fastest_first_and_back_to_the_catalogs_order(qtbot: QtBot, window: MainWindow) -> None:
    listing = window.welcome.recommended
    listing.set_calibration(speed.from_one(speed.assumed_measurement(cores=2)))
    in_catalog = [card.model.id for card in listing.cards()]
    listing.fastest_first.setChecked(True)
    speeds = [card.tokens_per_second or 0.0 for card in listing.shown_order()]
    assert speeds == sorted(speeds, reverse=True) and speeds[0] > speeds[-1]
    y = lambda card: card.mapTo(listing, QtCore.QPoint()).y()  # noqa: E731 - a one-line helper
    qtbot.waitUntil(lambda: [y(card) for card in listing.shown_order()] == sorted(y(c) for c in listing.cards()))
    # A mixture of experts reads few of its weights a word: it moves up past dense models larger per word.
    order = [card.model.id for card in listing.shown_order()]
    assert order.index("granite-4.0-h-tiny") < order.index("lfm2-2.6b")
    listing.fastest_first.setChecked(False)
    assert [card.model.id for card in listing.shown_order()] == in_catalog
