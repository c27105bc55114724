"""The article text as HTML: sentences with their offsets, highlights as nested <mark>s.

Built in Python rather than a template loop: the workspace renders thousands of sentences and
segments, and string building here is an order of magnitude faster than template nodes.
Everything from the text or the user is escaped (`html.escape`, quotes included).

Overlapping highlights are split into segments at every boundary; a segment covered by two
annotations is wrapped in two nested marks (outer = the one that starts first), so each stays
visible and each <mark> names its annotation and verdict (the stable test hooks).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape  # the standard library's: same output as Django's, several times faster
from itertools import groupby

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from annotations.workspace import drawn
from annotations.workspace.selectors import HighlightRow, SentenceRow


def _mark_tags(highlight: HighlightRow) -> tuple[str, str]:
    """The opening tag for a middle piece and for the last piece (which carries the label)."""
    common = (
        f'data-annotation-id="{highlight.pk}" data-verdict="{escape(highlight.verdict)}" '
        f'title="{escape(highlight.title)}"'
    )
    classes = "hl hl-changed" if highlight.changed else "hl"
    return (
        f'<mark class="{classes}" {common}>',
        f'<mark class="{classes} hl-end" {common} data-label="{escape(highlight.label)}">',
    )


def _score_words() -> tuple[str, str]:
    """The check-worthiness score's tooltip and hidden label, in the active language."""
    return (
        escape(gettext("Check-worthiness score, 0 to 100")),
        escape(gettext("check-worthiness")),
    )


def _sentence_html(
    sentence: SentenceRow,
    highlights: Sequence[HighlightRow],
    threshold: int | None,
    tags: dict[int, tuple[str, str]],
    words: tuple[str, str],
) -> str:
    """`threshold` None draws the reader's version: no check-worthiness marks or scores."""
    s_start, s_end, text = sentence.start, sentence.end, sentence.text
    classes = "sentence"
    if sentence.is_headline:
        classes += " headline"
    if threshold is not None and sentence.score >= threshold:
        classes += " checkworthy"
    opening = (
        f'<span class="{classes}" id="s-{sentence.index}" data-index="{sentence.index}" '
        f'data-start="{s_start}" data-end="{s_end}"'
        + (f' data-score="{sentence.score}">' if threshold is not None else ">")
    )
    if not highlights:
        body = escape(text)
    else:
        cuts = {s_start, s_end}
        for highlight in highlights:
            cuts.add(max(highlight.start, s_start))
            cuts.add(min(highlight.end, s_end))
        points = sorted(cuts)
        parts = []
        for left, right in zip(points, points[1:], strict=False):
            piece = escape(text[left - s_start : right - s_start])
            covering = [h for h in highlights if h.start <= left and h.end >= right]
            if not covering:
                parts.append(piece)
                continue
            opened = "".join(tags[h.pk][right == h.end] for h in covering)
            parts.append(f"{opened}{piece}{'</mark>' * len(covering)}")
        body = "".join(parts)
    if threshold is None:
        return f"{opening}{body}</span>"
    title, hidden = words
    score = (
        f'<small class="cw" title="{title}">'
        f'<span class="visually-hidden">{hidden} </span>{sentence.score}</small>'
    )
    return f"{opening}{body}</span>{score}"


def _paragraph_html(
    number: int,
    sentences: Sequence[SentenceRow],
    highlights: Sequence[HighlightRow],
    threshold: int | None,
    words: tuple[str, str],
) -> str:
    """One paragraph; `highlights` are those overlapping it, sorted by (start, -end, pk)."""
    tags = {highlight.pk: _mark_tags(highlight) for highlight in highlights}
    pieces = []
    for sentence in sentences:
        overlapping = [h for h in highlights if h.start < sentence.end and h.end > sentence.start]
        pieces.append(_sentence_html(sentence, overlapping, threshold, tags, words))
    return f'<p id="p-{number}" data-paragraph="{number}">' + " ".join(pieces) + "</p>"


def render_paragraphs(
    sentences: Iterable[SentenceRow],
    annotations: Sequence[HighlightRow],
    threshold: int | None,
    *,
    swap_oob: bool = False,
    keep_in: drawn.Place | None = None,
) -> list[tuple[int, SafeString]]:
    """[(paragraph number, html)] for sentences in reading order. `annotations` must be sorted
    by (start, -end) so that nesting is stable; they may overlap each other and sentences.
    `swap_oob` marks each paragraph for htmx to swap in place of the one with its id.

    With `keep_in` (a version's place in the drawn cache, `drawn.place`), a paragraph whose
    highlights are the same as when it was last drawn there is reused, and one drawn now is
    kept: after a save, only the paragraphs it touched are drawn again."""
    paragraphs: list[tuple[int, SafeString]] = []
    pending = list(annotations)
    position = 0  # annotations before this index start before the current paragraph ends
    active: list[HighlightRow] = []
    language = get_language()
    words: tuple[str, str] | None = None
    for number, group in groupby(sentences, key=lambda s: s.paragraph):
        members = list(group)
        first, last = members[0].start, members[-1].end
        while position < len(pending) and pending[position].start < last:
            active.append(pending[position])
            position += 1
        active = [a for a in active if a.end > first]
        rows = tuple(active)  # every one starts before the paragraph ends and ends after it starts
        slot = (*keep_in, number, threshold, language) if keep_in is not None else None
        html = drawn.paragraph_get(slot, rows) if slot is not None else None
        if html is None:
            words = words or _score_words()
            html = _paragraph_html(number, members, rows, threshold, words)
            if slot is not None:
                drawn.paragraph_put(slot, rows, html)
        if swap_oob:
            html = '<p hx-swap-oob="true"' + html[2:]
        paragraphs.append((number, mark_safe(html)))  # noqa: S308 - every piece escaped above
    return paragraphs


def render_text(
    sentences: Iterable[SentenceRow],
    annotations: Sequence[HighlightRow],
    threshold: int | None,
    *,
    keep_in: drawn.Place | None = None,
) -> SafeString:
    """The whole article as one HTML string (one template variable, not a loop of hundreds)."""
    paragraphs = render_paragraphs(sentences, annotations, threshold, keep_in=keep_in)
    return mark_safe("\n".join(html for _n, html in paragraphs))  # noqa: S308
