"""The status line at the window's foot: the model in use, the last answer's speed and processor, the GPU probe.

``StatusLine`` is its one writer; the window, its model choice and its shortcuts write through it.
When it says that no model is installed, the next change of the installed models names the model instead.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from app.core.engine import gpu_plan
from app.core.engine.protocol import ModelLoaded
from app.core.engine.speculation import parse_summary
from app.core.history.types import Conversation, Message
from app.core.models.installed import ModelEntry
from app.core.models.registry import ModelRegistry
from app.ui.common import announce, markdown_render
from app.ui.common.gpu_text import capability_sentence, offload_sentence
from app.ui.common.i18n import model_label

translate = QtCore.QCoreApplication.translate


class StatusLine(QtCore.QObject):
    """The label in the window's status bar and what it says. GUI thread only."""

    def __init__(self, window: QtWidgets.QMainWindow, registry: ModelRegistry) -> None:
        super().__init__(window)
        self.registry = registry
        self.label = QtWidgets.QLabel(window)
        self.label.setObjectName("modelStatus")
        self.label.setContentsMargins(8, 0, 8, 0)
        window.statusBar().addPermanentWidget(self.label, 1)
        self.processor = ""  # "CPU", "GPU" or the offload sentence, from the last model load
        self._says_no_model = False

    def write(self, text: str) -> None:
        self.label.setText(text)
        self._says_no_model = False

    def models_changed(self, conversation: Conversation | None) -> None:
        """The installed models changed: "No model is installed" gives way to the model now in use."""
        if self._says_no_model:
            self.show_model(self.registry.model_for(conversation))

    def show_model(self, entry: ModelEntry | None) -> None:
        """The model in use, or that there is none."""
        if entry is None:
            self.write(translate("MainWindow", "No model is installed"))
            self._says_no_model = True
        else:
            self.write(model_label(entry.name))

    def show_capability(self, capability: gpu_plan.Capability) -> None:
        """What the start-up probe found, unless the window said something newer meanwhile."""
        if not self.label.text():
            self.write(capability_sentence(capability))

    def model_loaded(self, event: ModelLoaded) -> None:
        """The processor the next speeds are told with."""
        self.processor = translate("MainWindow", "GPU") if event.gpu_offload else translate("MainWindow", "CPU")
        offload = event.offload
        if offload is not None and (offload.layers_on_gpu or offload.failed_attempts):
            self.processor = offload_sentence(offload)  # "24/33 layers on GPU · 5.1 GB VRAM", or why not

    def show_for(self, conversation: Conversation | None, messages: list[Message]) -> None:
        """The last answer's speed, or the model the conversation uses."""
        for message in reversed(messages):
            if message.role == "assistant" and message.tokens_per_second is not None:
                self.show_stats(message)
                return
        self.show_model(self.registry.model_for(conversation))

    def show_stats(self, message: Message) -> None:
        model = model_label(message.model_name or "")
        if message.tokens_per_second is None or message.ttft_seconds is None:
            self.write(model)
            return
        text = translate("MainWindow", "{model} · {speed} tokens/s · first token {ttft} s").format(
            model=f"{model} · {self.processor}" if self.processor else model,
            speed=f"{message.tokens_per_second:.1f}",
            ttft=f"{message.ttft_seconds:.2f}",
        )
        drafted = parse_summary(message.speculation)
        if drafted is not None and drafted.speedup > 0:
            text += translate("MainWindow", " · speculative {speedup}×").format(speedup=f"{drafted.speedup:.1f}")
        self.write(text)

    def announce_answer(self, message: Message) -> None:
        """Tells a screen reader the first sentence of an answer that is ready."""
        if message.content.strip():
            sentence = announce.first_sentence(markdown_render.plain_text(message.content))
            announce.announce(self.label, translate("MainWindow", "Answer ready: {sentence}").format(sentence=sentence))
