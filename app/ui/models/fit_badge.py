"""The fit badge: "Fits", "May be slow" or "Won't fit", coloured, with the memory estimate in its tooltip."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from app.core.models.fit import FitEstimate, Verdict
from app.core.models.library import human_size


def verdict_text(verdict: Verdict) -> str:
    translate = QtCore.QCoreApplication.translate
    if verdict == "fits":
        return translate("FitBadge", "Fits")
    if verdict == "may_be_slow":
        return translate("FitBadge", "May be slow")
    return translate("FitBadge", "Won't fit")


class FitBadge(QtWidgets.QLabel):
    """A small coloured label; the style sheet colours it by its ``verdict`` property."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fitBadge")
        self.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Fixed, QtWidgets.QSizePolicy.Policy.Fixed)
        self._verdict: Verdict | None = None

    def verdict(self) -> Verdict | None:
        return self._verdict

    def set_estimate(self, estimate: FitEstimate) -> None:
        self._verdict = estimate.verdict
        self.setText(verdict_text(estimate.verdict))
        self.setToolTip(self._explain(estimate))
        self.setProperty("verdict", estimate.verdict)
        # A dynamic property only restyles after the style is re-applied.
        self.style().unpolish(self)
        self.style().polish(self)

    def _explain(self, estimate: FitEstimate) -> str:
        text = self.tr(
            "Needs about {needed} of memory with a {context}-token context: {weights} for the model and {cache} "
            "for its context cache. {free} of memory is free now."
        ).format(
            needed=human_size(estimate.needed_bytes),
            context=f"{estimate.n_ctx:,}",
            weights=human_size(estimate.weights_bytes),
            cache=human_size(estimate.kv_cache_bytes),
            free=human_size(estimate.ram_free_bytes),
        )
        if estimate.vram_free_bytes is not None:
            text += " " + self.tr("{vram} of graphics memory is free.").format(
                vram=human_size(estimate.vram_free_bytes)
            )
        if estimate.draft_bytes:
            text += " " + self.tr("That includes {draft} for its draft model, which speeds answers up.").format(
                draft=human_size(estimate.draft_bytes)
            )
        if not estimate.from_metadata:
            text += " " + self.tr("The context cache is guessed from the download size.")
        return text
