"""The window's fixtures (``tests/ui/conftest.py``), for the tests that drive the window and the command line."""

from tests.ui.conftest import engines, make_window, store, ui_settings, window

__all__ = ["engines", "make_window", "store", "ui_settings", "window"]
