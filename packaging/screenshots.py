"""`make screenshots`: draws Parley's screens offscreen, in light and dark, English and 简体中文, at 800×600.

Everything is written under a throw-away PARLEY_HOME (a sample conversation, the starter model
found where `make` installed it), so the user's own history is never read. The fit badges are
pinned to a computer with 8 GB free, so the pictures do not depend on the machine that draws them.
No model is loaded and nothing goes to the network. Usage:

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/screenshots.py [OUT_DIR]   (default: docs/screenshots)
"""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZE = (800, 600)
QUESTION = "Write a Python function that checks whether a word is a palindrome, and explain it."
ANSWER = """Here is a short version:

```python
def is_palindrome(word: str) -> bool:
    \"\"\"True when the word reads the same both ways.\"\"\"
    cleaned = word.casefold()
    return cleaned == cleaned[::-1]
```

How it works:

1. `casefold()` ignores case, so *Level* counts.
2. `[::-1]` reverses the string.

| word | result |
|------|--------|
| level | `True` |
| parley | `False` |

The check takes $O(n)$ time for a word of $n$ letters.
"""
QUESTION_ZH = "写一个判断单词是否为回文的 Python 函数，并解释一下。"
ANSWER_ZH = """下面是一个简短的版本：

```python
def is_palindrome(word: str) -> bool:
    \"\"\"正着读和反着读都一样时返回 True。\"\"\"
    cleaned = word.casefold()
    return cleaned == cleaned[::-1]
```

原理：

1. `casefold()` 忽略大小写，所以 *Level* 也算回文。
2. `[::-1]` 把字符串反过来。

| 单词 | 结果 |
|------|------|
| level | `True` |
| parley | `False` |

对 $n$ 个字母的单词，检查需要 $O(n)$ 的时间。
"""


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["HF_ENDPOINT"] = "http://127.0.0.1:9"  # nothing may go out
    home = tempfile.mkdtemp(prefix="parley-screens-")
    os.environ["PARLEY_HOME"] = home

    from PySide6 import QtWidgets

    from app.core.config import settings as settings_module
    from app.core.config.settings import Settings, SettingsStore
    from app.core.history.store import Store
    from app.core.models import fit
    from app.ui.common import i18n
    from app.ui.settings.dialog import SettingsDialog
    from app.ui.shell.application import build_services
    from app.ui.shell.main_window import MainWindow
    from app.ui.shell.shortcuts import ShortcutsDialog, bound

    application = QtWidgets.QApplication([sys.argv[0]])
    application.setApplicationName("Parley")
    machine = fit.MachineProfile(ram_free_bytes=8_000_000_000)
    written: list[Path] = []

    def save(widget: QtWidgets.QWidget, name: str) -> None:
        for _ in range(3):  # layouts settle over a few passes (a page shown, a panel hidden)
            application.processEvents()
        path = out / f"{name}.png"
        widget.grab().save(str(path))
        written.append(path)

    for language in ("en", "zh_CN"):
        for theme in ("light", "dark"):
            settings_module.save(Settings(language=language, theme=theme))
            translators = i18n.install_translators(application, language)
            store = Store(Path(home) / f"history-{language}-{theme}.sqlite3")
            conversation = store.create_conversation("Palindromes" if language == "en" else "回文")
            store.add_message(conversation.id, "user", QUESTION if language == "en" else QUESTION_ZH)
            answer = ANSWER if language == "en" else ANSWER_ZH
            store.add_message(conversation.id, "assistant", answer, model_name="Qwen2.5 3B Instruct")
            services = build_services(store, SettingsStore(), backups=False)
            window = MainWindow(services)
            window.welcome.recommended.set_machine(machine)
            window.find_models.set_machine(machine)
            window.resize(*SIZE)
            window.show()
            suffix = f"{language}-{theme}"
            window.show_conversation(conversation.id)
            save(window, f"main-{suffix}")
            window.show_welcome()
            save(window, f"welcome-{suffix}")
            window.show_find_models()
            save(window, f"find-models-{suffix}")
            window.show_page(window.models_page)
            save(window, f"models-{suffix}")
            window.show_page(window.chat_page)
            if theme == "light":
                dialog = SettingsDialog(
                    replace(services.settings.current),
                    services.registry.models(),
                    default=services.registry.default_model(),
                    current=None,
                    follows_default=False,
                    gpu_offload=None,
                    parent=window,
                )
                dialog.pages.setCurrentIndex(dialog.pages.count() - 1)  # Appearance, the last of its own pages
                dialog.resize(600, 420)
                dialog.show()
                save(dialog, f"settings-appearance-{suffix}")
                dialog.close()
                shortcuts = ShortcutsDialog(bound(window), window)
                shortcuts.show()
                save(shortcuts, f"shortcuts-{suffix}")
                shortcuts.close()
            window.shutdown()
            window.close()
            window.deleteLater()
            application.processEvents()
            store.close()
            i18n.remove_translators(application, translators)
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
