""""Look inside" in the window, on the real engine: an answer shaded token by token with its alternatives,
Tab moving from word to word, and "Continue from here with …" making a new version (from a word of the
thinking too, and from a remote server's answer)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from PySide6 import QtCore, QtGui, QtWidgets
from pytestqt.qtbot import QtBot

from app.core.engine.remote.servers import RemoteServers
from app.core.history.store import Store
from app.core.session import look_inside
from app.ui.chat import inside_render
from app.ui.chat.accessible import _links_in
from app.ui.shell.main_window import MainWindow
from tests.core.engine.misbehaving_server import MODEL, delta, misbehaving_server
from tests.ui.chat import screen
from tests.ui.chat.test_chat_flow import start_chatting
from tests.ui.chat.test_reasoning_ui import thinking_window  # noqa: F401 - a fixture
from tests.ui.conftest import ANSWER_TIMEOUT_MS, WindowFactory, send_and_wait

_A = QtGui.QAccessible


def _token_fragments(window: MainWindow, message_id: int, thinking: bool = False) -> list[QtGui.QTextFragment]:
    """The answer's token links (with ``thinking``: its thinking's)."""
    view = window.chat_view
    frame = screen.block_of(view, message_id)
    found: list[QtGui.QTextFragment] = []
    block = view.document().findBlock(frame.firstPosition())
    prefix = f"{inside_render.TOKEN_SCHEME}:{message_id}/" + ("t" if thinking else "")
    while block.isValid() and block.position() <= frame.lastPosition():
        fragments = block.begin()
        while not fragments.atEnd():
            fragment = fragments.fragment()
            href = fragment.charFormat().anchorHref()
            if href.startswith(prefix) and (thinking or href[len(prefix) :].isdigit()):
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


def _look_inside_every_answer(window: MainWindow) -> None:
    """The default persona looks inside every answer (what its editor's checkbox does)."""
    book = window.controller.personas
    book.update(replace(book.default(), look_inside=True))
    window.reload()


def test_a_persona_that_looks_inside_every_answer_shows_it_shaded_by_itself_and_again_when_reopened(
    qtbot: QtBot, make_window: WindowFactory, store: Store
) -> None:
    window = make_window()
    start_chatting(qtbot, window)
    _look_inside_every_answer(window)
    with qtbot.waitSignal(window.controller.looked_inside, timeout=ANSWER_TIMEOUT_MS) as looked:
        answer = send_and_wait(qtbot, window, "Name three fruits.")  # no click on "Look inside"
    assert looked.args[0] == answer.id
    view = window.chat_view
    text = screen.text_of(view, answer.id)
    assert "sure per word on average" in text and "Hide look inside" in text.rpartition("\n")[2]
    assert _token_fragments(window, answer.id)
    stored = store.look_inside(answer.id)
    assert stored is not None and stored.source == "evaluated"

    second = send_and_wait(qtbot, window, "Name a colour.")  # the next answer is not held up, and shaded too
    qtbot.waitUntil(lambda: bool(_token_fragments(window, second.id)), timeout=ANSWER_TIMEOUT_MS)

    screen.click_link(qtbot, view, screen.block_of(view, answer.id), "Hide look inside")
    assert not _token_fragments(window, answer.id)
    window.reload()  # opened again: shaded from the store, without the engine; the one hidden stays so
    assert _token_fragments(window, second.id) and not _token_fragments(window, answer.id)
    window.shutdown()
    reopened = make_window()
    assert _token_fragments(reopened, second.id) and _token_fragments(reopened, answer.id)


def _choose_from_token_menu(qtbot: QtBot, window: MainWindow, fragment: QtGui.QTextFragment) -> list[str]:
    """Clicks a token, as a user would, and picks the first "Continue from here with …" of the menu it opens;
    returns the menu's items."""
    items: list[str] = []

    def choose() -> None:
        menu = QtWidgets.QApplication.activePopupWidget()
        assert isinstance(menu, QtWidgets.QMenu) and menu.accessibleName()
        try:
            items.extend(item.text() for item in menu.actions())
            next(item for item in menu.actions() if item.isEnabled()).trigger()
        finally:
            menu.close()

    QtCore.QTimer.singleShot(0, choose)
    screen.click_position(qtbot, window.chat_view, fragment.position() + fragment.length() // 2)
    return items


def test_a_thinking_answer_looked_inside_shades_its_thinking_when_it_is_opened(
    qtbot: QtBot, thinking_window: tuple[MainWindow, int], store: Store  # noqa: F811 - the fixture
) -> None:
    window, _ = thinking_window
    _look_inside_every_answer(window)
    with qtbot.waitSignal(window.controller.looked_inside, timeout=ANSWER_TIMEOUT_MS) as looked:
        answer = send_and_wait(qtbot, window, "What is the capital of France?")
    data = looked.args[1]
    assert answer.reasoning and data.thinking  # the thinking was evaluated too, before the answer
    written = b"".join(t.token.piece for t in data.thinking).decode("utf-8")
    assert "</think>" in written and answer.reasoning in written
    stored = store.look_inside(answer.id)
    assert stored is not None and len(stored.thinking) == len(data.thinking)
    view = window.chat_view
    assert not _token_fragments(window, answer.id, thinking=True)  # collapsed: nothing of it shows
    view.set_thinking_open(answer.id, True)
    fragments = _token_fragments(window, answer.id, thinking=True)
    assert "While thinking, the model was" in screen.text_of(view, answer.id)
    shown = "".join(f.text() for f in fragments)
    assert shown.replace(" ", "").replace("\n", "") == answer.reasoning.replace(" ", "").replace("\n", "")
    assert all("%" in f.charFormat().toolTip() and "also considered" in f.charFormat().toolTip() for f in fragments)
    assert all(f.charFormat().background().style() != QtCore.Qt.BrushStyle.NoBrush for f in fragments)
    assert _token_fragments(window, answer.id)  # and the answer's own


@pytest.mark.qt_log_ignore("This plugin does not support")  # the offscreen platform's menus
def test_a_word_of_the_thinking_offers_its_alternatives_and_one_makes_a_version_that_thinks_on_from_it(
    qtbot: QtBot, thinking_window: tuple[MainWindow, int], store: Store  # noqa: F811 - the fixture
) -> None:
    window, conversation_id = thinking_window
    _look_inside_every_answer(window)
    with qtbot.waitSignal(window.controller.looked_inside, timeout=ANSWER_TIMEOUT_MS) as looked:
        answer = send_and_wait(qtbot, window, "What is the capital of France?")
    data = looked.args[1]
    view = window.chat_view
    view.set_thinking_open(answer.id, True)
    fragments = _token_fragments(window, answer.id, thinking=True)
    assert all("Click or press Enter to continue from here" in f.charFormat().toolTip() for f in fragments)
    href = f"{inside_render.TOKEN_SCHEME}:{answer.id}/t"
    word = next(f for f in fragments[1:] if view.branch_choices(answer.id, int(
        f.charFormat().anchorHref()[len(href) :]), thinking=True))  # fmt: skip
    index = int(word.charFormat().anchorHref()[len(href) :])
    choices = view.branch_choices(answer.id, index, thinking=True)
    others = [c for c in data.thinking[index].alternatives if c.piece != data.thinking[index].token.piece]
    assert [label for label, _ in choices] == [
        f"Continue from here with {inside_render.quoted(c.text)} ({inside_render.percent(c.probability)})"
        for c in others
    ]
    _, prefix = choices[0]
    assert answer.reasoning and not answer.reasoning.startswith(prefix)

    with qtbot.waitSignal(window.controller.answer_finished, timeout=ANSWER_TIMEOUT_MS) as finished:
        items = _choose_from_token_menu(qtbot, window, word)
    assert items == [label for label, _ in choices]
    branch = finished.args[0]
    assert branch.id != answer.id and branch.reasoning.startswith(prefix) and branch.content.strip()
    versions = store.versions(conversation_id)[branch.id]
    assert (versions.index, versions.count) == (2, 2)
    assert "2/2" in screen.link_line(view, branch.id)
    assert store.message(answer.id).reasoning == answer.reasoning  # ‹ 1/2 › as it was


@pytest.mark.parametrize("looks_inside", [False, True])
def test_a_remote_answer_without_figures_has_look_inside_disabled_saying_why(
    qtbot: QtBot, make_window: WindowFactory, store: Store, looks_inside: bool
) -> None:
    with misbehaving_server([delta("Blue"), delta("."), "[DONE]"]) as url:
        RemoteServers().add("Odd box", url, "")
        window = make_window()
        window.new_conversation()
        if looks_inside:
            _look_inside_every_answer(window)
        remote = window.registry.remote_entry(f"{MODEL} @ Odd box")
        assert remote is not None
        with qtbot.waitSignal(window.models.model_loaded, timeout=ANSWER_TIMEOUT_MS):
            window.use_model(remote, make_default=False)
        answer = send_and_wait(qtbot, window, "Name a colour.")
    assert answer.status == "complete" and answer.content == "Blue."
    view = window.chat_view
    frame = screen.block_of(view, answer.id)
    (link,) = [link for link in _links_in(view.document(), frame) if link.label == "Look inside"]
    reason = (
        "Not available: the server sent no token probabilities with this answer."
        if looks_inside
        else "Not available: this answer was written without asking the server for token probabilities "
        "(Settings → Remote servers can ask for them)."
    )
    assert link.tooltip == reason
    chat = QtGui.QAccessible.queryAccessibleInterface(view)  # as a screen reader meets it
    assert chat is not None
    reply = chat.child(chat.childCount() - 1)
    (item,) = [reply.child(i) for i in range(reply.childCount()) if reply.child(i).text(_A.Text.Name) == "Look inside"]
    assert item.state().disabled and item.text(_A.Text.Description) == reason
    with qtbot.assertNotEmitted(view.look_inside_requested):
        screen.click_link(qtbot, view, frame, "Look inside")


def _with_figures(text: str, logprob: float, other: str) -> dict[str, object]:
    """A streamed chunk carrying ``text`` and, as OpenAI sends them, its token's figures."""

    def token(piece: str, value: float) -> dict[str, object]:
        return {"token": piece, "logprob": value, "bytes": list(piece.encode("utf-8"))}

    figures = {**token(text, logprob), "top_logprobs": [token(text, logprob), token(other, -2.5)]}
    chunk = delta(text)
    chunk["choices"][0]["logprobs"] = {"content": [figures]}  # type: ignore[index]
    return chunk


@pytest.mark.qt_log_ignore("This plugin does not support")  # the offscreen platform's menus
def test_a_remote_answer_with_the_servers_figures_is_shaded_by_itself_and_a_branch_starts_from_it(
    qtbot: QtBot, make_window: WindowFactory, store: Store
) -> None:
    chunks = [_with_figures("Blue", -0.1, "Red"), _with_figures(" sky", -1.6, " sea"), "[DONE]"]
    bodies: list[Any] = []
    with misbehaving_server(chunks, bodies=bodies) as url:
        RemoteServers().add("Odd box", url, "")
        window = make_window()
        window.new_conversation()
        _look_inside_every_answer(window)
        remote = window.registry.remote_entry(f"{MODEL} @ Odd box")
        assert remote is not None
        with qtbot.waitSignal(window.models.model_loaded, timeout=ANSWER_TIMEOUT_MS):
            window.use_model(remote, make_default=False)
        with qtbot.waitSignal(window.controller.looked_inside, timeout=ANSWER_TIMEOUT_MS):
            answer = send_and_wait(qtbot, window, "Name a colour.")
        assert answer.content == "Blue sky"
        fragments = _token_fragments(window, answer.id)
        assert [f.text() for f in fragments] == ["Blue", " sky"]
        low = fragments[1].charFormat()
        assert low.underlineStyle() == QtGui.QTextCharFormat.UnderlineStyle.DotLine and "“ sea”" in low.toolTip()
        assert "The server is asked to go on from the words kept." in low.toolTip()
        offered = [("Continue from here with “ sea” (8%)", "Blue sea")]
        assert window.chat_view.branch_choices(answer.id, 1) == offered
        assert "the ones the server sent" in screen.text_of(window.chat_view, answer.id)
        stored = store.look_inside(answer.id)
        assert stored is not None and stored.source == "streamed" and not stored.has_ids

        with qtbot.waitSignal(window.controller.answer_finished, timeout=ANSWER_TIMEOUT_MS) as finished:
            items = _choose_from_token_menu(qtbot, window, fragments[1])
    assert items == [offered[0][0]]
    assert bodies[-1]["messages"][-1] == {"role": "assistant", "content": "Blue sea"}  # the kept words, to go on
    branch = finished.args[0]
    assert branch.content.startswith("Blue sea")  # (this server streams the same words whatever it is sent)
    versions = store.versions(branch.conversation_id)[branch.id]
    assert (versions.index, versions.count) == (2, 2)
