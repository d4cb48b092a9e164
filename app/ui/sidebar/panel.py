"""The sidebar: search, then the list of conversations (each project a section that opens and closes,
then the chats outside any project; pinned first, then newest), with New, rename, pin, delete, and
projects (new, edit, archive, delete, a chat moved in or out by dragging or "Move to project").

Renaming asks for a title (``ask_new_title``), a project's details come from ``ask_project`` and
deleting one asks what becomes of its chats (``ask_delete_project``): seams tests replace. Deleting asks nothing: the
conversation leaves the list at once and a line with Undo stays for ``UNDO_MS``; the delete is
applied when that runs out or the window closes (``apply_pending_deletes``). At its foot, the
page buttons the window adds (``add_page_button``; ``page_tab`` is what a screen reader hears of them).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6 import QtCore, QtGui, QtWidgets

from app.core.errors import AppError
from app.core.history.store import Store
from app.core.history.types import DEFAULT_TITLE, Conversation
from app.core.projects.project import DeleteChoice, Project, ProjectDraft
from app.core.projects.store import ProjectStore
from app.core.session import records
from app.ui.sidebar import page_tab, project_dialog
from app.ui.sidebar.project_dialog import ProjectChoices
from app.ui.sidebar.project_rows import ID_ROLE as _ID_ROLE
from app.ui.sidebar.project_rows import MEMBER_ROLE, PROJECT_ROLE, ConversationRows
from app.ui.sidebar.search import SearchBox

UNDO_MS = 6000
PIN_MARK = "★ "


def display_title(title: str) -> str:
    """A conversation's title for the screen: the store's untitled placeholder is shown translated."""
    return QtCore.QCoreApplication.translate("Sidebar", "New conversation") if title == DEFAULT_TITLE else title


class Sidebar(QtWidgets.QFrame):
    """Shows and edits the store's conversations. GUI thread only."""

    NARROWEST = 180  # pixels: never narrower, and wider where its top row needs it (a large text size)

    conversation_selected = QtCore.Signal(int)
    new_conversation_requested = QtCore.Signal()
    conversation_renamed = QtCore.Signal(int)
    conversation_deleted = QtCore.Signal(int)
    error_reported = QtCore.Signal(object)  # AppError
    export_requested = QtCore.Signal(int, str)  # a conversation's id, "md" or "json"

    def minimumSizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt's name
        # Not a fixed minimum width: "New chat" and its two buttons were cut to "ew ch" at 18 pt.
        hint = super().minimumSizeHint()
        return QtCore.QSize(max(self.NARROWEST, hint.width()), hint.height())

    def __init__(self, store: Store, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        self._store = store
        self.projects = ProjectStore(store)
        self.project_choices: Callable[[], ProjectChoices] = ProjectChoices  # the window gives the real ones
        self._expanded: dict[int, bool] = {}  # a project's section opened or closed by the user

        self.new_button = QtWidgets.QPushButton(self.tr("New chat"), self)
        self.new_button.setObjectName("newChatButton")
        self.new_button.setToolTip(self.tr("Start a new conversation (Ctrl+N)"))
        # Beside it, a new conversation with another persona (the window fills its menu).
        self.persona_button = QtWidgets.QToolButton(self)
        self.persona_button.setObjectName("newChatPersonaButton")
        self.persona_button.setText("▾")  # a split button's arrow: the menu names the personas
        self.persona_button.setToolTip(self.tr("Start a new conversation with a persona"))
        self.persona_button.setAccessibleName(self.tr("Start a new conversation with a persona"))
        self.persona_button.setPopupMode(QtWidgets.QToolButton.ToolButtonPopupMode.InstantPopup)
        self.persona_button.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0px; }")
        self.new_project_button = QtWidgets.QToolButton(self)
        self.new_project_button.setObjectName("newProjectButton")
        self.new_project_button.setIcon(self.style().standardIcon(QtWidgets.QStyle.StandardPixmap.SP_FileDialogNewFolder))
        self.new_project_button.setToolTip(self.tr("New project…"))
        self.new_project_button.setAccessibleName(self.tr("New project"))
        self.list = ConversationRows(self)
        self.list.setObjectName("conversationList")
        self.list.setAccessibleName(self.tr("Conversations"))
        self.list.setTextElideMode(QtCore.Qt.TextElideMode.ElideRight)
        self.list.setContextMenuPolicy(QtCore.Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.rename_action = QtGui.QAction(self.tr("Rename…"), self)
        self.rename_action.setShortcut(QtGui.QKeySequence(QtCore.Qt.Key.Key_F2))
        self.rename_action.setShortcutContext(QtCore.Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.delete_action = QtGui.QAction(self.tr("Delete…"), self)
        self.delete_action.setShortcut(QtGui.QKeySequence(QtGui.QKeySequence.StandardKey.Delete))
        self.delete_action.setShortcutContext(QtCore.Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.pin_action = QtGui.QAction(self.tr("Pin to top"), self)
        self.export_markdown_action = QtGui.QAction(self.tr("Export as Markdown…"), self)
        self.export_json_action = QtGui.QAction(self.tr("Export as JSON…"), self)
        self.new_project_action = QtGui.QAction(self.tr("New project…"), self)
        self.list.addAction(self.rename_action)
        self.list.addAction(self.delete_action)
        self.search = SearchBox(store, self)
        self.undo_bar = QtWidgets.QFrame(self)
        self.undo_bar.setObjectName("undoBar")
        self.undo_label = QtWidgets.QLabel(self.undo_bar)
        self.undo_label.setWordWrap(True)
        self.undo_button = QtWidgets.QPushButton(self.tr("Undo"), self.undo_bar)
        undo_layout = QtWidgets.QHBoxLayout(self.undo_bar)
        undo_layout.setContentsMargins(6, 4, 6, 4)
        undo_layout.addWidget(self.undo_label, 1)
        undo_layout.addWidget(self.undo_button)
        self.undo_bar.hide()
        self._pending_deletes: list[int] = []
        self._undo_timer = QtCore.QTimer(self)
        self._undo_timer.setSingleShot(True)
        self._undo_timer.setInterval(UNDO_MS)

        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(8, 10, 8, 8)
        layout.setSpacing(8)
        new_row = QtWidgets.QHBoxLayout()
        new_row.setSpacing(4)
        new_row.addWidget(self.new_button, 1)
        new_row.addWidget(self.persona_button)
        new_row.addWidget(self.new_project_button)
        layout.addLayout(new_row)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.undo_bar)
        self.footer = QtWidgets.QVBoxLayout()  # the window's page buttons (add_page_button)
        self.footer.setSpacing(4)
        layout.addLayout(self.footer)

        self.new_button.clicked.connect(self._on_new_button_clicked)
        self.list.currentItemChanged.connect(self._on_list_current_item_changed)
        self.list.itemClicked.connect(self._on_list_item_clicked)
        self.list.customContextMenuRequested.connect(self._on_list_custom_context_menu_requested)
        self.rename_action.triggered.connect(self._on_rename_action_triggered)
        self.delete_action.triggered.connect(self._on_delete_action_triggered)
        self.pin_action.triggered.connect(self._on_pin_action_triggered)
        self.export_markdown_action.triggered.connect(lambda: self._request_export("md"))
        self.export_json_action.triggered.connect(lambda: self._request_export("json"))
        self.undo_button.clicked.connect(self._on_undo_button_clicked)
        self.new_project_button.clicked.connect(self.create_project)
        self.new_project_action.triggered.connect(self.create_project)
        self.list.move_requested.connect(self.move_to_project)
        self.list.header_toggled.connect(self._on_list_header_toggled)
        self._undo_timer.timeout.connect(self._on_undo_timer_timeout)
        self.search.searching_changed.connect(self._on_search_searching_changed)
        self.search.dismissed.connect(self.list.setFocus)

    # -- seams: tests replace these -------------------------------------------------------------

    def ask_new_title(self, current: str) -> str | None:
        """Asks for a new title; None when the user cancels."""
        dialog = self.rename_dialog(current)
        try:
            accepted = dialog.exec() == QtWidgets.QDialog.DialogCode.Accepted
            return dialog.textValue() if accepted else None
        finally:
            dialog.deleteLater()

    def rename_dialog(self, current: str) -> QtWidgets.QInputDialog:
        """The question ``ask_new_title`` shows, wide enough that the window manager shows its whole title."""
        dialog = QtWidgets.QInputDialog(self)
        dialog.setObjectName("renameDialog")
        dialog.setWindowTitle(self.tr("Rename conversation"))
        dialog.setLabelText(self.tr("Title:"))
        dialog.setTextValue(current)
        # The title bar's buttons and margins take room the dialog's own layout knows nothing of.
        title_font = QtGui.QFont(dialog.font())
        title_font.setBold(True)  # title bars often are
        title_width = QtGui.QFontMetrics(title_font).horizontalAdvance(dialog.windowTitle())
        # The dialog's layout fixes its size from its contents: the text field is what can be made wider.
        edit = dialog.findChild(QtWidgets.QLineEdit)
        if edit is not None:
            edit.setMinimumWidth(max(340, title_width + 150))
        return dialog

    def ask_project(self, draft: ProjectDraft | None, choices: ProjectChoices) -> ProjectDraft | None:
        """Asks for a project's details (``draft`` None: a new one); None when the user cancels."""
        return project_dialog.ask_project(self, draft, choices)

    def ask_delete_project(self, name: str, chats: int) -> DeleteChoice | None:
        """Asks what deleting project ``name`` does with its ``chats``; None when the user cancels."""
        return project_dialog.ask_delete_project(self, name, chats)

    # -- public ---------------------------------------------------------------------------------

    def refresh(self, select_id: int | None = None) -> None:
        """Reloads the list from the store: each project's section (its chats when open), then the chats
        outside any project; keeps (or moves to ``select_id``) the selection, silently."""
        keep = select_id if select_id is not None else self.current_id()
        current = self.list.currentItem()
        keep_project = current.data(PROJECT_ROLE) if current is not None and select_id is None else None
        self.list.blockSignals(True)
        try:
            self.list.clear()
            conversations = [c for c in self._store.conversations() if c.id not in self._pending_deletes]
            projects = self.projects.all()
            for project in projects:
                members = [c for c in conversations if c.project_id == project.id]
                expanded = self.is_expanded(project)
                header = self.list.add_header(
                    project.id, self._header_text(project, expanded, len(members)),
                    self._header_accessible(project, expanded, len(members)), archived=project.archived,
                )  # fmt: skip
                if project.id == keep_project:
                    self.list.setCurrentItem(header)
                for conversation in members if expanded else []:
                    self._add_chat(conversation, keep)
            known = {project.id for project in projects}
            for conversation in conversations:
                if conversation.project_id not in known:
                    self._add_chat(conversation, keep)
        finally:
            self.list.blockSignals(False)

    def _add_chat(self, conversation: Conversation, keep: int | None) -> None:
        title = display_title(conversation.title)
        item = QtWidgets.QListWidgetItem(PIN_MARK + title if conversation.pinned else title)
        item.setData(_ID_ROLE, conversation.id)
        item.setData(MEMBER_ROLE, conversation.project_id)
        item.setToolTip(title)
        self.list.addItem(item)
        if conversation.id == keep:
            self.list.setCurrentItem(item)

    def _header_text(self, project: Project, expanded: bool, chats: int) -> str:
        mark = "▾ " if expanded else "▸ "
        if project.archived:
            return mark + self.tr("{name} (archived)").format(name=project.name)
        return f"{mark}{project.name} ({chats})"

    def _header_accessible(self, project: Project, expanded: bool, chats: int) -> str:
        state = self.tr("open") if expanded else self.tr("closed")
        text = self.tr("Project {name}, {state}, {count} chats").format(name=project.name, state=state, count=chats)
        return text + (self.tr(", archived") if project.archived else "")

    def is_expanded(self, project: Project) -> bool:
        """Whether a project's section shows its chats: open until closed; an archived one closed until opened."""
        return self._expanded.get(project.id, not project.archived)

    def set_expanded(self, project_id: int, expanded: bool) -> None:
        self._expanded[project_id] = expanded
        self.refresh()
        self.select_project(project_id)

    def select_project(self, project_id: int) -> None:
        """Selects a project's header row (silently: it shows no conversation)."""
        for row in range(self.list.count()):
            if self.list.item(row).data(PROJECT_ROLE) == project_id:
                self.list.blockSignals(True)
                self.list.setCurrentRow(row)
                self.list.blockSignals(False)
                return

    def current_project_id(self) -> int | None:
        """The project whose header row is selected, if one is."""
        item = self.list.currentItem()
        value = item.data(PROJECT_ROLE) if item is not None else None
        return int(value) if value is not None else None

    # -- projects -------------------------------------------------------------------------------

    def create_project(self) -> int | None:
        """Asks for a new project's details and adds it; returns its id."""
        draft = self.ask_project(None, self.project_choices())
        if draft is None:
            return None
        try:
            project = self.projects.create(draft)
        except AppError as err:
            self.error_reported.emit(err)
            return None
        self.refresh()
        self.select_project(project.id)
        return project.id

    def edit_project(self, project_id: int) -> None:
        try:
            draft = self.ask_project(self.projects.get(project_id).draft(), self.project_choices())
            if draft is not None:
                self.projects.update(project_id, draft)
        except AppError as err:
            self.error_reported.emit(err)
            return
        self.refresh()

    def new_chat_in_project(self, project_id: int) -> int | None:
        """A new chat in the project, with its persona, model and folders, opened; returns its id."""
        try:
            conversation = self.projects.new_conversation(project_id)
        except AppError as err:
            self.error_reported.emit(err)
            return None
        self._expanded[project_id] = True
        self.refresh(select_id=conversation.id)
        self.conversation_selected.emit(conversation.id)
        return conversation.id

    def set_project_archived(self, project_id: int, archived: bool) -> None:
        try:
            self.projects.set_archived(project_id, archived)
        except AppError as err:
            self.error_reported.emit(err)
            return
        self._expanded.pop(project_id, None)
        self.refresh()

    def delete_project(self, project_id: int) -> None:
        """Asks whether the chats stay (back in the main list) or go with it, then deletes the project."""
        try:
            project = self.projects.get(project_id)
            choice = self.ask_delete_project(project.name, len(self.projects.conversation_ids(project_id)))
            if choice is None:
                return
            deleted = self.projects.delete(project_id, choice)
        except AppError as err:
            self.error_reported.emit(err)
            return
        self.refresh()
        for conversation_id in deleted:
            self.conversation_deleted.emit(conversation_id)

    @QtCore.Slot(int, object)
    def move_to_project(self, conversation_id: int, project_id: int | None) -> None:
        """Moves a chat into a project (None: back to the main list) and shows it there."""
        try:
            if self._store.conversation(conversation_id).project_id == project_id:
                return
            self.projects.move(conversation_id, project_id)
        except AppError as err:
            self.error_reported.emit(err)
            return
        if project_id is not None:
            self._expanded[project_id] = True
        self.refresh(select_id=conversation_id)

    def add_page_button(self, text: str, tooltip: str) -> QtWidgets.QPushButton:
        """A checkable button at the foot of the sidebar; the window says what it opens."""
        button = QtWidgets.QPushButton(text, self)
        button.setObjectName(page_tab.OBJECT_NAME)
        page_tab.install()  # a screen reader hears a page tab, not a check box
        button.setCheckable(True)
        button.setToolTip(tooltip)
        self.footer.addWidget(button)
        return button

    def add_status_widget(self, widget: QtWidgets.QWidget) -> None:
        """Puts ``widget`` (the downloads, say) below the list, above the page buttons."""
        layout = self.layout()
        assert isinstance(layout, QtWidgets.QBoxLayout)
        layout.insertWidget(layout.indexOf(self.footer), widget)

    def current_id(self) -> int | None:
        item = self.list.currentItem()
        value = item.data(_ID_ROLE) if item is not None else None
        return int(value) if value is not None else None

    def _chat_rows(self) -> list[QtWidgets.QListWidgetItem]:
        rows = (self.list.item(row) for row in range(self.list.count()))
        return [item for item in rows if item.data(_ID_ROLE) is not None]

    def ids(self) -> list[int]:
        """The conversations listed, top to bottom (those in closed sections are not)."""
        return [int(item.data(_ID_ROLE)) for item in self._chat_rows()]

    def titles(self) -> list[str]:
        return [item.text().removeprefix(PIN_MARK) for item in self._chat_rows()]

    def select(self, conversation_id: int) -> None:
        """Selects a conversation; emits conversation_selected when the selection changes."""
        for row in range(self.list.count()):
            if self.list.item(row).data(_ID_ROLE) == conversation_id:
                self.list.setCurrentRow(row)
                return

    def rename(self, conversation_id: int) -> None:
        try:
            current = self._store.conversation(conversation_id).title
            title = self.ask_new_title(current)
            if title is None or not title.strip() or title.strip() == current:
                return
            self._store.rename_conversation(conversation_id, title)
        except AppError as err:
            self.error_reported.emit(err)
            return
        self.refresh()
        self.conversation_renamed.emit(conversation_id)

    def toggle_pin(self, conversation_id: int) -> None:
        try:
            self._store.set_pinned(conversation_id, not self._store.conversation(conversation_id).pinned)
        except AppError as err:
            self.error_reported.emit(err)
            return
        self.refresh()

    def delete(self, conversation_id: int) -> None:
        """Takes the conversation off the list at once; it is deleted when Undo runs out (or at close)."""
        try:
            title = self._store.conversation(conversation_id).title
        except AppError as err:
            self.error_reported.emit(err)
            return
        self.apply_pending_deletes()  # one Undo at a time: an earlier delete is final now
        self._pending_deletes.append(conversation_id)
        self.search.hidden_ids.add(conversation_id)
        self.undo_label.setText(self.tr("Deleted “{title}”.").format(title=display_title(title)))
        self.undo_bar.show()
        self._undo_timer.start()
        position = self.ids().index(conversation_id) if conversation_id in self.ids() else 0
        self.refresh()
        rows = self._chat_rows()  # the chat that took its place (a project's header is not one)
        self.list.blockSignals(True)
        if rows:
            self.list.setCurrentItem(rows[min(position, len(rows) - 1)])
        else:
            self.list.setCurrentRow(-1)
        self.list.blockSignals(False)
        self.conversation_deleted.emit(conversation_id)

    def undo_delete(self) -> int | None:
        """Brings back the conversation deleted last; returns its id."""
        self._undo_timer.stop()
        self.undo_bar.hide()
        if not self._pending_deletes:
            return None
        conversation_id = self._pending_deletes.pop()
        self.search.hidden_ids.discard(conversation_id)
        self.refresh(select_id=conversation_id)
        self.conversation_selected.emit(conversation_id)
        return conversation_id

    def apply_pending_deletes(self) -> None:
        """Deletes for good what is waiting for Undo to run out (the window calls this when it closes)."""
        self._undo_timer.stop()
        self.undo_bar.hide()
        while self._pending_deletes:
            conversation_id = self._pending_deletes.pop()
            try:
                records.delete_conversation(self._store, conversation_id)
            except AppError as err:
                self.error_reported.emit(err)

    def pending_deletes(self) -> list[int]:
        return list(self._pending_deletes)

    # -- slots ----------------------------------------------------------------------------------

    @QtCore.Slot()
    def _on_new_button_clicked(self) -> None:
        self.new_conversation_requested.emit()

    @QtCore.Slot(QtWidgets.QListWidgetItem, QtWidgets.QListWidgetItem)
    def _on_list_current_item_changed(
        self, current: QtWidgets.QListWidgetItem | None, previous: QtWidgets.QListWidgetItem | None
    ) -> None:
        del previous
        if current is not None and current.data(_ID_ROLE) is not None:
            self.conversation_selected.emit(int(current.data(_ID_ROLE)))

    @QtCore.Slot(QtWidgets.QListWidgetItem)
    def _on_list_item_clicked(self, item: QtWidgets.QListWidgetItem) -> None:
        project = item.data(PROJECT_ROLE)
        if project is not None:  # a project's header opens or closes its section
            self.set_expanded(int(project), not self._expanded.get(int(project), self._header_open(item)))
            return
        # A click on the conversation already selected still means "show it" (from another page).
        self.conversation_selected.emit(int(item.data(_ID_ROLE)))

    @QtCore.Slot(QtCore.QPoint)
    def _on_list_custom_context_menu_requested(self, position: QtCore.QPoint) -> None:
        item = self.list.itemAt(position)
        if item is None:
            menu = QtWidgets.QMenu(self)
            menu.addAction(self.new_project_action)
            menu.exec(self.list.viewport().mapToGlobal(position))
            return
        if item.data(PROJECT_ROLE) is not None:
            self.project_menu(int(item.data(PROJECT_ROLE))).exec(self.list.viewport().mapToGlobal(position))
            return
        menu = QtWidgets.QMenu(self)
        pinned = item is not None and item.text().startswith(PIN_MARK)
        self.pin_action.setText(self.tr("Unpin") if pinned else self.tr("Pin to top"))
        menu.addAction(self.pin_action)
        menu.addAction(self.rename_action)
        menu.addAction(self.delete_action)
        menu.addMenu(self.move_menu(int(item.data(_ID_ROLE))))
        menu.addSeparator()
        menu.addAction(self.export_markdown_action)
        menu.addAction(self.export_json_action)
        menu.exec(self.list.viewport().mapToGlobal(position))

    def project_menu(self, project_id: int) -> QtWidgets.QMenu:
        """A project's menu: a new chat in it, edit, archive (or bring back), delete."""
        menu = QtWidgets.QMenu(self)
        menu.setObjectName("projectMenu")
        archived = self.projects.get(project_id).archived
        menu.addAction(self.tr("New chat in project"), lambda: self.new_chat_in_project(project_id))
        menu.addAction(self.tr("Edit…"), lambda: self.edit_project(project_id))
        if archived:
            menu.addAction(self.tr("Unarchive"), lambda: self.set_project_archived(project_id, False))
        else:
            menu.addAction(self.tr("Archive"), lambda: self.set_project_archived(project_id, True))
        menu.addAction(self.tr("Delete…"), lambda: self.delete_project(project_id))
        return menu

    def move_menu(self, conversation_id: int) -> QtWidgets.QMenu:
        """"Move to project…": each project, and the main list; the one the chat is in is ticked."""
        menu = QtWidgets.QMenu(self.tr("Move to project…"), self)
        menu.setObjectName("moveToProjectMenu")
        current = self._store.conversation(conversation_id).project_id
        for project in self.projects.all():
            action = menu.addAction(project.name, partial(self.move_to_project, conversation_id, project.id))
            action.setCheckable(True)
            action.setChecked(project.id == current)
        if menu.actions():
            menu.addSeparator()
        out = menu.addAction(self.tr("No project (main list)"), lambda: self.move_to_project(conversation_id, None))
        out.setCheckable(True)
        out.setChecked(current is None)
        menu.addSeparator()
        menu.addAction(self.new_project_action)
        return menu

    def _header_open(self, item: QtWidgets.QListWidgetItem) -> bool:
        return item.text().startswith("▾")

    @QtCore.Slot(int, object)
    def _on_list_header_toggled(self, project_id: int, expanded: bool | None) -> None:
        item = self.list.currentItem()
        is_open = item is not None and self._header_open(item)
        self.set_expanded(project_id, not is_open if expanded is None else expanded)

    @QtCore.Slot()
    def _on_rename_action_triggered(self) -> None:
        current = self.current_id()
        if current is not None:
            self.rename(current)

    @QtCore.Slot()
    def _on_delete_action_triggered(self) -> None:
        current = self.current_id()
        if current is not None:
            self.delete(current)

    @QtCore.Slot()
    def _on_pin_action_triggered(self) -> None:
        current = self.current_id()
        if current is not None:
            self.toggle_pin(current)

    def _request_export(self, fmt: str) -> None:
        current = self.current_id()
        if current is not None:
            self.export_requested.emit(current, fmt)

    @QtCore.Slot()
    def _on_undo_button_clicked(self) -> None:
        self.undo_delete()

    @QtCore.Slot()
    def _on_undo_timer_timeout(self) -> None:
        self.apply_pending_deletes()

    @QtCore.Slot(bool)
    def _on_search_searching_changed(self, searching: bool) -> None:
        self.list.setVisible(not searching)
