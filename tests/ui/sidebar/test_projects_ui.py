"""Projects in the sidebar, as a user works them: sections with their chats, a chat dragged in and out,
"Move to project…", the project's menu (new chat, edit, archive, delete with the choice)."""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtGui, QtWidgets
from pytestqt.qtbot import QtBot

from app.core.history.store import Store
from app.core.history.types import LibraryChoice
from app.core.projects.project import ProjectDraft
from app.ui.shell.main_window import MainWindow
from app.ui.sidebar.panel import Sidebar
from app.ui.sidebar.project_dialog import ProjectChoices, ProjectDialog
from app.ui.sidebar.project_rows import PROJECT_ROLE


def _row_of(sidebar: Sidebar, *, project: int | None = None, chat: int | None = None) -> int:
    for row in range(sidebar.list.count()):
        item = sidebar.list.item(row)
        if (project is not None and item.data(PROJECT_ROLE) == project) or (
            chat is not None and item.data(QtCore.Qt.ItemDataRole.UserRole) == chat
        ):
            return row
    raise AssertionError(f"no row for project {project} / chat {chat}")


def _drag(sidebar: Sidebar, chat: int, onto_row: int | None) -> None:
    """Drops the chat's row on row ``onto_row`` (None: the empty space under the rows)."""
    rows = sidebar.list
    mime = rows.mimeData([rows.item(_row_of(sidebar, chat=chat))])
    if onto_row is None:
        point = QtCore.QPointF(10, rows.viewport().height() - 3)
    else:
        point = QtCore.QPointF(rows.visualItemRect(rows.item(onto_row)).center())
    event = QtGui.QDropEvent(point, QtCore.Qt.DropAction.MoveAction, mime, QtCore.Qt.MouseButton.LeftButton,
                             QtCore.Qt.KeyboardModifier.NoModifier)  # fmt: skip
    rows.dropEvent(event)  # what Qt calls when the mouse lets go over the list


def test_projects_are_sections_above_the_main_list_and_chats_are_dragged_in_and_out(
    qtbot: QtBot, window: MainWindow, store: Store
) -> None:
    sidebar = window.sidebar
    loose = store.create_conversation("Loose chat")
    store.add_message(loose.id, "user", "hi")
    other = store.create_conversation("Other chat")
    store.add_message(other.id, "user", "hi")
    sidebar.ask_project = lambda draft, choices: ProjectDraft("Garden", "Answer as a gardener.")  # type: ignore[method-assign]
    project_id = sidebar.create_project()
    assert project_id is not None
    window.resize(800, 600)
    window.show()
    qtbot.waitExposed(window)

    assert sidebar.list.item(0).data(PROJECT_ROLE) == project_id  # the section comes first
    assert sidebar.list.item(0).text() == "▾ Garden (0)"
    _drag(sidebar, loose.id, 0)  # onto the project's header
    assert store.conversation(loose.id).project_id == project_id
    assert sidebar.list.item(0).text() == "▾ Garden (1)" and _row_of(sidebar, chat=loose.id) == 1
    _drag(sidebar, other.id, _row_of(sidebar, chat=loose.id))  # onto a chat inside it
    assert store.conversation(other.id).project_id == project_id
    _drag(sidebar, other.id, None)  # onto the empty space: back to the main list
    assert store.conversation(other.id).project_id is None

    # A click on the header closes the section; the keyboard opens it again.
    header = sidebar.list.item(0)
    qtbot.mouseClick(sidebar.list.viewport(), QtCore.Qt.MouseButton.LeftButton,
                     pos=sidebar.list.visualItemRect(header).center())  # fmt: skip
    assert loose.id not in sidebar.ids() and sidebar.list.item(0).text() == "▸ Garden (1)"
    sidebar.list.setFocus()
    sidebar.select_project(project_id)
    qtbot.keyClick(sidebar.list, QtCore.Qt.Key.Key_Right)
    assert loose.id in sidebar.ids()
    accessible = sidebar.list.item(0).data(QtCore.Qt.ItemDataRole.AccessibleTextRole)
    assert accessible == "Project Garden, open, 1 chats"


def test_move_to_project_menu_new_chat_edit_archive_and_delete_both_ways(
    qtbot: QtBot, window: MainWindow, store: Store
) -> None:
    sidebar = window.sidebar
    chat = store.create_conversation("Planting")
    store.add_message(chat.id, "user", "When do I sow beans?")
    tutor = window.services.personas.find("Tutor")
    sidebar.ask_project = lambda draft, choices: ProjectDraft("Garden", "Be brief.", tutor.id, None, ("/docs/g",))  # type: ignore[method-assign]
    project_id = sidebar.create_project()
    assert project_id is not None
    sidebar.refresh()

    move = sidebar.move_menu(chat.id)
    assert [a.text() for a in move.actions() if a.text()] == ["Garden", "No project (main list)", "New project…"]
    next(a for a in move.actions() if a.text() == "Garden").trigger()
    assert store.conversation(chat.id).project_id == project_id
    assert store.library_choice(chat.id) == LibraryChoice(True, ("/docs/g",))  # "Use my library" on, its folders

    menu = sidebar.project_menu(project_id)
    labels = [a.text() for a in menu.actions()]
    assert labels == ["New chat in project", "Edit…", "Archive", "Delete…"]
    with qtbot.waitSignal(sidebar.conversation_selected) as opened:
        menu.actions()[0].trigger()
    new_chat = store.conversation(opened.args[0])
    assert (new_chat.project_id, new_chat.persona_id) == (project_id, tutor.id)
    qtbot.waitUntil(lambda: window.conversation_id == new_chat.id)
    qtbot.waitUntil(lambda: window.header.library_switch.isChecked())  # the header shows the project's folders

    seen: list[ProjectDraft | None] = []

    def edited(draft: ProjectDraft | None, choices: ProjectChoices) -> ProjectDraft:
        seen.append(draft)
        return ProjectDraft("Vegetable garden", "Be brief.", tutor.id, None, ("/docs/g",))

    sidebar.ask_project = edited  # type: ignore[method-assign]
    sidebar.project_menu(project_id).actions()[1].trigger()
    assert seen[0] is not None and seen[0].name == "Garden"
    assert sidebar.list.item(0).text().startswith("▾ Vegetable garden")

    sidebar.project_menu(project_id).actions()[2].trigger()  # Archive: closed, marked, at the end
    assert sidebar.projects.get(project_id).archived and chat.id not in sidebar.ids()
    assert sidebar.project_menu(project_id).actions()[2].text() == "Unarchive"
    sidebar.project_menu(project_id).actions()[2].trigger()
    assert not sidebar.projects.get(project_id).archived

    sidebar.ask_delete_project = lambda name, chats: None  # type: ignore[method-assign]
    sidebar.delete_project(project_id)  # cancelled: nothing changes
    assert sidebar.projects.get(project_id).name == "Vegetable garden"
    sidebar.ask_delete_project = lambda name, chats: "keep_chats"  # type: ignore[method-assign]
    sidebar.delete_project(project_id)
    assert store.conversation(chat.id).project_id is None and chat.id in sidebar.ids()

    sidebar.ask_project = lambda draft, choices: ProjectDraft("Second")  # type: ignore[method-assign]
    second = sidebar.create_project()
    assert second is not None
    sidebar.move_to_project(chat.id, second)
    sidebar.ask_delete_project = lambda name, chats: "delete_chats"  # type: ignore[method-assign]
    sidebar.delete_project(second)
    assert chat.id not in {c.id for c in store.conversations()} and chat.id not in sidebar.ids()


def test_the_project_dialog_gives_back_what_the_user_set(qtbot: QtBot) -> None:
    choices = ProjectChoices([(1, "General"), (2, "Tutor")], ["SmolLM2"], ["/docs/garden", "/docs/work"])
    dialog = ProjectDialog(None, choices)
    qtbot.addWidget(dialog)
    assert not dialog.save_button.isEnabled()  # no name yet
    qtbot.keyClicks(dialog.name_edit, "Garden")
    dialog.instructions_edit.setPlainText("Answer as a gardener.")
    dialog.persona_box.setCurrentIndex(dialog.persona_box.findData(2))
    dialog.model_box.setCurrentIndex(dialog.model_box.findData("SmolLM2"))
    dialog.folder_list.item(0).setCheckState(QtCore.Qt.CheckState.Checked)
    assert dialog.save_button.isEnabled()
    assert dialog.draft() == ProjectDraft("Garden", "Answer as a gardener.", 2, "SmolLM2", ("/docs/garden",))
    for widget in (dialog.name_edit, dialog.instructions_edit, dialog.persona_box, dialog.model_box,
                   dialog.folder_list, dialog.save_button):  # fmt: skip
        assert widget.accessibleName()


@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")  # a dialog, offscreen
def test_deleting_a_project_asks_whether_its_chats_stay(qtbot: QtBot, window: MainWindow) -> None:
    answers: list[object] = []

    def press(label: str) -> None:
        box = QtWidgets.QApplication.activeModalWidget()
        assert isinstance(box, QtWidgets.QMessageBox) and "“Garden”" in box.text()
        assert "2 chats" in box.informativeText()
        next(button for button in box.buttons() if button.text() == label).click()

    for label in ("Keep the chats", "Delete the chats too"):
        QtCore.QTimer.singleShot(200, lambda label=label: press(label))
        answers.append(window.sidebar.ask_delete_project("Garden", 2))
    assert answers == ["keep_chats", "delete_chats"]


def test_deleting_a_chat_under_a_project_selects_the_next_chat_not_a_header(
    qtbot: QtBot, window: MainWindow, store: Store
) -> None:
    sidebar = window.sidebar
    first = store.create_conversation("First")
    store.add_message(first.id, "user", "one")
    second = store.create_conversation("Second")
    store.add_message(second.id, "user", "two")
    sidebar.ask_project = lambda draft, choices: ProjectDraft("Garden")  # type: ignore[method-assign]
    project_id = sidebar.create_project()
    assert project_id is not None
    sidebar.move_to_project(second.id, project_id)
    assert sidebar.ids() == [second.id, first.id]  # the project's section above the main list

    sidebar.delete(second.id)
    assert sidebar.current_id() == first.id
    sidebar.undo_delete()
    assert sidebar.ids() == [second.id, first.id] and store.conversation(second.id).project_id == project_id
