"""The layering rules, checked on the source: imports flow from ui to core (the cli beside them), and no cycles."""

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


# -- the import graph: every import of every module of app, type-only and function-level ones included ----------


def _module_files(app: Path) -> dict[str, Path]:
    """Each module under the package ``app`` by its dotted name (a package by its ``__init__``)."""
    files: dict[str, Path] = {}
    for path in app.rglob("*.py"):
        parts = list(path.relative_to(app.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        files[".".join(parts)] = path
    return files


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The module a ``from ... import`` names, its dots resolved against ``module``."""
    if node.level == 0:
        return node.module or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _import_graph(app: Path = APP) -> dict[str, set[str]]:
    """Module → the app modules it imports. ``from pkg import name`` needs ``pkg`` and, when ``name``
    is a submodule, that submodule; ``import a.b.c`` needs ``a.b.c`` (the longest known prefix)."""
    files = _module_files(app)

    def known(name: str) -> str | None:
        while name and name not in files:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        targets: list[str] = []
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.extend(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(module, path.name == "__init__.py", node)
                targets.append(base)
                targets.extend(f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in files)
        graph[module] = {t for t in map(known, targets) if t is not None and t != module and t.startswith("app")}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, following = work[-1]
            step = next(following, None)
            if step is not None:
                if step not in index:
                    index[step] = low[step] = len(index)
                    stack.append(step)
                    on_stack.add(step)
                    work.append((step, iter(sorted(graph[step]))))
                elif step in on_stack:
                    low[node] = min(low[node], index[step])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_cycle_and_passes_a_chain() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_the_graph_sees_relative_type_only_late_and_submodule_imports(tmp_path: Path) -> None:
    app = tmp_path / "app"
    (app / "pkg").mkdir(parents=True)
    sources = {
        "__init__.py": "",
        "pkg/__init__.py": "",
        "pkg/sub.py": "",
        "pkg/other.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from app import late\n",
        "pkg/rel.py": "from . import sub\nfrom ..pkg.other import thing\n",
        "late.py": "def f() -> None:\n    import app.pkg.rel\n",
    }
    for name, text in sources.items():
        (app / name).write_text(text, encoding="utf-8")
    graph = _import_graph(app)
    assert graph["app.pkg.rel"] == {"app.pkg", "app.pkg.sub", "app.pkg.other"}
    assert graph["app.pkg.other"] == {"app", "app.late"}
    assert graph["app.late"] == {"app.pkg.rel"}
    assert _cycles(graph) == [["app.late", "app.pkg.other", "app.pkg.rel"]]


def test_app_has_no_import_cycles() -> None:
    cycles = _cycles(_import_graph())
    assert not cycles, "import cycles: " + "; ".join(" ↔ ".join(cycle) for cycle in cycles)


def test_core_never_imports_the_ui_or_the_cli_and_the_ui_never_the_cli() -> None:
    graph = _import_graph()

    def crossing(source: str, target: str) -> set[str]:
        return {
            f"{module} → {dep}" for module, deps in graph.items() if module.startswith(source)
            for dep in deps if dep == target or dep.startswith(target + ".")
        }  # fmt: skip

    assert crossing("app.core", "app.ui") == set()
    assert crossing("app.core", "app.cli") == set()
    assert crossing("app.ui", "app.cli") == set()
