"""The archived article on its public page: paragraph by paragraph, every highlight a link to
its claim's entry on the same page, with the verdict's name as a label a finger can hit.

The links go to the claim's entry in the page (`#claim-42`), not to the claim's own page: the
entry sits beside the paragraph on a wide screen and right after it on a phone, so a reader
who taps a highlight reads the verdict without a page load and without losing their place,
and the browser's back button returns them to the highlight. The entry links on to the
claim's own page.

Overlapping highlights are split into segments as in the workspace (`annotations.workspace.
highlights`), nested <mark>s, one per claim. Links cannot nest, so each segment's text links
to the innermost claim covering it (the one that started last: the more specific), and each
claim's label, after its last segment, links to that claim: every claim has a link of its own.
Everything from the text or the user is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape
from itertools import groupby

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from annotations.models import Annotation
from annotations.workspace.selectors import HighlightRow, SentenceRow


@dataclass
class CheckedParagraph:
    """One paragraph of the archived text and the claims that end in it."""

    number: int
    start: int
    end: int
    html: SafeString = SafeString("")
    claims: list[Annotation] = field(default_factory=list)


def claim_anchor(pk: int) -> str:
    return f"claim-{pk}"


def highlight_anchor(pk: int) -> str:
    return f"hl-{pk}"


class _Drawer:
    """Draws sentences; remembers which claims already have their first link (it carries the
    `hl-<pk>` id the claim's entry links back to)."""

    def __init__(self) -> None:
        self.first_link_drawn: set[int] = set()
        self.verdict_word = escape(_("Verdict"))

    def label(self, row: HighlightRow) -> str:
        return (
            f'<span class="hl-label" data-verdict="{escape(row.verdict)}">'
            f'<span class="visually-hidden">({self.verdict_word}: </span>{escape(row.label)}'
            f'<span class="visually-hidden">)</span></span>'
        )

    def link(self, row: HighlightRow, inner: str, extra_class: str = "") -> str:
        anchor = ""
        if row.pk not in self.first_link_drawn:
            self.first_link_drawn.add(row.pk)
            anchor = f' id="{highlight_anchor(row.pk)}"'
        return (
            f'<a class="hl-link{extra_class}"{anchor} href="#{claim_anchor(row.pk)}" '
            f'data-annotation-id="{row.pk}">{inner}</a>'
        )

    def segment(self, piece: str, covering: Sequence[HighlightRow], right: int) -> str:
        opened = "".join(
            f'<mark class="hl" data-annotation-id="{h.pk}" data-verdict="{escape(h.verdict)}">'
            for h in covering
        )
        target = covering[-1]
        ending = [h for h in covering if h.end == right]
        inner = piece + (self.label(target) if target in ending else "")
        links = self.link(target, inner)
        # Outer claims that end here too: their label, a link of its own, innermost first.
        links += "".join(
            self.link(h, self.label(h), " hl-label-only")
            for h in reversed(ending)
            if h is not target
        )
        return f"{opened}{links}{'</mark>' * len(covering)}"

    def sentence(self, sentence: SentenceRow, highlights: Sequence[HighlightRow]) -> str:
        s_start, s_end, text = sentence.start, sentence.end, sentence.text
        classes = "sentence headline" if sentence.is_headline else "sentence"
        opening = (
            f'<span class="{classes}" id="s-{sentence.index}" data-index="{sentence.index}" '
            f'data-start="{s_start}" data-end="{s_end}">'
        )
        if not highlights:
            return f"{opening}{escape(text)}</span>"
        cuts = {s_start, s_end}
        for highlight in highlights:
            cuts.add(max(highlight.start, s_start))
            cuts.add(min(highlight.end, s_end))
        points = sorted(cuts)
        parts = []
        for left, right in zip(points, points[1:], strict=False):
            piece = escape(text[left - s_start : right - s_start])
            covering = [h for h in highlights if h.start <= left and h.end >= right]
            parts.append(self.segment(piece, covering, right) if covering else piece)
        return f"{opening}{''.join(parts)}</span>"


def checked_paragraphs(
    sentences: Iterable[SentenceRow], rows: Sequence[HighlightRow], claims: Sequence[Annotation]
) -> tuple[list[CheckedParagraph], list[Annotation]]:
    """The paragraphs with linked highlights, each with the claims whose highlight ends in
    it (in the order they start); and the claims with no highlight on this text."""
    rows = sorted(rows, key=lambda r: (r.start, -r.end))
    drawer = _Drawer()
    paragraphs: list[CheckedParagraph] = []
    position = 0
    active: list[HighlightRow] = []
    for number, group in groupby(sentences, key=lambda s: s.paragraph):
        group_sentences = list(group)
        pieces = []
        for sentence in group_sentences:
            while position < len(rows) and rows[position].start < sentence.end:
                active.append(rows[position])
                position += 1
            active = [a for a in active if a.end > sentence.start]
            overlapping = [a for a in active if a.start < sentence.end]
            pieces.append(drawer.sentence(sentence, overlapping))
        html = f'<p id="p-{number}" data-paragraph="{number}">' + " ".join(pieces) + "</p>"
        paragraphs.append(
            CheckedParagraph(
                number,
                group_sentences[0].start,
                group_sentences[-1].end,
                mark_safe(html),  # noqa: S308 - every piece escaped above
            )
        )
    by_pk = {claim.pk: claim for claim in claims}
    placed: set[int] = set()
    for row in rows:
        claim = by_pk.get(row.pk)
        if claim is None or row.pk in placed or not paragraphs:
            continue
        # The paragraph holding the highlight's last character: on a phone the verdict
        # follows the whole claim.
        home = next((p for p in reversed(paragraphs) if p.start < row.end), paragraphs[0])
        home.claims.append(claim)
        placed.add(row.pk)
    return paragraphs, [claim for claim in claims if claim.pk not in placed]
