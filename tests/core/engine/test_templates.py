"""Chat templates shaped like the real ones: what they read, what they refuse, what they print."""

from __future__ import annotations

import datetime

import pytest

from app.core.engine.protocol import ChatMessage
from app.core.engine.template import CHATML_TEMPLATE, ChatTemplate, TemplateRenderError
from tests.core.template_helpers import template

SYSTEM = ChatMessage("system", "Be brief.")
USER = ChatMessage("user", "Hi")
ANSWER = ChatMessage("assistant", "Hello!", reasoning="The user greets me.")


def test_the_generation_block_of_transformers_compiles_and_renders_its_body() -> None:
    chat = template("generation")
    assert not chat.is_fallback and chat.fallback_reason is None
    text = chat.render([USER, ChatMessage("assistant", "Hello!"), USER])
    assert "<|im_start|>assistant\nHello!<|im_end|>\n" in text
    assert "generation" not in text


def test_a_template_that_does_not_compile_falls_back_to_chatml_and_says_why() -> None:
    broken = ChatTemplate.from_metadata("{% for m in messages %}{% frobnicate %}{% endfor %}", "", "")
    assert broken.is_fallback and broken.source == CHATML_TEMPLATE
    assert broken.fallback_reason is not None and "frobnicate" in broken.fallback_reason
    missing = ChatTemplate.from_metadata(None, "", "")
    assert missing.is_fallback and missing.fallback_reason is None


def test_a_template_tells_which_switches_it_reads() -> None:
    assert template("think_strip").options == ("enable_thinking",)
    assert template("harmony").options == ("reasoning_effort",)
    assert template("alternating").options == ()
    assert template("dated").options == ()


def test_switches_are_passed_only_when_set() -> None:
    chat = template("think_strip")
    assert chat.render([USER]).endswith("<|im_start|>assistant\n")  # the model's own default
    assert chat.render([USER], enable_thinking=True).endswith("<|im_start|>assistant\n")
    assert chat.render([USER], enable_thinking=False).endswith("<|im_start|>assistant\n<think>\n\n</think>\n\n")
    harmony = template("harmony")
    assert "Reasoning: medium" in harmony.render([USER])
    assert "Reasoning: high" in harmony.render([USER], reasoning_effort="high")


def test_reasoning_goes_back_as_reasoning_content_and_thinking_never_in_content() -> None:
    # Qwen3 style: the last answer (after the last user message) keeps its reasoning...
    qwen = template("think_strip")
    text = qwen.render([USER, ANSWER], add_generation_prompt=False)
    assert text.endswith("<|im_start|>assistant\n<think>\nThe user greets me.\n</think>\n\nHello!<|im_end|>\n")
    # ...and earlier ones lose it, so the prompt changes from one turn to the next.
    text = qwen.render([USER, ANSWER, USER])
    assert "The user greets me." not in text and "<|im_start|>assistant\nHello!<|im_end|>" in text
    # gpt-oss style: the analysis channel of the last answer, from `thinking`.
    harmony = template("harmony").render([USER, ANSWER], add_generation_prompt=False)
    assert "<|channel|>analysis<|message|>The user greets me.<|end|>" in harmony
    assert "<|channel|>final<|message|>Hello!<|end|>" in harmony


def test_an_answer_saved_with_its_markup_is_split_before_the_template_sees_it() -> None:
    raw_harmony = ChatMessage(
        "assistant",
        "<|channel|>analysis<|message|>The user greets me.<|end|><|start|>assistant<|channel|>final<|message|>Hello!",
    )
    text = template("harmony").render([USER, raw_harmony], add_generation_prompt=False)  # would raise on markup
    assert "<|channel|>analysis<|message|>The user greets me.<|end|>" in text
    assert "<|channel|>final<|message|>Hello!<|end|>" in text
    raw_think = ChatMessage("assistant", "<think>\nThe user greets me.\n</think>\n\nHello!")
    text = template("alternating").render([USER, raw_think], add_generation_prompt=False)
    assert text.endswith("<|im_start|>assistant\nHello!<|im_end|>\n")
    # A plain answer that only talks about tags is left alone.
    plain = ChatMessage("assistant", "Write <think> to open the block.")
    assert "Write <think> to open the block." in template("alternating").render([USER, plain])


def test_the_template_refuses_with_its_own_words() -> None:
    with pytest.raises(TemplateRenderError, match="alternate"):
        template("alternating").render([SYSTEM, USER, USER])
    with pytest.raises(TemplateRenderError, match="System role not supported"):
        template("no_system").render([SYSTEM, USER])
    with pytest.raises(TemplateRenderError, match="channel"):
        template("harmony").render([USER, ChatMessage("assistant", "Hi", reasoning="<|channel|>x")])


def test_the_date_is_the_requests_not_the_clocks() -> None:
    chat = template("dated")
    text = chat.render([SYSTEM, USER], date="2025-03-04")
    assert "Today Date: 04 Mar 2025\n" in text  # date_string, as Llama 3.1 / 3.3 print it
    assert "ISO: 2025-03-04 (Tuesday 04 March 2025)" in text  # strftime_now
    assert "Current date: 2024-02-29" in template("harmony").render([USER], date="2024-02-29")
    today = datetime.date.today()
    assert f"ISO: {today:%Y-%m-%d}" in chat.render([USER])


def test_the_system_prompt_moves_to_the_last_user_turn_in_mistral_nemo_style() -> None:
    chat = template("system_last")
    first = chat.render([SYSTEM, USER])
    second = chat.render([SYSTEM, USER, ChatMessage("assistant", "Hello!"), ChatMessage("user", "Bye")])
    assert first.startswith("<|im_start|>user\nBe brief.\n\nHi")
    assert second.startswith("<|im_start|>user\nHi<|im_end|>") and "Be brief.\n\nBye" in second
