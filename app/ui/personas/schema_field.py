"""The persona editor's JSON Schema field: the schema's text, a line that checks it as it is typed, and a
preview of an answer that follows it (an example instance, pretty-printed).

The check is ``app.core.engine.json_schema``'s, the same one the persona book applies on save, so
what the line accepts is what saving accepts. Empty means free-text answers.
"""

from __future__ import annotations

import json

from PySide6 import QtCore, QtGui, QtWidgets

from app.core.engine.json_schema import checked_schema, example
from app.core.errors import JsonSchemaError
from app.ui.common import style


class SchemaField(QtWidgets.QWidget):
    """GUI thread only."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QtWidgets.QPlainTextEdit(self)
        self.edit.setObjectName("personaSchema")
        self.edit.setAccessibleName(self.tr("JSON Schema"))
        self.edit.setTabChangesFocus(True)
        self.edit.setPlaceholderText(
            self.tr("Empty: answers are free text. A JSON Schema here holds every answer to it.")
        )
        self.preview = QtWidgets.QPlainTextEdit(self)
        self.preview.setObjectName("personaSchemaPreview")
        self.preview.setReadOnly(True)
        self.preview.setAccessibleName(self.tr("An answer could look like this"))
        self.preview.setToolTip(self.tr("An answer could look like this"))
        for box in (self.edit, self.preview):
            box.setFont(style.fixed_font())
            # As tall as the editor leaves room for (it fits 800×600), never under two lines.
            box.setMinimumHeight(box.fontMetrics().lineSpacing() * 2 + 12)
            box.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Ignored)
        self.status = QtWidgets.QLabel(self)
        self.status.setObjectName("personaSchemaStatus")
        self.status.setWordWrap(True)
        boxes = QtWidgets.QHBoxLayout()
        boxes.setContentsMargins(0, 0, 0, 0)
        boxes.addWidget(self.edit, 3)
        boxes.addWidget(self.preview, 2)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(boxes)
        layout.addWidget(self.status)
        self.problem = ""  # the sentence why the schema cannot be used; "" when it can (or there is none)
        self.edit.textChanged.connect(self._on_edit_text_changed)
        self._on_edit_text_changed()

    def text(self) -> str:
        return self.edit.toPlainText().strip()

    def set_text(self, schema: str) -> None:
        """Shows ``schema`` (a schema's JSON text, "" for none), laid out two spaces to a level."""
        try:
            shown = json.dumps(json.loads(schema), ensure_ascii=False, indent=2) if schema else ""
        except ValueError:
            shown = schema  # kept as the user wrote it; the line says what is wrong
        self.edit.setPlainText(shown)

    @QtCore.Slot()
    def _on_edit_text_changed(self) -> None:
        text = self.text()
        palette = self.palette()
        colour = style.muted_text(palette)
        if not text:
            self.problem = ""
            self.status.setText(self.tr("Answers are free text."))
            self.preview.setPlainText("")
        else:
            try:
                schema = checked_schema(text)
            except JsonSchemaError as err:
                self.problem = err.user_message(QtCore.QCoreApplication.translate)
                self.status.setText(self.problem)
                self.preview.setPlainText("")
                colour = style.warning_text(palette)
            else:
                self.problem = ""
                self.status.setText(self.tr("Every answer will be JSON that follows this schema."))
                self.preview.setPlainText(json.dumps(example(schema), ensure_ascii=False, indent=2))
        self.status.setStyleSheet(f"color: {colour.name(QtGui.QColor.NameFormat.HexRgb)}")
