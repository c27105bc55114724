"""Placing claims made on one version of an article on the next one.

A claim keeps W3C selectors: its position (`start`, `end`) and its quote (`exact`, with about
32 characters of `prefix` and `suffix`). When the outlet edits the article, each claim is
looked for on the new text:
- the exact quote found (the occurrence whose context agrees best, nearest to where the
  edits moved it) -> `anchored`, at its new offsets;
- found approximately (quote weighs most, then context, then position) -> `changed`, with a
  score and the new offsets: the words under the claim differ;
- nothing good enough -> `orphaned`: the claim stays, waiting for a person to re-place it.

Pure functions over strings: no database, so the same code serves the worker, the command
line and the benchmark.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from rapidfuzz import fuzz

ANCHORED, CHANGED, ORPHANED = "anchored", "changed", "orphaned"

QUOTE_WEIGHT, CONTEXT_WEIGHT, POSITION_WEIGHT = 0.6, 0.25, 0.15
CHANGED_AT_LEAST = 70  # combined score for an approximate placement
QUOTE_AT_LEAST = 65  # and the quote itself must still be recognisable
NEAR = 32  # characters: an exact quote this close to where the edits moved it is the claim
MAX_SCANNED = 10_000  # occurrences of an exact quote looked at
MAX_OCCURRENCES = 64  # of those, the nearest whose context is compared
PARAGRAPH = re.compile(r"[^\n]*\n*")


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where a claim sat on the old version."""

    start: int
    end: int
    exact: str
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True, slots=True)
class Placement:
    status: str
    start: int | None
    end: int | None
    score: int  # 0-100: how sure the placement is (100 for an exact quote in its context)


class OffsetMap:
    """Maps an offset of the old text to where it most likely sits in the new one, from the
    paragraphs both texts share (a paragraph inserted, moved or edited shifts what follows)."""

    def __init__(self, old: str, new: str) -> None:
        old_paragraphs, old_starts = _paragraphs(old)
        new_paragraphs, new_starts = _paragraphs(new)
        matcher = SequenceMatcher(None, old_paragraphs, new_paragraphs, autojunk=False)
        self._old: list[int] = []
        self._shift: list[int] = []
        for block in matcher.get_matching_blocks():
            if block.size:
                self._old.append(old_starts[block.a])
                self._shift.append(new_starts[block.b] - old_starts[block.a])
        self._length = len(new)

    def __call__(self, offset: int) -> int:
        index = bisect.bisect_right(self._old, offset) - 1
        shift = self._shift[index] if index >= 0 else (self._shift[0] if self._shift else 0)
        return min(max(0, offset + shift), self._length)


def _paragraphs(text: str) -> tuple[list[str], list[int]]:
    pieces: list[str] = []
    starts: list[int] = []
    position = 0
    for match in PARAGRAPH.finditer(text):
        if not match.group():
            break
        pieces.append(match.group())
        starts.append(position)
        position = match.end()
    return pieces, starts


def _context_score(text: str, start: int, end: int, anchor: Anchor) -> float:
    """0-100: how well the text around [start, end) agrees with the remembered context."""
    scores = []
    if anchor.prefix:
        scores.append(fuzz.ratio(text[max(0, start - len(anchor.prefix)) : start], anchor.prefix))
    if anchor.suffix:
        scores.append(fuzz.ratio(text[end : end + len(anchor.suffix)], anchor.suffix))
    return sum(scores) / len(scores) if scores else 100.0


def _position_score(found: int, expected: int, window: int) -> float:
    return max(0.0, 100.0 * (1 - abs(found - expected) / max(window, 1)))


def _exact(text: str, anchor: Anchor, expected: int) -> tuple[Placement, float] | None:
    """The exact quote's best occurrence (context first, then nearness), with its combined
    score, or None when the words are nowhere in the text."""
    near = _exact_near(text, anchor, expected)
    if near is not None:
        return near
    occurrences: list[int] = []
    at = text.find(anchor.exact)
    while at != -1 and len(occurrences) < MAX_SCANNED:
        occurrences.append(at)
        at = text.find(anchor.exact, at + 1)
    if not occurrences:
        return None
    # Context is compared for the occurrences nearest to where the claim should be.
    candidates = sorted(occurrences, key=lambda start: abs(start - expected))[:MAX_OCCURRENCES]

    def rank(start: int) -> tuple[float, int]:
        end = start + len(anchor.exact)
        return (_context_score(text, start, end, anchor), -abs(start - expected))

    best = max(candidates, key=rank)
    context, _distance = rank(best)
    score = (
        QUOTE_WEIGHT * 100
        + CONTEXT_WEIGHT * context
        + POSITION_WEIGHT * _position_score(best, expected, _window(anchor))
    )
    return Placement(ANCHORED, best, best + len(anchor.exact), 100), score


def _exact_near(text: str, anchor: Anchor, expected: int) -> tuple[Placement, float] | None:
    """The usual case, without scanning the whole text: the quote where the edits moved it
    (within NEAR), in exactly its old context. No occurrence elsewhere can rank higher (none
    has better context, and all are further away), so the answer is the one `_exact` would
    give after looking at every occurrence."""
    length = len(anchor.exact)
    best: int | None = None
    at = text.find(anchor.exact, max(0, expected - NEAR), expected + NEAR + length)
    while at != -1:
        if _context_score(text, at, at + length, anchor) == 100 and (
            best is None or abs(at - expected) < abs(best - expected)
        ):
            best = at
        at = text.find(anchor.exact, at + 1, expected + NEAR + length)
    if best is None:
        return None
    score = (
        QUOTE_WEIGHT * 100
        + CONTEXT_WEIGHT * 100
        + POSITION_WEIGHT * _position_score(best, expected, _window(anchor))
    )
    return Placement(ANCHORED, best, best + length, 100), score


def _snap(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a fuzzy match to whole words and trim the whitespace at its edges."""
    while 0 < start < len(text) and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while 0 < end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _window(anchor: Anchor) -> int:
    """How far from its expected place a claim is looked for approximately."""
    return max(600, 3 * len(anchor.exact))


def _approximate(text: str, anchor: Anchor, expected: int) -> Placement:
    window = _window(anchor)
    low = max(0, expected - window)
    high = min(len(text), expected + len(anchor.exact) + window)
    if low >= high:
        return Placement(ORPHANED, None, None, 0)
    # The quote with its context finds the passage (a repeated phrase nearby has other
    # context); then the quote alone is found inside that passage.
    passage = fuzz.partial_ratio_alignment(
        anchor.prefix + anchor.exact + anchor.suffix, text[low:high]
    )
    if passage is None or passage.score == 0:
        return Placement(ORPHANED, None, None, 0)
    low, high = low + passage.dest_start, low + passage.dest_end
    alignment = fuzz.partial_ratio_alignment(anchor.exact, text[low:high])
    if alignment is None or alignment.score == 0:
        return Placement(ORPHANED, None, None, 0)
    start, end = _snap(text, low + alignment.dest_start, low + alignment.dest_end)
    if start >= end:
        return Placement(ORPHANED, None, None, 0)
    quote = fuzz.ratio(text[start:end], anchor.exact)
    score = (
        QUOTE_WEIGHT * quote
        + CONTEXT_WEIGHT * _context_score(text, start, end, anchor)
        + POSITION_WEIGHT * _position_score(start, expected, window)
    )
    if quote >= QUOTE_AT_LEAST and score >= CHANGED_AT_LEAST:
        return Placement(CHANGED, start, end, round(score))
    return Placement(ORPHANED, None, None, round(score))


def reanchor(old_text: str, new_text: str, anchors: Sequence[Anchor]) -> list[Placement]:
    """Place each anchor of `old_text` on `new_text`, in the order given."""
    where = OffsetMap(old_text, new_text)
    placements = []
    for anchor in anchors:
        expected = where(anchor.start)
        exact = _exact(new_text, anchor, expected)
        if exact is not None and abs(exact[0].start - expected) <= NEAR:  # type: ignore[operator]
            placements.append(exact[0])
            continue
        # The words are elsewhere, or nowhere: perhaps the claim's own words were edited and
        # a repeated phrase is what matched. Weigh it against an approximate match at the
        # claim's place (quote weighs most, then context, then position).
        approximate = _approximate(new_text, anchor, expected)
        if exact is not None and (approximate.status != CHANGED or exact[1] >= approximate.score):
            placements.append(exact[0])
        else:
            placements.append(approximate)
    return placements
