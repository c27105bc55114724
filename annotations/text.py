"""Short text fields (a claim summary, a claimant, a tag, a source's title, a search query):
one line, spaces collapsed, and refused rather than changed behind the writer's back when
they hold control characters or run over their limit."""

from __future__ import annotations

import re

from django.utils.translation import gettext, gettext_noop

# Real spaces only: str.split() would also take the ASCII separators \x1c-\x1f for spaces.
_SPACES = re.compile(r"[ \t\r\n\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
# C0 and C1 control characters, DEL; tabs and newlines are spaces here.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


# The field names callers pass, for the translation catalogue (translated when the message is made).
FIELD_NAMES = (
    gettext_noop("claim summary"),
    gettext_noop("claimant"),
    gettext_noop("publisher"),
    gettext_noop("search"),
    gettext_noop("tag"),
    gettext_noop("title"),
)


class TextError(ValueError):
    """A short text that cannot be stored as written. The message says why."""


def one_line(value: str, *, name: str, limit: int) -> str:
    """`value` on one line with its spaces collapsed; TextError naming the field when it
    holds a control character or is longer than `limit`."""
    if CONTROL.search(value):
        raise TextError(
            gettext(
                "The %(name)s contains an invisible control character; remove it and save again."
            )
            % {"name": gettext(name)}
        )
    line = _SPACES.sub(" ", value).strip()
    if len(line) > limit:
        raise TextError(
            gettext("The %(name)s is %(length)s characters; the limit is %(limit)s.")
            % {"name": gettext(name), "length": f"{len(line):,}", "limit": f"{limit:,}"}
        )
    return line
