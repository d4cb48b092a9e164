"""The layering rules, checked on the source: imports flow from ui to core, never back."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules() -> dict[str, set[str]]:
    return {str(path.relative_to(APP.parent)): _imports(path) for path in APP.rglob("*.py")}


def _importers(prefix: str) -> set[str]:
    return {
        module for module, names in _modules().items()
        if any(name == prefix or name.startswith(prefix + ".") for name in names)
    }


def test_core_has_no_qt_and_never_imports_the_ui() -> None:
    core = {m for m in _modules() if m.startswith("app/core/")}
    assert not core & _importers("PySide6")
    assert not core & _importers("app.ui")


def test_llama_cpp_is_imported_by_the_engine_worker_only() -> None:
    importers = _importers("llama_cpp")
    assert importers and all(module.startswith("app/core/engine/worker/") for module in importers)


def test_huggingface_hub_is_imported_by_the_hub_module_only() -> None:
    assert _importers("huggingface_hub") == {"app/core/models/hub.py"}
