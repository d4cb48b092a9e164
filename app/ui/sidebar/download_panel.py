"""The downloads strip at the bottom of the sidebar: one row per download, with its progress and buttons.

A row shows the model, a progress bar, the bytes done of the total, the speed and the time left, and
Pause/Resume and Cancel. The panel follows the ``DownloadController``'s signals and hides itself while
there is nothing to show. Unfinished downloads from an earlier session appear as paused rows.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from app.core.models.library import human_size
from app.ui.common.elided_label import ElidedLabel
from app.ui.controllers.download_controller import DownloadController, DownloadJob

_BAR_RANGE = 1000


def duration_text(seconds: float) -> str:
    """A time left, rounded as people say it: "8 s", "3 min", "1 h 20 min"."""
    translate = QtCore.QCoreApplication.translate
    seconds = max(0, round(seconds))
    if seconds < 60:
        return translate("DownloadRow", "{n} s").format(n=seconds)
    minutes = round(seconds / 60)
    if minutes < 60:
        return translate("DownloadRow", "{n} min").format(n=minutes)
    return translate("DownloadRow", "{h} h {m} min").format(h=minutes // 60, m=minutes % 60)


class DownloadRow(QtWidgets.QFrame):
    """One download. Its buttons act on the manager directly."""

    def __init__(self, manager: DownloadController, key: str, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("downloadRow")
        self.key = key
        self._manager = manager
        self.name_label = ElidedLabel(self)
        self.name_label.setObjectName("downloadName")
        self.bar = QtWidgets.QProgressBar(self)
        self.bar.setObjectName("downloadBar")
        self.bar.setRange(0, _BAR_RANGE)
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(6)
        self.bytes_label = QtWidgets.QLabel(self)
        self.bytes_label.setObjectName("downloadDetail")
        self.detail_label = QtWidgets.QLabel(self)
        self.detail_label.setObjectName("downloadDetail")
        for label in (self.bytes_label, self.detail_label):
            label.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred)
        self.pause_button = QtWidgets.QToolButton(self)
        self.pause_button.setObjectName("downloadButton")
        self.cancel_button = QtWidgets.QToolButton(self)
        self.cancel_button.setObjectName("downloadButton")
        self.cancel_button.setText(self.tr("Cancel"))
        self.cancel_button.setToolTip(self.tr("Stop and delete what was downloaded"))

        buttons = QtWidgets.QHBoxLayout()
        buttons.setSpacing(6)
        buttons.addStretch(1)
        buttons.addWidget(self.pause_button)
        buttons.addWidget(self.cancel_button)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 8, 8)
        layout.setSpacing(4)
        layout.addWidget(self.name_label)
        layout.addWidget(self.bar)
        layout.addWidget(self.bytes_label)
        layout.addWidget(self.detail_label)
        layout.addLayout(buttons)

        self.pause_button.clicked.connect(self._on_pause_button_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)

    def update_from(self, job: DownloadJob) -> None:
        self.name_label.setText(job.label)
        source = self.tr("From {endpoint}").format(endpoint=job.endpoint) if job.endpoint else ""
        self.name_label.setToolTip("\n".join(part for part in (job.repo, job.file, source) if part))
        self.setToolTip(source)  # which Hub (or mirror) the download comes from
        self.setAccessibleDescription(source)
        if job.total_bytes > 0:
            self.bar.setValue(round(_BAR_RANGE * min(job.done_bytes, job.total_bytes) / job.total_bytes))
            self.bytes_label.setText(
                self.tr("{done} of {total}").format(done=human_size(job.done_bytes), total=human_size(job.total_bytes))
            )
        else:
            self.bar.setValue(0)
            self.bytes_label.setText(self.tr("Starting…"))
        self.detail_label.setText(self._detail(job))
        running = job.state == "running"
        self.pause_button.setText(self.tr("Pause") if running or job.state == "pausing" else self.tr("Resume"))
        self.pause_button.setToolTip(
            self.tr("Pause; the download resumes where it stopped") if running else self.tr("Continue the download")
        )
        self.pause_button.setEnabled(job.state in ("running", "paused", "interrupted") and not job.verifying)
        self.cancel_button.setEnabled(job.state != "cancelling" and not job.verifying)

    def _detail(self, job: DownloadJob) -> str:
        if job.state == "running" and job.verifying:
            return self.tr("Checking the download…")
        if job.state == "running":
            if job.speed_bps <= 0:
                return self.tr("Connecting…")
            speed = self.tr("{speed}/s").format(speed=human_size(job.speed_bps))
            if job.eta_s is None:
                return speed
            return self.tr("{speed} · {time} left").format(speed=speed, time=duration_text(job.eta_s))
        if job.state == "pausing":
            return self.tr("Pausing…")
        if job.state == "cancelling":
            return self.tr("Cancelling…")
        if job.state == "interrupted":
            return self.tr("Interrupted; resume to continue")
        return self.tr("Paused")

    @QtCore.Slot()
    def _on_pause_button_clicked(self) -> None:
        job = self._manager.job(self.key)
        if job is None:
            return
        if job.state == "running":
            self._manager.pause(self.key)
        else:
            self._manager.resume(self.key)
        self.update_from(job)

    @QtCore.Slot()
    def _on_cancel_button_clicked(self) -> None:
        job = self._manager.job(self.key)
        self._manager.cancel(self.key)
        if job is not None and self._manager.job(self.key) is job:
            self.update_from(job)


class DownloadsPanel(QtWidgets.QFrame):
    """Every download the manager has, newest last; hidden while there is none."""

    def __init__(self, manager: DownloadController, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("downloadsPanel")
        self._manager = manager
        self._rows: dict[str, DownloadRow] = {}
        title = QtWidgets.QLabel(self.tr("Downloads"), self)
        title.setObjectName("downloadsTitle")
        self._rows_layout = QtWidgets.QVBoxLayout()
        self._rows_layout.setSpacing(6)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(title)
        layout.addLayout(self._rows_layout)

        manager.download_updated.connect(self._on_manager_download_updated)
        manager.download_removed.connect(self._on_manager_download_removed)
        for job in manager.jobs():
            self._row(job)
        self.setVisible(bool(self._rows))

    def row(self, key: str) -> DownloadRow | None:
        return self._rows.get(key)

    def keys(self) -> list[str]:
        return list(self._rows)

    def _row(self, job: DownloadJob) -> DownloadRow:
        row = self._rows.get(job.key)
        if row is None:
            row = DownloadRow(self._manager, job.key, self)
            self._rows[job.key] = row
            self._rows_layout.addWidget(row)
            self.show()
        row.update_from(job)
        return row

    def _refresh(self, key: str) -> None:
        job = self._manager.job(key)
        if job is not None:
            self._row(job)

    @QtCore.Slot(str)
    def _on_manager_download_updated(self, key: str) -> None:
        self._refresh(key)

    @QtCore.Slot(str)
    def _on_manager_download_removed(self, key: str) -> None:
        row = self._rows.pop(key, None)
        if row is not None:
            self._rows_layout.removeWidget(row)
            row.deleteLater()
        self.setVisible(bool(self._rows))
