"""The persona editor: edits reach the history, invalid values name their field, the preview is the final prompt."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6 import QtCore
from pytestqt.qtbot import QtBot

from app.core.config.settings import SettingsStore
from app.core.history.store import Store
from app.core.personas.book import PersonaBook
from app.core.personas.persona import display_description, display_name
from app.ui.chat.context_meter import ContextMeter
from app.ui.personas import editor as editor_module
from app.ui.personas.editor import PersonaEditor


def test_the_editor_saves_about_you_previews_the_final_prompt_and_refuses_a_bad_name(
    qtbot: QtBot
) -> None:
    book = PersonaBook(Store())
    settings = SettingsStore()
    editor = PersonaEditor(book, settings)
    qtbot.addWidget(editor)
    editor.about_check.setChecked(True)
    editor.about_edit.setPlainText("I am a nurse in Shanghai.")
    assert editor.preview.toPlainText().endswith("I am a nurse in Shanghai.")
    assert editor.preview.toPlainText().startswith(book.default().system_prompt)
    editor.temperature.setValue(0.3)
    editor.save_button.click()
    assert book.default().sampling.temperature == 0.3 and settings.current.about_you_enabled
    editor.name_edit.setText("   ")
    editor.save_button.click()
    assert "The persona's name is not valid" in editor.error_label.text()
    assert book.default().name == "General assistant"


def test_the_meter_says_how_full_the_context_is_and_how_many_turns_are_out(qtbot: QtBot) -> None:
    meter = ContextMeter()
    qtbot.addWidget(meter)
    meter.show_count(1536, 2048, 3)
    assert meter.bar.value() == 75 and "1536 of 2048" in meter.label.text() and "3 turn" in meter.label.text()
    with qtbot.waitSignal(meter.count_requested) as blocker:
        meter.draft_changed("a long draft")
    assert blocker.args == ["a long draft"]


def test_in_chinese_the_editor_shows_a_built_in_in_chinese_and_saving_keeps_it_shipped(
    qtbot: QtBot
) -> None:
    book = PersonaBook(Store())
    editor = PersonaEditor(book, SettingsStore(), language="zh_CN")
    qtbot.addWidget(editor)
    general = book.default()
    assert editor.name_edit.text() == display_name(general, "zh_CN") != general.name
    assert editor.description_edit.text() == display_description(general, "zh_CN") != general.description
    editor.temperature.setValue(0.4)
    editor.save_button.click()
    saved = book.default()
    assert saved.sampling.temperature == 0.4
    assert (saved.name, saved.description) == (general.name, general.description)  # still the shipped text
    assert editor.prompt_edit.toPlainText().startswith("你是 Parley")  # the shipped Chinese prompt, shown
    assert saved.system_prompt == general.system_prompt  # and stored as the shipped one, so it follows the language


def test_the_editor_says_whether_a_persona_uses_about_you_and_the_preview_follows(qtbot: QtBot) -> None:
    book = PersonaBook(Store())
    settings = SettingsStore()
    editor = PersonaEditor(book, settings)
    qtbot.addWidget(editor)
    assert editor.uses_about_check.accessibleName() or editor.uses_about_check.text()
    editor.about_check.setChecked(True)
    editor.about_edit.setPlainText("I am Ana, from Lisbon.")
    translator = book.find("Translator")
    editor.list.setCurrentRow([p.id for p in book.all()].index(translator.id))
    assert not editor.uses_about_check.isChecked()  # the Translator leaves About you out
    assert "Lisbon" not in editor.preview.toPlainText()
    editor.uses_about_check.setChecked(True)
    assert editor.preview.toPlainText().endswith("I am Ana, from Lisbon.")
    editor.save_button.click()
    assert book.find("Translator").uses_about_you
    editor.uses_about_check.setChecked(False)
    editor.save_button.click()
    assert not book.find("Translator").uses_about_you


def test_the_editor_turns_look_inside_every_answer_on_for_the_persona_shown(qtbot: QtBot) -> None:
    book = PersonaBook(Store())
    editor = PersonaEditor(book, SettingsStore())
    qtbot.addWidget(editor)
    check = editor.look_inside_check
    assert check.accessibleName() == "Look inside every answer" and "remote server" in check.accessibleDescription()
    assert not check.isChecked()  # off as shipped
    coder = book.find("Coder")
    editor.list.setCurrentRow([p.id for p in book.all()].index(coder.id))
    check.setChecked(True)
    editor.save_button.click()
    assert book.find("Coder").look_inside and not book.default().look_inside
    editor.list.setCurrentRow(0)
    assert not check.isChecked()
    editor.list.setCurrentRow([p.id for p in book.all()].index(coder.id))
    assert check.isChecked()  # shown again as stored


def test_export_writes_the_persona_shown_or_all_and_opens_in_documents_then_the_last_folder(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(editor_module, "_last_folder", None)
    book = PersonaBook(Store())
    asked: list[Path] = []
    answers = iter([tmp_path / "one.json", tmp_path / "all.json"])

    def choose(parent: object, saving: bool, suggested: Path) -> Path | None:
        assert saving
        asked.append(suggested)
        return next(answers)

    editor = PersonaEditor(book, SettingsStore(), choose_file=choose)
    qtbot.addWidget(editor)
    precise = next(p for p in book.all() if p.builtin == "precise")
    editor.list.setCurrentRow([p.id for p in book.all()].index(precise.id))

    editor.export_one_action.trigger()

    documents = QtCore.QStandardPaths.writableLocation(QtCore.QStandardPaths.StandardLocation.DocumentsLocation)
    assert asked[0].parent == (Path(documents) if Path(documents).is_dir() else Path.home()), "not the working folder"
    assert asked[0].name == "Q-A-precise.json"
    written = json.loads((tmp_path / "one.json").read_text(encoding="utf-8"))
    assert [p["name"] for p in written["personas"]] == ["Q&A, precise"]
    assert editor.current == precise, "the persona shown stays selected"

    editor.export_all_action.trigger()

    assert asked[1] == tmp_path / "personas.json", "the folder used last"
    written = json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))
    assert len(written["personas"]) == len(book.all()) > 1
    assert [a.text() for a in editor.export_button.menu().actions()] == ["This persona…", "All personas…"]


def test_the_schema_field_checks_as_it_is_typed_previews_an_answer_and_saving_refuses_an_invalid_one(
    qtbot: QtBot,
) -> None:
    book = PersonaBook(Store())
    editor = PersonaEditor(book, SettingsStore())
    qtbot.addWidget(editor)
    field = editor.schema_field
    assert field.status.text() == "Answers are free text." and not field.preview.toPlainText()
    field.edit.setPlainText('{"type": "object", "properties": {"age": {"type": "int"}}}')
    assert field.status.text() == (
        "The JSON Schema cannot be used: the type at #/properties/age is “int”; use string, number, integer, "
        "boolean, object, array or null"
    )
    assert not field.preview.toPlainText()
    editor.save_button.click()
    assert editor.error_label.text().startswith("The persona's JSON Schema is not valid: the type at #/properties/age")
    assert book.default().json_schema == ""
    field.edit.setPlainText('{"type": "object", "properties": {"age": {"type": "integer"}}, "required": ["age"]}')
    assert field.status.text() == "Every answer will be JSON that follows this schema."
    assert json.loads(field.preview.toPlainText()) == {"age": 0}
    editor.save_button.click()
    assert json.loads(book.default().json_schema)["required"] == ["age"]
    editor.list.setCurrentRow(1)
    editor.list.setCurrentRow(0)  # shown again from the history: laid out, and still valid
    assert field.edit.toPlainText().startswith('{\n  "type": "object"') and not field.problem
