"""The public side as readers, search engines and feed readers see it: nothing unpublished
leaks, ClaimReview is complete and consistent, caches revalidate cheaply and notice a
publication at once."""

from __future__ import annotations

import csv
import io
import json
from xml.etree import ElementTree

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from lxml import html as lxml_html

from annotations.models import Annotation, Rating, Source
from annotations.review import services as review
from tests.factories import annotate, import_text

pytestmark = pytest.mark.django_db

LORRIES = "cameras at Harrow Pass logged 1,140 lorries heading north with full tanks"
URL = "https://wire.example/velmora-diesel-racket"


@pytest.fixture
def article(article_text, team):  # type: ignore[no-untyped-def]
    return import_text(article_text, team=team, url=URL, outlet="Wire service")


def draft(article, author: User, phrase: str = LORRIES, **fields: object) -> Annotation:  # type: ignore[no-untyped-def]
    fields.setdefault("claim", "1,140 full fuel lorries crossed Harrow Pass")
    fields.setdefault("claimant", "Chief Inspector Ilse Marrow")
    fields.setdefault("rationale", "No independent source has counted the lorries.")
    return annotate(article[1], phrase, author, **fields)


def publish(annotation: Annotation, author: User, editor: User, second: User) -> Annotation:
    review.claim_move(annotation_id=annotation.pk, user=author, action="submit")
    review.claim_move(annotation_id=annotation.pk, user=editor, action="approve")
    review.claim_move(annotation_id=annotation.pk, user=second, action="publish")
    annotation.refresh_from_db()
    return annotation


def public_urls(annotation: Annotation) -> list[str]:
    slug = annotation.version.article.slug
    return [f"/checks/{slug}/", f"/checks/{slug}/claims/{annotation.pk}/"]


def _jsonld(response) -> list[dict]:  # type: ignore[no-untyped-def]
    doc = lxml_html.fromstring(response.content)
    return [json.loads(s.text) for s in doc.xpath('//script[@type="application/ld+json"]')]


# --- Nothing unpublished leaks -------------------------------------------------------------------


@pytest.mark.parametrize(
    "state", ["draft", "in_review", "changes_requested", "approved", "soft_deleted"]
)
def test_no_public_url_shows_an_unpublished_claim(
    article, factchecker, editor, second_editor, state: str
) -> None:
    claim = draft(article, factchecker)
    if state == "soft_deleted":
        publish(claim, factchecker, editor, second_editor)
        Annotation.objects.filter(pk=claim.pk).update(deleted_at=timezone.now())
    else:
        Annotation.objects.filter(pk=claim.pk).update(state=state)
    anonymous = Client()
    for url in public_urls(claim):
        assert anonymous.get(url).status_code == 404, url
    source = Source.objects.create(
        annotation=claim, url="https://x.example/", archive_status="archived"
    )
    archive = f"/checks/{article[0].slug}/claims/{claim.pk}/sources/{source.pk}/"
    assert anonymous.get(archive).status_code == 404
    assert anonymous.get(f"/api/annotations/{claim.pk}").status_code == 404
    for listing in ("/checks/", "/checks/feed/", "/api/claimreview.json"):
        body = anonymous.get(listing).content.decode()
        assert "1,140 full fuel lorries crossed Harrow Pass" not in body, listing
        assert "Marrow" not in body, listing


def test_a_published_claim_next_to_drafts_shows_only_itself(
    article, factchecker, editor, second_editor
) -> None:
    published = publish(draft(article, factchecker), factchecker, editor, second_editor)
    hidden = draft(article, factchecker, "27 depots", claim="Secret draft summary")
    page = Client().get(f"/checks/{article[0].slug}/")
    assert page.status_code == 200
    doc = lxml_html.fromstring(page.content)
    marks = {m.get("data-annotation-id") for m in doc.xpath("//mark[@data-annotation-id]")}
    assert marks == {str(published.pk)}
    assert "Secret draft summary" not in page.content.decode()
    assert Client().get(f"/checks/{article[0].slug}/claims/{hidden.pk}/").status_code == 404


def test_a_retracted_claim_shows_its_notice_and_nothing_else(
    article, factchecker, editor, second_editor
) -> None:
    claim = publish(draft(article, factchecker), factchecker, editor, second_editor)
    review.claim_retract(annotation_id=claim.pk, user=editor, note="The briefing was misquoted.")
    response = Client().get(f"/checks/{article[0].slug}/claims/{claim.pk}/")
    assert response.status_code == 200
    text = lxml_html.fromstring(response.content).text_content()
    assert "This fact-check was retracted" in text
    assert "The briefing was misquoted." in text
    assert "Unproven" not in text and "No independent source" not in text
    assert _jsonld(response) == []
    assert Client().get(f"/checks/{article[0].slug}/").status_code == 404
    assert "1,140" not in Client().get("/api/claimreview.json").content.decode()


# --- ClaimReview ---------------------------------------------------------------------------------


def test_claim_page_has_exactly_one_complete_claimreview(
    article, factchecker, editor, second_editor, settings
) -> None:
    settings.SITE_URL = "https://checks.example"
    settings.SITE_NAME = "Example Checks"
    claim = publish(draft(article, factchecker), factchecker, editor, second_editor)
    path = f"/checks/{article[0].slug}/claims/{claim.pk}/"
    response = Client().get(path)
    blocks = _jsonld(response)
    assert len(blocks) == 1
    data = blocks[0]
    assert data["@context"] == "https://schema.org" and data["@type"] == "ClaimReview"
    assert data["url"] == "https://checks.example" + path
    assert data["claimReviewed"] == "1,140 full fuel lorries crossed Harrow Pass"
    assert data["author"] == {
        "@type": "Organization",
        "name": "Example Checks",
        "url": "https://checks.example/",
    }
    assert data["datePublished"] == timezone.localdate().isoformat()
    # Unproven is off the true-to-false scale: its name only, no numbers.
    assert data["reviewRating"] == {
        "@type": "Rating",
        "alternateName": "Unproven",
        "name": "Unproven",
    }
    item = data["itemReviewed"]
    assert item["@type"] == "Claim"
    assert item["author"]["name"] == "Chief Inspector Ilse Marrow"
    assert item["appearance"]["url"] == URL
    doc = lxml_html.fromstring(response.content)
    assert doc.xpath('string(//meta[@property="og:url"]/@content)') == data["url"]
    assert doc.xpath('string(//meta[@name="twitter:card"]/@content)') == "summary"
    assert doc.xpath("string(//h1)") == "1,140 full fuel lorries crossed Harrow Pass"

    feed = Client().get("/api/claimreview.json").json()
    assert feed["@type"] == "DataFeed"
    assert [r["url"] for r in feed["dataFeedElement"]] == [data["url"]]


def test_text_in_the_claim_cannot_break_out_of_the_json_ld(
    article, factchecker, editor, second_editor
) -> None:
    claim = draft(article, factchecker, claim='</script><script>alert("x")</script>')
    publish(claim, factchecker, editor, second_editor)
    response = Client().get(f"/checks/{article[0].slug}/claims/{claim.pk}/")
    doc = lxml_html.fromstring(response.content)
    assert len(doc.xpath("//script")) == 1  # only the JSON-LD block
    assert _jsonld(response)[0]["claimReviewed"] == '</script><script>alert("x")</script>'


def test_publishing_refuses_a_claim_whose_markup_would_be_invalid(
    article_text, team, factchecker, editor, second_editor
) -> None:
    article = import_text(article_text, team=team)  # pasted: no original URL
    claim = draft(article, factchecker, claimant="")
    review.claim_move(annotation_id=claim.pk, user=factchecker, action="submit")
    review.claim_move(annotation_id=claim.pk, user=editor, action="approve")
    with pytest.raises(review.ReviewError) as refused:
        review.claim_move(annotation_id=claim.pk, user=second_editor, action="publish")
    assert "the claimant" in str(refused.value)
    assert "the article's original URL" in str(refused.value)
    claim.refresh_from_db()
    assert claim.state == Annotation.State.APPROVED

    response = _client(second_editor).post(
        f"/review/claims/{claim.pk}/move/", {"action": "publish"}
    )
    assert response.status_code == 400
    assert "Missing: the claimant" in response.content.decode()


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Caching ---------------------------------------------------------------------------------------


def test_conditional_get_and_invalidation_on_publish_and_correction(
    article, factchecker, editor, second_editor
) -> None:
    first = publish(draft(article, factchecker), factchecker, editor, second_editor)
    url = f"/checks/{article[0].slug}/"
    reader = Client()
    response = reader.get(url)
    etag, modified = response["ETag"], response["Last-Modified"]
    assert "public" in response["Cache-Control"] and "max-age" in response["Cache-Control"]
    assert "Cookie" not in response.get("Vary", "")
    assert not response.cookies
    assert reader.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert reader.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304

    second = draft(article, factchecker, "27 depots", claim="Inspectors raided 27 depots")
    assert reader.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304  # a draft changes nothing
    publish(second, factchecker, editor, second_editor)
    changed = reader.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert "Inspectors raided 27 depots" in changed.content.decode()

    etag = changed["ETag"]
    review.claim_correct(
        annotation_id=first.pk,
        user=editor,
        note="The directorate later gave a lower figure.",
        rating=Rating.objects.get(slug="false"),
        rationale="",
    )
    corrected = reader.get(url, HTTP_IF_NONE_MATCH=etag)
    assert corrected.status_code == 200
    assert "The directorate later gave a lower figure." in corrected.content.decode()


# --- Lists and feeds -------------------------------------------------------------------------------


def test_check_list_searches_and_filters(article, factchecker, editor, second_editor) -> None:
    publish(draft(article, factchecker), factchecker, editor, second_editor)
    publish(
        draft(article, factchecker, "27 depots", claim="Inspectors raided 27 depots"),
        factchecker,
        editor,
        second_editor,
    )
    reader = Client()

    def titles(query: str) -> list[str]:
        doc = lxml_html.fromstring(reader.get(f"/checks/{query}").content)
        return [h.text_content() for h in doc.cssselect(".check h2")]

    assert len(titles("")) == 2
    assert titles("?q=depots") == ["Inspectors raided 27 depots"]
    assert titles("?verdict=false") == []
    assert len(titles("?outlet=Wire+service")) == 2
    assert "No fact-check matches" in reader.get("/checks/?q=%3Cscript%3E").content.decode()


def test_atom_feed_lists_published_checks(article, factchecker, editor, second_editor) -> None:
    claim = publish(draft(article, factchecker), factchecker, editor, second_editor)
    response = Client().get("/checks/feed/")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = feed.findall("a:entry", ns)
    assert len(entries) == 1
    assert (
        entries[0].find("a:title", ns).text
        == "Unproven: 1,140 full fuel lorries crossed Harrow Pass"
    )
    link = entries[0].find("a:link", ns).get("href")
    assert link.endswith(f"/checks/{article[0].slug}/claims/{claim.pk}/")


def test_csv_export_follows_the_queue_filters_and_defuses_formulas(
    article, factchecker, editor, reader
) -> None:
    waiting = draft(article, factchecker, claim='=HYPERLINK("http://evil.example")')
    review.claim_move(annotation_id=waiting.pk, user=factchecker, action="submit")
    other = draft(article, factchecker, "27 depots", claim="Inspectors raided 27 depots")
    review.claim_move(annotation_id=other.pk, user=factchecker, action="submit")
    Annotation.objects.filter(pk=other.pk).update(rating=Rating.objects.get(slug="false"))

    response = _client(editor).get("/review/needs-review/export.csv?verdict=unproven")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["id", "claim", "claimant", "verdict"]
    assert [row[0] for row in rows[1:]] == [str(waiting.pk)]
    assert rows[1][1].startswith("'=")
    assert _client(reader).get("/review/needs-review/export.csv").status_code == 403
    assert Client().get("/review/needs-review/export.csv").status_code == 302


def test_a_page_served_from_the_cache_keeps_its_security_headers(
    article, factchecker, editor, second_editor
) -> None:
    claim = publish(draft(article, factchecker), factchecker, editor, second_editor)
    url = f"/checks/{article[0].slug}/claims/{claim.pk}/"
    rendered, cached = Client().get(url), Client().get(url)
    assert rendered.content == cached.content
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "ETag"):
        assert cached[header] == rendered[header], header
