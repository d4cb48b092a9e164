"""Hub errors in the Chinese interface: the sentence and the reason inside it are both translated."""

from __future__ import annotations

from PySide6 import QtWidgets

from app.core.errors import HubFileNotFoundError, HubRepoNotFoundError, HubUnreachableError
from app.core.models.hub import _connect_reason
from app.ui.common import i18n
from app.ui.common.i18n import error_text, model_label


def test_hub_errors_have_no_english_left_in_chinese(qapp: QtWidgets.QApplication) -> None:
    import httpx2

    refused = HubUnreachableError(reason=_connect_reason(httpx2.ConnectError("[Errno 111] Connection refused")))
    missing = HubRepoNotFoundError(repo="someone/nothing")
    file_gone = HubFileNotFoundError(file="a.gguf", repo="someone/thing")
    english = [error_text(error) for error in (refused, missing, file_gone)]
    assert "(the connection was refused)" in english[0] and "(or it is private)" in english[1]
    translators = i18n.install_translators(qapp, "zh_CN")
    try:
        chinese = [error_text(error) for error in (refused, missing, file_gone)]
        assert "连接被拒绝" in chinese[0] and "refused" not in chinese[0]
        assert "someone/nothing" in chinese[1] and "private" not in chinese[1]
        assert "a.gguf" in chinese[2] and " in " not in chinese[2]
        assert model_label("SmolLM2 135M (starter, offline)") == "SmolLM2 135M（入门，离线）"
        assert model_label("My model") == "My model"
    finally:
        i18n.remove_translators(qapp, translators)
