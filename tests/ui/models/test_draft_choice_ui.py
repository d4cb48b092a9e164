"""The draft model choice in a model's settings: Auto, None or an installed model; a wrong vocabulary is refused."""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtWidgets
from pytestqt.qtbot import QtBot

from app.core.config.model_settings import ModelSettings
from app.core.config.settings import Settings
from app.core.models.drafts import DRAFT_AUTO, DRAFT_NONE
from app.core.models.installed import ModelEntry
from app.ui.models.manager import draft_refusal
from app.ui.models.settings_dialog import ModelSettingsDialog
from tests.core.engine.worker.test_speculative import with_one_token_renamed


def test_a_draft_with_another_vocabulary_is_refused_in_the_dialog_and_a_matching_one_saved(
    qtbot: QtBot, starter_model: Path, tmp_path: Path
) -> None:
    other_path = with_one_token_renamed(starter_model, tmp_path / "other.gguf")
    main = ModelEntry("Starter", starter_model, "starter", 10**8)
    installed = {str(starter_model): main, str(other_path): ModelEntry("Other", other_path, "file", 10**8)}
    dialog = ModelSettingsDialog(
        "Starter", ModelSettings(), Settings(), None, None,
        [("Starter", str(starter_model)), ("Other", str(other_path))],
        lambda path: draft_refusal(main, installed.get(path)),
    )  # fmt: skip
    qtbot.addWidget(dialog)
    save = dialog.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Save)
    assert dialog.draft_combo.currentData() is DRAFT_AUTO and save.isEnabled()
    assert [dialog.draft_combo.itemText(i) for i in range(dialog.draft_combo.count())] == [
        "Auto", "None", "Starter", "Other"
    ]  # fmt: skip

    dialog.draft_combo.setCurrentIndex(dialog.draft_combo.findData(str(other_path)))
    assert not dialog.draft_error.isHidden() and not save.isEnabled()
    assert dialog.draft_error.text().startswith("The draft model “Other” cannot draft for “Starter”")

    dialog.draft_combo.setCurrentIndex(dialog.draft_combo.findData(str(starter_model)))
    assert dialog.draft_error.isHidden() and save.isEnabled()
    assert dialog.values().draft_model == str(starter_model)
    dialog.draft_combo.setCurrentIndex(dialog.draft_combo.findData(DRAFT_NONE))
    assert dialog.values().draft_model == DRAFT_NONE

    reopened = ModelSettingsDialog("Starter", ModelSettings(draft_model=str(starter_model)), Settings(), None)
    qtbot.addWidget(reopened)
    assert reopened.draft_combo.currentData() == str(starter_model)
