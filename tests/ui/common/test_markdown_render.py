"""Answers as rich text: highlighted code with Copy, safe links and images, math, streaming, copying messages."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PySide6 import QtCore, QtGui, QtWidgets
from pytestqt.qtbot import QtBot

from app.ui.chat.view import ChatView
from tests.ui.chat import screen
from tests.ui.chat.test_chat_view import char_format_at, make_view, message

CODE = 'def fib(n: int) -> int:\n    return n if n < 2 else fib(n - 1) + fib(n - 2)  # "quoted" <tag>\n'
ANSWER = f"Here it is:\n\n```python\n{CODE}```\n\nAnd a shell line:\n\n```\nls -la ~\n```\n"


def click_text(qtbot: QtBot, view: ChatView, text: str, occurrence: int = 0) -> None:
    """Clicks the middle of the ``occurrence``-th ``text`` in the view, as a user would."""
    cursor = QtGui.QTextCursor(view.document())
    for _ in range(occurrence + 1):
        cursor = view.document().find(text, cursor)
        assert not cursor.isNull(), text
    middle = QtGui.QTextCursor(view.document())
    middle.setPosition((cursor.selectionStart() + cursor.selectionEnd()) // 2)
    view.ensureCursorVisible()
    view.setTextCursor(middle)
    view.ensureCursorVisible()
    rect = view.cursorRect(middle)
    qtbot.mouseClick(view.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=rect.center())


def choose_from_context_menu(view: ChatView, text: str, action: str) -> None:
    """Right-clicks ``text`` in the view and picks ``action`` from the menu that opens."""
    chosen: list[str] = []

    def choose() -> None:
        menu = QtWidgets.QApplication.activePopupWidget()
        assert isinstance(menu, QtWidgets.QMenu)
        try:
            for item in menu.actions():
                if item.text() == action:
                    chosen.append(action)
                    item.trigger()
        finally:
            menu.close()

    position = view.cursorRect(QtGui.QTextCursor(view.document().find(text))).center()
    QtCore.QTimer.singleShot(0, choose)
    reason = QtGui.QContextMenuEvent.Reason.Mouse
    event = QtGui.QContextMenuEvent(reason, position, view.viewport().mapToGlobal(position))
    QtWidgets.QApplication.sendEvent(view.viewport(), event)
    assert chosen == [action], f"the menu had no {action!r}"


def test_code_blocks_are_highlighted_and_labelled(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    view.show_conversation([message(1, "assistant", ANSWER)])
    keyword = char_format_at(view, "ef fib").foreground().color()  # "def"
    name = char_format_at(view, "ib(n: int)").foreground().color()
    comment = char_format_at(view, '# "quoted"').foreground().color()
    text = char_format_at(view, "ere it is").foreground().color()
    assert len({keyword.name(), name.name(), comment.name()}) == 3
    assert text.name() not in {keyword.name(), comment.name()}
    lines = screen.texts(view)[0].splitlines()
    assert "python" in lines and lines.count("Copy") == 2  # the label, and a Copy link per block
    assert '# "quoted" <tag>' in screen.texts(view)[0]


def test_code_is_shown_in_a_monospace_font_on_screen(qtbot: QtBot) -> None:
    # Measured in the laid-out document (as the screen shows it), not through a font flag that
    # depends on which fonts are installed: in a monospace font "iiiiiiii" is as wide as "WWWWWWWW".
    view = make_view(qtbot)
    view.show_conversation([message(1, "assistant", "```\niiiiiiii\nWWWWWWWW\n```\n\niiiiiiii\n\nWWWWWWWW\n")])

    def width(text: str, occurrence: int) -> int:
        cursor = QtGui.QTextCursor(view.document())
        for _ in range(occurrence + 1):
            cursor = view.document().find(text, cursor)
        start = QtGui.QTextCursor(view.document())
        start.setPosition(cursor.selectionStart())
        end = QtGui.QTextCursor(view.document())
        end.setPosition(cursor.selectionEnd())
        return view.cursorRect(end).left() - view.cursorRect(start).left()

    assert abs(width("iiiiiiii", 0) - width("WWWWWWWW", 0)) <= 2
    assert width("WWWWWWWW", 1) > width("iiiiiiii", 1) * 1.5  # the prose font is proportional


def test_the_copy_link_puts_exactly_the_code_on_the_clipboard(qtbot: QtBot, qapp: QtWidgets.QApplication) -> None:
    view = make_view(qtbot)
    view.show_conversation([message(1, "user", "Show me"), message(2, "assistant", ANSWER)])
    qapp.clipboard().clear()
    # The first "Copy" is the user's message's own link (its text); the code blocks' come next.
    with qtbot.waitSignal(view.text_copied):
        click_text(qtbot, view, "Copy", 1)
    assert qapp.clipboard().text() == CODE
    with qtbot.waitSignal(view.text_copied):
        click_text(qtbot, view, "Copy", 1)  # the first block's link reads "Copied" now: this is the second's
    assert qapp.clipboard().text() == "ls -la ~\n"


def test_a_copy_link_says_copied_for_a_moment_and_tells_a_screen_reader(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    view.show_conversation([message(1, "assistant", ANSWER)])
    before = [label for label, _, _ in screen.links(view, screen.blocks(view)[0])]
    assert before.count("Copy") == 3  # two code blocks and the message's own link
    with qtbot.waitSignal(view.text_copied):
        click_text(qtbot, view, "Copy", 1)
    labels = [label for label, _, _ in screen.links(view, screen.blocks(view)[0])]
    assert labels.count("Copied") == 1 and labels.index("Copied") == before.index("Copy") + 1
    assert view.accessibleDescription() == "Copied to the clipboard."
    qtbot.waitUntil(lambda: [label for label, _, _ in screen.links(view, screen.blocks(view)[0])] == before)
    with qtbot.waitSignal(view.text_copied):  # the link still works after it was relabelled
        click_text(qtbot, view, "Copy", 1)


def test_a_long_code_line_wraps_inside_its_block_and_copies_whole(qtbot: QtBot, qapp: QtWidgets.QApplication) -> None:
    view = make_view(qtbot)
    line = "result = " + " + ".join(f"value_{n}" for n in range(60))
    view.show_conversation([message(1, "assistant", f"```python\n{line}\n```\n")])
    assert view.horizontalScrollBar().maximum() == 0, "the chat does not scroll sideways"
    start = view.document().find("value_0")
    end = view.document().find("value_59")
    assert view.cursorRect(end).top() > view.cursorRect(start).top(), "the line wrapped"
    assert abs(char_width(view, "iiii") - char_width(view, "WWWW")) <= 2, "in the code's fixed font"
    with qtbot.waitSignal(view.text_copied):
        click_text(qtbot, view, "Copy", 0)
    assert qapp.clipboard().text() == line + "\n"


def char_width(view: ChatView, text: str) -> int:
    """The on-screen width of ``text`` typed into the view's code block (the fixed font)."""
    cursor = view.document().find("value_1")
    fmt = cursor.charFormat()
    metrics = QtGui.QFontMetrics(fmt.font())
    return metrics.horizontalAdvance(text)


@pytest.mark.qt_log_ignore("This plugin does not support")  # the offscreen platform's menus
def test_a_whole_message_copies_as_text_or_as_markdown(qtbot: QtBot, qapp: QtWidgets.QApplication) -> None:
    view = make_view(qtbot)
    source = "Some **bold** words and `code`.\n\n- one\n- two\n"
    view.show_conversation([message(1, "assistant", source)])
    choose_from_context_menu(view, "bold", "Copy message")
    copied = qapp.clipboard().text()
    assert "Some bold words and code." in copied and "**" not in copied and "one" in copied
    choose_from_context_menu(view, "bold", "Copy message as Markdown")
    assert qapp.clipboard().text() == source
    view.copy_message(1)  # what the window's "Copy last answer" does
    assert qapp.clipboard().text() == copied


def test_raw_html_is_shown_as_text(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    view.show_conversation([message(1, "assistant", '<script>alert(1)</script>\n\nA <b>bold</b> <a href="x">y</a>')])
    shown = screen.texts(view)[0]
    assert "<script>alert(1)</script>" in shown and '<b>bold</b> <a href="x">y</a>' in shown
    assert char_format_at(view, "bold</b>").fontWeight() < QtGui.QFont.Weight.Bold


class _CountingServer(ThreadingHTTPServer):
    requests = 0


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        assert isinstance(self.server, _CountingServer)
        self.server.requests += 1
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        del format, args


@pytest.fixture
def counting_server() -> Iterator[_CountingServer]:
    server = _CountingServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_images_remote_or_local_are_links_and_nothing_is_fetched_or_read(
    qtbot: QtBot, tmp_path: Path, counting_server: _CountingServer
) -> None:
    local = tmp_path / "secret.png"
    local.write_bytes(b"not really a png")
    remote = f"http://127.0.0.1:{counting_server.server_address[1]}/pixel.png"
    answer = f"![tracker]({remote}) and ![file]({local}) and ![hosts](/etc/hosts)"
    requested: list[str] = []

    class RecordingView(ChatView):
        def loadResource(self, kind: int, name: QtCore.QUrl | str) -> object:  # noqa: N802 - Qt's name
            requested.append(str(name))
            return super().loadResource(kind, name)

    view = RecordingView()
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    view.show_conversation([message(1, "assistant", answer)])
    view.viewport().repaint()
    qtbot.wait(50)
    assert counting_server.requests == 0
    assert requested == []
    document = view.document()
    block = document.begin()
    while block.isValid():
        for part in block.textFormats():
            assert not part.format.isImageFormat()
        block = block.next()
    shown = screen.texts(view)[0]
    assert "[Image: tracker]" in shown and "[Image: file]" in shown and "[Image: hosts]" in shown
    assert char_format_at(view, "Image: tracker").anchorHref() == remote
    assert char_format_at(view, "Image: tracker").toolTip() == remote  # the address shows on hover


def test_a_link_opens_in_the_browser_only_on_a_click(qtbot: QtBot) -> None:
    opened: list[QtCore.QUrl] = []

    class Catcher(QtCore.QObject):
        @QtCore.Slot(QtCore.QUrl)
        def open(self, url: QtCore.QUrl) -> None:
            opened.append(url)

    catcher = Catcher()
    QtGui.QDesktopServices.setUrlHandler("https", catcher, "open")
    try:
        view = make_view(qtbot)
        view.show_conversation([message(1, "assistant", "Read [the manual](https://example.org/manual) first.")])
        assert opened == []
        assert char_format_at(view, "the manual").toolTip() == "https://example.org/manual"
        click_text(qtbot, view, "the manual")
        assert [url.toString() for url in opened] == ["https://example.org/manual"]
    finally:
        QtGui.QDesktopServices.unsetUrlHandler("https")


def test_math_is_shown_unmangled_in_monospace(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    view.show_conversation([message(1, "assistant", "Inline $a_1 * b_2 = c_3$ here.\n\n$$\n\\sum_{i=1}^n x_i\n$$\n")])
    shown = screen.texts(view)[0]
    assert "a_1 * b_2 = c_3" in shown and "\\sum_{i=1}^n x_i" in shown
    assert char_format_at(view, "_1 * b_2").fontFamilies() == char_format_at(view, "sum_{i").fontFamilies()
    assert char_format_at(view, "_1 * b_2").fontFamilies() != char_format_at(view, "nline").fontFamilies()


def test_markdown_structures_render(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    source = "# Heading\n\n> quoted\n\n1. first\n2. second\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~gone~~"
    view.show_conversation([message(1, "assistant", source)])
    shown = screen.texts(view)[0]
    assert "#" not in shown and "|" not in shown and "~~" not in shown
    assert char_format_at(view, "eading").fontPointSize() > char_format_at(view, "uoted").fontPointSize() or (
        char_format_at(view, "eading").fontWeight() > char_format_at(view, "uoted").fontWeight()
    )
    assert char_format_at(view, "one").fontStrikeOut()
    tables = [frame for frame in view.document().rootFrame().childFrames()[0].childFrames()]
    assert any(isinstance(frame, QtGui.QTextTable) and frame.rows() == 2 for frame in tables)


def test_streaming_rerenders_only_the_growing_answer_and_an_open_fence_is_code(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    view.show_conversation(
        [message(1, "user", "Hi"), message(2, "assistant", ANSWER), message(3, "assistant", "", "streaming")]
    )
    growing = view.document().rootFrame().childFrames()[2]
    earliest: list[int] = []
    view.document().contentsChange.connect(lambda position, removed, added: earliest.append(position))
    before = screen.texts(view)[:2]
    view.append_to_answer(3, "Code:\n\n```python\nx = 1\nfor i in range(3):\n")
    qtbot.waitUntil(lambda: "range(3)" in screen.texts(view)[2])
    assert earliest and min(earliest) >= growing.firstPosition()
    assert screen.texts(view)[:2] == before
    # The fence is not closed yet, and still the code shows as code: highlighted and labelled.
    with qtbot.waitSignal(view.text_copied) as copied:
        screen.click_link(qtbot, view, growing, "Copy")
    assert copied.args == ["x = 1\nfor i in range(3):\n"]
    assert char_format_at(view, "or i in").foreground().color() != char_format_at(view, "ode:").foreground().color()
