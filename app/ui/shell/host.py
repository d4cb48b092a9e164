"""What the window's parts may ask of the window itself: a small interface, so none of them imports ``main_window``."""

from __future__ import annotations

from typing import Protocol

from PySide6 import QtWidgets

from app.core.errors import AppError
from app.core.history.types import Conversation


class WindowHost(Protocol):
    """The window as its parts see it (``MainWindow`` is one)."""

    @property
    def conversation_id(self) -> int | None: ...

    def current_conversation(self) -> Conversation | None: ...

    def new_conversation(self) -> int | None: ...

    def new_temporary_conversation(self) -> int | None: ...

    def reload(self) -> None: ...

    def show_welcome(self) -> None: ...

    def show_conversation(
        self, conversation_id: int, *, focus: int | None = None, focus_composer: bool = True
    ) -> None: ...

    def show_page(self, page: QtWidgets.QWidget) -> None: ...

    def open_settings(self) -> None: ...

    def report_error(self, error: AppError) -> None: ...
