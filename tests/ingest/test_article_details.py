"""Nothing blocks late: a pasted or uploaded article takes its original address, outlet and
date at import, and the desk adds or fixes them later on the article's page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from lxml import html as lxml_html

from annotations import roles
from annotations.models import Article, ArticleVersion
from tests.conftest import _user_with_role
from tests.factories import TeamFactory, import_text

pytestmark = pytest.mark.django_db

ORIGINAL = "https://wire.example/velmora-diesel-racket"
HTMX = {"HTTP_HX_REQUEST": "true"}
TEXT = "Bus fares rise\n\nThe council said on Monday that bus fares rise by 4 percent in May."


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def errors(response) -> str:  # type: ignore[no-untyped-def]
    doc = lxml_html.fromstring(response.content)
    return " ".join(e.text_content() for e in doc.cssselect(".error, .form-errors"))


# --- At import ------------------------------------------------------------------------------


def test_the_import_page_asks_for_the_original_address_and_says_why(factchecker_client) -> None:
    page = factchecker_client.get("/articles/import/")
    doc = lxml_html.fromstring(page.content)
    assert doc.cssselect("input[name=original_url][type=url]")
    assert doc.cssselect("input[name=outlet]") and doc.cssselect("input[name=published]")
    why = doc.cssselect("#import-details-why")[0].text_content()
    assert "Publishing a verdict needs the article's original address" in why


def test_a_pasted_article_keeps_its_original_address_outlet_and_date(
    factchecker_client, team
) -> None:
    response = factchecker_client.post(
        "/articles/import/",
        {
            "text": TEXT,
            "original_url": ORIGINAL,
            "outlet": "Harbour Herald",
            "published": "2025-03-04",
            "team": team.pk,
        },
    )
    article = Article.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/articles/{article.pk}/"
    assert article.canonical_url == ORIGINAL
    assert article.url == ""  # it was not fetched from there
    assert article.outlet == "Harbour Herald"
    assert article.published_at is not None and article.published_at.date().isoformat() == (
        "2025-03-04"
    )
    assert ArticleVersion.objects.get().fetched_url == ""
    page = factchecker_client.get(response["Location"])
    assert (
        ORIGINAL
        in lxml_html.fromstring(page.content).cssselect("#article-details")[0].text_content()
    )


def test_an_uploaded_article_takes_the_details_too(factchecker_client, team) -> None:
    upload = SimpleUploadedFile("fares.txt", TEXT.encode(), content_type="text/plain")
    factchecker_client.post(
        "/articles/import/",
        {"file": upload, "original_url": ORIGINAL, "outlet": "Harbour Herald", "team": team.pk},
    )
    article = Article.objects.get()
    assert (article.canonical_url, article.outlet) == (ORIGINAL, "Harbour Herald")


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("javascript:alert(1)", "starting with http:// or https://"),
        ("ftp://wire.example/story", "starting with http:// or https://"),
        ("https://", "starting with http:// or https://"),
        ("https://wire example/story", "starting with http:// or https://"),
    ],
)
def test_an_address_that_is_not_a_web_page_is_refused_and_the_text_kept(
    factchecker_client, team, address: str, message: str
) -> None:
    response = factchecker_client.post(
        "/articles/import/", {"text": TEXT, "original_url": address, "team": team.pk}
    )
    assert response.status_code == 200
    assert message in errors(response)
    assert not Article.objects.exists()
    assert "bus fares rise by 4 percent" in response.content.decode()


def test_an_address_without_a_scheme_is_taken_as_https(factchecker_client, team) -> None:
    factchecker_client.post(
        "/articles/import/",
        {"text": TEXT, "original_url": "wire.example/story", "team": team.pk},
    )
    assert Article.objects.get().canonical_url == "https://wire.example/story"


def test_a_publication_date_in_the_future_is_a_typo_and_refused(factchecker_client, team) -> None:
    later = timezone.localdate() + timedelta(days=400)
    response = factchecker_client.post(
        "/articles/import/", {"text": TEXT, "published": later.isoformat(), "team": team.pk}
    )
    assert response.status_code == 200
    assert "is in the future; check the year" in errors(response)
    assert not Article.objects.exists()
    # Today (and an outlet's "tomorrow" across time zones) is fine.
    tomorrow = timezone.localdate() + timedelta(days=1)
    factchecker_client.post(
        "/articles/import/", {"text": TEXT, "published": tomorrow.isoformat(), "team": team.pk}
    )
    assert Article.objects.count() == 1


def test_a_fetched_url_needs_no_separate_original_address(factchecker_client, team) -> None:
    response = factchecker_client.post(
        "/articles/import/",
        {
            "url": "https://wire.example/a",
            "original_url": "https://wire.example/b",
            "team": team.pk,
        },
    )
    assert response.status_code == 200
    assert "the fetched address is the original" in errors(response)


def test_pasting_again_with_an_address_fills_in_what_the_article_lacked(team, factchecker) -> None:
    article, _version = import_text(TEXT, team=team, user=factchecker)
    client = client_for(factchecker)
    client.post(
        "/articles/import/",
        {"text": TEXT, "original_url": ORIGINAL, "outlet": "Harbour Herald", "team": team.pk},
    )
    article.refresh_from_db()
    assert (article.canonical_url, article.outlet) == (ORIGINAL, "Harbour Herald")
    assert Article.objects.count() == 1 and article.versions.count() == 1


# --- On the article's page --------------------------------------------------------------------


def test_the_details_form_opens_in_place_and_saves_with_an_event_for_the_cards(
    team, factchecker
) -> None:
    article, _version = import_text(TEXT, team=team, user=factchecker)
    client = client_for(factchecker)
    page = lxml_html.fromstring(client.get(f"/articles/{article.pk}/").content)
    details = page.cssselect("#article-details")[0]
    assert "Not given yet: publishing a verdict needs it." in details.text_content()
    assert details.cssselect("a.details-edit")[0].text_content() == "Add the original address"

    form = client.get(f"/articles/{article.pk}/details/", **HTMX)
    doc = lxml_html.fragment_fromstring(form.content.decode(), create_parent="div")
    assert doc.cssselect("div#article-details form input[name=original_url]")
    assert "<html" not in form.content.decode()

    saved = client.post(
        f"/articles/{article.pk}/details/",
        {"original_url": ORIGINAL, "outlet": "Harbour Herald", "published": "2025-03-04"},
        **HTMX,
    )
    assert saved.status_code == 200
    assert "article-details-changed" in saved["HX-Trigger-After-Settle"]
    assert ORIGINAL in saved.content.decode()
    article.refresh_from_db()
    assert (article.canonical_url, article.outlet) == (ORIGINAL, "Harbour Herald")

    cancel = client.get(f"/articles/{article.pk}/details/?mode=view", **HTMX)
    assert b"<form" not in cancel.content and ORIGINAL.encode() in cancel.content


def test_the_details_page_works_without_javascript(team, factchecker) -> None:
    article, _version = import_text(TEXT, team=team, user=factchecker)
    client = client_for(factchecker)
    page = client.get(f"/articles/{article.pk}/details/")
    assert page.status_code == 200 and b"<html" in page.content
    response = client.post(
        f"/articles/{article.pk}/details/",
        {"original_url": ORIGINAL, "outlet": "", "published": ""},
    )
    assert response.status_code == 302 and response["Location"] == f"/articles/{article.pk}/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "The article's details are saved."
    ]
    assert client.get(f"/articles/{article.pk}/details/?mode=view").status_code == 302


def test_invalid_details_come_back_with_the_reason_and_change_nothing(team, factchecker) -> None:
    article, _version = import_text(TEXT, team=team, user=factchecker, outlet="Herald")
    other, _v = import_text(
        "Another story\n\nThe mayor said 12 buses were late.", team=team, original_url=ORIGINAL
    )
    client = client_for(factchecker)
    for data, message in (
        ({"original_url": "mailto:desk@wire.example"}, "starting with http:// or https://"),
        ({"original_url": ORIGINAL}, "Another article of the desk has this address"),
        ({"outlet": "Herald\x07"}, "invisible control character"),
        ({"published": "2999-01-01"}, "in the future"),
        ({"published": "yesterday"}, "Enter a valid date"),
    ):
        response = client.post(f"/articles/{article.pk}/details/", data, **HTMX)
        assert response.status_code == 200, data
        assert message in errors(response), data
    article.refresh_from_db()
    assert (article.canonical_url, article.outlet) == ("", "Herald")


def test_an_address_of_another_desk_is_no_conflict(team, factchecker) -> None:
    """Desks never share, or even reveal, each other's articles."""
    import_text(TEXT, team=TeamFactory(name="Sports desk", slug="sports"), original_url=ORIGINAL)
    article, _version = import_text(
        "Another story\n\nThe mayor said 12 buses were late.", team=team
    )
    client_for(factchecker).post(f"/articles/{article.pk}/details/", {"original_url": ORIGINAL})
    article.refresh_from_db()
    assert article.canonical_url == ORIGINAL


def test_details_are_the_desks_to_change(team, factchecker, reader_client) -> None:
    article, _version = import_text(TEXT, team=team, user=factchecker)
    outsider = _user_with_role("otto", roles.EDITOR)
    TeamFactory(name="Sports desk", slug="sports").members.add(outsider)
    hidden = client_for(outsider)
    assert hidden.get(f"/articles/{article.pk}/details/").status_code == 404
    assert hidden.post(f"/articles/{article.pk}/details/", {"outlet": "X"}).status_code == 404
    # A member of the desk with no role reads the article but changes nothing.
    assert reader_client.get(f"/articles/{article.pk}/details/").status_code == 403
    assert (
        reader_client.post(f"/articles/{article.pk}/details/", {"outlet": "X"}).status_code == 403
    )
    reader_page = lxml_html.fromstring(reader_client.get(f"/articles/{article.pk}/").content)
    assert not reader_page.cssselect("#article-details a.details-edit")
    article.refresh_from_db()
    assert article.outlet == ""
