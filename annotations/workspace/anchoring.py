"""Where an annotation sits in the text: word snapping, quote selectors, claimant hints."""

from __future__ import annotations

import re
from dataclasses import dataclass

QUOTE_CONTEXT = 32  # characters of prefix and suffix kept with each quote (W3C TextQuoteSelector)

_WORD_JOINERS = frozenset("'’-_")


def _is_word_char(character: str) -> bool:
    return character.isalnum() or character in _WORD_JOINERS


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen [start, end) to whole words and trim surrounding white space, so a sloppy mouse
    selection ("e Russian militar") becomes the words the user meant."""
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        return start, end
    while start > 0 and _is_word_char(text[start - 1]) and _is_word_char(text[start]):
        start -= 1
    while end < len(text) and _is_word_char(text[end]) and _is_word_char(text[end - 1]):
        end += 1
    return start, end


@dataclass(frozen=True, slots=True)
class Quote:
    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


def quote_at(text: str, start: int, end: int) -> Quote:
    return Quote(
        start,
        end,
        text[start:end],
        text[max(0, start - QUOTE_CONTEXT) : start],
        text[end : end + QUOTE_CONTEXT],
    )


_LEADING_NAMES = r"(?:[A-Z][\w'’.-]*\s+){0,4}"
_NAME = _LEADING_NAMES + r"[A-Z][\w'’-]+"
_SPEECH = r"(?:said|says|told|stated|claimed|added|insisted|denied|announced|warned|argued|wrote)"
_ATTRIBUTION = re.compile(
    rf"(?P<before>{_NAME})\s+{_SPEECH}\b"
    rf"|(?<=[,”\"’]\s){_SPEECH}\s+(?P<after>{_NAME})"  # inverted: "…," said Jane Roe
    rf"|\baccording to (?P<source>{_NAME})"
)
_NOT_NAMES = frozenset(
    {"The", "A", "An", "This", "That", "He", "She", "They", "It", "We", "I", "But", "And"}
)


def suggest_claimant(article_text: str, sentences: list[str]) -> str:
    """Who made the claim, from an attribution in the sentences ("…, Rudskoy said"), given
    in its fullest form anywhere in the article ("Lieutenant-General Sergey Rudskoy")."""
    for sentence in sentences:
        for match in _ATTRIBUTION.finditer(sentence):
            name = (match.group("before") or match.group("after") or match.group("source")).split()
            while name and name[0] in _NOT_NAMES:
                name = name[1:]
            if not name:
                continue
            surname = name[-1]
            fullest = " ".join(name)
            for mention in re.finditer(_LEADING_NAMES + re.escape(surname) + r"\b", article_text):
                words = [w for w in mention.group().split() if w not in _NOT_NAMES]
                if len(words) > len(fullest.split()):
                    fullest = " ".join(words)
            return fullest
    return ""
