"""The application's look and language while it runs: theme, font size and translators, from the settings.

``Appearance`` listens to the settings owner: a new theme or font size is applied to the whole
application at once, and a new language swaps the installed translators, which makes Qt send every
window a ``LanguageChange`` (each window then re-translates itself: ``app.ui.common.retranslate``). With
the theme left to the system, the palette follows ``QStyleHints.colorScheme`` (Qt 6.5+) and
changes when the system's does. When the last ``Appearance`` shuts down, the palette, font and
language the application had before the first one are put back (several windows may be open at
once, in tests or after a restore, and they share the application's look).
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from app.core.config.settings import Settings, SettingsStore
from app.ui.common import i18n, style


def system_theme() -> str:
    """ "dark" when the system says it prefers a dark scheme, else "light"."""
    hints = QtGui.QGuiApplication.styleHints()
    return "dark" if hints.colorScheme() == QtCore.Qt.ColorScheme.Dark else "light"


def resolve_theme(setting: str) -> str:
    return setting if setting in style.THEMES else system_theme()


class _Baseline:
    """What the application looked like before the first ``Appearance``, and how many are active."""

    active = 0
    palette: QtGui.QPalette | None = None
    font: QtGui.QFont | None = None
    language = "en"


class Appearance(QtCore.QObject):
    """Applies the settings' theme, font size and language to the application. GUI thread only."""

    theme_changed = QtCore.Signal(str)  # "light" or "dark"
    language_changed = QtCore.Signal(str)  # "en" or "zh_CN"

    def __init__(self, settings: SettingsStore, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        application = QtWidgets.QApplication.instance()
        assert isinstance(application, QtWidgets.QApplication)
        self._application = application
        self._settings = settings
        if _Baseline.active == 0:
            _Baseline.palette = application.palette()
            _Baseline.font = application.font()
            _Baseline.language = i18n.current_language()
        _Baseline.active += 1
        self._original_font = _Baseline.font or application.font()
        self._theme = ""
        self._font_size = -1
        self._active = True
        settings.add_listener(self._on_settings_changed)
        QtGui.QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_style_hints_color_scheme_changed)
        self.apply(settings.current, language=False)

    @property
    def theme(self) -> str:
        """The theme in force: "light" or "dark"."""
        return self._theme

    def apply(self, settings: Settings, *, language: bool = True) -> None:
        """Applies ``settings``' theme and font size (and, with ``language``, its language) now."""
        if not self._active:
            return
        theme = resolve_theme(settings.theme)
        if theme != self._theme:
            self._theme = theme
            self._application.setPalette(style.palette_for(theme))
            self.theme_changed.emit(theme)
        if settings.font_size != self._font_size:
            self._font_size = settings.font_size
            font = QtGui.QFont(self._original_font)
            if settings.font_size > 0:
                font.setPointSize(settings.font_size)
            self._application.setFont(font)
        if language:
            wanted = i18n.resolve_language(settings.language)
            if wanted != i18n.current_language():
                i18n.switch_language(self._application, wanted)
                self.language_changed.emit(wanted)

    def shutdown(self) -> None:
        """Stops following the settings and the system; puts back what the application had before."""
        if not self._active:
            return
        self._active = False
        QtGui.QGuiApplication.styleHints().colorSchemeChanged.disconnect(self._on_style_hints_color_scheme_changed)
        _Baseline.active -= 1
        if _Baseline.active > 0:
            return
        if _Baseline.palette is not None:
            self._application.setPalette(_Baseline.palette)
        if _Baseline.font is not None:
            self._application.setFont(_Baseline.font)
        if i18n.current_language() != _Baseline.language:
            i18n.switch_language(self._application, _Baseline.language)

    def _on_settings_changed(self, settings: Settings) -> None:
        self.apply(settings)

    @QtCore.Slot(QtCore.Qt.ColorScheme)
    def _on_style_hints_color_scheme_changed(self, scheme: QtCore.Qt.ColorScheme) -> None:
        del scheme
        if self._settings.current.theme == "":
            self.apply(self._settings.current, language=False)
