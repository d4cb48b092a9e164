"""The test templates in tests/data/templates: small Jinja templates that do what real ones do."""

from __future__ import annotations

from pathlib import Path

from app.core.engine.template import ChatTemplate

TEMPLATES = Path(__file__).parent.parent / "data" / "templates"


def template_source(name: str) -> str:
    return (TEMPLATES / f"{name}.jinja").read_text(encoding="utf-8")


def template(name: str) -> ChatTemplate:
    return ChatTemplate.from_metadata(template_source(name), "<s>", "</s>")
