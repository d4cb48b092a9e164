"""Built-in chat templates a user can pick for a model instead of its GGUF's own, and the check
that a template pasted by the user is safe to save.

The templates are written here from each format's published shape (ChatML, Llama 3, Mistral
[INST], Gemma turns, Phi-3), kept short: system, user and assistant messages and the generation
prompt. ``check_template`` compiles a template in the same sandbox the engine uses and renders a
sample conversation with it, so a template that would break the next load or the first message
is refused with Jinja's own error.
"""

from __future__ import annotations

from dataclasses import dataclass

import jinja2

from app.core.engine.protocol import ChatMessage
from app.core.engine.template import ChatTemplate, TemplateRenderError

# Written the way model cards write them: one statement a line, "{{-" and "{%-" eating the line
# breaks between them, so that a user reads (and edits) them easily.
CHATML_BUILTIN = r"""{%- for message in messages %}
{{- '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' }}
{%- endfor %}
{%- if add_generation_prompt %}
{{- '<|im_start|>assistant\n' }}
{%- endif %}"""
LLAMA3_TEMPLATE = r"""{{- bos_token }}
{%- for message in messages %}
{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n' + message['content'] | trim + '<|eot_id|>' }}
{%- endfor %}
{%- if add_generation_prompt %}
{{- '<|start_header_id|>assistant<|end_header_id|>\n\n' }}
{%- endif %}"""
MISTRAL_TEMPLATE = r"""{{- bos_token }}
{%- set system = messages[0]['content'] if messages and messages[0]['role'] == 'system' else '' %}
{%- for message in messages if message['role'] != 'system' %}
{%- if message['role'] == 'user' %}
{{- '[INST] ' + (system + '\n\n' if system and loop.first else '') + message['content'] + ' [/INST]' }}
{%- else %}
{{- ' ' + message['content'] + eos_token }}
{%- endif %}
{%- endfor %}"""
GEMMA_TEMPLATE = r"""{{- bos_token }}
{%- set system = messages[0]['content'] if messages and messages[0]['role'] == 'system' else '' %}
{%- for message in messages if message['role'] != 'system' %}
{%- set role = 'model' if message['role'] == 'assistant' else 'user' %}
{%- set prefix = system + '\n\n' if system and loop.first else '' %}
{{- '<start_of_turn>' + role + '\n' + prefix + message['content'] | trim + '<end_of_turn>\n' }}
{%- endfor %}
{%- if add_generation_prompt %}
{{- '<start_of_turn>model\n' }}
{%- endif %}"""
PHI3_TEMPLATE = r"""{%- for message in messages %}
{{- '<|' + message['role'] + '|>\n' + message['content'] + '<|end|>\n' }}
{%- endfor %}
{%- if add_generation_prompt %}
{{- '<|assistant|>\n' }}
{%- endif %}"""


@dataclass(frozen=True)
class BuiltinTemplate:
    key: str  # stored in the model's settings
    label: str  # the format's own name (not translated: these are names)
    source: str


BUILTINS: tuple[BuiltinTemplate, ...] = (
    BuiltinTemplate("chatml", "ChatML", CHATML_BUILTIN),
    BuiltinTemplate("llama3", "Llama 3", LLAMA3_TEMPLATE),
    BuiltinTemplate("mistral", "Mistral", MISTRAL_TEMPLATE),
    BuiltinTemplate("gemma", "Gemma", GEMMA_TEMPLATE),
    BuiltinTemplate("phi3", "Phi-3", PHI3_TEMPLATE),
)

SAMPLE_CONVERSATION: tuple[ChatMessage, ...] = (
    ChatMessage("system", "You are a helpful assistant."),
    ChatMessage("user", "What is the capital of France?"),
    ChatMessage("assistant", "The capital of France is Paris."),
    ChatMessage("user", "And of Italy?"),
)


def builtin(key: str) -> BuiltinTemplate | None:
    return next((template for template in BUILTINS if template.key == key), None)


def key_for_source(source: str) -> str | None:
    """The built-in whose text this is, if any."""
    return next((template.key for template in BUILTINS if template.source == source), None)


@dataclass(frozen=True)
class TemplateCheck:
    preview: str  # the sample conversation as the model would read it ("" when invalid)
    error: str | None  # Jinja's error, with its line when it has one; None: the template is usable


def check_template(source: str, bos_token: str = "<s>", eos_token: str = "</s>") -> TemplateCheck:
    """Compiles ``source`` in the engine's sandbox and renders the sample conversation with it."""
    if not source.strip():
        return TemplateCheck("", "the template is empty")
    try:
        template = ChatTemplate(source, bos_token, eos_token, is_fallback=False)
    except jinja2.TemplateSyntaxError as exc:
        return TemplateCheck("", f"line {exc.lineno}: {exc.message}" if exc.lineno else str(exc.message))
    except jinja2.TemplateError as exc:
        return TemplateCheck("", str(exc))
    try:
        text = template.render(SAMPLE_CONVERSATION, date="2025-01-15")
    except TemplateRenderError as exc:
        return TemplateCheck("", str(exc))
    if "What is the capital of France?" not in text:
        return TemplateCheck(text, "the template leaves out the user's messages")
    return TemplateCheck(text, None)
