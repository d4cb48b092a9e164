"""The header's one-line notice that the conversation's model is too small for its persona's job
(``app.core.personas.fit``): said once, in place, instead of a translation that silently fails."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from app.core.models.installed import ModelEntry
from app.core.personas import fit
from app.core.personas.persona import Persona
from app.ui.common.i18n import model_label


class SizeNotice(QtWidgets.QLabel):
    """Hidden unless the model is known to be smaller than the persona's ``min_parameters``. GUI thread only."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sizeNotice")
        self.setWordWrap(True)
        self._persona: tuple[Persona, str] | None = None
        self._model: ModelEntry | None = None
        self.hide()

    def set_persona(self, persona: Persona, shown_name: str) -> None:
        self._persona = (persona, shown_name)
        self._update()

    def set_model(self, entry: ModelEntry | None) -> None:
        self._model = entry
        self._update()

    def _update(self) -> None:
        count = fit.too_small(self._persona[0], self._model) if self._persona is not None else None
        if count is None or self._persona is None or self._model is None:
            self.clear()
            self.hide()
            return
        persona, name = self._persona
        if fit.size_text(count) in model_label(self._model.name):  # "SmolLM2 135M …" says its size already
            text = self.tr("⚠ {model} is too small for {persona}; pick a model of {need} parameters or more.")
        else:
            text = self.tr("⚠ {model} ({size}) is too small for {persona}; pick a model of {need} parameters or more.")
        self.setText(
            text.format(
                model=model_label(self._model.name), size=fit.size_text(count), persona=name,
                need=fit.size_text(persona.min_parameters or 0),
            )
        )  # fmt: skip
        self.show()

    def changeEvent(self, event: QtCore.QEvent) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.Type.LanguageChange:
            self._update()
