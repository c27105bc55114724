"""Short text fields (a claim summary, a claimant, a tag, a source's title, a search query):
one line, spaces collapsed, and refused rather than changed behind the writer's back when
they hold control characters or run over their limit."""

from __future__ import annotations

import re

# Real spaces only: str.split() would also take the ASCII separators \x1c-\x1f for spaces.
_SPACES = re.compile(r"[ \t\r\n\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
# C0 and C1 control characters, DEL; tabs and newlines are spaces here.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class TextError(ValueError):
    """A short text that cannot be stored as written. The message says why."""


def one_line(value: str, *, name: str, limit: int) -> str:
    """`value` on one line with its spaces collapsed; TextError naming the field when it
    holds a control character or is longer than `limit`."""
    if CONTROL.search(value):
        raise TextError(
            f"The {name} contains an invisible control character; remove it and save again."
        )
    line = _SPACES.sub(" ", value).strip()
    if len(line) > limit:
        raise TextError(f"The {name} is {len(line):,} characters; the limit is {limit:,}.")
    return line
