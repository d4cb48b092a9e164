"""Chat templates from GGUF metadata run sandboxed, with ChatML as the fallback."""

from __future__ import annotations

import pytest

from app.core.engine.protocol import ChatMessage
from app.core.engine.template import ChatTemplate, TemplateRenderError

MESSAGES = [ChatMessage("system", "Be kind."), ChatMessage("user", "Hi")]


def test_missing_template_falls_back_to_chatml() -> None:
    template = ChatTemplate.from_metadata(None, "<s>", "</s>")
    assert template.is_fallback
    assert template.render(MESSAGES) == (
        "<|im_start|>system\nBe kind.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
    )


def test_model_template_is_used_with_its_special_tokens() -> None:
    source = "{{ bos_token }}{% for m in messages %}[{{ m['role'] }}]{{ m['content'] }}{{ eos_token }}{% endfor %}"
    template = ChatTemplate.from_metadata(source, "<s>", "</s>")
    assert not template.is_fallback
    assert template.render(MESSAGES) == "<s>[system]Be kind.</s>[user]Hi</s>"


def test_a_template_cannot_reach_python_internals() -> None:
    hostile = "{{ ''.__class__.__mro__[1].__subclasses__() }}"
    template = ChatTemplate.from_metadata(hostile, "", "")
    with pytest.raises(TemplateRenderError):
        template.render(MESSAGES)


def test_a_template_that_does_not_compile_falls_back() -> None:
    assert ChatTemplate.from_metadata("{% for %}", "", "").is_fallback


def test_raise_exception_in_a_template_is_a_render_error() -> None:
    template = ChatTemplate.from_metadata("{{ raise_exception('System role not supported') }}", "", "")
    with pytest.raises(TemplateRenderError, match="System role"):
        template.render(MESSAGES)
