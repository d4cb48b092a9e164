"""Settings → Remote servers: add, edit and remove OpenAI-compatible servers (a name, an address, a key).

Changes act at once, like the Data page's restore, not on Save: the list and the keys have their
own owner (``app.core.engine.remote.servers``). Each server shows whether its models came (how many) or
why not, and may be asked for its answers' token probabilities (shown by "Look inside"; off by default);
the note under the list (``key_place``, shared with the API server page) says truly where
the keys are kept: the system keychain by name, or Parley's own 0600 file by its path.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from app.core.config.secrets import KeyStore
from app.core.engine.remote.servers import RemoteServer
from app.core.errors import AppError
from app.ui.common.i18n import error_text
from app.ui.common.narrow import SideBySide, WrappingCheckBox, wrapping_form
from app.ui.controllers.remote_controller import RemoteModelsController

_ID_ROLE = QtCore.Qt.ItemDataRole.UserRole


class RemoteServersTab(QtWidgets.QWidget):
    """GUI thread only."""

    def __init__(self, controller: RemoteModelsController, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("remoteServersTab")
        self._controller = controller
        self.servers = controller.servers
        intro = QtWidgets.QLabel(
            self.tr(
                "Chat with models on other computers or hosted services that speak the OpenAI API "
                "(llama.cpp, vLLM, Ollama, LM Studio…). Conversations with them leave this computer."
            ),
            self,
        )
        intro.setWordWrap(True)
        self.server_list = QtWidgets.QListWidget(self)
        self.server_list.setObjectName("remoteServerList")
        self.server_list.setAccessibleName(self.tr("Remote servers"))
        self.name_edit = QtWidgets.QLineEdit(self)
        self.name_edit.setPlaceholderText(self.tr("Lab computer"))
        self.url_edit = QtWidgets.QLineEdit(self)
        self.url_edit.setPlaceholderText("http://192.168.1.20:8000/v1")
        self.key_edit = QtWidgets.QLineEdit(self)
        self.key_edit.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText(self.tr("None"))
        self.add_button = QtWidgets.QPushButton(self.tr("Add"), self)
        self.save_button = QtWidgets.QPushButton(self.tr("Save changes"), self)
        self.remove_button = QtWidgets.QPushButton(self.tr("Remove"), self)
        self.check_button = QtWidgets.QPushButton(self.tr("Check again"), self)
        self.logprobs_check = WrappingCheckBox(self.tr("Ask this server for token probabilities"), self)
        self.logprobs_check.setAccessibleName(self.tr("Ask this server for token probabilities"))
        self.logprobs_check.setToolTip(
            self.tr("Every answer asks for how sure the model was of each word, so that “Look inside” can show it")
        )
        self.logprobs_check.setAccessibleDescription(self.logprobs_check.toolTip())
        self.status_label = QtWidgets.QLabel(self)
        self.status_label.setWordWrap(True)
        self.status_label.setObjectName("mutedLabel")
        self.key_note = QtWidgets.QLabel(self._key_note(), self)
        self.key_note.setWordWrap(True)
        self.key_note.setObjectName("mutedLabel")

        form = wrapping_form()
        form.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("Name:"), self.name_edit)
        form.addRow(self.tr("Address:"), self.url_edit)
        form.addRow(self.tr("API key:"), self.key_edit)
        form.addRow(self.logprobs_check)
        buttons = SideBySide(self.add_button, self.save_button, self.remove_button, self.check_button, spread=False)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.server_list, 1)
        layout.addLayout(form)
        layout.addWidget(buttons)
        layout.addWidget(self.status_label)
        layout.addWidget(self.key_note)

        self.server_list.currentItemChanged.connect(self._on_server_list_current_item_changed)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        self.check_button.clicked.connect(self._on_check_button_clicked)
        self.logprobs_check.toggled.connect(self._on_logprobs_check_toggled)
        controller.server_checked.connect(self._on_controller_server_checked)
        self._fill()

    # -- showing ----------------------------------------------------------------------------------

    def _key_note(self) -> str:
        return key_place(self.servers.keys)

    def _describe(self, server: RemoteServer) -> str:
        fetching, count, error = self._controller.state(server.id)
        if fetching:
            state = self.tr("asking for its models…")
        elif error is not None:
            state = self.tr("cannot be used")
        else:
            state = self.tr("models: {count}").format(count=count)
        return f"{server.name} — {server.base_url} ({state})"

    def _fill(self, select: str | None = None) -> None:
        self.server_list.blockSignals(True)
        self.server_list.clear()
        for server in self.servers.servers():
            item = QtWidgets.QListWidgetItem(self._describe(server))
            item.setData(_ID_ROLE, server.id)
            self.server_list.addItem(item)
            if server.id == select:
                self.server_list.setCurrentItem(item)
        self.server_list.blockSignals(False)
        self._show_current()

    def _current(self) -> RemoteServer | None:
        item = self.server_list.currentItem()
        return self.servers.get(str(item.data(_ID_ROLE))) if item is not None else None

    def _show_current(self) -> None:
        server = self._current()
        self.save_button.setEnabled(server is not None)
        self.remove_button.setEnabled(server is not None)
        self.check_button.setEnabled(bool(self.servers.servers()))
        self.logprobs_check.setEnabled(server is not None)
        self.logprobs_check.blockSignals(True)
        self.logprobs_check.setChecked(server is not None and server.ask_logprobs)
        self.logprobs_check.blockSignals(False)
        if server is None:
            self.status_label.setText(
                self.tr("No remote servers: every conversation stays on this computer.")
                if not self.servers.servers()
                else ""
            )
            return
        self.name_edit.setText(server.name)
        self.url_edit.setText(server.base_url)
        self.key_edit.clear()
        self.key_edit.setPlaceholderText(
            self.tr("Unchanged (a key is set)") if self.servers.key_for(server.id) else self.tr("None")
        )
        _, _, error = self._controller.state(server.id)
        self.status_label.setText(error_text(error) if error is not None else "")

    def _report(self, error: AppError) -> None:
        self.status_label.setText(error_text(error))

    # -- slots ----------------------------------------------------------------------------------

    @QtCore.Slot()
    def _on_server_list_current_item_changed(self) -> None:
        self._show_current()

    @QtCore.Slot()
    def _on_add_button_clicked(self) -> None:
        try:
            server = self.servers.add(self.name_edit.text(), self.url_edit.text(), self.key_edit.text().strip())
        except AppError as err:
            self._report(err)
            return
        self._fill(select=server.id)

    @QtCore.Slot()
    def _on_save_button_clicked(self) -> None:
        server = self._current()
        if server is None:
            return
        key = self.key_edit.text().strip()
        try:
            self.servers.update(server.id, name=self.name_edit.text(), url=self.url_edit.text(), key=key or None)
        except AppError as err:
            self._report(err)
            return
        self._fill(select=server.id)

    @QtCore.Slot()
    def _on_remove_button_clicked(self) -> None:
        server = self._current()
        if server is not None:
            self.servers.remove(server.id)
            self.name_edit.clear()
            self.url_edit.clear()
            self.key_edit.clear()
            self._fill()

    @QtCore.Slot(bool)
    def _on_logprobs_check_toggled(self, checked: bool) -> None:
        server = self._current()
        if server is None:
            return
        try:
            self.servers.ask_for_logprobs(server.id, checked)
        except AppError as err:
            self._report(err)

    @QtCore.Slot()
    def _on_check_button_clicked(self) -> None:
        self._controller.refresh()
        self._fill(select=(self._current() or _NONE).id)

    @QtCore.Slot(str)
    def _on_controller_server_checked(self, server_id: str) -> None:
        current = self._current()
        self._fill(select=current.id if current is not None else server_id)


_NONE = RemoteServer("", "", "")


def key_place(keys: KeyStore) -> str:
    """Where ``keys`` keeps the keys, truly: the keychain by name, or Parley's own file by its path."""
    translate = QtCore.QCoreApplication.translate
    if keys.where == "keyring":
        return translate("KeyPlace", "API keys are kept in the system keychain: {name}.").format(
            name=keys.keychain_name
        )
    return translate(
        "KeyPlace",
        "No system keychain is available, so API keys are kept in Parley's own file {path}, readable only by you.",
    ).format(path=keys.file)
