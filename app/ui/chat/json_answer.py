"""An answer held to a persona's JSON Schema, as the chat view shows it: the JSON laid out two spaces to a
level in a ``json`` code block, whose Copy link copies it (``markdown_render``'s code blocks).

An answer that does not parse (stopped halfway, cut at its longest) is shown as it is.
"""

from __future__ import annotations

import json
import re


def as_markdown(text: str) -> str | None:
    """``text`` as a fenced ``json`` code block, formatted; None when it is not JSON."""
    try:
        value = json.loads(text)
    except ValueError:
        return None
    formatted = json.dumps(value, ensure_ascii=False, indent=2)
    # A fence longer than any run of backticks inside, so a string holding ``` cannot close it.
    longest = max((len(run) for run in re.findall(r"`+", formatted)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}json\n{formatted}\n{fence}\n"
