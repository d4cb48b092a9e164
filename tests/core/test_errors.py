"""Every construction of an ``AppError`` in app/ passes exactly the fields its template names."""

from __future__ import annotations

import ast
import inspect
import string
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.core import errors

APP = Path(__file__).resolve().parents[2] / "app"

CLASSES: dict[str, type[errors.AppError]] = {
    name: value
    for name, value in vars(errors).items()
    if inspect.isclass(value) and issubclass(value, errors.AppError)
}


def template_fields(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


@dataclass(frozen=True)
class Construction:
    where: str
    classes: tuple[str, ...]
    passed: frozenset[str]
    splat: bool  # ``**fields`` or positional arguments: the fields cannot be read from the source

    def problems(self) -> list[str]:
        if self.splat:
            return [f"{self.where}: {'/'.join(self.classes)} is built from positional or ** arguments"]
        found = []
        for name in self.classes:
            needed = template_fields(CLASSES[name].template)
            if missing := needed - self.passed:
                found.append(f"{self.where}: {name} does not pass {sorted(missing)}")
            if unused := self.passed - needed:
                found.append(f"{self.where}: {name} passes {sorted(unused)}, which its template does not use")
        return found


def _class_names(node: ast.expr, aliases: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The AppError classes ``node`` denotes: a name, ``errors.Name``, ``A if c else B`` or a local alias of those."""
    if isinstance(node, ast.IfExp):
        body, orelse = _class_names(node.body, aliases), _class_names(node.orelse, aliases)
        return body + orelse if body and orelse else ()
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
    if name in CLASSES:
        return (name,)
    if isinstance(node, ast.Name):
        return aliases.get(node.id, ())
    return ()


def constructions(source: str, where: str) -> list[Construction]:
    tree = ast.parse(source)
    aliases: dict[str, tuple[str, ...]] = {}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.IfExp)
            and (names := _class_names(node.value, {}))
        ):
            aliases[node.targets[0].id] = names
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and (names := _class_names(node.func, aliases)):
            keywords = [k.arg for k in node.keywords]
            found.append(
                Construction(
                    where=f"{where}:{node.lineno}",
                    classes=names,
                    passed=frozenset(k for k in keywords if k is not None),
                    splat=bool(node.args) or None in keywords,
                )
            )
    return found


def all_constructions() -> list[Construction]:
    found = []
    for path in sorted(APP.rglob("*.py")):
        if path.name == "errors.py" and path.parent.name == "core":
            continue
        found += constructions(path.read_text(encoding="utf-8"), str(path.relative_to(APP.parent)))
    return found


def test_every_app_error_in_app_passes_exactly_the_fields_its_template_names() -> None:
    found = all_constructions()
    assert len(found) > 100  # the scan does see the app's errors (about 140 constructions)
    problems = [problem for construction in found for problem in construction.problems()]
    assert problems == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("raise ModelLoadError(path=p, resaon=r)", "does not pass ['reason']"),
        ("raise ModelLoadError(path=p, reason=r, name=n)", "passes ['name'], which its template does not use"),
        ("raise errors.HubError()", "does not pass ['reason']"),
        ("raise (DiskFullError if full else StorageError)(path=p)", "StorageError does not pass ['reason']"),
        ("kind = ContextTooLongError if a else ContextFullError\nraise kind(tokens=1)", "does not pass ['limit']"),
        ("raise StorageError(**fields)", "is built from positional or ** arguments"),
    ],
)
def test_the_check_finds_a_misspelt_missing_or_unused_field(source: str, expected: str) -> None:
    problems = [problem for c in constructions(source, "x.py") for problem in c.problems()]
    assert any(expected in problem for problem in problems), problems


def test_a_missing_field_would_fail_at_run_time() -> None:
    """Why the check exists: the message of an error built without its field cannot be made."""
    with pytest.raises(KeyError):
        errors.ModelLoadError(path="/m.gguf", resaon="bad")


def test_every_template_formats_with_its_own_fields() -> None:
    for name, cls in CLASSES.items():
        fields = {field: f"<{field}>" for field in template_fields(cls.template)}
        message = cls(**fields).user_message()
        assert all(value in message for value in fields.values()), name
