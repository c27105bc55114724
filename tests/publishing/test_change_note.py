"""When the outlet changes or removes an article we checked, the public pages say so: the
date, a link to a public diff of the two archived versions; ClaimReview stays as it was
unless the verdict itself is corrected."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from lxml import html as lxml_html

from annotations.models import Annotation, Article, ArticleVersion, Correction, Rating
from annotations.review import services as review
from annotations.workspace.placements import version_reanchor
from tests.factories import annotate, import_text

pytestmark = pytest.mark.django_db

URL = "https://wire.example/velmora-diesel-racket"
LORRIES = "cameras at Harrow Pass logged 1,140 lorries heading north with full tanks"
NOTE = "Update: this story has been changed to correct the number of lorries."


@pytest.fixture(autouse=True)
def _empty_page_cache(_private_cache) -> None:  # type: ignore[no-untyped-def]
    cache.clear()


@pytest.fixture
def published(article_text, team, factchecker, editor, second_editor) -> Annotation:  # type: ignore[no-untyped-def]
    """A verdict published through the review moves, on version 1 of the wire story."""
    _article, version = import_text(article_text, team=team, url=URL, outlet="Wire service")
    claim = annotate(
        version,
        LORRIES,
        factchecker,
        claim="1,140 full fuel lorries crossed Harrow Pass",
        claimant="Chief Inspector Ilse Marrow",
        rationale="No independent source has counted the lorries.",
    )
    review.claim_move(annotation_id=claim.pk, user=factchecker, action="submit")
    review.claim_move(annotation_id=claim.pk, user=editor, action="approve")
    review.claim_move(annotation_id=claim.pk, user=second_editor, action="publish")
    claim.refresh_from_db()
    return claim


def new_version(claim: Annotation, article_text: str) -> ArticleVersion:
    """The outlet edits the story: imported again from the same URL, claims re-placed."""
    edited = NOTE + "\n\n" + article_text.replace("1,140 lorries", "1,014 lorries")
    _article, version = import_text(edited, team=claim.version.article.team, url=URL)
    assert version.number == claim.version.number + 1
    version_reanchor(version.pk)
    return version


def pages(claim: Annotation) -> list[str]:
    slug = claim.version.article.slug
    return [f"/checks/{slug}/", f"/checks/{slug}/claims/{claim.pk}/"]


def claimreview(claim: Annotation) -> dict:  # type: ignore[type-arg]
    response = Client().get(pages(claim)[1])
    doc = lxml_html.fromstring(response.content)
    (script,) = doc.xpath('//script[@type="application/ld+json"]')
    return json.loads(script.text)  # type: ignore[no-any-return]


def note(response, element_id: str) -> str | None:  # type: ignore[no-untyped-def]
    found = lxml_html.fromstring(response.content).xpath(f'//*[@id="{element_id}"]')
    return " ".join(found[0].text_content().split()) if found else None


# --- The note about a change ------------------------------------------------------------------


def test_no_note_while_the_article_is_unchanged(published) -> None:  # type: ignore[no-untyped-def]
    for url in pages(published):
        response = Client().get(url)
        assert response.status_code == 200
        assert note(response, "change-note") is None
        assert note(response, "gone-note") is None


def test_a_version_imported_after_publication_is_noted_with_a_link_to_the_diff(
    published, article_text
) -> None:  # type: ignore[no-untyped-def]
    reader = Client()
    before = {url: reader.get(url)["ETag"] for url in pages(published)}
    version = new_version(published, article_text)
    day = timezone.localtime(version.created_at).strftime("%-d %B %Y")
    diff_url = f"/checks/{published.version.article.slug}/changes/1/2/"
    for url in pages(published):
        response = reader.get(url, HTTP_IF_NONE_MATCH=before[url])
        assert response.status_code == 200, f"{url}: the old copy was still current"
        assert response["ETag"] != before[url]
        text = note(response, "change-note")
        assert text == (
            f"The outlet changed this article on {day}, after this verdict was published. "
            "See what changed."
        ), url
        link = lxml_html.fromstring(response.content).xpath('//*[@id="change-note"]//a/@href')
        assert link == [diff_url]
    assert reader.get(diff_url).status_code == 200


def test_the_diff_link_starts_from_the_version_the_verdict_was_made_on(
    published, article_text
) -> None:  # type: ignore[no-untyped-def]
    new_version(published, article_text)
    third = NOTE + "\n\n" + article_text.replace("1,140 lorries", "about a thousand lorries")
    import_text(third, team=published.version.article.team, url=URL)
    slug = published.version.article.slug
    for url in pages(published):
        links = lxml_html.fromstring(Client().get(url).content).xpath(
            '//*[@id="change-note"]//a/@href'
        )
        assert links == [f"/checks/{slug}/changes/1/3/"], url


def test_a_version_imported_before_publication_is_no_change_after_the_verdict(
    article_text, team, factchecker, editor, second_editor
) -> None:  # type: ignore[no-untyped-def]
    _article, first = import_text(article_text, team=team, url=URL)
    claim = annotate(first, LORRIES, factchecker, claim="Lorries", claimant="Ilse Marrow")
    edited = NOTE + "\n\n" + article_text
    import_text(edited, team=team, url=URL)  # version 2, before the verdict goes out
    review.claim_move(annotation_id=claim.pk, user=factchecker, action="submit")
    review.claim_move(annotation_id=claim.pk, user=editor, action="approve")
    review.claim_move(annotation_id=claim.pk, user=second_editor, action="publish")
    claim_page = Client().get(pages(claim)[1])
    assert note(claim_page, "change-note") is None
    # The article page still says its text is not the newest, and links to the change.
    article_page = Client().get(pages(claim)[0])
    text = note(article_page, "change-note")
    assert text is not None and text.startswith("The outlet has changed this article since")
    assert lxml_html.fromstring(article_page.content).xpath('//*[@id="change-note"]//a/@href') == [
        f"/checks/{first.article.slug}/changes/1/2/"
    ]


def test_the_article_page_says_which_verdicts_the_change_came_after(
    published, article_text, factchecker, editor, second_editor
) -> None:  # type: ignore[no-untyped-def]
    version = new_version(published, article_text)
    later = annotate(version, "27 depots", factchecker, claim="27 depots", claimant="Marrow")
    review.claim_move(annotation_id=later.pk, user=factchecker, action="submit")
    review.claim_move(annotation_id=later.pk, user=editor, action="approve")
    review.claim_move(annotation_id=later.pk, user=second_editor, action="publish")
    text = note(Client().get(pages(published)[0]), "change-note")
    assert text is not None and "after some of these verdicts were published" in text
    assert note(Client().get(pages(later)[1]), "change-note") is None


# --- The outlet removed the article --------------------------------------------------------


def test_a_removed_article_is_noted_on_both_pages(published) -> None:  # type: ignore[no-untyped-def]
    reader = Client()
    before = {url: reader.get(url)["ETag"] for url in pages(published)}
    noticed = datetime(2026, 3, 4, 9, 30, tzinfo=UTC)
    # As the change watch records it, without touching the article's updated_at.
    Article.objects.filter(pk=published.version.article_id).update(
        page_status=Article.PageStatus.GONE, page_http_status=410, page_status_at=noticed
    )
    for url in pages(published):
        response = reader.get(url)
        assert response["ETag"] != before[url], url
        assert note(response, "gone-note") == (
            "The outlet has removed this article (HTTP 410, noticed on 4 March 2026)."
        ), url


@pytest.mark.parametrize("status", ["moved", "held", "unreachable", "live"])
def test_other_page_states_are_not_shown_to_the_public(published, status: str) -> None:
    Article.objects.filter(pk=published.version.article_id).update(
        page_status=status, page_status_at=timezone.now()
    )
    for url in pages(published):
        assert note(Client().get(url), "gone-note") is None


# --- The public diff -----------------------------------------------------------------------


def test_the_public_diff_shows_the_changed_words_and_caches_like_the_other_pages(
    published, article_text
) -> None:  # type: ignore[no-untyped-def]
    new_version(published, article_text)
    url = f"/checks/{published.version.article.slug}/changes/1/2/"
    reader = Client()
    response = reader.get(url)
    assert response.status_code == 200
    assert "public" in response["Cache-Control"] and "max-age" in response["Cache-Control"]
    assert reader.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert "sessionid" not in response.cookies
    doc = lxml_html.fromstring(response.content)
    diff = doc.xpath('//div[@class="diff-text"]')[0]
    assert [d.text_content() for d in diff.xpath(".//del")] == ["[deleted: 1,140]"]
    assert "[inserted: 1,014]" in [i.text_content() for i in diff.xpath(".//ins")]
    summary = doc.get_element_by_id("diff-summary").text_content()
    assert summary == f"{len(NOTE.split()) + 1} words inserted, 1 deleted in 2 paragraphs"
    # Nothing of the desk's: no links into the workspace, no names of who imported it.
    body = response.content.decode()
    assert "/articles/" not in body
    assert published.version.article.team.name not in body


def test_the_public_diff_of_an_article_without_public_claims_is_404(
    article_text, team, factchecker
) -> None:  # type: ignore[no-untyped-def]
    article, first = import_text(article_text, team=team, url=URL)
    annotate(first, LORRIES, factchecker, claim="A draft")
    import_text(NOTE + "\n\n" + article_text, team=team, url=URL)
    assert Client().get(f"/checks/{article.slug}/changes/1/2/").status_code == 404


def test_the_public_diff_of_a_retracted_verdict_is_404(published, article_text, editor) -> None:  # type: ignore[no-untyped-def]
    new_version(published, article_text)
    review.claim_retract(annotation_id=published.pk, user=editor, note="Withdrawn.")
    url = f"/checks/{published.version.article.slug}/changes/1/2/"
    assert Client().get(url).status_code == 404


@pytest.mark.parametrize(
    "numbers", ["1/3", "3/1", "2/2", "0/2", "1/99999999999999999999", "99999999999/1"]
)
def test_the_public_diff_of_versions_that_do_not_exist_is_404(
    published, article_text, numbers: str
) -> None:  # type: ignore[no-untyped-def]
    new_version(published, article_text)
    url = f"/checks/{published.version.article.slug}/changes/{numbers}/"
    assert Client().get(url).status_code == 404


def test_the_public_diff_of_an_unknown_article_is_404(published) -> None:  # type: ignore[no-untyped-def]
    assert Client().get("/checks/no-such-article/changes/1/2/").status_code == 404


# --- ClaimReview ---------------------------------------------------------------------------


def test_a_new_version_leaves_claimreview_as_it_was(published, article_text) -> None:  # type: ignore[no-untyped-def]
    before = claimreview(published)
    assert "dateModified" not in before
    new_version(published, article_text)
    assert claimreview(published) == before


def test_only_a_correction_moves_date_modified(published, article_text, editor) -> None:  # type: ignore[no-untyped-def]
    review.claim_correct(
        annotation_id=published.pk,
        user=editor,
        note="The ministry gave a lower figure.",
        rating=Rating.objects.get(slug="false"),
        rationale="The ministry's own count is lower.",
    )
    Correction.objects.filter(annotation=published).update(
        created_at=datetime(2025, 1, 2, 12, tzinfo=UTC)
    )
    Annotation.objects.filter(pk=published.pk).update(
        updated_at=datetime(2025, 1, 2, 12, tzinfo=UTC)
    )
    corrected = claimreview(published)
    assert corrected["dateModified"] == "2025-01-02"
    new_version(published, article_text)
    after_change = claimreview(published)
    assert after_change["url"] == corrected["url"]
    assert after_change["dateModified"] == "2025-01-02"
    assert after_change == corrected
    review.claim_correct(
        annotation_id=published.pk,
        user=editor,
        note="A second source confirmed the figure.",
        rating=Rating.objects.get(slug="mostly-false"),
        rationale="Two counts agree.",
    )
    again = claimreview(published)
    assert again["dateModified"] == timezone.localdate().isoformat()
    assert again["url"] == corrected["url"]


def test_the_claimreview_feed_agrees_with_the_claim_page(published, editor) -> None:  # type: ignore[no-untyped-def]
    review.claim_correct(
        annotation_id=published.pk,
        user=editor,
        note="Lower figure.",
        rating=Rating.objects.get(slug="false"),
        rationale="Lower.",
    )
    feed = json.loads(Client().get("/api/claimreview.json").content)
    (item,) = feed["dataFeedElement"]
    assert item == claimreview(published)
