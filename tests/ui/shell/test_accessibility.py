"""Every control a keyboard or screen-reader user meets has a name, a focus ring, and answers are announced."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets
from pytestqt.qtbot import QtBot

from app.core.config.settings import Settings
from app.core.history.store import Store
from app.ui.common.announce import first_sentence
from app.ui.settings.dialog import SettingsDialog
from app.ui.shell.main_window import MainWindow
from app.ui.shell.shortcuts import ShortcutsDialog, bound
from tests.ui.conftest import WindowFactory

_INTERACTIVE = (
    QtWidgets.QAbstractButton,
    QtWidgets.QComboBox,
    QtWidgets.QLineEdit,
    QtWidgets.QAbstractSpinBox,
    QtWidgets.QAbstractItemView,
    QtWidgets.QPlainTextEdit,
    QtWidgets.QTextEdit,
    QtWidgets.QAbstractSlider,
)


def unnamed_controls(root: QtWidgets.QWidget) -> list[str]:
    """The interactive widgets under ``root`` whose accessible name is empty, described for the failure."""
    missing = []
    for widget in [root, *root.findChildren(QtWidgets.QWidget)]:
        if not isinstance(widget, _INTERACTIVE) or isinstance(widget, QtWidgets.QScrollBar):
            continue
        if widget.isHidden():
            continue  # hidden on purpose until it has something to say (a banner's action button, say)
        if widget.focusPolicy() == QtCore.Qt.FocusPolicy.NoFocus and not isinstance(widget, QtWidgets.QAbstractButton):
            continue
        parent = widget.parent()
        own_part = isinstance(parent, QtWidgets.QAbstractSpinBox | QtWidgets.QLineEdit)
        if own_part or widget.objectName().startswith("qt_"):
            continue  # Qt's own parts of a control (a spin box's editor, a clear button): the control has the name
        if parent is not None and parent.inherits("QComboBoxPrivateContainer"):
            continue  # a combo box's popup list: the combo box has the name
        interface = QtGui.QAccessible.queryAccessibleInterface(widget)
        name = interface.text(QtGui.QAccessible.Text.Name) if interface is not None else ""
        if not name.strip():
            missing.append(f"{type(widget).__name__} {widget.objectName()!r} in {type(widget.parent()).__name__}")
    return missing


def every_page(window: MainWindow) -> list[QtWidgets.QWidget]:
    return [window, window.find_models, window.models_page, window.welcome]


def test_every_control_of_every_window_has_an_accessible_name(
    qtbot: QtBot, store: Store, make_window: WindowFactory
) -> None:
    conversation = store.create_conversation("Named")
    store.add_message(conversation.id, "user", "Hello")
    window = make_window()
    missing: list[str] = []
    for page in every_page(window):
        missing += unnamed_controls(page)
    dialog = SettingsDialog(
        Settings(),
        window.registry.models(),
        default=window.registry.default_model(),
        current=None,
        follows_default=False,
        gpu_offload=None,
        parent=window,
    )
    missing += unnamed_controls(dialog)
    missing += unnamed_controls(ShortcutsDialog(bound(window), window))
    assert missing == [], "\n".join(missing)


def test_focusable_controls_show_a_focus_ring(qtbot: QtBot, store: Store, make_window: WindowFactory) -> None:
    conversation = store.create_conversation("Focus")
    store.add_message(conversation.id, "user", "Hello")
    window = make_window()
    window.resize(1000, 700)
    window.activateWindow()
    qtbot.waitActive(window)
    checked = 0
    for widget in (
        window.sidebar.new_button,
        window.sidebar.list,
        window.model_picker,
        window.composer.edit,
        window.find_models_button,
        window.models_button,
        window.settings_button,
    ):
        window.chat_view.setFocus()
        qtbot.waitUntil(lambda: window.chat_view.hasFocus())
        shown = window.composer if widget is window.composer.edit else widget  # the frame draws its edit's ring
        unfocused = shown.grab().toImage()
        widget.setFocus(QtCore.Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(widget.hasFocus, timeout=1000)
        focused = shown.grab().toImage()
        assert focused != unfocused, widget.objectName()
        checked += 1
    assert checked == 7


def test_a_finished_answer_is_announced_with_its_first_sentence(
    qtbot: QtBot, store: Store, make_window: WindowFactory
) -> None:
    window = make_window()
    conversation = store.create_conversation("Paris")
    store.add_message(conversation.id, "user", "Capital of France?")
    answer = store.add_message(
        conversation.id, "assistant", "The capital is **Paris**. It is on the Seine.", model_name="SmolLM2"
    )
    window.show_conversation(conversation.id)
    window.controller.answer_finished.emit(answer)
    assert window.status_label.accessibleDescription() == "Answer ready: The capital is Paris."


def test_first_sentence() -> None:
    assert first_sentence("One. Two.") == "One."
    assert first_sentence("巴黎是法国的首都。它在塞纳河畔。") == "巴黎是法国的首都。"
    assert first_sentence("no end at all") == "no end at all"
    assert len(first_sentence("word " * 200)) <= 200


def test_the_tab_order_follows_the_layout(qtbot: QtBot, store: Store, make_window: WindowFactory) -> None:
    conversation = store.create_conversation("Tabs")
    store.add_message(conversation.id, "user", "Hello")
    window = make_window()
    wanted = [
        window.sidebar.new_button,
        window.sidebar.list,
        window.find_models_button,
        window.models_button,
        window.settings_button,
        window.model_picker,
        window.chat_view,
        window.composer.edit,
    ]
    order: list[QtWidgets.QWidget] = []
    widget = window.sidebar.new_button
    for _ in range(400):
        if widget in wanted and widget not in order:
            order.append(widget)
        widget = widget.nextInFocusChain()
        if widget is window.sidebar.new_button:
            break
    assert order == wanted
