"""Offering a Hub mirror in one click when the Hub cannot be reached (many users in China cannot reach it).

``MirrorOffer.offer`` puts a "Use the mirror" button on a banner that shows a ``HubUnreachableError``.
A click checks the mirror first (one small search, a ``BackgroundOp`` on the window's executor); only
when it answers does the window save it as the Hub endpoint (``endpoint_chosen``) and the caller
retry what failed. The mirror is ``hub.SUGGESTED_MIRROR``; in the Chinese interface it is named first in the banner.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6 import QtCore

from app.core.errors import AppError, HubUnreachableError
from app.core.models import hub
from app.ui.common import i18n
from app.ui.common.background import BackgroundExecutor, BackgroundOp
from app.ui.common.banner import Banner
from app.ui.common.i18n import error_text


def mirror_host() -> str:
    return QtCore.QUrl(hub.SUGGESTED_MIRROR).host() or hub.SUGGESTED_MIRROR


class MirrorOffer(QtCore.QObject):
    """GUI thread only; the check runs on a worker thread."""

    endpoint_chosen = QtCore.Signal(str)  # the mirror answered: the window saves it as the Hub endpoint

    def __init__(
        self, current_endpoint: Callable[[], str], executor: BackgroundExecutor, parent: QtCore.QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._current_endpoint = current_endpoint
        self._executor = executor
        self._check: BackgroundOp[None] | None = None

    def applies_to(self, error: AppError) -> bool:
        """Whether ``error`` is the Hub being out of reach, with the mirror not already in use."""
        return isinstance(error, HubUnreachableError) and self._current_endpoint() != hub.SUGGESTED_MIRROR.rstrip("/")

    def offer(self, banner: Banner, error: AppError, retry: Callable[[], object]) -> bool:
        """Shows ``error`` on ``banner`` with a button that switches to the mirror and runs ``retry``.

        Returns False (and shows nothing) when the error is not one a mirror can help with.
        """
        if not self.applies_to(error):
            return False
        host = mirror_host()
        if i18n.current_language() == "zh_CN":
            # Most users of the Chinese interface need it: say it before the error.
            text = self.tr("Try the mirror {host}: huggingface.co is often out of reach from here.").format(host=host)
            detail = f"{text} {error_text(error)}"
            banner.show_notice(
                detail, action=self.tr("Use {host}").format(host=host), on_action=lambda: self.try_mirror(banner, retry)
            )
        else:
            banner.show_error(
                error,
                detail=self.tr("A public mirror, {host}, may work instead.").format(host=host),
                action=self.tr("Use {host}").format(host=host),
                on_action=lambda: self.try_mirror(banner, retry),
            )
        return True

    def try_mirror(self, banner: Banner, retry: Callable[[], object]) -> None:
        """Checks the mirror; when it answers, it becomes the endpoint and ``retry`` runs."""
        mirror = hub.SUGGESTED_MIRROR.rstrip("/")
        banner.show_notice(self.tr("Checking {host}…").format(host=mirror_host()))

        def done(_: object) -> None:
            self.endpoint_chosen.emit(mirror)
            banner.show_notice(
                self.tr("Parley now uses the mirror {endpoint}. Settings → Hugging Face Hub changes it.").format(
                    endpoint=mirror
                )
            )
            retry()

        def failed(error: AppError) -> None:
            either = self.tr("The mirror {host} cannot be reached either.").format(host=mirror_host())
            banner.show_error(error, detail=either)

        if self._check is not None:
            self._check.cancel()  # a second click: only the newest check is answered
        self._check = BackgroundOp(run=lambda: hub.probe(mirror)).on_success(done).on_failure(failed)
        self._check.start(self._executor)

    def shutdown(self) -> None:
        if self._check is not None:
            self._check.cancel()
