"""Qt's mnemonic ampersand: user text shown literally on an action, menu or button, and a label read aloud.

A QAction, QMenu, QPushButton or QToolButton reads "&x" as "underline x, Alt+x presses it", so a persona
named "Q&A, precise" shows as "QA" with an underlined A unless its ``&`` is doubled. Every place where text
the user (or a built-in persona) wrote becomes such a label goes through ``literal``.
"""

from __future__ import annotations


def literal(text: str) -> str:
    """``text`` as a label that shows it unchanged: each ``&`` doubled, so none becomes a mnemonic."""
    return text.replace("&", "&&")


def without_mnemonic(text: str) -> str:
    """A label as it reads: "&Models" is "Models", "Q&&A" is "Q&A"."""
    return "&".join(part.replace("&", "") for part in text.split("&&"))
