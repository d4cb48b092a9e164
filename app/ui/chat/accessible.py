"""What a screen reader finds in the chat view: a list of messages, each with its links as actions.

The conversation is one read-only document, so Qt alone exposes it as a single text. Here the view's
accessible interface is a list whose children are the laid-out messages (list items named by their
author and first line, described by their text); each message's children are the links under and in
it (Edit, Copy, Regenerate, ‹ ›, Continue, a code block's Copy, "Show thinking", web links), and its
actions are the same links: pressing one does what a click on it does. Each item is backed by a
small QObject so that Qt's accessibility cache forgets it when it goes. Nothing is built until an
assistive technology (or a test) asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, cast

import shiboken6
from PySide6 import QtCore, QtGui, QtWidgets

from app.ui.chat import inside_render, message_links
from app.ui.chat.blocks import ShownMessage, header
from app.ui.common import markdown_render


class _ListsMessages(Protocol):
    def shown_messages(self) -> list[ShownMessage]: ...


# The chat view (app.ui.chat.view, which installs this layer) as this module sees it: a text browser
# that lists the messages it shows (``_ListsMessages``). Not imported, so that the view can import this.
ChatView = QtWidgets.QTextBrowser

_A = QtGui.QAccessible
# PySide's stubs say child(), parent(), focusChild() and childAt() always return an interface and
# interface_cast() an int; Qt's null interface is None, and the cast must return a VoidPtr: hence the
# "type: ignore[override]" on those methods below.
_NAME_LENGTH = 120  # a message's accessible name holds at most this much of its first line
_installed = False


def install() -> None:
    """Makes Qt ask this module for the chat view's accessible interface (once per process)."""
    global _installed
    if not _installed:
        _A.installFactory(_factory)
        _installed = True


def _factory(key: str, obj: QtCore.QObject) -> QtGui.QAccessibleInterface | None:
    if key == "ChatView" and isinstance(obj, QtWidgets.QTextBrowser):
        return ConversationAccessible(obj)
    if isinstance(obj, _MessageNode):
        return _MessageAccessible(obj)
    if isinstance(obj, _LinkNode):
        return _LinkAccessible(obj)
    return None


def _translate(text: str) -> str:
    return QtCore.QCoreApplication.translate("ChatAccessible", text)


@dataclass
class _Link:
    """One link in a message's frame, read back from the document."""

    href: str
    label: str
    tooltip: str
    start: int
    end: int

    @property
    def name(self) -> str:
        scheme = QtCore.QUrl(self.href).scheme()
        if scheme == markdown_render.COPY_SCHEME:
            return _translate("Copy code")
        if self.href.startswith(f"{message_links.ACTION_SCHEME}:version/"):
            return self.tooltip or self.label  # "‹" and "›" say nothing read aloud
        if scheme == inside_render.TOKEN_SCHEME:  # a word looked inside: it, its probability, "low confidence"
            return self.tooltip.split("\n", 1)[0] or self.label
        return self.label.lstrip("▸▾ ").strip()


def _links_in(document: QtGui.QTextDocument, frame: QtGui.QTextFrame) -> list[_Link]:
    """The links of one message, in reading order; a link split over fragments counts once."""
    links: list[_Link] = []
    block = document.findBlock(frame.firstPosition())
    while block.isValid() and block.position() <= frame.lastPosition():
        parts = block.begin()
        while not parts.atEnd():
            fragment = parts.fragment()
            parts += 1
            fmt = fragment.charFormat()
            if not fmt.isAnchor() or not fmt.anchorHref():
                continue
            start, end = fragment.position(), fragment.position() + fragment.length()
            href = fmt.anchorHref()
            if links and links[-1].href == href and links[-1].end == start:
                links[-1].label += fragment.text()
                links[-1].end = end
            else:
                links.append(_Link(href, fragment.text(), fmt.toolTip(), start, end))
        block = block.next()
    return links


class _LinkNode(QtCore.QObject):
    """Stands for one link, so that it has an accessible interface of its own."""

    def __init__(self, link: _Link, message: _MessageNode) -> None:
        super().__init__(message)
        self.link = link
        self.message = message


class _MessageNode(QtCore.QObject):
    """Stands for one laid-out message and owns its links' nodes."""

    def __init__(self, shown: ShownMessage, view: ChatView, conversation: ConversationAccessible) -> None:
        super().__init__(view)
        self.view = view
        self.conversation = conversation
        self.shown = shown
        self.links: list[_LinkNode] = []

    def update(self, shown: ShownMessage) -> None:
        """Reads the message's links again; nodes are kept where the links stayed the same."""
        self.shown = shown
        found = _links_in(self.view.document(), shown.frame)
        if [(n.link.href, n.link.label) for n in self.links] == [(link.href, link.label) for link in found]:
            for node, link in zip(self.links, found, strict=True):
                node.link = link
            return
        for node in self.links:
            node.deleteLater()
        self.links = [_LinkNode(link, self) for link in found]

    def text(self) -> str:
        """The message as the reader sees it."""
        message = self.shown.message
        return self.shown.text if message.role == "user" else markdown_render.plain_text(self.shown.text)

    def press(self, node: _LinkNode) -> None:
        """Does what a click on the link does."""
        self.view.anchorClicked.emit(QtCore.QUrl(node.link.href))

    def focused_link(self) -> _LinkNode | None:
        """The link the keyboard is on (Tab in the view selects a link), if it is one of this message's."""
        if not self.view.hasFocus():
            return None
        cursor = self.view.textCursor()
        for node in self.links:
            if cursor.selectionStart() == node.link.start and cursor.selectionEnd() == node.link.end:
                return node
        return None


def _action_cast(interface: QtGui.QAccessibleInterface, kind: QtGui.QAccessible.InterfaceType) -> object:
    """``interface_cast`` for a Python interface that is also a QAccessibleActionInterface: the
    pointer to its action half (the second C++ object behind it), as Qt's C++ callers need."""
    if kind == _A.InterfaceType.ActionInterface:
        return shiboken6.VoidPtr(shiboken6.getCppPointer(interface)[1])
    return shiboken6.VoidPtr(0)


def _view_rect(view: ChatView, rect: QtCore.QRectF) -> QtCore.QRect:
    """A rectangle in document coordinates, in screen coordinates."""
    bar_x, bar_y = view.horizontalScrollBar().value(), view.verticalScrollBar().value()
    local = rect.toAlignedRect().translated(-bar_x, -bar_y)
    return QtCore.QRect(view.viewport().mapToGlobal(local.topLeft()), local.size())


class ConversationAccessible(QtWidgets.QAccessibleWidget):
    """The chat view as a list of its laid-out messages."""

    def __init__(self, view: ChatView) -> None:
        super().__init__(view, _A.Role.List, view.accessibleName())
        self._view = view
        self._nodes: dict[int, _MessageNode] = {}
        self._order: list[_MessageNode] = []
        self._dirty = True
        self._changed = QtCore.QTimer(view, singleShot=True, interval=200)
        self._changed.timeout.connect(self._on_changed_timeout)
        view.document().contentsChanged.connect(self._on_document_contents_changed)
        view.selectionChanged.connect(self._on_view_selection_changed)

    def messages(self) -> list[_MessageNode]:
        """The message nodes in reading order, brought up to date with the document."""
        if self._dirty:
            self._dirty = False
            shown = cast(_ListsMessages, self._view).shown_messages()
            alive = {item.message.id for item in shown}
            for message_id in [i for i in self._nodes if i not in alive]:
                self._nodes.pop(message_id).deleteLater()
            for item in shown:
                node = self._nodes.get(item.message.id)
                if node is None:
                    node = self._nodes[item.message.id] = _MessageNode(item, self._view, self)
                node.update(item)
            self._order = [self._nodes[item.message.id] for item in shown]
        return self._order

    def text(self, kind: QtGui.QAccessible.Text) -> str:
        if kind == _A.Text.Name:
            return self._view.accessibleName()
        return str(super().text(kind))

    def childCount(self) -> int:  # noqa: N802 - Qt's name
        return len(self.messages())

    def child(self, index: int) -> QtGui.QAccessibleInterface | None:  # type: ignore[override]
        nodes = self.messages()
        return _A.queryAccessibleInterface(nodes[index]) if 0 <= index < len(nodes) else None

    def indexOfChild(self, child: QtGui.QAccessibleInterface) -> int:  # noqa: N802 - Qt's name
        nodes = self.messages()
        obj = child.object() if child is not None else None
        return nodes.index(obj) if isinstance(obj, _MessageNode) and obj in nodes else -1

    def childAt(self, x: int, y: int) -> QtGui.QAccessibleInterface | None:  # type: ignore[override]  # noqa: N802
        for node in self.messages():
            interface = _A.queryAccessibleInterface(node)
            if interface is not None and interface.rect().contains(x, y):
                return interface
        return None

    def focusChild(self) -> QtGui.QAccessibleInterface | None:  # type: ignore[override]  # noqa: N802
        for node in self.messages():
            link = node.focused_link()
            if link is not None:
                return _A.queryAccessibleInterface(link)
        return None

    @QtCore.Slot()
    def _on_document_contents_changed(self) -> None:
        self._dirty = True
        if _A.isActive():
            self._changed.start()

    @QtCore.Slot()
    def _on_changed_timeout(self) -> None:
        _A.updateAccessibility(QtGui.QAccessibleEvent(self._view, _A.Event.ObjectReorder))

    @QtCore.Slot()
    def _on_view_selection_changed(self) -> None:
        if not _A.isActive():
            return
        focus = self.focusChild()
        if focus is not None:
            _A.updateAccessibility(QtGui.QAccessibleEvent(focus.object(), _A.Event.Focus))


class _MessageAccessible(QtGui.QAccessibleObject, QtGui.QAccessibleActionInterface):
    """One message: a list item named by its author and first line, whose actions are its links."""

    def __init__(self, node: _MessageNode) -> None:
        QtGui.QAccessibleObject.__init__(self, node)
        QtGui.QAccessibleActionInterface.__init__(self)
        self._node = node

    def role(self) -> QtGui.QAccessible.Role:
        return _A.Role.ListItem

    def state(self) -> QtGui.QAccessible.State:
        state = QtGui.QAccessible.State()
        state.readOnly = True
        state.focused = self._node.focused_link() is not None
        viewport = self._node.view.viewport()
        state.offscreen = not QtCore.QRect(viewport.mapToGlobal(QtCore.QPoint()), viewport.size()).intersects(
            self.rect()
        )
        return state

    def text(self, kind: QtGui.QAccessible.Text) -> str:
        if kind == _A.Text.Name:
            first_line = self._node.text().strip().partition("\n")[0][:_NAME_LENGTH]
            author = header(self._node.shown.message)
            return f"{author}: {first_line}" if first_line else author
        if kind in (_A.Text.Description, _A.Text.Value):
            return self._node.text()
        return ""

    def rect(self) -> QtCore.QRect:
        layout = self._node.view.document().documentLayout()
        return _view_rect(self._node.view, layout.frameBoundingRect(self._node.shown.frame))

    def parent(self) -> QtGui.QAccessibleInterface | None:  # type: ignore[override]
        return _A.queryAccessibleInterface(self._node.view)

    def childCount(self) -> int:  # noqa: N802 - Qt's name
        return len(self._node.links)

    def child(self, index: int) -> QtGui.QAccessibleInterface | None:  # type: ignore[override]
        links = self._node.links
        return _A.queryAccessibleInterface(links[index]) if 0 <= index < len(links) else None

    def indexOfChild(self, child: QtGui.QAccessibleInterface) -> int:  # noqa: N802 - Qt's name
        obj = child.object() if child is not None else None
        return self._node.links.index(obj) if isinstance(obj, _LinkNode) and obj in self._node.links else -1

    def focusChild(self) -> QtGui.QAccessibleInterface | None:  # type: ignore[override]  # noqa: N802
        link = self._node.focused_link()
        return _A.queryAccessibleInterface(link) if link is not None else None

    def interface_cast(self, kind: QtGui.QAccessible.InterfaceType) -> object:  # type: ignore[override]
        return _action_cast(self, kind)

    def actionNames(self) -> list[str]:  # noqa: N802 - Qt's name
        return [node.link.name for node in self._node.links]

    def localizedActionName(self, name: str) -> str:  # noqa: N802 - Qt's name
        return name

    def localizedActionDescription(self, name: str) -> str:  # noqa: N802 - Qt's name
        return next((node.link.tooltip for node in self._node.links if node.link.name == name), "")

    def doAction(self, name: str) -> None:  # noqa: N802 - Qt's name
        node = next((node for node in self._node.links if node.link.name == name), None)
        if node is not None:
            self._node.press(node)

    def keyBindingsForAction(self, name: str) -> list[str]:  # noqa: N802 - Qt's name
        del name
        return []


class _LinkAccessible(QtGui.QAccessibleObject, QtGui.QAccessibleActionInterface):
    """One link of a message: pressing it does what a click does."""

    def __init__(self, node: _LinkNode) -> None:
        QtGui.QAccessibleObject.__init__(self, node)
        QtGui.QAccessibleActionInterface.__init__(self)
        self._node = node

    def role(self) -> QtGui.QAccessible.Role:
        return _A.Role.Link

    def state(self) -> QtGui.QAccessible.State:
        state = QtGui.QAccessible.State()
        state.focusable = True
        state.linked = True
        state.focused = self._node.message.focused_link() is self._node
        # "Look inside" on an answer it cannot be done for: there, disabled, its description says why.
        state.disabled = self._node.link.href.startswith(f"{message_links.ACTION_SCHEME}:{message_links.UNAVAILABLE}/")
        return state

    def text(self, kind: QtGui.QAccessible.Text) -> str:
        link = self._node.link
        if kind == _A.Text.Name:
            return link.name
        if kind == _A.Text.Description:
            return link.tooltip if link.tooltip not in (link.name, link.label) else ""
        if kind == _A.Text.Value and QtCore.QUrl(link.href).scheme() in ("http", "https", "mailto"):
            return link.href
        return ""

    def rect(self) -> QtCore.QRect:
        view = self._node.message.view
        cursor = QtGui.QTextCursor(view.document())
        cursor.setPosition(self._node.link.start)
        first = view.cursorRect(cursor)
        cursor.setPosition(self._node.link.end)
        local = first.united(view.cursorRect(cursor))
        return QtCore.QRect(view.viewport().mapToGlobal(local.topLeft()), local.size())

    def parent(self) -> QtGui.QAccessibleInterface | None:  # type: ignore[override]
        return _A.queryAccessibleInterface(self._node.message)

    def childCount(self) -> int:  # noqa: N802 - Qt's name
        return 0

    def child(self, index: int) -> QtGui.QAccessibleInterface | None:  # type: ignore[override]
        del index
        return None

    def indexOfChild(self, child: QtGui.QAccessibleInterface) -> int:  # noqa: N802 - Qt's name
        del child
        return -1

    def interface_cast(self, kind: QtGui.QAccessible.InterfaceType) -> object:  # type: ignore[override]
        return _action_cast(self, kind)

    def actionNames(self) -> list[str]:  # noqa: N802 - Qt's name
        return [self.pressAction()]

    def doAction(self, name: str) -> None:  # noqa: N802 - Qt's name
        if name == self.pressAction():
            self._node.message.press(self._node)

    def keyBindingsForAction(self, name: str) -> list[str]:  # noqa: N802 - Qt's name
        del name
        return []
