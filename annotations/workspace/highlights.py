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
from functools import lru_cache
from html import escape  # the standard library's: same output as Django's, several times faster
from itertools import groupby

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

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


@lru_cache(maxsize=20_000)
def _plain_sentence_html(sentence: SentenceRow, threshold: int | None, language: str) -> str:
    """A sentence with no highlight looks the same every time in a language: draw it once
    per process (`language` is the active one, part of the cache key)."""
    return _sentence_html(sentence, (), threshold, {})


def _sentence_html(
    sentence: SentenceRow,
    highlights: Sequence[HighlightRow],
    threshold: int | None,
    tags: dict[int, tuple[str, str]],
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
    title = escape(gettext("Check-worthiness score, 0 to 100"))
    hidden = escape(gettext("check-worthiness"))
    score = (
        f'<small class="cw" title="{title}">'
        f'<span class="visually-hidden">{hidden} </span>{sentence.score}</small>'
    )
    return f"{opening}{body}</span>{score}"


def render_paragraphs(
    sentences: Iterable[SentenceRow],
    annotations: Sequence[HighlightRow],
    threshold: int | None,
    *,
    swap_oob: bool = False,
) -> list[tuple[int, SafeString]]:
    """[(paragraph number, html)] for sentences in reading order. `annotations` must be sorted
    by (start, -end) so that nesting is stable; they may overlap each other and sentences.
    `swap_oob` marks each paragraph for htmx to swap in place of the one with its id."""
    oob = ' hx-swap-oob="true"' if swap_oob else ""
    paragraphs: list[tuple[int, SafeString]] = []
    pending = list(annotations)
    position = 0  # annotations before this index start before the current sentence ends
    active: list[HighlightRow] = []
    tags = {highlight.pk: _mark_tags(highlight) for highlight in pending}
    language = get_language()
    for number, group in groupby(sentences, key=lambda s: s.paragraph):
        pieces = []
        for sentence in group:
            while position < len(pending) and pending[position].start < sentence.end:
                active.append(pending[position])
                position += 1
            active = [a for a in active if a.end > sentence.start]
            overlapping = [a for a in active if a.start < sentence.end]
            if overlapping:
                pieces.append(_sentence_html(sentence, overlapping, threshold, tags))
            else:
                pieces.append(_plain_sentence_html(sentence, threshold, language))
        html = f'<p{oob} id="p-{number}" data-paragraph="{number}">' + " ".join(pieces) + "</p>"
        paragraphs.append((number, mark_safe(html)))  # noqa: S308 - every piece escaped above
    return paragraphs


def render_text(
    sentences: Iterable[SentenceRow], annotations: Sequence[HighlightRow], threshold: int | None
) -> SafeString:
    """The whole article as one HTML string (one template variable, not a loop of hundreds)."""
    return mark_safe(
        "\n".join(html for _n, html in render_paragraphs(sentences, annotations, threshold))
    )  # noqa: S308
