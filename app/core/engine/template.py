"""Chat templates: turning a conversation into the exact prompt text a model expects.

A GGUF file is untrusted input, so its Jinja template runs in an immutable sandbox. A model
without a usable template falls back to ChatML, and the caller is told so.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from app.core.engine.protocol import ChatMessage

CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)


class TemplateRenderError(Exception):
    """The model's template could not render this conversation."""


def _raise_exception(message: str) -> NoReturn:
    raise TemplateRenderError(message)


def _tojson(value: Any, indent: int | None = None, ensure_ascii: bool = False, **_: Any) -> str:
    return json.dumps(value, indent=indent, ensure_ascii=ensure_ascii)


def _environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"], autoescape=False
    )
    env.filters["tojson"] = _tojson
    env.globals["raise_exception"] = _raise_exception
    env.globals["strftime_now"] = lambda fmt: datetime.datetime.now().strftime(fmt)
    return env


@dataclass
class ChatTemplate:
    """A compiled template plus the special-token texts it may refer to."""

    source: str
    bos_token: str
    eos_token: str
    is_fallback: bool

    def __post_init__(self) -> None:
        self._template = _environment().from_string(self.source)

    @classmethod
    def from_metadata(cls, template: str | None, bos_token: str, eos_token: str) -> ChatTemplate:
        """The model's own template, or ChatML when it has none or it does not compile."""
        if template and template.strip():
            try:
                return cls(template, bos_token, eos_token, is_fallback=False)
            except jinja2.TemplateError:
                pass
        return cls(CHATML_TEMPLATE, bos_token, eos_token, is_fallback=True)

    def render(self, messages: Sequence[ChatMessage], *, add_generation_prompt: bool = True) -> str:
        try:
            return self._template.render(
                messages=[{"role": m.role, "content": m.content} for m in messages],
                add_generation_prompt=add_generation_prompt,
                bos_token=self.bos_token,
                eos_token=self.eos_token,
            )
        except TemplateRenderError:
            raise
        except (jinja2.TemplateError, TypeError, ValueError, KeyError, IndexError) as exc:
            raise TemplateRenderError(str(exc)) from exc
