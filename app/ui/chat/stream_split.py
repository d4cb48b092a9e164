"""Where a streaming answer's Markdown can be cut: what is settled is not rendered again.

While an answer streams, the chat view re-renders it several times a second. Re-parsing and
laying out the whole answer each time costs more the longer it gets, so the view renders the
settled part once and re-renders only the tail. A cut is safe at a blank line outside a fenced
code block, where the next line starts a new paragraph (not an indented continuation of a list
item). When the answer ends it is rendered whole once more, so a cut that Markdown would have
read differently (a loose list, say) shows right at the end.
"""

from __future__ import annotations

import re

_FENCE = re.compile(r"^ {0,3}(```|~~~)", re.MULTILINE)
_BLANK = re.compile(r"\n[ \t]*\n(?=[^\s])")


def settled_length(text: str, start: int = 0) -> int:
    """The length of the longest prefix of ``text`` (at least ``start``) that ends at a safe cut.

    ``start`` must itself be a safe cut (0 or an earlier answer of this function)."""
    best = start
    inside = False
    fences = [match.start() for match in _FENCE.finditer(text, start)]
    fence_index = 0
    for match in _BLANK.finditer(text, start):
        while fence_index < len(fences) and fences[fence_index] < match.start():
            inside = not inside
            fence_index += 1
        if not inside:
            best = match.end()
    return best
