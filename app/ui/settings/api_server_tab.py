"""Settings → Local API server: serve Parley's models to other programs as an OpenAI-compatible API.

Off by default, on this computer only (127.0.0.1), port 8717. Listening on every interface is a
separate, explicit choice with a warning, and then a key is required (``problem`` refuses the
Save otherwise). The page edits the settings on Save (``apply``); the key goes to the key store
(``key``), never into settings.json; the line under the key says where the key store keeps it.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6 import QtCore, QtWidgets

from app.core.api_server.server import DEFAULT_HOST
from app.core.config.secrets import KeyStore
from app.core.config.settings import Settings
from app.ui.common.narrow import WrappingCheckBox, wrapping_form
from app.ui.settings.remote_servers_tab import key_place

ALL_INTERFACES = "0.0.0.0"


class ApiServerTab(QtWidgets.QWidget):
    """GUI thread only."""

    def __init__(
        self, settings: Settings, key: str, keys: KeyStore | None = None, parent: QtWidgets.QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("apiServerTab")
        self.enabled_check = WrappingCheckBox(self.tr("Serve Parley's models to other programs on this computer"))
        self.enabled_check.setChecked(settings.api_enabled)
        intro = QtWidgets.QLabel(
            self.tr(
                "Programs that speak the OpenAI API can use the model Parley has loaded, or any installed "
                "model they name, at /v1/chat/completions and /v1/models. They wait in line with your own chats."
            ),
            self,
        )
        intro.setWordWrap(True)
        intro.setObjectName("mutedLabel")
        self.port_spin = QtWidgets.QSpinBox(self)
        self.port_spin.setRange(1024, 65535)
        self.port_spin.setValue(settings.api_port)
        self.port_spin.setGroupSeparatorShown(False)
        self.everywhere_check = WrappingCheckBox(self.tr("Let other computers connect (listen on every network)"))
        self.everywhere_check.setChecked(settings.api_host not in (DEFAULT_HOST, "localhost", "::1"))
        self.warning_label = QtWidgets.QLabel(
            self.tr(
                "Anyone on your network who has the key can then use your model and see nothing else; "
                "without a key Parley refuses to listen. Prefer this computer only."
            ),
            self,
        )
        self.warning_label.setWordWrap(True)
        self.warning_label.setObjectName("errorLabel")
        self.key_edit = QtWidgets.QLineEdit(key, self)
        self.key_edit.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText(self.tr("None (this computer only)"))
        self.key_edit.setClearButtonEnabled(True)
        self.key_place_label = QtWidgets.QLabel(key_place(keys or KeyStore()), self)
        self.key_place_label.setWordWrap(True)
        self.key_place_label.setObjectName("mutedLabel")
        self.cors_check = WrappingCheckBox(self.tr("Allow web pages to call it (CORS)"))
        self.cors_check.setChecked(settings.api_cors)
        self.address_label = QtWidgets.QLabel(self)
        self.address_label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)

        form = wrapping_form()
        form.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("Port:"), self.port_spin)
        form.addRow("", self.everywhere_check)
        form.addRow("", self.warning_label)
        form.addRow(self.tr("API key:"), self.key_edit)
        form.addRow("", self.key_place_label)
        form.addRow("", self.cors_check)
        form.addRow(self.tr("Address:"), self.address_label)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.enabled_check)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addStretch(1)
        for check in (self.enabled_check, self.everywhere_check):
            check.toggled.connect(self._on_check_toggled)
        self.port_spin.valueChanged.connect(self._on_check_toggled)
        self._on_check_toggled()

    def host(self) -> str:
        return ALL_INTERFACES if self.everywhere_check.isChecked() else DEFAULT_HOST

    def key(self) -> str:
        return self.key_edit.text().strip()

    def problem(self) -> str | None:
        """Why the page cannot be saved as it is, or None."""
        if self.enabled_check.isChecked() and self.everywhere_check.isChecked() and not self.key():
            return self.tr("To let other computers connect, set an API key first.")
        return None

    def apply(self, settings: Settings) -> Settings:
        return replace(
            settings,
            api_enabled=self.enabled_check.isChecked(),
            api_host=self.host(),
            api_port=self.port_spin.value(),
            api_cors=self.cors_check.isChecked(),
        )

    @QtCore.Slot()
    def _on_check_toggled(self) -> None:
        on = self.enabled_check.isChecked()
        for widget in (self.port_spin, self.everywhere_check, self.key_edit, self.cors_check):
            widget.setEnabled(on)
        self.warning_label.setVisible(self.everywhere_check.isChecked())
        if not on:
            self.address_label.setText(self.tr("Off"))
        else:
            host = "127.0.0.1" if not self.everywhere_check.isChecked() else self.tr("this computer's address")
            self.address_label.setText(f"http://{host}:{self.port_spin.value()}/v1")
