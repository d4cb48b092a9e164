"""What a recovery of the history did, told to the user: the one wording for the window and the command line.

The sentences are English templates marked for translation (context "History"); the window passes
Qt's translate and its own date format, the command line takes them as they are.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from app.core.errors import QT_TRANSLATE_NOOP, Translate
from app.core.history.recovery import RecoveryReport

RESTORED = QT_TRANSLATE_NOOP("History", "Your history was damaged, so Parley restored the backup from {date}.")
STARTED_NEW = QT_TRANSLATE_NOOP(
    "History", "Your history was damaged and there was no backup to restore, so Parley started a new one."
)
SALVAGED = QT_TRANSLATE_NOOP(
    "History", "It read back from the damaged file: {messages} messages in {conversations} conversations."
)
NOTHING_SALVAGED = QT_TRANSLATE_NOOP("History", "Nothing more could be read from the damaged file.")
KEPT = QT_TRANSLATE_NOOP("History", "The damaged file is kept, unchanged, at {path}.")


def plain_moment(seconds: float) -> str:
    """A local date and time, as the command line writes it: 2025-01-31 09:30."""
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(seconds))


def _untranslated(context: str, text: str) -> str:
    del context
    return text


def recovery_notice(
    report: RecoveryReport, translate: Translate = _untranslated, moment: Callable[[float], str] = plain_moment
) -> str:
    """What the recovery did: what came back, from when, and where the damaged file is."""
    if report.backup_path is not None and report.backup_created_at is not None:
        first = translate("History", RESTORED).format(date=moment(report.backup_created_at))
    else:
        first = translate("History", STARTED_NEW)
    if report.salvaged_messages or report.salvaged_conversations:
        second = translate("History", SALVAGED).format(
            messages=report.salvaged_messages, conversations=report.salvaged_conversations
        )
    else:
        second = translate("History", NOTHING_SALVAGED)
    third = translate("History", KEPT).format(path=report.damaged_path)
    return f"{first} {second} {third}"
