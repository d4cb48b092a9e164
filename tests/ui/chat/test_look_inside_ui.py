""""Look inside" in the window, on the real engine: an answer shaded token by token with its alternatives,
Tab moving from word to word, and "Continue from here with …" making a new version."""

from __future__ import annotations

from PySide6 import QtCore, QtGui
from pytestqt.qtbot import QtBot

from app.core.history.store import Store
from app.core.session import look_inside
from app.ui.chat import inside_render
from app.ui.chat.accessible import _links_in
from app.ui.shell.main_window import MainWindow
from tests.ui.chat import screen
from tests.ui.chat.test_chat_flow import start_chatting
from tests.ui.conftest import ANSWER_TIMEOUT_MS, send_and_wait


def _token_fragments(window: MainWindow, message_id: int) -> list[QtGui.QTextFragment]:
    view = window.chat_view
    frame = screen.block_of(view, message_id)
    found: list[QtGui.QTextFragment] = []
    block = view.document().findBlock(frame.firstPosition())
    while block.isValid() and block.position() <= frame.lastPosition():
        fragments = block.begin()
        while not fragments.atEnd():
            fragment = fragments.fragment()
            if fragment.charFormat().anchorHref().startswith(f"{inside_render.TOKEN_SCHEME}:"):
                found.append(fragment)
            fragments += 1
        block = block.next()
    return found


def test_look_inside_shades_each_word_and_a_branch_takes_an_alternative(
    qtbot: QtBot, window: MainWindow, store: Store
) -> None:
    conversation_id = start_chatting(qtbot, window)
    answer = send_and_wait(qtbot, window, "Name three fruits.")
    view = window.chat_view
    assert "Look inside" in screen.text_of(view, answer.id).rpartition("\n")[2]

    with qtbot.waitSignal(window.controller.looked_inside, timeout=ANSWER_TIMEOUT_MS) as looked:
        screen.click_link(qtbot, view, screen.block_of(view, answer.id), "Look inside")
    data = looked.args[1]
    assert store.look_inside(answer.id) is not None  # kept: it opens again without the engine

    text = screen.text_of(view, answer.id)
    assert "sure per word on average" in text and "hesitated most" in text
    assert "Hide look inside" in text.rpartition("\n")[2]
    fragments = _token_fragments(window, answer.id)
    words = "".join(f.text() for f in fragments)  # every word a link; the line breaks between them are not
    assert words.replace(" ", "") == answer.content.replace(" ", "").replace("\n", "")
    low = [f for f in fragments if "low confidence" in f.charFormat().toolTip()]
    sure = [f for f in fragments if "low confidence" not in f.charFormat().toolTip()]
    assert low and sure
    dotted = QtGui.QTextCharFormat.UnderlineStyle.DotLine
    assert all(f.charFormat().underlineStyle() == dotted for f in low)  # never colour alone
    assert all(f.charFormat().underlineStyle() != dotted for f in sure)
    assert all("%" in f.charFormat().toolTip() and "also considered" in f.charFormat().toolTip() for f in fragments)
    names = [link.name for link in _links_in(view.document(), screen.block_of(view, answer.id))]
    assert any(name.endswith("low confidence") for name in names)  # what a screen reader says

    view.setFocus()
    cursor = QtGui.QTextCursor(view.document())
    cursor.setPosition(fragments[0].position())
    view.setTextCursor(cursor)
    qtbot.keyClick(view, QtCore.Qt.Key.Key_Tab)
    first = view.textCursor().selectedText()
    qtbot.keyClick(view, QtCore.Qt.Key.Key_Tab)
    assert view.textCursor().selectedText() != first and view.textCursor().hasSelection()  # word by word

    index = next(i for i, t in enumerate(data.tokens) if t.token.probability < look_inside.LOW_CONFIDENCE)
    choices = view.branch_choices(answer.id, index)
    assert choices and all(label.startswith("Continue from here with “") for label, _ in choices)
    _, prefix = choices[0]
    with qtbot.waitSignal(window.controller.answer_finished, timeout=ANSWER_TIMEOUT_MS) as finished:
        view.branch_requested.emit(answer.id, prefix)  # what the token's menu item does
    branch = finished.args[0]
    assert branch.id != answer.id and branch.content.startswith(prefix)
    versions = store.versions(conversation_id)[branch.id]
    assert (versions.index, versions.count) == (2, 2)
    assert "2/2" in screen.link_line(view, branch.id)
