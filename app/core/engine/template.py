"""Chat templates: turning a conversation into the exact prompt text a model expects.

A GGUF file is untrusted input, so its Jinja template runs in an immutable sandbox. A model
without a usable template falls back to ChatML, and the caller is told so and why. The renderer
gives templates what Hugging Face's does: ``raise_exception``, ``strftime_now`` and ``date_string``
(the request's day), the ``{% generation %}`` block, and an answer's reasoning as
``reasoning_content`` (Qwen3) and ``thinking`` (gpt-oss). ``reasoning_pairs`` reads the tags a
template wraps reasoning in off the template itself, by rendering it.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

import jinja2
import jinja2.meta
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.parser import Parser
from jinja2.sandbox import ImmutableSandboxedEnvironment

from app.core.engine.protocol import ChatMessage
from app.core.engine.reasoning import CHANNEL, START, THINK_PAIR, Pair, has_markup, split_saved

CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)


# The request's switches that a template may read; a template that reads none ignores them.
TEMPLATE_OPTIONS = ("enable_thinking", "reasoning_effort")

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


# Stand-ins for an answer and its reasoning when a template is rendered to see where it puts them.
_PROBE_ANSWER = "Parley-probe-answer-7f3a"
_PROBE_REASONING = "Parley-probe-reasoning-7f3a"
_TAG = re.compile(r"<[^<>\s]{1,40}>|\[/?[A-Z_]{2,20}\]")  # <think>, <|channel>, [THINK]: what markers look like
TagFinder = Callable[[str], list[str]]  # the special tokens' texts in a text, in order


def _tag_shapes(text: str) -> list[str]:
    return _TAG.findall(text)


class TemplateRenderError(Exception):
    """The model's template could not render this conversation."""


def _raise_exception(message: str) -> NoReturn:
    raise TemplateRenderError(message)


def _tojson(value: Any, indent: int | None = None, ensure_ascii: bool = False, **_: Any) -> str:
    return json.dumps(value, indent=indent, ensure_ascii=ensure_ascii)


class GenerationExtension(Extension):
    """transformers' ``{% generation %}…{% endgeneration %}``: it marks the assistant's tokens for
    training; a prompt is its body, unchanged."""

    tags = {"generation"}  # noqa: RUF012 (jinja2's own declaration)

    def parse(self, parser: Parser) -> list[nodes.Node]:
        next(parser.stream)
        return parser.parse_statements(("name:endgeneration",), drop_needle=True)


def _strftime(moment: datetime.datetime, fmt: str) -> str:
    """strftime with English names whatever the locale: the templates are written in English."""
    month, weekday = _MONTHS[moment.month - 1], _WEEKDAYS[moment.weekday()]
    names = {"%B": month, "%b": month[:3], "%A": weekday, "%a": weekday[:3]}
    parts = fmt.split("%%")
    for code, name in names.items():
        parts = [part.replace(code, name) for part in parts]
    return moment.strftime("%%".join(parts))


def _day(date: str | None) -> datetime.date:
    return datetime.datetime.fromisoformat(date).date() if date else datetime.date.today()


def date_string(day: datetime.date) -> str:
    """The day as Llama 3.1 and 3.3 print it ("26 Jul 2024")."""
    return _strftime(datetime.datetime.combine(day, datetime.time()), "%d %b %Y")


def _environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.loopcontrols", GenerationExtension],
        autoescape=False,
    )
    env.filters["tojson"] = _tojson
    env.globals["raise_exception"] = _raise_exception
    return env


def _message(message: ChatMessage) -> dict[str, str]:
    content, reasoning = message.content, message.reasoning
    if message.role == "assistant" and reasoning is None and has_markup(content):
        # Saved before reasoning was kept apart: the raw output still holds it.
        reasoning, content = split_saved(content) or ("", content)
    fields = {"role": message.role, "content": content}
    if message.role == "assistant" and reasoning:
        fields["reasoning_content"] = reasoning  # Qwen3, Qwen3.5, Gemma 4
        fields["thinking"] = reasoning  # gpt-oss, LFM2.5
    return fields


@dataclass
class ChatTemplate:
    """A compiled template plus the special-token texts it may refer to."""

    source: str
    bos_token: str
    eos_token: str
    is_fallback: bool  # ChatML stands in: the model has no template, or its own does not compile
    fallback_reason: str | None = None  # the Jinja error, when the model's own template does not compile

    def __post_init__(self) -> None:
        env = _environment()
        self._template = env.from_string(self.source)
        names = jinja2.meta.find_undeclared_variables(env.parse(self.source))
        self._options = tuple(name for name in TEMPLATE_OPTIONS if name in names)

    @classmethod
    def from_metadata(cls, template: str | None, bos_token: str, eos_token: str) -> ChatTemplate:
        """The model's own template, or ChatML when it has none or it does not compile."""
        if template and template.strip():
            try:
                return cls(template, bos_token, eos_token, is_fallback=False)
            except jinja2.TemplateSyntaxError as exc:
                reason = f"line {exc.lineno}: {exc.message}" if exc.lineno else str(exc.message)
                return cls(CHATML_TEMPLATE, bos_token, eos_token, is_fallback=True, fallback_reason=reason)
            except jinja2.TemplateError as exc:
                return cls(CHATML_TEMPLATE, bos_token, eos_token, is_fallback=True, fallback_reason=str(exc))
        return cls(CHATML_TEMPLATE, bos_token, eos_token, is_fallback=True)

    @property
    def options(self) -> tuple[str, ...]:
        """Which of the request's switches (TEMPLATE_OPTIONS) this template reads."""
        return self._options

    def reasoning_pairs(self, special_tokens: TagFinder = _tag_shapes) -> tuple[Pair, ...]:
        """The (opening, closing) tags this template wraps reasoning in, besides ``<think>…</think>``
        and harmony's channels (the splitter knows those): read off the template by rendering it.

        Two renders tell: the empty block a template adds to the generation prompt when thinking is
        off (Gemma 4's ``<|channel>thought\n<channel|>``), and where an earlier answer's reasoning
        goes (a ``reasoning_content`` shown in a block). ``special_tokens`` finds the vocabulary's
        special tokens in a text (the worker asks the model's tokenizer); where it finds none, tags
        are told by their shape.
        """

        def tags(text: str) -> list[str]:
            return special_tokens(text) or _tag_shapes(text)

        pairs: list[Pair] = []
        for opener, closer in (*self._empty_blocks(tags), *self._reasoning_blocks()):
            opener, closer = opener.strip(), closer.strip()
            found = tags(opener)
            if not (opener and closer and found and opener.startswith(found[0]) and tags(closer)):
                continue  # a block is opened by a tag (what precedes an answer's text is not one)
            if opener.startswith((CHANNEL, START)) or (opener, closer) == THINK_PAIR:
                continue  # harmony, or <think>: the splitter reads those anyway
            pairs.append((opener, closer))
        return tuple(dict.fromkeys(pairs))

    def _probe(self, messages: Sequence[ChatMessage], **options: Any) -> str | None:
        try:
            return self.render(messages, **options)
        except TemplateRenderError:
            return None

    def _empty_blocks(self, tags: TagFinder) -> list[Pair]:
        """The empty reasoning block in a generation prompt with thinking off, cut at its last tag."""
        if "enable_thinking" not in self._options:
            return []
        question = [ChatMessage("user", "Hi")]
        prompts = []
        for on in (True, False):
            with_prompt = self._probe(question, enable_thinking=on)
            without = self._probe(question, enable_thinking=on, add_generation_prompt=False)
            if with_prompt is None or without is None or not with_prompt.startswith(without):
                return []
            prompts.append(with_prompt[len(without) :])
        thinking, not_thinking = prompts
        if not not_thinking.startswith(thinking):
            return []
        block = not_thinking[len(thinking) :]
        found = tags(block)
        if len(found) < 2:
            return []
        closer = found[-1]
        at = block.rfind(closer)
        return [(block[:at], closer)]

    def _reasoning_blocks(self) -> list[Pair]:
        """What stands before and after an answer's reasoning where the template shows it."""
        question = ChatMessage("user", "Hi")
        bare = self._probe([question, ChatMessage("assistant", _PROBE_ANSWER)], add_generation_prompt=False)
        shown = self._probe(
            [question, ChatMessage("assistant", _PROBE_ANSWER, _PROBE_REASONING)], add_generation_prompt=False
        )
        if bare is None or shown is None or _PROBE_REASONING not in shown:
            return []
        start, at = 0, shown.index(_PROBE_REASONING)
        while start < min(at, len(bare)) and shown[start] == bare[start]:
            start += 1
        end = shown.find(_PROBE_ANSWER, at)
        if end < 0:
            return []
        return [(shown[start:at], shown[at + len(_PROBE_REASONING) : end])]

    def render(
        self,
        messages: Sequence[ChatMessage],
        *,
        add_generation_prompt: bool = True,
        enable_thinking: bool | None = None,
        reasoning_effort: str | None = None,
        date: str | None = None,
    ) -> str:
        """The prompt text. The switches left None are not passed: the template's own default holds.

        ``date`` (ISO) is the day ``strftime_now`` and ``date_string`` give; None is today.
        """
        day = _day(date)
        midnight = datetime.datetime.combine(day, datetime.time())
        variables: dict[str, Any] = {
            "messages": [_message(m) for m in messages],
            "add_generation_prompt": add_generation_prompt,
            "bos_token": self.bos_token,
            "eos_token": self.eos_token,
            "date_string": date_string(day),
            "strftime_now": lambda fmt: _strftime(midnight, fmt),
        }
        if enable_thinking is not None:
            variables["enable_thinking"] = enable_thinking
        if reasoning_effort is not None:
            variables["reasoning_effort"] = reasoning_effort
        try:
            return self._template.render(**variables)
        except TemplateRenderError:
            raise
        except (jinja2.TemplateError, TypeError, ValueError, KeyError, IndexError) as exc:
            raise TemplateRenderError(str(exc)) from exc
