"""The chat's header: the conversation's title, its persona (and, for a translating persona, the target
language), "Loading <model>…", the thinking switch, "Use my library" (``library_switch``) and the model
picker; under them, a notice when the
model is too small for the persona's job.

It shows what it is told and says what the user picked through signals; the main window decides.
In a narrow window the menus give way (eliding) before the title does.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from app.core.history.types import Thinking
from app.core.models.installed import ModelEntry
from app.ui.chat.library_switch import LibrarySwitch
from app.ui.chat.model_picker import LoadingIndicator, ModelPicker, remote_icon
from app.ui.chat.size_notice import SizeNotice
from app.ui.common.elided_combo import ElidedComboBox
from app.ui.common.elided_label import ElidedLabel
from app.ui.common.narrow import SideBySide

_THINKING_CHOICES: tuple[Thinking | None, ...] = (None, "on", "off")
TITLE_MIN_CHARS = 22  # the title's least width, in average characters
COMBO_MIN_CHARS = 14  # what a narrow window leaves the persona menu and the model picker


class _PersonaCombo(ElidedComboBox):
    """The persona menu: wide enough for the chosen name with the style sheet's padding, and able to
    give way (eliding the name) when the window is narrow, so the title keeps its room."""

    def minimumSizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt's name
        least = self.fontMetrics().averageCharWidth() * COMBO_MIN_CHARS
        return QtCore.QSize(min(least, self.sizeHint().width()), super().minimumSizeHint().height())


class ChatHeader(QtWidgets.QFrame):
    """GUI thread only."""

    thinking_chosen = QtCore.Signal(object)  # "on", "off", or None for the model's own default
    persona_chosen = QtCore.Signal(int)  # a persona id
    target_language_chosen = QtCore.Signal(str)  # "" for "from the text"

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chatHeader")
        self.title_label = ElidedLabel(self)  # a long title gives way to the model picker
        self.title_label.setObjectName("chatTitle")
        # The title keeps room for a few words beside the menus; they give way first (see _PersonaCombo).
        self.title_label.setMinimumWidth(self.fontMetrics().averageCharWidth() * TITLE_MIN_CHARS)
        self.loading_indicator = LoadingIndicator(self)
        self.thinking_combo = QtWidgets.QComboBox(self)
        self.thinking_combo.setObjectName("thinkingCombo")
        self.thinking_combo.addItem(self.tr("Thinking: model's default"), None)
        self.thinking_combo.addItem(self.tr("Thinking: on"), "on")
        self.thinking_combo.addItem(self.tr("Thinking: off"), "off")
        self.thinking_combo.setToolTip(self.tr("Whether this model reasons before it answers, in this conversation"))
        self.thinking_combo.setAccessibleName(self.tr("Thinking"))
        self.thinking_combo.hide()
        self.model_picker = ModelPicker(self)
        self.model_picker.setMinimumWidth(self.fontMetrics().averageCharWidth() * COMBO_MIN_CHARS)
        # Privacy is never a guess: with a remote model, the header names the host the conversation goes to.
        self.remote_badge = QtWidgets.QWidget(self)
        self.remote_badge.setObjectName("remoteBadge")
        self.remote_icon = QtWidgets.QLabel(self.remote_badge)
        self.remote_label = QtWidgets.QLabel(self.remote_badge)
        self.remote_label.setObjectName("mutedLabel")
        badge = QtWidgets.QHBoxLayout(self.remote_badge)
        badge.setContentsMargins(0, 0, 6, 0)
        badge.setSpacing(4)
        badge.addWidget(self.remote_icon)
        badge.addWidget(self.remote_label)
        self.remote_badge.hide()
        self.persona_combo = _PersonaCombo(self)
        self.persona_combo.setObjectName("personaCombo")
        self.persona_combo.setToolTip(
            self.tr("The persona this conversation talks to; a change applies from the next answer")
        )
        self.persona_combo.setAccessibleName(self.tr("Persona"))
        self.persona_combo.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.target_combo = QtWidgets.QComboBox(self)
        self.target_combo.setObjectName("targetLanguageCombo")
        self.target_combo.setToolTip(self.tr("The language the persona translates into"))
        self.target_combo.setAccessibleName(self.tr("Target language"))
        self.target_combo.hide()
        self.size_notice = SizeNotice(self)
        self.library_switch = LibrarySwitch(self)  # this conversation's "Use my library" and its folders
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(20, 10, 16, 10)
        title_box = QtWidgets.QWidget(self)
        self.title_row = QtWidgets.QHBoxLayout(title_box)  # where a part of the window may put a mark beside it
        self.title_row.setContentsMargins(0, 0, 0, 0)
        self.title_row.addWidget(self.title_label, 1)
        menus = QtWidgets.QWidget(self)
        controls = QtWidgets.QHBoxLayout(menus)
        controls.setContentsMargins(0, 0, 0, 0)
        controls.addStretch(1)  # under the title (a narrow window), the menus keep to the right
        for widget in (
            self.persona_combo, self.target_combo, self.loading_indicator, self.thinking_combo,
            self.library_switch, self.remote_badge, self.model_picker,
        ):  # fmt: skip
            controls.addWidget(widget)
        # The title and the menus side by side, or the menus under the title where both do not fit at their
        # least (a large text size: at 18 pt in 800×600 the menus covered the title).
        outer.addWidget(SideBySide(title_box, menus, parent=self))
        outer.addWidget(self.size_notice)
        self.thinking_combo.activated.connect(self._on_thinking_combo_activated)
        self.persona_combo.activated.connect(self._on_persona_combo_activated)
        self.target_combo.activated.connect(self._on_target_combo_activated)

    def show_models(
        self, models: list[ModelEntry], current: ModelEntry | None, *, thinking: Thinking | None, can_think: bool
    ) -> None:
        """The picker's models and choice; the thinking switch only for a model whose template reads one."""
        self.model_picker.set_models(models, current)
        self.size_notice.set_model(current)
        remote = current is not None and current.source == "remote"
        self.remote_badge.setVisible(remote)
        if current is not None and remote:
            size = self.fontMetrics().height()
            self.remote_icon.setPixmap(remote_icon(self).pixmap(size, size))
            self.remote_label.setText(current.server_host)
            tip = self.tr("This conversation leaves this computer: it is sent to {host}.").format(
                host=current.server_host
            )
            self.remote_badge.setToolTip(tip)
        self.thinking_combo.setVisible(can_think)
        self.thinking_combo.setCurrentIndex(_THINKING_CHOICES.index(thinking))

    def show_personas(
        self, personas: list[tuple[int, str]], current: int, *, targets: list[tuple[str, str]] | None, target: str
    ) -> None:
        """The persona menu ((id, shown name) pairs) with ``current`` chosen; ``targets`` ((value, shown
        name) pairs) only for a persona that translates, with ``target`` chosen."""
        self.persona_combo.clear()
        for persona_id, name in personas:
            self.persona_combo.addItem(name, persona_id)
        self.persona_combo.setCurrentIndex(max(0, self.persona_combo.findData(current)))
        self.target_combo.clear()
        for value, name in targets or []:
            self.target_combo.addItem(name, value)
        self.target_combo.setCurrentIndex(max(0, self.target_combo.findData(target)))
        self.target_combo.setVisible(targets is not None)

    def set_loading(self, model_name: str | None) -> None:
        if model_name is None:
            self.loading_indicator.stop()
        else:
            self.loading_indicator.start(model_name)

    @QtCore.Slot(int)
    def _on_thinking_combo_activated(self, index: int) -> None:
        self.thinking_chosen.emit(_THINKING_CHOICES[index])

    @QtCore.Slot(int)
    def _on_persona_combo_activated(self, index: int) -> None:
        self.persona_chosen.emit(int(self.persona_combo.itemData(index)))

    @QtCore.Slot(int)
    def _on_target_combo_activated(self, index: int) -> None:
        self.target_language_chosen.emit(str(self.target_combo.itemData(index) or ""))
