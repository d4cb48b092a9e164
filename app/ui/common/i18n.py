"""Translations: which language the window speaks, the installed translators, and AppError sentences.

English is the source language; Simplified Chinese ships as ``resources/translations/parley_zh_CN.qm``.
``Settings.language`` picks one ("" follows the system locale).
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore

from app.core import paths
from app.core.errors import AppError
from app.core.models import installed as catalog

SHIPPED_LANGUAGES = ("en", "zh_CN")


def translations_dir() -> Path:
    return paths.resource_path("translations")


def resolve_language(setting: str, system_locale: str | None = None) -> str:
    """The shipped language to use: the setting when it names one, else the best match for the system."""
    wanted = setting.strip() or (system_locale if system_locale is not None else QtCore.QLocale.system().name())
    if wanted in SHIPPED_LANGUAGES:
        return wanted
    # Every Chinese locale gets Simplified Chinese, the only Chinese that ships.
    if wanted.lower().startswith("zh"):
        return "zh_CN"
    return "en"


_language = "en"
_installed: list[QtCore.QTranslator] = []  # what install_translators installed last


def current_language() -> str:
    """The language the last ``install_translators`` chose ("en" or "zh_CN")."""
    return _language


def install_translators(application: QtCore.QCoreApplication, language: str) -> list[QtCore.QTranslator]:
    """Installs Parley's translator (and Qt's own, for stock dialog buttons) for ``language``.

    Returns the installed translators; keep them alive for as long as they should stay installed.
    """
    global _language
    _language = language
    installed: list[QtCore.QTranslator] = []
    _installed[:] = []
    if language == "en":
        return installed
    candidates = [
        (f"parley_{language}", str(translations_dir())),
        (f"qtbase_{language}", QtCore.QLibraryInfo.path(QtCore.QLibraryInfo.LibraryPath.TranslationsPath)),
    ]
    for name, folder in candidates:
        translator = QtCore.QTranslator(application)
        if translator.load(name, folder) and application.installTranslator(translator):
            installed.append(translator)
    _installed[:] = installed
    return installed


def switch_language(application: QtCore.QCoreApplication, language: str) -> list[QtCore.QTranslator]:
    """Replaces the installed translators with ``language``'s, while the app runs.

    Qt then sends every widget a ``LanguageChange`` event; the windows re-translate themselves.
    """
    for translator in list(_installed):
        application.removeTranslator(translator)
    return install_translators(application, language)


def remove_translators(application: QtCore.QCoreApplication, translators: list[QtCore.QTranslator]) -> None:
    global _language
    _language = "en"
    for translator in [*translators, *_installed]:
        application.removeTranslator(translator)
    _installed[:] = []


def model_label(name: str) -> str:
    """A model's name as shown: the starter's built-in name in the window's language, any other as it is."""
    if name == catalog.STARTER_NAME:
        return QtCore.QCoreApplication.translate("Catalog", "SmolLM2 135M (starter, offline)")
    return name


def _translate(context: str, text: str) -> str:
    return QtCore.QCoreApplication.translate(context, text)


def error_text(error: AppError) -> str:
    """The error's sentence in the window's language."""
    return error.user_message(_translate)


def size_text(size: int) -> str:
    """A file's size as people read it, in the interface's language ("1.2 MB")."""
    locale = QtCore.QLocale(current_language())  # the interface's language, not the system's
    return locale.formattedDataSize(size, 1, QtCore.QLocale.DataSizeFormat.DataSizeSIFormat)
