"""An answer of a persona with a JSON Schema shows as formatted JSON in a code block whose Copy copies it."""

from __future__ import annotations

import json
from dataclasses import replace

from PySide6 import QtGui
from pytestqt.qtbot import QtBot

from tests.ui.chat import screen
from tests.ui.chat.test_chat_view import make_view, message

A = QtGui.QAccessible
ANSWER = '{"city": "Paris", "sights": ["Louvre", "Eiffel Tower"], "note": "```"}'
FORMATTED = json.dumps(json.loads(ANSWER), indent=2)


def test_a_schema_personas_answer_is_formatted_json_that_copy_copies(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    view.json_personas = {5}
    view.show_conversation([message(1, "user", "Paris?"), replace(message(2, "assistant", ANSWER), persona_id=5)])
    shown = screen.text_of(view, 2)
    assert '  "sights": [\n    "Louvre",' in shown  # laid out two spaces to a level, not one line
    chat = A.queryAccessibleInterface(view)
    assert chat is not None
    reply = chat.child(1)
    links = [reply.child(i).text(A.Text.Name) for i in range(reply.childCount())]
    assert links[0] == "Copy code" and "Copy" in links[1:]
    QtGui.QGuiApplication.clipboard().clear()
    with qtbot.waitSignal(view.text_copied):
        reply.child(0).actionInterface().doAction(reply.child(0).actionInterface().pressAction())
    assert QtGui.QGuiApplication.clipboard().text() == FORMATTED + "\n"  # the backticks inside did not end it


def test_json_from_another_persona_or_an_answer_that_is_not_json_shows_as_written(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    view.json_personas = {5}
    cut_short, plain = '{"city": "Par', '{"city": "Paris", "sights": []}'
    view.show_conversation([
        message(1, "user", "Paris?"),
        replace(message(2, "assistant", plain), persona_id=6),
        replace(message(3, "assistant", cut_short, status="stopped"), persona_id=5),
    ])  # fmt: skip
    assert plain in screen.text_of(view, 2)
    assert cut_short in screen.text_of(view, 3)
    assert "Copy code" not in [label for label, _, _ in screen.links(view, screen.block_of(view, 2))]
