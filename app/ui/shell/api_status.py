"""The status bar's word on the local API server: where it serves, and when a program is using the model."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from app.ui.controllers.api_controller import ApiServerController


class ApiStatusLabel(QtWidgets.QLabel):
    """Hidden while the server is off. GUI thread only."""

    def __init__(self, controller: ApiServerController, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("apiStatus")
        self.setContentsMargins(8, 0, 8, 0)
        self._controller = controller
        self._active = 0
        controller.activity_changed.connect(self._on_controller_activity_changed)
        controller.state_changed.connect(self._on_controller_state_changed)
        self._show()

    def _show(self) -> None:
        url = self._controller.base_url
        self.setVisible(url is not None)
        if url is None:
            return
        if self._active == 1:
            self.setText(self.tr("API: a program is using the model"))
        elif self._active > 1:
            self.setText(self.tr("API: programs are using the model ({count} requests)").format(count=self._active))
        else:
            self.setText(self.tr("API: serving at {url}").format(url=url))
        self.setToolTip(self.tr("Settings → Local API server"))

    def changeEvent(self, event: QtCore.QEvent) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.Type.LanguageChange:
            self._show()  # its text is built from data: the catalogue cannot re-translate it

    @QtCore.Slot(int)
    def _on_controller_activity_changed(self, active: int) -> None:
        self._active = active
        self._show()

    @QtCore.Slot()
    def _on_controller_state_changed(self) -> None:
        self._show()
