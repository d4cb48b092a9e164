"""Settings → Data: where the history lives, its backups, and restoring one.

The tab lists the copies the history controller knows (kind, date, size). "Restore…" asks first
(``confirm_restore``, a seam tests replace), then the controller restores: the store keeps a copy
of the history it replaces, and the window reloads the conversations. A restore takes effect at
once; the dialog's Save and Cancel do not undo it. "Show folder" opens the folder that holds the
history and its ``backups`` folder (``open_folder``, a seam as well). A refusal is said on the page,
except a history found damaged, which goes to the window to be recovered.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from app.core.errors import AppError, DatabaseDamagedInUseError
from app.core.history.backups import Backup, BackupKind
from app.core.models.library import human_size
from app.ui.common.i18n import error_text
from app.ui.controllers.backup_controller import BackupController, format_moment
from app.ui.controllers.exchange_controller import ExchangeController
from app.ui.settings.state_cache_box import StateCacheBox

_BACKUP_ROLE = QtCore.Qt.ItemDataRole.UserRole


class DataTab(QtWidgets.QWidget):
    """The Data page of the Settings dialog. GUI thread only."""

    restored = QtCore.Signal(str)  # the notice of a finished restore

    def __init__(
        self,
        history: BackupController,
        exchange: ExchangeController | None = None,
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        """``exchange``, when given, adds "Export all…" and "Import…" (``app.ui.controllers.exchange_controller``)."""
        super().__init__(parent)
        self.setObjectName("dataTab")
        self._history = history
        self._exchange = exchange

        where_title = QtWidgets.QLabel(self.tr("Your conversations are kept in:"), self)
        self.path_label = QtWidgets.QLabel(history.database_path, self)
        self.path_label.setObjectName("dataPath")
        self.path_label.setWordWrap(True)
        self.path_label.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        self.path_label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folder_button = QtWidgets.QPushButton(self.tr("Show folder"), self)
        self.folder_button.setToolTip(str(Path(history.database_path).parent))

        backups_title = QtWidgets.QLabel(self.tr("Backups"), self)
        backups_title.setObjectName("sectionTitle")
        note = QtWidgets.QLabel(
            self.tr(
                "Parley copies the history once a day, before an upgrade and before a restore, and keeps the "
                "newest few of each. A restore takes effect at once, and the history it replaces is kept as "
                "a backup too."
            ),
            self,
        )
        note.setObjectName("mutedLabel")
        note.setWordWrap(True)
        self.table = QtWidgets.QTreeWidget(self)
        self.table.setAccessibleName(self.tr("Backups"))
        self.table.setRootIsDecorated(False)
        self.table.setUniformRowHeights(True)
        self.table.setHeaderLabels([self.tr("Kind"), self.tr("Date"), self.tr("Size")])
        self.table.header().setStretchLastSection(False)
        self.table.header().setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.table.header().setSectionResizeMode(1, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        self.table.header().setSectionResizeMode(2, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        self.empty_label = QtWidgets.QLabel(self.tr("There are no backups yet."), self)
        self.empty_label.setObjectName("mutedLabel")
        self.restore_button = QtWidgets.QPushButton(self.tr("Restore…"), self)
        self.restore_button.setToolTip(self.tr("Replace the history with the selected backup"))
        self.message_label = QtWidgets.QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        self.message_label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.hide()

        where = QtWidgets.QHBoxLayout()
        where.addWidget(self.path_label, 1)
        where.addWidget(self.folder_button, 0, QtCore.Qt.AlignmentFlag.AlignTop)
        buttons = QtWidgets.QHBoxLayout()
        self.export_all_button = QtWidgets.QPushButton(self.tr("Export all…"), self)
        self.export_all_button.setToolTip(self.tr("Write every conversation, every version, to one JSON file"))
        self.import_button = QtWidgets.QPushButton(self.tr("Import…"), self)
        self.import_button.setToolTip(
            self.tr("Add the conversations of a Parley export or of ChatGPT's conversations.json")
        )
        for button in (self.export_all_button, self.import_button):
            button.setVisible(exchange is not None)
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.restore_button)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(where_title)
        layout.addLayout(where)
        layout.addSpacing(8)
        layout.addWidget(backups_title)
        layout.addWidget(note)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label, 1, QtCore.Qt.AlignmentFlag.AlignTop)  # no gaps when the list is hidden
        layout.addWidget(self.message_label)
        layout.addLayout(buttons)
        self.state_cache = StateCacheBox(parent=self)
        layout.addWidget(self.state_cache)

        self.folder_button.clicked.connect(self._on_folder_button_clicked)
        self.restore_button.clicked.connect(self._on_restore_button_clicked)
        self.export_all_button.clicked.connect(self._on_export_all_button_clicked)
        self.import_button.clicked.connect(self._on_import_button_clicked)
        self.table.itemSelectionChanged.connect(self._on_table_item_selection_changed)
        history.backups_changed.connect(self.refresh)
        self.refresh()

    # -- seams: tests replace these -------------------------------------------------------------

    def confirm_restore(self, backup: Backup) -> bool:
        """Asks whether the history should be replaced with ``backup``."""
        answer = QtWidgets.QMessageBox.question(
            self,
            self.tr("Restore a backup"),
            self.tr(
                "Replace your history with the backup from {date}? Conversations written since then are "
                "kept in a backup of the current history, which Parley makes first."
            ).format(date=format_moment(backup.created_at)),
            QtWidgets.QMessageBox.StandardButton.Yes | QtWidgets.QMessageBox.StandardButton.Cancel,
            QtWidgets.QMessageBox.StandardButton.Cancel,
        )
        return answer == QtWidgets.QMessageBox.StandardButton.Yes

    def open_folder(self, folder: Path) -> bool:
        """Shows ``folder`` in the file manager; False when there is none to show it."""
        return QtGui.QDesktopServices.openUrl(QtCore.QUrl.fromLocalFile(str(folder)))

    # -- public ---------------------------------------------------------------------------------

    def kind_text(self, kind: BackupKind) -> str:
        texts: dict[BackupKind, str] = {
            "daily": self.tr("Daily"),
            "pre-migration": self.tr("Before an upgrade"),
            "pre-restore": self.tr("Before a restore"),
        }
        return texts[kind]

    def refresh(self) -> None:
        """Lists the backups again, newest first; the selection stays on the same file."""
        selected = self.selected_backup()
        self.table.clear()
        try:
            found = self._history.backups()
        except OSError as exc:  # the backups folder cannot be listed
            found = []
            self._show_message(self.tr("The backups cannot be listed: {reason}").format(reason=exc.strerror or exc))
        for backup in found:
            item = QtWidgets.QTreeWidgetItem(
                [self.kind_text(backup.kind), format_moment(backup.created_at), human_size(backup.size)]
            )
            item.setData(0, _BACKUP_ROLE, backup)
            item.setToolTip(0, str(backup.path))
            item.setTextAlignment(2, QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter)
            self.table.addTopLevelItem(item)
            if selected is not None and backup.path == selected.path:
                item.setSelected(True)
        self.table.setVisible(bool(found))
        self.empty_label.setVisible(not found)
        self._on_table_item_selection_changed()

    def backups(self) -> list[Backup]:
        items = (self.table.topLevelItem(index) for index in range(self.table.topLevelItemCount()))
        return [item.data(0, _BACKUP_ROLE) for item in items if item is not None]

    def select(self, backup: Backup) -> None:
        for index in range(self.table.topLevelItemCount()):
            item = self.table.topLevelItem(index)
            if item is not None and item.data(0, _BACKUP_ROLE).path == backup.path:
                self.table.setCurrentItem(item)
                return

    def selected_backup(self) -> Backup | None:
        items = self.table.selectedItems()
        backup = items[0].data(0, _BACKUP_ROLE) if items else None
        return backup if isinstance(backup, Backup) else None

    def restore_selected(self) -> None:
        backup = self.selected_backup()
        if backup is None or not self.confirm_restore(backup):
            return
        try:
            notice = self._history.restore(backup)
        except DatabaseDamagedInUseError:
            return  # the controller sent it to the window, which recovers the history and says so
        except AppError as err:
            self._show_message(error_text(err), error=True)
            return
        self._show_message(notice)
        self.restored.emit(notice)

    # -- helpers --------------------------------------------------------------------------------

    def _show_message(self, text: str, *, error: bool = False) -> None:
        self.message_label.setObjectName("errorLabel" if error else "mutedLabel")
        self.message_label.style().unpolish(self.message_label)
        self.message_label.style().polish(self.message_label)
        self.message_label.setText(text)
        self.message_label.show()

    # -- slots ----------------------------------------------------------------------------------

    @QtCore.Slot()
    def _on_table_item_selection_changed(self) -> None:
        self.restore_button.setEnabled(self.selected_backup() is not None)

    @QtCore.Slot()
    def _on_restore_button_clicked(self) -> None:
        self.restore_selected()

    @QtCore.Slot()
    def _on_export_all_button_clicked(self) -> None:
        if self._exchange is not None:
            self._run_exchange(self._exchange.export_all)

    @QtCore.Slot()
    def _on_import_button_clicked(self) -> None:
        if self._exchange is not None:
            self._run_exchange(self._exchange.import_history)

    def _run_exchange(self, action: Callable[[QtWidgets.QWidget], str | None]) -> None:
        try:
            notice = action(self)
        except DatabaseDamagedInUseError as err:
            self._history.error_reported.emit(err)  # the window recovers the history and says so
            return
        except AppError as err:
            self._show_message(error_text(err), error=True)
            return
        if notice is not None:
            self._show_message(notice)

    @QtCore.Slot()
    def _on_folder_button_clicked(self) -> None:
        folder = Path(self._history.database_path).parent
        if not self.open_folder(folder):
            self._show_message(self.tr("No file manager could be opened. The folder is {path}").format(path=folder))
