"""The table of installed models on the Models page: what each file's GGUF header says, and where it came from.

Headers (architecture, parameters, trained context, quantization) are read off the GUI thread (a
``BackgroundOp`` on the window's executor) and
cached per file version (path, size, modification time), so a refresh after an import or a delete
reads only the new file. A file that is not a usable GGUF shows dashes, and the reason in its tooltip.
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtWidgets

from app.core.errors import AppError
from app.core.models import library
from app.core.models.gguf import GgufInfo, read_gguf
from app.core.models.installed import ModelEntry
from app.ui.common.background import BackgroundExecutor, BackgroundOp
from app.ui.common.i18n import error_text, model_label

COLUMNS = ("name", "size", "quantization", "architecture", "parameters", "context", "origin")
_NAME_WIDTH = 240  # pixels, at most
_Key = tuple[str, int, int]  # a file version: path, size, modification time (ns)


def format_parameters(count: int) -> str:
    """134_515_008 → "135M"; 8_030_261_248 → "8.0B"."""
    if count >= 1_000_000_000:
        return f"{count / 1e9:.1f}B"
    if count >= 1_000_000:
        return f"{count / 1e6:.0f}M"
    return f"{count / 1e3:.0f}K"


def _when(iso: str) -> str:
    """The local date of an ISO 8601 time, as 2025-01-02: readable in every language the window speaks."""
    moment = QtCore.QDateTime.fromString(iso, QtCore.Qt.DateFormat.ISODate)
    if not moment.isValid():
        return iso
    return moment.toLocalTime().date().toString(QtCore.Qt.DateFormat.ISODate)


def _key(path: Path) -> _Key | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return str(path), stat.st_size, stat.st_mtime_ns


def _read_headers(files: list[Path]) -> dict[_Key, GgufInfo | AppError]:
    """Runs on a worker thread: each file's header, or why it is not a usable GGUF file."""
    found: dict[_Key, GgufInfo | AppError] = {}
    for file in files:
        key = _key(file)
        if key is None:
            continue
        try:
            found[key] = read_gguf(file)
        except AppError as err:
            found[key] = err
    return found


class ModelTable(QtWidgets.QTableWidget):
    """One row per installed model. GUI thread only."""

    refreshed = QtCore.Signal()  # every row shows its header (or why it has none)
    entry_activated = QtCore.Signal(object)  # ModelEntry: double-clicked

    def __init__(self, executor: BackgroundExecutor, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setObjectName("modelTable")
        self.setAccessibleName(self.tr("Installed models"))
        self._entries: list[ModelEntry] = []
        self._default: Path | None = None
        self._headers: dict[_Key, GgufInfo | AppError] = {}
        self._executor = executor
        self._read: BackgroundOp[dict[_Key, GgufInfo | AppError]] | None = None
        self.setHorizontalHeaderLabels(
            [
                self.tr("Name"),
                self.tr("Size"),
                self.tr("Quantization"),
                self.tr("Architecture"),
                self.tr("Parameters"),
                self.tr("Context"),
                self.tr("Origin"),
            ]
        )
        self.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(False)
        # Paths and repo names keep both ends in view: the folder's start and the file name, the revision.
        self.setTextElideMode(QtCore.Qt.TextElideMode.ElideMiddle)
        self.setShowGrid(False)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(len(COLUMNS) - 1, QtWidgets.QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignVCenter)
        self.itemDoubleClicked.connect(self._on_self_item_double_clicked)

    # -- public ---------------------------------------------------------------------------------

    def set_entries(self, entries: list[ModelEntry], default: ModelEntry | None) -> None:
        """Shows ``entries`` (keeping the selection); headers not read yet are read off the GUI thread."""
        selected = self.selected_entry()
        self._entries = list(entries)
        self._default = default.path if default is not None else None
        self._fill()
        if selected is not None:
            self.select(selected.path)
        missing = [entry.path for entry in self._entries if (key := _key(entry.path)) and key not in self._headers]
        if self._read is not None:
            self._read.cancel()
            self._read = None
        if not missing:
            self.refreshed.emit()
            return
        self._read = (
            BackgroundOp(run=lambda: _read_headers(missing))
            .on_success(self._on_headers_read)  # no failure callback: _read_headers keeps every AppError
            .start(self._executor)
        )

    def entries(self) -> list[ModelEntry]:
        return list(self._entries)

    def header_of(self, entry: ModelEntry) -> GgufInfo | AppError | None:
        """What the file's header said (or why it could not be read); None while it is being read."""
        key = _key(entry.path)
        return self._headers.get(key) if key is not None else None

    def cell_text(self, row: int, column: str) -> str:
        item = self.item(row, COLUMNS.index(column))
        return item.text() if item is not None else ""

    def selected_entry(self) -> ModelEntry | None:
        rows = self.selectionModel().selectedRows()
        return self._entries[rows[0].row()] if rows and rows[0].row() < len(self._entries) else None

    def select(self, path: Path) -> None:
        for row, entry in enumerate(self._entries):
            if entry.path == path:
                self.selectRow(row)
                return

    def describe(self, entry: ModelEntry) -> str:
        """Where the model came from, in full, and what its header says beyond the columns."""
        lines = [self.origin(entry)[1]]
        if entry.damage:
            lines.append(
                self.tr(
                    "This copy is damaged ({reason}). Download it again from Find models: the download "
                    "fetches only what is missing and checks the whole file."
                ).format(reason=entry.damage)
            )
        header = self.header_of(entry)
        if isinstance(header, AppError):
            lines.append(error_text(header))
        elif header is not None and header.name:
            lines.append(self.tr("Name in the file: {name}").format(name=header.name))
        return "\n".join(lines)

    def origin(self, entry: ModelEntry) -> tuple[str, str]:
        """Where the model came from: a short cell text and a longer sentence."""
        provenance = entry.provenance
        if entry.source == "starter":
            return self.tr("Built in"), self.tr("Comes with Parley: {path}").format(path=entry.path)
        if entry.source in ("imported", "file"):
            text = self.tr("Used where it lies: {path}").format(path=entry.path)
            return text, text
        if provenance is not None and provenance.repo:
            short = self.tr("Hub: {repo} @ {revision}").format(repo=provenance.repo, revision=provenance.revision[:7])
            where = provenance.endpoint or "huggingface.co"
            long = self.tr("Downloaded from {repo} at revision {revision} ({where}), {when}").format(
                repo=provenance.repo, revision=provenance.revision, where=where, when=_when(provenance.downloaded_at)
            )
            return short, f"{long}\n{entry.path}"
        if provenance is not None and provenance.original_path:
            return self.tr("Imported (copied)"), self.tr("Copied from {source} to {path}").format(
                source=provenance.original_path, path=entry.path
            )
        return self.tr("In the models folder"), str(entry.path)

    def shutdown(self) -> None:
        """Drops a header read still running."""
        if self._read is not None:
            self._read.cancel()

    # -- internals ------------------------------------------------------------------------------

    def _fill(self) -> None:
        self.blockSignals(True)
        try:
            self.setRowCount(len(self._entries))
            for row, entry in enumerate(self._entries):
                self._fill_row(row, entry, entry.path == self._default)
        finally:
            self.blockSignals(False)
        # Long names give way to the origin, which says more; the full name is in the tooltip.
        self.setColumnWidth(0, min(self.sizeHintForColumn(0) + 12, _NAME_WIDTH))
        self.itemSelectionChanged.emit()

    def _fill_row(self, row: int, entry: ModelEntry, is_default: bool) -> None:
        header = self.header_of(entry)
        origin, origin_long = self.origin(entry)
        label = model_label(entry.name)
        name = self.tr("{name} · default").format(name=label) if is_default else label
        if entry.damage:
            name = self.tr("{name} · damaged").format(name=name)
        unknown = "…" if header is None else "—"
        info = header if isinstance(header, GgufInfo) else None
        quantization = info.quantization if info and info.quantization else unknown
        values = (
            name,
            library.human_size(entry.size_bytes),
            quantization,
            info.architecture or unknown if info else unknown,
            format_parameters(info.parameter_count) if info and info.parameter_count else unknown,
            QtCore.QLocale().toString(info.context_length) if info and info.context_length else unknown,
            origin,
        )
        tooltip = origin_long
        if isinstance(header, AppError):
            tooltip = f"{origin_long}\n{error_text(header)}"
        for column, value in enumerate(values):
            item = QtWidgets.QTableWidgetItem(value)
            item.setToolTip(tooltip)
            if column == 0 and is_default:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.setItem(row, column, item)

    # -- slots ----------------------------------------------------------------------------------

    @QtCore.Slot(object)
    def _on_headers_read(self, headers: dict[_Key, GgufInfo | AppError]) -> None:
        self._read = None
        self._headers.update(headers)
        self._fill()
        self.refreshed.emit()

    @QtCore.Slot(QtWidgets.QTableWidgetItem)
    def _on_self_item_double_clicked(self, item: QtWidgets.QTableWidgetItem) -> None:
        if 0 <= item.row() < len(self._entries):
            self.entry_activated.emit(self._entries[item.row()])
