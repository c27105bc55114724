"""A word-level diff of two article versions, for people: what the outlet inserted and deleted.

Pure string work, fast on 300 KB articles. Paragraphs are aligned first (most of an edited
article is unchanged, and comparing whole paragraphs is cheap); only the paragraphs that
differ are compared word by word. Whitespace is kept in the segments, so joining the segments
rebuilds both texts exactly: what is shown is what was stored, character for character.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import ClassVar, Literal

Op = Literal["equal", "insert", "delete"]
EQUAL: Op = "equal"
INSERT: Op = "insert"
DELETE: Op = "delete"
Opcode = tuple[str, int, int, int, int]  # as difflib's get_opcodes()

# A paragraph ends at a blank line; the blank line stays with the paragraph before it, so
# the paragraphs joined are the text.
_PARAGRAPH_BREAK = re.compile(r"(\n[ \t]*\n\s*)")
# Long paragraphs are compared sentence by sentence first, then word by word where they differ.
_SENTENCE = re.compile(r".*?(?:[.!?…][\"'”’)\]]*\s+|\n\s*|\Z)", re.S)
# A word with the space after it. Words keep their inner punctuation ("1,080", "don't",
# "3.5"), so a changed figure reads as one word replaced; other punctuation stands alone.
# Keeping the space with the word halves the tokens and makes the matcher's work far smaller
# than with spaces as tokens of their own (every one of them equal to every other).
_TOKEN = re.compile(r"\s+|\w+(?:[.,'’\-]\w+)*\s*|[^\w\s]\s*", re.U)
# Paragraphs longer than this are compared by sentence first.
_LONG_PARAGRAPH = 4_000  # characters
# A block of replaced sentences longer than this is shown deleted and inserted whole.
_MAX_WORD_BLOCK = 3_000  # tokens
# Finding the best-matching pair in a block of replaced paragraphs costs one comparison per
# pair; beyond this many pairs (an article largely rewritten) they are paired in order.
_MAX_PAIRINGS = 400
# Two paragraphs this similar are one paragraph edited, not one deleted and another inserted.
_SIMILAR = 0.5
_SENTENCE_END = frozenset(".!?…")


@dataclass(frozen=True)
class Segment:
    op: Op
    text: str

    @property
    def has_words(self) -> bool:
        """Whether a reader sees anything change: a change of whitespace shows as nothing."""
        return not self.text.isspace()


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of the diff: unchanged, inserted, deleted, or edited (`changed`)."""

    kind: Literal["equal", "insert", "delete", "changed"]
    segments: tuple[Segment, ...]
    old_number: int | None  # 1-based position in each text; None where it has no side
    new_number: int | None
    words_inserted: int = 0
    words_deleted: int = 0
    is_gap: ClassVar[bool] = False  # for templates, which show a Gap in its place

    @property
    def is_change(self) -> bool:
        """Whether a reader sees a change (a change of whitespace alone is none)."""
        return self.kind != "equal" and any(s.op != EQUAL and s.has_words for s in self.segments)


@dataclass(frozen=True)
class Gap:
    """A run of unchanged paragraphs left out of the page."""

    count: int
    old_number: int  # of the first paragraph left out
    new_number: int
    is_gap: ClassVar[bool] = True


@dataclass
class TextDiff:
    paragraphs: list[Paragraph] = field(default_factory=list)

    @property
    def words_inserted(self) -> int:
        return sum(p.words_inserted for p in self.paragraphs)

    @property
    def words_deleted(self) -> int:
        return sum(p.words_deleted for p in self.paragraphs)

    @property
    def paragraphs_changed(self) -> int:
        return sum(p.is_change for p in self.paragraphs)

    @property
    def changed(self) -> bool:
        return self.paragraphs_changed > 0

    def old_text(self) -> str:
        return "".join(s.text for p in self.paragraphs for s in p.segments if s.op != INSERT)

    def new_text(self) -> str:
        return "".join(s.text for p in self.paragraphs for s in p.segments if s.op != DELETE)


# --- Pieces --------------------------------------------------------------------------------------


def _split(pattern: re.Pattern[str], text: str) -> list[str]:
    return [part for part in pattern.findall(text) if part]


def paragraphs_of(text: str) -> list[str]:
    # split() with the break captured gives [paragraph, break, paragraph, ..., paragraph],
    # much faster on long texts than a lazy pattern that finds each paragraph.
    parts = _PARAGRAPH_BREAK.split(text)
    parts.append("")
    return [parts[i] + parts[i + 1] for i in range(0, len(parts) - 1, 2) if parts[i] + parts[i + 1]]


def tokens_of(text: str) -> list[str]:
    return _TOKEN.findall(text)


def count_words(text: str) -> int:
    return sum(any(c.isalnum() for c in token) for token in tokens_of(text))


def _pieces(text: str) -> list[str]:
    """What two versions of a paragraph are compared by: words, or for a long one sentences."""
    return _split(_SENTENCE, text) if len(text) > _LONG_PARAGRAPH else tokens_of(text)


# --- Matching ------------------------------------------------------------------------------------


def _opcodes(a: Sequence[str], b: Sequence[str]) -> list[Opcode]:
    """difflib's opcodes, with the common start and end taken off first: an edited paragraph
    usually differs in a few words, and the matcher's cost grows with what it compares."""
    shorter = min(len(a), len(b))
    head = 0
    while head < shorter and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < shorter - head and a[len(a) - 1 - tail] == b[len(b) - 1 - tail]:
        tail += 1
    codes: list[Opcode] = [("equal", 0, head, 0, head)] if head else []
    middle_a, middle_b = a[head : len(a) - tail], b[head : len(b) - tail]
    if middle_a or middle_b:
        matcher = SequenceMatcher(None, middle_a, middle_b, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            codes.append((tag, i1 + head, i2 + head, j1 + head, j2 + head))
    if tail:
        codes.append(("equal", len(a) - tail, len(a), len(b) - tail, len(b)))
    return codes


def _ratio(codes: Iterable[Opcode], total: int) -> float:
    """Like SequenceMatcher.ratio(): twice the matched pieces over all pieces."""
    if not total:
        return 1.0
    return 2 * sum(i2 - i1 for tag, i1, i2, _j1, _j2 in codes if tag == "equal") / total


def _edge_score(tokens: Sequence[str], start: int, end: int) -> int:
    """How natural a change of tokens[start:end] looks: starting a sentence, or at least a
    word, and ending after a word's space."""
    score = 0
    before = tokens[start - 1] if start > 0 else ""
    if not before or before[-1].isspace():
        score += 2
        if not before or "\n" in before or before.rstrip()[-1:] in _SENTENCE_END:
            score += 1
    if end == len(tokens) or tokens[end - 1][-1:].isspace():
        score += 1
    return score


def _slide(codes: list[Opcode], a: Sequence[str], b: Sequence[str]) -> list[Opcode]:
    """Move each pure insertion or deletion along the equal text around it to where it reads
    best: "Second. It was said. And more." less a sentence should lose "It was said. ",
    not ". It was said" (both are correct diffs)."""
    tags = [code[0] for code in codes]
    spans = [list(code[1:]) for code in codes]  # i1, i2, j1, j2
    for n in range(1, len(codes) - 1):
        if tags[n] not in ("delete", "insert") or tags[n - 1] != "equal" or tags[n + 1] != "equal":
            continue
        prev, cur, nxt = spans[n - 1], spans[n], spans[n + 1]
        # Positions on the side that holds the tokens (the equal neighbours read the same).
        side, tokens = (0, a) if tags[n] == "delete" else (2, b)
        start, end = cur[side], cur[side + 1]
        floor, ceiling = prev[side], nxt[side + 1]
        left = 0
        while start - left - 1 >= floor and tokens[start - left - 1] == tokens[end - left - 1]:
            left += 1
        right = 0
        while end + right < ceiling and tokens[start + right] == tokens[end + right]:
            right += 1
        if not (left or right):
            continue
        shift = max(
            range(-left, right + 1),
            key=lambda k: (_edge_score(tokens, start + k, end + k), -abs(k)),
        )
        for span, fields in ((prev, (1, 3)), (cur, (0, 1, 2, 3)), (nxt, (0, 2))):
            for index in fields:
                span[index] += shift
    return [(tag, i1, i2, j1, j2) for tag, (i1, i2, j1, j2) in zip(tags, spans, strict=True)]


def _keys(pieces: Sequence[str]) -> list[str]:
    """What pieces are matched by: their words, not the space after them ("güzel" and
    "güzel " are the same word with a space added)."""
    return [piece.rstrip() for piece in pieces]


def _equal_run(a: Sequence[str], b: Sequence[str]) -> Iterator[Segment]:
    """Pieces matched by their words; where the space after one differs, that is a change."""
    old, new = "".join(a), "".join(b)
    if old == new:
        yield Segment(EQUAL, old)
        return
    for x, y in zip(a, b, strict=True):
        word = x.rstrip()
        yield Segment(EQUAL, word)
        if x == y:
            yield Segment(EQUAL, x[len(word) :])
        else:
            yield Segment(DELETE, x[len(word) :])
            yield Segment(INSERT, y[len(word) :])


def _segments(
    a: Sequence[str], b: Sequence[str], codes: list[Opcode] | None = None
) -> Iterator[Segment]:
    """The segments that turn token list `a` into `b` (`codes`: their keys' opcodes, if
    already known). Nothing equal left between two changes (a slide can empty it) splits
    them."""
    keys_a, keys_b = _keys(a), _keys(b)
    codes = _slide(codes or _opcodes(keys_a, keys_b), keys_a, keys_b)
    last = len(codes) - 1
    deleted: list[str] = []
    inserted: list[str] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(codes):
        if tag != "equal" or (i1 == i2 and 0 < index < last):
            deleted.extend(a[i1:i2])
            inserted.extend(b[j1:j2])
            continue
        yield from _change("".join(deleted), "".join(inserted))
        deleted, inserted = [], []
        yield from _equal_run(a[i1:i2], b[j1:j2])
    yield from _change("".join(deleted), "".join(inserted))


def _change(deleted: str, inserted: str) -> Iterator[Segment]:
    """A replacement, with the space both sides end in left outside it ("1,080 " → "1,008 "
    marks the figures, not the space after them)."""
    space = ""
    if deleted and inserted:
        trailing = len(deleted) - len(deleted.rstrip())
        if trailing and inserted.endswith(deleted[-trailing:]):
            space = deleted[-trailing:]
            deleted, inserted = deleted[:-trailing], inserted[:-trailing]
    yield Segment(DELETE, deleted)
    yield Segment(INSERT, inserted)
    yield Segment(EQUAL, space)


def _merge(segments: Iterable[Segment]) -> tuple[Segment, ...]:
    """Adjacent segments of the same kind joined, empty ones dropped."""
    merged: list[Segment] = []
    for segment in segments:
        if not segment.text:
            continue
        if merged and merged[-1].op == segment.op:
            merged[-1] = Segment(segment.op, merged[-1].text + segment.text)
        else:
            merged.append(segment)
    return tuple(merged)


# --- Paragraphs ----------------------------------------------------------------------------------


class _Paragraphs:
    """Aligns the paragraphs of two texts, and compares those that differ."""

    def __init__(self, old: list[str], new: list[str]) -> None:
        self.old, self.new = old, new
        self._pieces: dict[tuple[int, int], list[str]] = {}
        self._codes: dict[tuple[int, int], list[Opcode]] = {}

    def pieces(self, side: int, index: int) -> list[str]:
        key = (side, index)
        if key not in self._pieces:
            self._pieces[key] = _pieces((self.old, self.new)[side][index])
        return self._pieces[key]

    def codes(self, i: int, j: int) -> list[Opcode]:
        if (i, j) not in self._codes:
            self._codes[i, j] = _opcodes(_keys(self.pieces(0, i)), _keys(self.pieces(1, j)))
        return self._codes[i, j]

    def similarity(self, i: int, j: int) -> float:
        a, b = self.pieces(0, i), self.pieces(1, j)
        if 2 * min(len(a), len(b)) < _SIMILAR * (len(a) + len(b)):
            return 0.0  # too different in length for the ratio to reach the threshold
        return _ratio(self.codes(i, j), len(a) + len(b))

    def blocks(self) -> Iterator[tuple[str, int, int, int, int]]:
        """("equal" | "delete" | "insert" | "edit", i1, i2, j1, j2), in reading order. Paragraphs
        are matched by their words: one that became the last loses its blank line and is
        still the same paragraph (an "edit" of whitespace only)."""
        keys_old = [paragraph.strip() for paragraph in self.old]
        keys_new = [paragraph.strip() for paragraph in self.new]
        for tag, i1, i2, j1, j2 in _opcodes(keys_old, keys_new):
            if tag != "equal":
                yield from self._pair(i1, i2, j1, j2)
                continue
            start = i1
            for i in range(i1, i2):
                j = j1 + i - i1
                if self.old[i] != self.new[j]:
                    if start < i:
                        yield ("equal", start, i, j1 + start - i1, j)
                    yield ("edit", i, i + 1, j, j + 1)
                    start = i + 1
            if start < i2:
                yield ("equal", start, i2, j1 + start - i1, j2)

    def _pair(self, i1: int, i2: int, j1: int, j2: int) -> Iterator[tuple[str, int, int, int, int]]:
        """Inside a block of replaced paragraphs, which old one became which new one: the most
        similar pair first, then the same on either side of it (as difflib's Differ does).
        Paragraphs with no similar partner were deleted or inserted whole."""
        if i1 == i2 or j1 == j2:
            if i1 < i2:
                yield ("delete", i1, i2, j1, j1)
            if j1 < j2:
                yield ("insert", i2, i2, j1, j2)
            return
        if (i2 - i1) * (j2 - j1) > _MAX_PAIRINGS:
            yield from self._in_order(i1, i2, j1, j2)
            return
        best, best_i, best_j = 0.0, -1, -1
        for i in range(i1, i2):
            for j in range(j1, j2):
                score = self.similarity(i, j)
                if score > best:
                    best, best_i, best_j = score, i, j
        if best < _SIMILAR:
            yield ("delete", i1, i2, j1, j1)
            yield ("insert", i2, i2, j1, j2)
            return
        yield from self._pair(i1, best_i, j1, best_j)
        yield ("edit", best_i, best_i + 1, best_j, best_j + 1)
        yield from self._pair(best_i + 1, i2, best_j + 1, j2)

    def _in_order(
        self, i1: int, i2: int, j1: int, j2: int
    ) -> Iterator[tuple[str, int, int, int, int]]:
        """A largely rewritten stretch: pairs in order those that are alike, the rest whole
        (the best-pair search would cost a comparison for every pair)."""
        for offset in range(max(i2 - i1, j2 - j1)):
            i, j = i1 + offset, j1 + offset
            if i < i2 and j < j2 and self.similarity(i, j) >= _SIMILAR:
                yield ("edit", i, i + 1, j, j + 1)
                continue
            if i < i2:
                yield ("delete", i, i + 1, j, j)
            if j < j2:
                yield ("insert", i, i, j, j + 1)

    def edit(self, i: int, j: int) -> tuple[Segment, ...]:
        """The segments of paragraph i become paragraph j."""
        a, b = self.pieces(0, i), self.pieces(1, j)
        if len(self.old[i]) <= _LONG_PARAGRAPH and len(self.new[j]) <= _LONG_PARAGRAPH:
            return _merge(_segments(a, b, self.codes(i, j)))
        # Long: a and b are sentences; sentences that differ are compared word by word.
        segments: list[Segment] = []
        for tag, i1, i2, j1, j2 in self.codes(i, j):
            if tag == "equal":
                segments.extend(_equal_run(a[i1:i2], b[j1:j2]))
                continue
            old, new = "".join(a[i1:i2]), "".join(b[j1:j2])
            words_old, words_new = tokens_of(old), tokens_of(new)
            if len(words_old) + len(words_new) > _MAX_WORD_BLOCK:
                segments.extend(_change(old, new))
            else:
                segments.extend(_segments(words_old, words_new))
        return _merge(segments)


def diff_texts(old: str, new: str) -> TextDiff:
    """The word-level differences between two texts, paragraph by paragraph."""
    old_paragraphs, new_paragraphs = paragraphs_of(old), paragraphs_of(new)
    result = TextDiff()
    add = result.paragraphs.append
    if old == new:
        for n, text in enumerate(old_paragraphs, start=1):
            add(Paragraph("equal", (Segment(EQUAL, text),), n, n))
        return result
    aligner = _Paragraphs(old_paragraphs, new_paragraphs)
    for op, i1, i2, j1, j2 in aligner.blocks():
        if op == "equal":
            for i in range(i1, i2):
                text = old_paragraphs[i]
                add(Paragraph("equal", (Segment(EQUAL, text),), i + 1, j1 + i - i1 + 1))
        elif op == "delete":
            for i in range(i1, i2):
                text = old_paragraphs[i]
                add(
                    Paragraph("delete", (Segment(DELETE, text),), i + 1, None, 0, count_words(text))
                )
        elif op == "insert":
            for j in range(j1, j2):
                text = new_paragraphs[j]
                add(
                    Paragraph("insert", (Segment(INSERT, text),), None, j + 1, count_words(text), 0)
                )
        else:
            segments = aligner.edit(i1, j1)
            inserted = sum(count_words(s.text) for s in segments if s.op == INSERT)
            deleted = sum(count_words(s.text) for s in segments if s.op == DELETE)
            add(Paragraph("changed", segments, i1 + 1, j1 + 1, inserted, deleted))
    return result


def collapse(paragraphs: Sequence[Paragraph], context: int = 1) -> list[Paragraph | Gap]:
    """The paragraphs worth showing: every change with `context` unchanged paragraphs either
    side; each longer run of unchanged ones becomes a `Gap`, so the page stays small."""
    keep = [False] * len(paragraphs)
    for index, paragraph in enumerate(paragraphs):
        if paragraph.is_change:
            for near in range(max(0, index - context), min(len(paragraphs), index + context + 1)):
                keep[near] = True
    shown: list[Paragraph | Gap] = []
    index = 0
    while index < len(paragraphs):
        if keep[index]:
            shown.append(paragraphs[index])
            index += 1
            continue
        end = index
        while end < len(paragraphs) and not keep[end]:
            end += 1
        if end - index == 1:  # a gap of one says no more than the paragraph itself
            shown.append(paragraphs[index])
        else:
            first = paragraphs[index]
            shown.append(Gap(end - index, first.old_number or 0, first.new_number or 0))
        index = end
    return shown
