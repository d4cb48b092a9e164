"""Live language switching: re-translates every fixed string of a window in place (its ``retranslateUi``).

Parley's widgets set their strings once, with ``tr()``, when they are built. On a
``QEvent.LanguageChange`` a window calls ``retranslate_tree(self)``: each text a widget shows (its
text, title, tool tip, placeholder, accessible name and description, tab and item texts, spin box
affixes, list and table headers, and its actions') is looked up in the shipped catalogue (the compiled
``parley_zh_CN.qm``, read here as Qt's lrelease wrote it: every translated source string with its
context and translation; the bundle ships only the ``.qm``) and replaced by the translation for the
language now installed. Which context a string belongs to is the class that called ``tr()``: the widget's
own class or one of its parents'. Texts built from data (titles, model names, "{model} is …") are
not in the catalogue; the window redraws those itself after calling this.
"""

from __future__ import annotations

import logging
import struct
from collections.abc import Callable, Iterable, Iterator
from functools import cache, partial
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from app.ui.common.i18n import translations_dir

log = logging.getLogger("app.ui")

_CATALOGUES = ("parley_zh_CN.qm",)

# Qt's .qm layout (qtranslator.cpp): a 16-byte magic, then blocks of (tag byte, big-endian length, data);
# the messages block holds records of (tag byte, value) fields up to an end tag.
QM_MAGIC = bytes.fromhex("3cb86418caef9c95cd211cbf60a1bddd")
_MESSAGES_BLOCK = 0x69
_TAG_END, _TAG_TRANSLATION, _TAG_OBSOLETE1, _TAG_SOURCE, _TAG_CONTEXT, _TAG_COMMENT = 1, 3, 5, 6, 7, 8


class QmFormatError(ValueError):
    """The file is not a .qm that lrelease wrote with its source texts (``-compress`` strips them)."""


def qm_messages(data: bytes) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """Every (context, source text, translations) that a .qm file holds."""
    if not data.startswith(QM_MAGIC):
        raise QmFormatError("no .qm magic number")
    offset = len(QM_MAGIC)
    while offset + 5 <= len(data):
        tag, length = data[offset], struct.unpack_from(">I", data, offset + 1)[0]
        offset += 5
        if tag == _MESSAGES_BLOCK:
            yield from _records(data[offset : offset + length])
        offset += length


def _records(block: bytes) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    offset = 0
    context, source, translations = "", None, []
    while offset < len(block):
        tag = block[offset]
        offset += 1
        if tag == _TAG_END:
            if source is None:
                raise QmFormatError("a message without its source text (a stripped .qm)")
            yield context, source, tuple(translations)
            context, source, translations = "", None, []
            continue
        if tag == _TAG_OBSOLETE1:
            offset += 4
            continue
        if tag not in (_TAG_TRANSLATION, _TAG_SOURCE, _TAG_CONTEXT, _TAG_COMMENT):
            raise QmFormatError(f"unknown message field {tag:#x}")
        (length,) = struct.unpack_from(">I", block, offset)
        offset += 4
        if length == 0xFFFFFFFF:  # a null string
            continue
        value = block[offset : offset + length]
        offset += length
        if tag == _TAG_TRANSLATION:
            translations.append(value.decode("utf-16-be"))
        elif tag == _TAG_SOURCE:
            source = value.decode("utf-8")
        elif tag == _TAG_CONTEXT:
            context = value.decode("utf-8")


def read_catalogue(path: Path) -> dict[str, tuple[tuple[str, str], ...]]:
    """A .qm file's every shown text (a source or one of its translations) → the (context, source) pairs."""
    index: dict[str, list[tuple[str, str]]] = {}
    for context, source, translations in qm_messages(path.read_bytes()):
        if not source:
            continue
        entry = (context, source)
        index.setdefault(source, []).append(entry)
        for translation in translations:
            if translation and translation != source:
                index.setdefault(translation, []).append(entry)
    return {text: tuple(entries) for text, entries in index.items()}


@cache
def catalogue() -> dict[str, tuple[tuple[str, str], ...]]:
    """Every shown text (a source or one of its translations) → the (context, source) pairs it can stand for."""
    merged: dict[str, tuple[tuple[str, str], ...]] = {}
    for name in _CATALOGUES:
        try:
            found = read_catalogue(translations_dir() / name)
        except (OSError, QmFormatError, struct.error, UnicodeDecodeError) as exc:
            log.warning("cannot read the translations catalogue %s: %s", name, exc)
            continue
        for text, entries in found.items():
            merged[text] = merged.get(text, ()) + entries
    return merged


def _contexts(widget: QtCore.QObject) -> list[str]:
    """The class names whose ``tr()`` may have set ``widget``'s texts: its own, then its parents'."""
    names: list[str] = []
    current: QtCore.QObject | None = widget
    while current is not None:
        for cls in type(current).__mro__:
            if cls.__module__.startswith("app.") and cls.__name__ not in names:
                names.append(cls.__name__)
        current = current.parent()
    return names


def _entry(text: str, contexts: list[str]) -> tuple[str, str] | None:
    """The (context, source) that ``text`` most likely came from: the nearest class's, else the first."""
    entries = catalogue().get(text)
    if not entries:
        return None
    for context in contexts:
        for entry in entries:
            if entry[0] == context:
                return entry
    return entries[0]


def translated(text: str, contexts: list[str]) -> str | None:
    """``text`` in the language now installed, or None when the catalogue does not know it."""
    entry = _entry(text, contexts)
    return QtCore.QCoreApplication.translate(*entry) if entry is not None else None


def _redo(
    owner: QtCore.QObject, key: str, getter: Callable[[], str], setter: Callable[[str], object], contexts: list[str]
) -> None:
    """Re-translates one text of ``owner``. The (context, source) it was translated from is kept on
    ``owner`` (a dynamic property per ``key``), so a translation two sources share ("New chat" and
    "New conversation" are both 新对话) goes back to the one it came from."""
    text = getter()
    if not text:
        return
    name = f"_parleySource_{key}"
    kept = owner.property(name)
    if isinstance(kept, list) and len(kept) == 3 and kept[0] == text:
        entry: tuple[str, str] | None = (str(kept[1]), str(kept[2]))
    else:
        entry = _entry(text, contexts)
    if entry is None:
        return
    new = QtCore.QCoreApplication.translate(*entry)
    if new != text:
        setter(new)
    owner.setProperty(name, [new, *entry])


def _retranslate_widget(widget: QtWidgets.QWidget) -> None:
    contexts = _contexts(widget)
    _redo(widget, "windowTitle", widget.windowTitle, widget.setWindowTitle, contexts)
    _redo(widget, "toolTip", widget.toolTip, widget.setToolTip, contexts)
    _redo(widget, "statusTip", widget.statusTip, widget.setStatusTip, contexts)
    _redo(widget, "accessibleName", widget.accessibleName, widget.setAccessibleName, contexts)
    _redo(widget, "accessibleDescription", widget.accessibleDescription, widget.setAccessibleDescription, contexts)
    if isinstance(widget, QtWidgets.QAbstractButton | QtWidgets.QLabel):
        _redo(widget, "text", widget.text, widget.setText, contexts)
    if isinstance(widget, QtWidgets.QLineEdit | QtWidgets.QPlainTextEdit | QtWidgets.QTextEdit):
        _redo(widget, "placeholder", widget.placeholderText, widget.setPlaceholderText, contexts)
    if isinstance(widget, QtWidgets.QGroupBox | QtWidgets.QMenu):
        _redo(widget, "title", widget.title, widget.setTitle, contexts)
    if isinstance(widget, QtWidgets.QSpinBox | QtWidgets.QDoubleSpinBox):
        _redo(widget, "suffix", widget.suffix, widget.setSuffix, contexts)
        _redo(widget, "prefix", widget.prefix, widget.setPrefix, contexts)
        _redo(widget, "special", widget.specialValueText, widget.setSpecialValueText, contexts)
    if isinstance(widget, QtWidgets.QTabWidget):
        for index in range(widget.count()):
            _redo(widget, f"tab{index}", partial(widget.tabText, index), partial(widget.setTabText, index), contexts)
            tip_get, tip_set = partial(widget.tabToolTip, index), partial(widget.setTabToolTip, index)
            _redo(widget, f"tabTip{index}", tip_get, tip_set, contexts)
    if isinstance(widget, QtWidgets.QTreeWidget):
        header = widget.headerItem()
        for column in range(widget.columnCount()):
            _redo(widget, f"head{column}", partial(header.text, column), partial(header.setText, column), contexts)
    if isinstance(widget, QtWidgets.QTableWidget):
        for column in range(widget.columnCount()):
            item = widget.horizontalHeaderItem(column)
            if item is not None:
                _redo(widget, f"head{column}", item.text, item.setText, contexts)
    if isinstance(widget, QtWidgets.QComboBox):
        for index in range(widget.count()):
            get, put = partial(widget.itemText, index), partial(widget.setItemText, index)
            _redo(widget, f"item{index}", get, put, contexts)
    _retranslate_actions(widget.actions(), contexts)


def _retranslate_actions(actions: Iterable[QtGui.QAction], contexts: list[str]) -> None:
    for action in actions:
        action_contexts = [*_contexts(action), *contexts]
        _redo(action, "text", action.text, action.setText, action_contexts)
        _redo(action, "toolTip", action.toolTip, action.setToolTip, action_contexts)


def retranslate_tree(root: QtWidgets.QWidget) -> None:
    """Re-translates the fixed strings of ``root`` and everything inside it into the installed language."""
    _retranslate_widget(root)
    for widget in root.findChildren(QtWidgets.QWidget):
        _retranslate_widget(widget)
    _retranslate_actions(root.findChildren(QtGui.QAction), _contexts(root))
