"""The public fact-check pages in a real browser: an anonymous reader without JavaScript sees
the published verdicts (and never a draft), the article with its highlighted claims, a claim
page with its ClaimReview; axe-core finds no serious or critical WCAG violation on them."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, expect

from annotations import roles
from annotations.models import Annotation, Article
from annotations.publishing.standards import article_url, claim_url
from annotations.review import services as review
from tests.browser.axe import AXE_VERSION, axe_source, describe, run_axe
from tests.conftest import _user_with_role
from tests.factories import annotate, import_text

pytestmark = pytest.mark.browser

LORRIES = "cameras at Harrow Pass logged 1,140 lorries heading north with full tanks"
INCOME = "At its peak the trade was worth about $2.5 million a day"
RAIDS = "Inspectors have raided 27 depots since the spring and impounded 14 tanker trailers"
MARROW = "Chief Inspector Ilse Marrow"
LORRIES_CLAIM = "Cameras logged 1,140 fuel lorries at Harrow Pass in six months"
INCOME_CLAIM = "The diesel ring made $2.5 million a day at its peak"
DRAFT_CLAIM = "Inspectors raided 27 depots and impounded 14 trailers since the spring"
RATIONALE = (
    "The figure comes from a **customs directorate news conference** and could not be "
    "checked independently.\n\n- No camera footage of the lorries was released\n"
    "- See the [conference transcript](https://customs.example/transcript)"
)


@dataclass
class PublicChecks:
    article: Article
    lorries: Annotation
    income: Annotation
    draft: Annotation

    @property
    def article_path(self) -> str:
        return article_url(self.article)

    @property
    def claim_path(self) -> str:
        return claim_url(self.lorries)


@pytest.fixture
def second_editor(team) -> User:  # type: ignore[no-untyped-def]
    user = _user_with_role(
        "katrin", roles.EDITOR, is_staff=True, first_name="Katrin", last_name="Berg"
    )
    team.members.add(user)
    return user


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two CSS `rgb(r, g, b)` / `rgba(r, g, b, 1)` colours."""

    def luminance(colour: str) -> float:
        channels = [int(float(v)) / 255 for v in re.findall(r"[\d.]+", colour)[:3]]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def publish(claim: Annotation, author: User, approver: User, publisher: User) -> None:
    """Through the real review service: the author submits, one editor approves, another
    publishes."""
    review.claim_move(annotation_id=claim.pk, user=author, action="submit")
    review.claim_move(annotation_id=claim.pk, user=approver, action="approve")
    review.claim_move(annotation_id=claim.pk, user=publisher, action="publish")
    claim.refresh_from_db()
    assert claim.state == Annotation.State.PUBLISHED


@pytest.fixture
def public_checks(article_text: str, team, factchecker, editor, second_editor) -> PublicChecks:  # type: ignore[no-untyped-def]
    article, version = import_text(
        article_text,
        team=team,
        outlet="Wire service",
        url="https://wire.example/velmora-diesel-racket",
    )
    lorries = annotate(
        version,
        LORRIES,
        factchecker,
        verdict="unproven",
        claim=LORRIES_CLAIM,
        claimant=MARROW,
        rationale=RATIONALE,
    )
    income = annotate(
        version,
        INCOME,
        factchecker,
        verdict="half-true",
        claim=INCOME_CLAIM,
        claimant=MARROW,
        rationale="Other estimates range from **$0.5 million to $2 million** a day.",
    )
    draft = annotate(version, RAIDS, factchecker, verdict="false", claim=DRAFT_CLAIM)
    publish(lorries, factchecker, editor, second_editor)
    publish(income, factchecker, second_editor, editor)
    return PublicChecks(article=article, lorries=lorries, income=income, draft=draft)


def test_anonymous_reader_without_javascript(
    browser: Browser, live_server, public_checks: PublicChecks, artifacts
) -> None:  # type: ignore[no-untyped-def]
    base = live_server.url
    checks = public_checks
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)

        # 1. The list: both published claims, newest first; the draft nowhere.
        response = page.goto(f"{base}/checks/")
        assert response is not None and response.status == 200
        expect(page.get_by_role("heading", level=1)).to_have_text("Fact-checks")
        items = page.locator("ol.check-list li.check")
        expect(items).to_have_count(2)
        expect(items.locator("h2")).to_have_text([INCOME_CLAIM, LORRIES_CLAIM])
        expect(items.locator(".verdict-chip")).to_have_text(["Half true", "Unproven"])
        expect(items.first).to_contain_text(MARROW)
        expect(items.first).to_contain_text("Wire service")
        expect(page.locator(".summary")).to_have_text("2 fact-checks.")
        expect(page.locator("main")).not_to_contain_text(DRAFT_CLAIM)
        page.screenshot(path=artifacts("public-checks.png"), full_page=True)

        # Keyboard: the skip link comes first, then the header's links with a ring that shows.
        page.keyboard.press("Tab")
        expect(page.locator(".skip-link")).to_be_focused()
        page.keyboard.press("Tab")
        brand = page.locator(".site-header .brand")
        expect(brand).to_be_focused()
        ring = brand.evaluate(
            """el => {
                const style = getComputedStyle(el);
                return {style: style.outlineStyle, width: parseFloat(style.outlineWidth),
                        colour: style.outlineColor,
                        behind: getComputedStyle(el.closest('header')).backgroundColor};
            }"""
        )
        assert ring["style"] != "none" and ring["width"] >= 2, ring
        assert contrast(ring["colour"], ring["behind"]) >= 3, ring
        page.screenshot(path=artifacts("public-checks-focus.png"))

        # 2. The article: the published claims highlighted with their verdicts; not the draft.
        page.get_by_role("link", name=LORRIES_CLAIM).click()
        expect(page).to_have_url(f"{base}{checks.claim_path}")
        page.goto(f"{base}{checks.article_path}")
        expect(page.get_by_role("heading", level=1)).to_have_text(checks.article.title)
        expect(page.locator("#claims-heading")).to_have_text("2 claims checked")
        text = page.locator(".archived-text .checked-text")
        expect(text.locator(".cw")).to_have_count(0)  # the desk's scores stay in the desk
        for claim, slug, label in (
            (checks.lorries, "unproven", "Unproven"),
            (checks.income, "half-true", "Half true"),
        ):
            marks = text.locator(f"mark[data-annotation-id='{claim.pk}']")
            expect(marks.first).to_be_visible()
            assert {m.get_attribute("data-verdict") for m in marks.all()} == {slug}
            words = marks.evaluate_all(
                """marks => marks.map(m => {
                    const copy = m.cloneNode(true);
                    copy.querySelectorAll('.hl-label').forEach(label => label.remove());
                    return copy.textContent;
                }).join('')"""
            )
            assert words == claim.exact
            # The verdict's name follows the highlight as real text, inside its link.
            link = text.locator(f"a.hl-link[href='#claim-{claim.pk}']")
            expect(link.locator(".hl-label")).to_have_count(1)
            expect(link.locator(".hl-label")).to_contain_text(label)
            section = page.locator(f"#claim-{claim.pk}")
            expect(section.locator(".verdict-chip")).to_have_text(label)
            expect(section.locator(".verdict-chip")).to_be_visible()
            expect(section.locator(".ann-rationale")).to_be_visible()
        expect(text.locator(f"mark[data-annotation-id='{checks.draft.pk}']")).to_have_count(0)
        expect(text.locator("mark", has_text="27 depots")).to_have_count(0)
        expect(text).to_contain_text(RAIDS)  # the text is there, only not highlighted
        expect(page.locator("main")).not_to_contain_text(DRAFT_CLAIM)
        expect(text.locator("mark")).to_have_count(2)  # one mark per claim: no nesting here
        page.screenshot(path=artifacts("public-article.png"), full_page=True)
        marked = [p.bounding_box() for p in text.locator("p:has(mark)").all()]
        top = min(box["y"] for box in marked if box)
        bottom = max(box["y"] + box["height"] for box in marked if box)
        left = min(box["x"] for box in marked if box)
        width = max(box["width"] for box in marked if box)
        page.screenshot(
            path=artifacts("public-article-highlights.png"),
            clip={"x": left, "y": top, "width": width, "height": bottom - top},
            full_page=True,
        )
        # Without JavaScript, a highlight is a link to its claim's entry.
        text.locator(f"a.hl-link[href='#claim-{checks.income.pk}']").click()
        expect(page).to_have_url(f"{base}{checks.article_path}#claim-{checks.income.pk}")
        expect(page.locator(f"#claim-{checks.income.pk}")).to_be_in_viewport()

        # 3. A claim page: the claim as its heading, the verdict, one ClaimReview.
        page.goto(f"{base}{checks.claim_path}")
        expect(page.get_by_role("heading", level=1)).to_have_text(LORRIES_CLAIM)
        expect(page.locator("main .verdict-chip")).to_have_text("Unproven")
        expect(page.locator("main .verdict-chip")).to_be_visible()
        expect(page.locator("main")).to_contain_text(MARROW)
        rationale = page.locator(".ann-rationale")
        expect(rationale.locator("strong")).to_have_text("customs directorate news conference")
        expect(rationale.locator("li")).to_have_count(2)
        expect(rationale.get_by_role("link", name="conference transcript")).to_have_attribute(
            "href", "https://customs.example/transcript"
        )
        scripts = page.locator('script[type="application/ld+json"]')
        expect(scripts).to_have_count(1)
        data = json.loads(scripts.text_content() or "")
        assert data["@type"] == "ClaimReview"
        assert data["claimReviewed"] == LORRIES_CLAIM
        assert data["reviewRating"]["alternateName"] == "Unproven"
        assert data["itemReviewed"]["author"]["name"] == MARROW
        assert (
            data["itemReviewed"]["appearance"]["url"]
            == "https://wire.example/velmora-diesel-racket"
        )
        assert data["url"].endswith(checks.claim_path), data["url"]
        page.screenshot(path=artifacts("public-claim.png"), full_page=True)

        # The draft has no public page at all.
        draft = page.goto(f"{base}/checks/{checks.article.slug}/claims/{checks.draft.pk}/")
        assert draft is not None and draft.status == 404
        # Public pages never start a session or set a cookie: shared caches may keep them.
        assert context.cookies() == []
    finally:
        context.close()


def test_axe_finds_no_serious_or_critical_violations(
    page: Page, live_server, public_checks: PublicChecks, artifacts
) -> None:  # type: ignore[no-untyped-def]
    axe_js = axe_source()  # the pinned release: cached, or from the npm registry
    base = live_server.url
    report: dict[str, dict[str, object]] = {}
    blocking: list[str] = []
    for name, path in (
        ("checks", "/checks/"),
        ("article", public_checks.article_path),
        ("claim", public_checks.claim_path),
    ):
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status == 200
        assert "script-src 'self'" in (response.headers.get("content-security-policy") or "")
        results = run_axe(page, axe_js)
        violations, incomplete = results["violations"], results["incomplete"]
        report[path] = {"violations": violations, "incomplete": incomplete}
        print(f"\naxe-core {AXE_VERSION} on {path}: {len(violations)} violation(s)")
        if violations:
            print(describe(violations))
        if incomplete:
            print(f" {len(incomplete)} rule(s) axe could not decide (check by hand):")
            print(describe(incomplete))
        serious = [v for v in violations if v["impact"] in ("serious", "critical")]
        if serious:
            blocking.append(f"{path}:\n{describe(serious)}")
        page.screenshot(path=artifacts(f"public-axe-{name}.png"), full_page=True)
    Path(artifacts("public-axe.json")).write_text(json.dumps(report, indent=2), encoding="utf-8")
    assert not blocking, "axe-core found serious or critical violations:\n" + "\n".join(blocking)


@pytest.mark.parametrize(
    ("name", "viewport", "touch"),
    [
        pytest.param("wide", {"width": 1280, "height": 900}, False, id="wide-1280"),
        pytest.param("narrow", {"width": 390, "height": 844}, True, id="narrow-390"),
    ],
)
def test_highlights_lead_to_their_claims_on_wide_and_narrow_screens(
    browser: Browser,
    live_server,
    public_checks: PublicChecks,
    artifacts,
    name: str,
    viewport: dict[str, int],
    touch: bool,
) -> None:  # type: ignore[no-untyped-def]
    """On a wide screen each claim sits beside the paragraph it judges, on a phone right
    after it; every highlight is a link to its claim with a verdict label at least 24x24 px
    (WCAG 2.2 2.5.8) in readable type and AA contrast; axe finds nothing serious."""
    base = live_server.url
    checks = public_checks
    context = browser.new_context(viewport=viewport, has_touch=touch, is_mobile=touch)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        response = page.goto(f"{base}{checks.article_path}")
        assert response is not None and response.status == 200
        page.screenshot(path=artifacts(f"public-article-{name}.png"), full_page=True)

        # The text uses the page: the article column, and the claims beside or below it.
        main_width = page.locator("main").bounding_box()["width"]  # type: ignore[index]
        paragraph = page.locator(".checked-row p").first.bounding_box()
        assert paragraph is not None
        if name == "wide":
            rows = page.locator(".checked-text").bounding_box()
            assert rows is not None and rows["width"] >= 0.9 * main_width, (rows, main_width)
            assert paragraph["width"] >= 600, paragraph
        else:
            assert paragraph["width"] >= 0.8 * viewport["width"], paragraph

        for claim, label in ((checks.lorries, "Unproven"), (checks.income, "Half true")):
            highlight = page.locator(f"p:has(mark[data-annotation-id='{claim.pk}'])")
            entry = page.locator(f"#claim-{claim.pk}")
            text_box, entry_box = highlight.bounding_box(), entry.bounding_box()
            assert text_box is not None and entry_box is not None
            if name == "wide":
                # Beside its paragraph: to its right, starting level with it.
                assert entry_box["x"] >= text_box["x"] + text_box["width"], (entry_box, text_box)
                assert abs(entry_box["y"] - text_box["y"]) <= 24, (entry_box, text_box)
            else:
                # Right after its paragraph, as wide as the text.
                assert entry_box["y"] >= text_box["y"] + text_box["height"], (entry_box, text_box)
                assert entry_box["y"] - (text_box["y"] + text_box["height"]) <= 40
                assert abs(entry_box["x"] - text_box["x"]) <= 2

            # Every piece of the highlight is a link to the claim; the label is a 24x24 px
            # target at least, in type a reader can read, at 4.5:1.
            links = page.locator(f".checked-text a.hl-link[href='#claim-{claim.pk}']")
            assert links.count() >= 1
            sizes = links.evaluate_all(
                """links => links.flatMap(a => [...a.getClientRects()].map(r => [r.width, r.height]))"""
            )
            assert all(h >= 24 for _w, h in sizes), sizes
            badge = links.locator(".hl-label")
            expect(badge).to_contain_text(label)
            measured = badge.evaluate(
                """el => {
                    const box = el.getBoundingClientRect(), style = getComputedStyle(el);
                    return {width: box.width, height: box.height,
                            size: parseFloat(style.fontSize), weight: style.fontWeight,
                            colour: style.color, behind: style.backgroundColor};
                }"""
            )
            assert measured["width"] >= 24 and measured["height"] >= 24, measured
            assert measured["size"] >= 14 and int(measured["weight"]) >= 700, measured
            assert contrast(measured["colour"], measured["behind"]) >= 4.5, measured

            # Tapping (or clicking) the label goes to the claim, which is then on screen.
            if touch:
                badge.tap()
            else:
                badge.click()
            expect(page).to_have_url(f"{base}{checks.article_path}#claim-{claim.pk}")
            expect(entry).to_be_in_viewport()
            expect(entry.locator(".verdict-chip")).to_have_text(label)
            page.screenshot(path=artifacts(f"public-article-{name}-claim-{label[0]}.png"))
            # …and from there back to the words, and on to the claim's own page.
            entry.get_by_role("link", name="Back to the text").click()
            expect(page).to_have_url(f"{base}{checks.article_path}#hl-{claim.pk}")
            expect(page.locator(f"#hl-{claim.pk}")).to_be_in_viewport()

        # The words of the highlight lead there too, and the entry to the claim's page.
        words = page.locator(f"a.hl-link[href='#claim-{checks.lorries.pk}']").first
        words.scroll_into_view_if_needed()
        first_line = words.evaluate(
            "a => { const r = a.getClientRects()[0]; return [r.left + 8, r.top + r.height / 2]; }"
        )
        if touch:
            page.touchscreen.tap(*first_line)
        else:
            page.mouse.click(*first_line)
        expect(page).to_have_url(f"{base}{checks.article_path}#claim-{checks.lorries.pk}")
        page.locator(f"#claim-{checks.lorries.pk}").get_by_role("link", name=LORRIES_CLAIM).click()
        expect(page).to_have_url(f"{base}{checks.claim_path}")
        expect(page.get_by_role("heading", level=1)).to_have_text(LORRIES_CLAIM)

        page.goto(f"{base}{checks.article_path}")
        results = run_axe(page, axe_source())
        serious = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
        assert not serious, describe(serious)
    finally:
        context.close()
