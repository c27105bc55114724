"""The staff pages in a real browser, for people who work with the keyboard or a screen
reader: axe-core finds no serious or critical WCAG violation on any of them (the workspace
audited with forms open); two forms open at once repeat no id and every label names its own
field; a form that opens takes the focus and gives it back to the control that opened it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, expect

from annotations.coverage import pipeline
from annotations.coverage.services import coverage_job_create
from annotations.models import Annotation, Article, CoverageJob, RelatedArticle, Source
from annotations.review import services as review
from annotations.review.selectors import QUEUES
from annotations.workspace.placements import version_reanchor
from tests.browser.axe import AXE_VERSION, axe_source, describe, run_axe
from tests.browser.conftest import log_in
from tests.conftest import LocalWebServer
from tests.coverage.conftest import serve_coverage
from tests.factories import annotate, import_text
from tests.workspace.test_placements import BRANCU, edited

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
URL = "https://wire.example/velmora-diesel-racket"
MARROW = "Chief Inspector Ilse Marrow"
LORRIES = "cameras at Harrow Pass logged 1,140 lorries heading north with full tanks"
RAIDS = "Inspectors have raided 27 depots since the spring and impounded 14 tanker trailers"
INCOME = "At its peak the trade was worth about $2.5 million a day"
TAKINGS = "The ring’s takings are still roughly $1.1 million a day"
PERCENT = "diesel sales in the border districts fell by almost 40 percent after the raids"


@dataclass
class StaffDesk:
    article: Article
    draft: Annotation
    other_draft: Annotation
    third_draft: Annotation
    in_review: Annotation
    approved: Annotation
    published: Annotation
    job: CoverageJob
    related: RelatedArticle
    repair_article: Article


@pytest.fixture
def staff_desk(
    article_text: str,
    team,
    factchecker: User,
    editor: User,
    second_editor: User,
    web_server: LocalWebServer,
    allow_local_fetch,
) -> StaffDesk:  # type: ignore[no-untyped-def]
    """A desk at work: claims in every state, sources archived and failed, a conversation
    with a mention, a finished coverage search, and an edited article with claims to repair."""
    article, version = import_text(article_text, team=team, outlet="Wire service", url=URL)

    def claim(phrase: str, summary: str, verdict: str = "unproven") -> Annotation:
        return annotate(
            version, phrase, factchecker, verdict=verdict, claim=summary, claimant=MARROW
        )

    draft = claim(LORRIES, "Cameras logged 1,140 fuel lorries at Harrow Pass")
    other_draft = claim(RAIDS, "Inspectors raided 27 depots", verdict="mostly-true")
    third_draft = claim(BRANCU, "The governor approved the smugglers' depots", verdict="misleading")
    in_review = claim(INCOME, "The ring made $2.5 million a day at its peak", "half-true")
    approved = claim(TAKINGS, "The ring still makes $1.1 million a day", "false")
    published = claim(PERCENT, "Border diesel sales fell by 40 percent", "true")
    # Sources as the archiving worker leaves them (the worker is not part of this test).
    Source.objects.create(
        annotation=draft,
        url="https://customs.example/report",
        title="Directorate report",
        quote="1,140 lorries",
        position=0,
        archive_status=Source.ArchiveStatus.FAILED,
        archive_error="could not resolve host customs.example",
    )
    for claim_, steps in (
        (in_review, [(factchecker, "submit")]),
        (approved, [(factchecker, "submit"), (editor, "approve")]),
        (published, [(factchecker, "submit"), (editor, "approve"), (second_editor, "publish")]),
    ):
        for user, action in steps:
            review.claim_move(annotation_id=claim_.pk, user=user, action=action)
    review.comment_add(
        annotation_id=in_review.pk,
        user=factchecker,
        body="@jonas the $2.5 million figure is the directorate's own estimate.",
    )

    job = coverage_job_create(
        version=version,
        user=factchecker,
        query="Velmora diesel Harrow Pass",
        providers=[],
        feed_urls=[serve_coverage(web_server).feed_url],
        start=False,  # run in this process below, not on a worker
    )
    job = pipeline.coverage_job_run(job.pk)
    assert job.state == CoverageJob.State.DONE
    related = job.related.filter(status=RelatedArticle.Status.EXTRACTED).order_by("-relevance")[0]

    # Another story the outlet then edited: one claim changed, one gone (the repair queue).
    other_text = article_text.replace("Customs chief links", "Customs chief ties", 1)
    repair_article, first = import_text(other_text, team=team, url=URL + "-2")
    annotate(first, "logged 1,140 lorries heading north", factchecker)
    annotate(first, BRANCU, factchecker)
    _again, second = import_text(edited(first.text), team=team, url=URL + "-2")
    version_reanchor(second.pk)
    return StaffDesk(
        article=article,
        draft=draft,
        other_draft=other_draft,
        third_draft=third_draft,
        in_review=in_review,
        approved=approved,
        published=published,
        job=job,
        related=related,
        repair_article=repair_article,
    )


def open_as(browser: Browser, base_url: str, username: str) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, base_url, username, PASSWORD)
    return page


def open_two_forms(page: Page, desk: StaffDesk) -> None:
    """Two cards' edit forms and an add-source form, open side by side."""
    for claim in (desk.draft, desk.other_draft):
        card = page.locator(f"#annotation-{claim.pk}")
        card.get_by_role("button", name="Edit").click()
        expect(card.locator("form.ann-form")).to_be_visible()
    card = page.locator(f"#annotation-{desk.third_draft.pk}")
    card.get_by_role("link", name="+ Add a source").click()
    expect(card.locator("form.source-form")).to_be_visible()


# Every id on the page once; every label's `for` names a field inside the label's own form.
ID_AND_LABEL_PROBLEMS = r"""() => {
    const problems = [];
    const seen = new Map();
    document.querySelectorAll('[id]').forEach((el) => seen.set(el.id, (seen.get(el.id) || 0) + 1));
    seen.forEach((count, id) => { if (count > 1) problems.push(`id "${id}" is used ${count} times`); });
    document.querySelectorAll('label[for]').forEach((label) => {
        const field = document.getElementById(label.htmlFor);
        if (!field) problems.push(`label "${label.textContent.trim()}" points at no field (${label.htmlFor})`);
        else if (field.closest('form') !== label.closest('form'))
            problems.push(`label "${label.textContent.trim()}" points at a field of another form`);
    });
    // axe reports a reference to a missing id only as "needs review": count it here.
    document.querySelectorAll('[aria-describedby], [aria-labelledby], [aria-controls]').forEach((el) => {
        for (const name of ['aria-describedby', 'aria-labelledby', 'aria-controls']) {
            for (const id of (el.getAttribute(name) || '').split(/\s+/).filter(Boolean)) {
                if (!document.getElementById(id)) problems.push(`${name}="${id}" on ${el.id || el.tagName} names no element`);
            }
        }
    });
    document.querySelectorAll('form input:not([type=hidden]), form select, form textarea').forEach((field) => {
        if (!field.labels || field.labels.length === 0) {
            if (!field.getAttribute('aria-label') && !field.getAttribute('aria-labelledby'))
                problems.push(`${field.name} has no label`);
        }
    });
    return problems;
}"""


def test_two_forms_open_repeat_no_id_and_every_label_names_its_field(
    browser: Browser, live_server, staff_desk: StaffDesk, artifacts
) -> None:  # type: ignore[no-untyped-def]
    page = open_as(browser, live_server.url, "amira")
    page.goto(f"{live_server.url}/articles/{staff_desk.article.pk}/")
    # A new claim, from the keyboard, then two cards' edit forms and an add-source form.
    page.keyboard.press("j")
    page.keyboard.press("a")
    expect(page.locator("#annotation-form form")).to_be_visible()
    open_two_forms(page, staff_desk)

    assert page.evaluate(ID_AND_LABEL_PROBLEMS) == []
    # Each card's "Claim summary" label is its own form's field: typing there changes that
    # card's form only.
    for claim in (staff_desk.draft, staff_desk.other_draft):
        form = page.locator(f"#annotation-{claim.pk} form")
        form.get_by_label("Claim summary").fill(f"Summary for {claim.pk}")
    for claim in (staff_desk.draft, staff_desk.other_draft):
        field = page.locator(f"#annotation-{claim.pk} form input[name=claim]")
        expect(field).to_have_value(f"Summary for {claim.pk}")
    page.screenshot(path=artifacts("staff-forms-open.png"), full_page=True)
    page.context.close()


def audit(
    page: Page,
    pages: list[tuple[str, str, Callable[[Page], None] | None]],
    base: str,
    artifacts: Callable[[str], Path],
    report: dict[str, object],
) -> list[str]:
    """axe on each (name, path, what to do first) page; the serious and critical findings."""
    axe_js = axe_source()
    blocking = []
    for name, path, prepare in pages:
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status == 200, path
        if prepare is not None:
            prepare(page)
        results = run_axe(page, axe_js)
        violations, incomplete = results["violations"], results["incomplete"]
        report[name] = {"path": path, "violations": violations, "incomplete": incomplete}
        print(f"\naxe-core {AXE_VERSION} on {name} ({path}): {len(violations)} violation(s)")
        if violations:
            print(describe(violations))
        serious = [v for v in violations if v["impact"] in ("serious", "critical")]
        if serious:
            blocking.append(f"{name} ({path}):\n{describe(serious)}")
        problems = page.evaluate(ID_AND_LABEL_PROBLEMS)
        if problems:
            blocking.append(f"{name} ({path}): ids and labels:\n  " + "\n  ".join(problems))
        page.screenshot(path=artifacts(f"staff-axe-{name}.png"), full_page=True)
    return blocking


def test_axe_finds_no_serious_or_critical_violation_on_the_staff_pages(
    browser: Browser, live_server, staff_desk: StaffDesk, artifacts
) -> None:  # type: ignore[no-untyped-def]
    base = live_server.url
    desk = staff_desk
    workspace = f"/articles/{desk.article.pk}/"

    def forms_open(page: Page) -> None:
        open_two_forms(page, desk)

    def new_claim_open(page: Page) -> None:
        page.keyboard.press("j")
        page.keyboard.press("a")
        expect(page.locator("#annotation-form form")).to_be_visible()

    def history_open(page: Page) -> None:
        card = page.locator(f"#annotation-{desk.draft.pk}")
        card.get_by_role("button", name="History").click()
        expect(card.locator(".history")).to_be_visible()

    def details_open(page: Page) -> None:
        page.locator("#article-details").get_by_role("link", name="Edit details").click()
        expect(page.locator("#article-details form")).to_be_visible()

    def request_changes_open(page: Page) -> None:
        card = page.locator(f"#annotation-{desk.in_review.pk}")
        card.locator("summary", has_text="Request changes").click()
        expect(card.locator(".card-request-changes textarea")).to_be_focused()

    def off_topic_open(page: Page) -> None:
        page.locator("details.off-topic summary").click()

    report: dict[str, object] = {}
    fact_checker = open_as(browser, base, "amira")
    blocking = audit(
        fact_checker,
        [
            ("articles", "/articles/", None),
            ("import", "/articles/import/", None),
            ("workspace", workspace, None),
            ("workspace-forms-open", workspace, forms_open),
            ("workspace-new-claim", workspace, new_claim_open),
            ("workspace-history", workspace, history_open),
            ("workspace-details-open", workspace, details_open),
            ("workspace-checkworthy-first", f"{workspace}?order=checkworthy", None),
            ("versions", f"/articles/{desk.repair_article.pk}/versions/", None),
            ("coverage-start", f"/articles/{desk.article.pk}/coverage/", None),
            ("coverage-job", f"/coverage/{desk.job.pk}/", off_topic_open),
            ("coverage-compare", f"/coverage/{desk.job.pk}/related/{desk.related.pk}/", None),
            ("my-work", "/review/mine/", None),
            ("claim-draft", f"/review/claims/{desk.draft.pk}/", None),
            ("notifications-none", "/notifications/", None),
        ],
        base,
        artifacts,
        report,
    )
    fact_checker.context.close()

    editor = open_as(browser, base, "jonas")
    blocking += audit(
        editor,
        [(f"queue-{slug}", f"/review/{slug}/", None) for slug in QUEUES]
        + [
            ("dashboard", "/review/dashboard/", None),
            ("workspace-editor-request-changes", workspace, request_changes_open),
            ("claim-in-review", f"/review/claims/{desk.in_review.pk}/", None),
            ("claim-approved", f"/review/claims/{desk.approved.pk}/", None),
            ("claim-published", f"/review/claims/{desk.published.pk}/?correct=1", None),
            ("repair", "/review/repair/", None),
            ("notifications", "/notifications/", None),
        ],
        base,
        artifacts,
        report,
    )
    editor.context.close()
    Path(artifacts("staff-axe.json")).write_text(json.dumps(report, indent=2), encoding="utf-8")
    assert not blocking, "axe-core found serious or critical violations:\n" + "\n".join(blocking)
