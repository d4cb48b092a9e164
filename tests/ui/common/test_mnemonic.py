"""The mnemonic helper: user text keeps its ampersands on a Qt label; a label reads without its mnemonic."""

from __future__ import annotations

from PySide6 import QtGui
from pytestqt.qtbot import QtBot

from app.ui.common.mnemonic import literal, without_mnemonic


def test_literal_text_on_an_action_shows_every_ampersand(qtbot: QtBot) -> None:
    action = QtGui.QAction(literal("Q&A, precise & R&D"))
    assert action.text() == "Q&&A, precise && R&&D"
    assert action.iconText() == "Q&A, precise & R&D", "what the menu draws: no ampersand became a mnemonic"
    assert without_mnemonic(action.text()) == "Q&A, precise & R&D"


def test_without_mnemonic_drops_only_the_mnemonic_marks() -> None:
    assert without_mnemonic("&Models") == "Models"
    assert without_mnemonic("Q&&A") == "Q&A"
    assert without_mnemonic(literal("a && b")) == "a && b"
