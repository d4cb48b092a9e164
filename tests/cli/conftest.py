"""The window's fixtures (``tests/ui/conftest.py``), for the tests that drive the window and the command line,
and the real speech models (``tests/core/voice``)."""

from tests.core.voice.speech_models import transcriber, voice
from tests.ui.conftest import engines, make_window, store, ui_settings, window

__all__ = ["engines", "make_window", "store", "transcriber", "ui_settings", "voice", "window"]
