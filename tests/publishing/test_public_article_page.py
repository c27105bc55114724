"""The public article page as HTML: every highlight is a link to its claim's entry, which sits
in the same row as the paragraph the highlight ends in; verdict labels and highlights keep
WCAG 2.2 AA contrast, computed from the stylesheets the page loads."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from lxml import html as lxml_html

from annotations.models import Annotation, Rating
from annotations.review import services as review
from annotations.scale import NON_TEXT_CONTRAST, TEXT_CONTRAST, WHITE, contrast, tint
from tests.factories import annotate, import_text

pytestmark = pytest.mark.django_db

RAIDS = "Inspectors have raided 27 depots since the spring and impounded 14 tanker trailers"
# Starts inside RAIDS and ends after it: the two highlights cross.
CAMERAS = "impounded 14 tanker trailers, Marrow said, and cameras at Harrow Pass"
INCOME = "At its peak the trade was worth about $2.5 million a day"
INK = "#1b1f24"  # --ink in static/css/app.css


def publish(claim: Annotation, author: User, editor: User, second: User) -> Annotation:
    review.claim_move(annotation_id=claim.pk, user=author, action="submit")
    review.claim_move(annotation_id=claim.pk, user=editor, action="approve")
    review.claim_move(annotation_id=claim.pk, user=second, action="publish")
    claim.refresh_from_db()
    return claim


@pytest.fixture
def checked(article_text, team, factchecker, editor, second_editor):  # type: ignore[no-untyped-def]
    article, version = import_text(article_text, team=team, url="https://wire.example/diesel")
    claims = [
        publish(
            annotate(
                version, phrase, factchecker, verdict=verdict, claim=summary, claimant="Marrow"
            ),
            factchecker,
            editor,
            second_editor,
        )
        for phrase, verdict, summary in (
            (RAIDS, "false", "27 depots raided, 14 trailers impounded"),
            (CAMERAS, "misleading", "Cameras saw the impounded trailers"),
            (INCOME, "half-true", "The trade made $2.5 million a day"),
        )
    ]
    annotate(version, "Brancu’s office did not answer", factchecker, claim="Draft, not shown")
    return article, claims


def test_every_highlight_links_to_its_claims_entry_beside_its_paragraph(checked) -> None:  # type: ignore[no-untyped-def]
    article, claims = checked
    response = Client().get(f"/checks/{article.slug}/")
    assert response.status_code == 200
    doc = lxml_html.fromstring(response.content)
    assert doc.xpath("//a//a") == []  # links never nest, even where highlights cross
    assert "Draft, not shown" not in response.content.decode()
    for claim in claims:
        links = doc.xpath(f'//a[@href="#claim-{claim.pk}"][contains(@class, "hl-link")]')
        assert links, f"no link to claim {claim.pk}"
        # The label names the verdict, inside a link to the claim.
        labels = doc.xpath(
            f'//a[@href="#claim-{claim.pk}"]//span[contains(@class, "hl-label")]'
            f'[@data-verdict="{claim.rating.slug}"]'
        )
        assert len(labels) == 1
        assert labels[0].text_content() == f"(Verdict: {claim.rating.label})"
        # Every word of the quote is highlighted.
        marks = doc.xpath(f'//mark[@data-annotation-id="{claim.pk}"]')
        words = "".join(
            m.text_content()
            for m in marks
            if not m.xpath(f"ancestor::mark[@data-annotation-id='{claim.pk}']")
        )
        assert re.sub(r"\(Verdict: [^)]*\)", "", words) == claim.exact
        # The entry it links to sits in the row of the paragraph the highlight ends in,
        # and links back to the highlight and on to the claim's own page.
        entry = doc.get_element_by_id(f"claim-{claim.pk}")
        row = entry.xpath("ancestor::div[contains(@class, 'checked-row')]")[0]
        assert row.xpath(f".//p//mark[@data-annotation-id='{claim.pk}']")
        assert entry.xpath(f'.//a[@href="#hl-{claim.pk}"]')
        assert doc.xpath(f'//a[@id="hl-{claim.pk}"][@href="#claim-{claim.pk}"]')
        assert entry.xpath(f'.//a[@href="/checks/{article.slug}/claims/{claim.pk}/"]')
        assert entry.xpath("string(.//span[contains(@class, 'verdict-chip')])") == (
            claim.rating.label
        )
    # Both crossing claims are drawn in the paragraph they share, each with its own label.
    raids, cameras, income = claims
    shared = doc.xpath(f"//p[.//mark[@data-annotation-id='{raids.pk}']]")[0]
    assert shared.xpath(f".//mark[@data-annotation-id='{cameras.pk}']")
    row_ids = shared.xpath("ancestor::div[contains(@class, 'checked-row')]//section/@id")
    assert row_ids == [f"claim-{raids.pk}", f"claim-{cameras.pk}"]  # in the order they start
    # The page's index lists every claim with its verdict, linking to the entries.
    index = doc.xpath("//nav[contains(@class, 'claim-index')]//a/@href")
    assert index == [f"#claim-{c.pk}" for c in sorted(claims, key=lambda c: c.start)]
    assert income.pk not in {int(i.split("-")[1]) for i in row_ids}


def test_the_page_works_without_javascript(checked) -> None:  # type: ignore[no-untyped-def]
    article, _claims = checked
    doc = lxml_html.fromstring(Client().get(f"/checks/{article.slug}/").content)
    assert doc.xpath("//script") == []  # links and anchors do everything


def _rule(css: str, selector: str) -> str:
    """The declarations of the first rule whose selector list is exactly `selector`."""
    found = re.search(r"(?:^|\})\s*" + re.escape(selector) + r"\s*\{([^}]*)\}", css, re.M)
    assert found, f"no rule for {selector}"
    return found.group(1)


def _tint_share(declarations: str) -> float:
    found = re.search(
        r"color-mix\(in srgb, var\(--verdict[^)]*\) (\d+)%, transparent\)", declarations
    )
    assert found, declarations
    return int(found.group(1)) / 100


def test_verdict_labels_and_highlights_meet_wcag_aa_contrast() -> None:
    # The colours as the browser gets them: the verdicts from /ratings.css, the rest from
    # app.css. Text: 4.5:1; the highlight's underline, a non-text cue: 3:1.
    ratings_css = Client().get("/ratings.css").content.decode()
    colours = dict(
        re.findall(r'\[data-verdict="([^"]+)"\] \{ --verdict: (#[0-9a-fA-F]{6}); \}', ratings_css)
    )
    assert set(colours) == set(Rating.objects.filter(is_active=True).values_list("slug", flat=True))
    app_css = (settings.BASE_DIR / "static" / "css" / "app.css").read_text(encoding="utf-8")
    label = _rule(app_css, ".hl-label")
    assert "color: #fff;" in label and "background: var(--verdict" in label
    assert re.search(r"font: 700 \.875rem/24px", label)  # 14 px bold: not tiny
    chip = _rule(app_css, ".verdict-chip")
    assert "color: #fff;" in chip and "background: var(--verdict" in chip
    single = _tint_share(_rule(app_css, "mark.hl"))
    crossed = _tint_share(_rule(app_css, ".public mark.hl mark.hl"))  # two highlights cross
    hover = _tint_share(_rule(app_css, ".hl-link:hover, .hl-link:focus-visible"))
    problems = []
    for slug, colour in colours.items():
        if contrast(WHITE, colour) < TEXT_CONTRAST:
            problems.append(f"{slug}: white label on {colour} is {contrast(WHITE, colour):.2f}:1")
        if contrast(colour, WHITE) < NON_TEXT_CONTRAST:
            problems.append(f"{slug}: underline {colour} on the page is below 3:1")
        # What the words and the underline are drawn on: the verdict's tint, and a crossing
        # highlight's tint over another's; the words also on the hover/focus tint over both
        # (the underline is not the only cue there: the focus ring or the pointer is).
        for outer in colours.values():
            for name, behind, underlined in (
                ("tint", tint(colour, single), True),
                ("crossing tint", tint(colour, crossed, tint(outer, single)), True),
                (
                    "hover tint",
                    tint(colour, hover, tint(colour, crossed, tint(outer, single))),
                    False,
                ),
            ):
                if contrast(INK, behind) < TEXT_CONTRAST:
                    problems.append(f"{slug}: text on its {name} {behind} is below 4.5:1")
                if underlined and contrast(colour, behind) < NON_TEXT_CONTRAST:
                    problems.append(f"{slug}: underline on its {name} {behind} is below 3:1")
    assert not problems, sorted(set(problems))
