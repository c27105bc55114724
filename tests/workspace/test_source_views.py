"""Retry a failed archive and edit a source from the card: the happy path, denials (a reader
of the desk gets 403, another desk 404), htmx against a plain request, unique form ids."""

from __future__ import annotations

from collections import Counter

import pytest
from django.test import Client
from lxml import html as lxml_html

from annotations import roles
from annotations.models import Source
from annotations.workspace import services
from tests.conftest import _user_with_role
from tests.factories import TeamFactory, annotate, import_text

pytestmark = pytest.mark.django_db

LORRIES = "cameras at Harrow Pass logged 1,140 lorries heading north with full tanks"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def annotation(article_text: str, team, factchecker, settings):  # type: ignore[no-untyped-def]
    settings.CELERY_TASK_ALWAYS_EAGER = False
    _article, version = import_text(article_text, team=team)
    return annotate(version, LORRIES, factchecker)


@pytest.fixture
def source(annotation, factchecker) -> Source:  # type: ignore[no-untyped-def]
    """A source whose archive failed: the site's name was not found."""
    added = services.source_add(
        annotation_id=annotation.pk,
        user=factchecker,
        url="https://www.harbour-herald.invalid/ferry",
        title="Ferry fares frozen",
        quote="fares will stay at £3.20",
    )
    Source.objects.filter(pk=added.pk).update(
        archive_status=Source.ArchiveStatus.FAILED,
        archive_failure=Source.ArchiveFailure.NAME,
        archive_error="could not resolve host 'www.harbour-herald.invalid'",
    )
    return Source.objects.get(pk=added.pk)


@pytest.fixture
def outsider_client(db) -> Client:  # type: ignore[no-untyped-def]
    outsider = _user_with_role("sports-checker", roles.EDITOR)
    TeamFactory(name="Sports", slug="sports").members.add(outsider)
    client = Client()
    client.force_login(outsider)
    return client


def edit_payload(source: Source, **changes: str) -> dict[str, str]:
    return {
        "url": source.url,
        "title": source.title,
        "publisher": source.publisher,
        "quote": source.quote,
        "stance": source.stance,
        "loaded": services.source_digest(source),
        **changes,
    }


# --- Retry -----------------------------------------------------------------------------------


def test_retry_answers_with_the_source_pending_and_polling(
    factchecker_client: Client, annotation, source: Source, task_queue: str
) -> None:  # type: ignore[no-untyped-def]
    response = factchecker_client.post(f"/sources/{source.pk}/retry/", **HTMX)

    assert response.status_code == 200
    item = lxml_html.fromstring(response.content.decode()).get_element_by_id(f"source-{source.pk}")
    assert item.cssselect(".archive")[0].get("data-archive-status") == "pending"
    assert item.get("hx-trigger") == "every 2s"
    assert item.get("hx-get") == f"/annotations/{annotation.pk}/?part=sources"
    assert item.get("hx-select") == f"#source-{source.pk}"
    assert not item.cssselect("form.archive-retry")  # nothing to retry while it runs
    source.refresh_from_db()
    assert source.archive_status == "pending" and source.archive_error == ""


def test_the_poll_answers_with_the_finished_source(
    factchecker_client: Client, annotation, source: Source
) -> None:  # type: ignore[no-untyped-def]
    html = factchecker_client.get(
        f"/annotations/{annotation.pk}/", {"part": "sources"}, **HTMX
    ).content.decode()
    item = lxml_html.fromstring(html).get_element_by_id(f"source-{source.pk}")
    assert item.get("hx-trigger") is None  # failed is final: the poll stops
    assert item.cssselect("form.archive-retry")


def test_retry_twice_queues_once(
    factchecker_client: Client, source: Source, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks() as callbacks:
        first = factchecker_client.post(f"/sources/{source.pk}/retry/", **HTMX)
        second = factchecker_client.post(f"/sources/{source.pk}/retry/", **HTMX)
    assert first.status_code == second.status_code == 200
    assert len(callbacks) == 1


def test_retry_without_htmx_goes_back_to_the_page_it_came_from(
    factchecker_client: Client, annotation, source: Source, task_queue: str
) -> None:  # type: ignore[no-untyped-def]
    back = f"/review/claims/{annotation.pk}/"
    response = factchecker_client.post(f"/sources/{source.pk}/retry/", {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    Source.objects.filter(pk=source.pk).update(archive_status=Source.ArchiveStatus.FAILED)
    # Anywhere else is not followed: back to the card in the workspace.
    for elsewhere in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = factchecker_client.post(f"/sources/{source.pk}/retry/", {"next": elsewhere})
        assert response.status_code == 302
        assert response["Location"] == (
            f"/articles/{annotation.version.article_id}/#annotation-{annotation.pk}"
        )


def test_the_claim_page_shows_the_plain_error_and_a_retry_that_comes_back(
    factchecker_client: Client, annotation, source: Source
) -> None:  # type: ignore[no-untyped-def]
    html = factchecker_client.get(f"/review/claims/{annotation.pk}/").content.decode()
    page = lxml_html.fromstring(html)
    assert page.get_element_by_id(f"source-{source.pk}-problem").text_content() == (
        "Could not reach harbour-herald.invalid: the name was not found."
    )
    retry = page.cssselect("form.archive-retry")[0]
    assert retry.get("action") == f"/sources/{source.pk}/retry/"
    assert retry.cssselect("input[name=next]")[0].get("value") == f"/review/claims/{annotation.pk}/"


def test_a_pending_source_on_the_claim_page_follows_its_archive_until_done(
    factchecker_client: Client, outsider_client: Client, annotation, source: Source
) -> None:  # type: ignore[no-untyped-def]
    claim_url = f"/review/claims/{annotation.pk}/"
    Source.objects.filter(pk=source.pk).update(archive_status=Source.ArchiveStatus.PENDING)
    page = lxml_html.fromstring(factchecker_client.get(claim_url).content.decode())
    archive = page.get_element_by_id(f"source-{source.pk}-archive")
    assert "Keeping a copy of the page…" in archive.text_content()
    assert archive.get("hx-get") == f"{claim_url}?part=sources"
    assert archive.get("hx-trigger") == "every 2s"
    assert archive.get("hx-select") == f"#source-{source.pk}-archive"

    # The worker keeps the copy: the next poll answers with the finished archive only.
    Source.objects.filter(pk=source.pk).update(archive_status=Source.ArchiveStatus.ARCHIVED)
    answer = factchecker_client.get(claim_url, {"part": "sources"}, **HTMX)
    assert answer.status_code == 200 and b"<html" not in answer.content
    done = lxml_html.fromstring(answer.content.decode()).get_element_by_id(
        f"source-{source.pk}-archive"
    )
    assert "Copy kept" in done.text_content()
    assert done.get("hx-trigger") is None  # the poll stops

    # Failed instead: Retry there stays a plain form that comes back to the claim page.
    Source.objects.filter(pk=source.pk).update(archive_status=Source.ArchiveStatus.FAILED)
    answer = factchecker_client.get(claim_url, {"part": "sources"}, **HTMX)
    [retry] = lxml_html.fromstring(answer.content.decode()).cssselect("form.archive-retry")
    assert retry.get("hx-post") is None
    assert retry.cssselect("input[name=next]")[0].get("value") == claim_url

    # Without htmx the address is the whole claim page; another desk gets 404.
    assert b"<html" in factchecker_client.get(claim_url, {"part": "sources"}).content
    assert outsider_client.get(claim_url, {"part": "sources"}, **HTMX).status_code == 404


def test_retry_is_refused_to_readers_and_hidden_from_other_desks(
    reader_client: Client, outsider_client: Client, client: Client, source: Source
) -> None:  # type: ignore[no-untyped-def]
    assert reader_client.post(f"/sources/{source.pk}/retry/", **HTMX).status_code == 403
    assert outsider_client.post(f"/sources/{source.pk}/retry/", **HTMX).status_code == 404
    assert client.post(f"/sources/{source.pk}/retry/").status_code == 302  # to the login
    assert reader_client.get(f"/sources/{source.pk}/retry/").status_code == 405
    assert Source.objects.get(pk=source.pk).archive_status == "failed"


def test_readers_see_the_plain_error_but_no_retry_or_edit(
    reader_client: Client, annotation, source: Source
) -> None:  # type: ignore[no-untyped-def]
    html = reader_client.get(
        f"/annotations/{annotation.pk}/", {"part": "sources"}, **HTMX
    ).content.decode()
    item = lxml_html.fromstring(html).get_element_by_id(f"source-{source.pk}")
    assert "the name was not found" in item.text_content()
    assert not item.cssselect("form.archive-retry") and not item.cssselect(".source-actions")


# --- Edit ------------------------------------------------------------------------------------


def test_the_edit_form_opens_in_place_of_the_source_with_ids_of_its_own(
    factchecker_client: Client, source: Source
) -> None:  # type: ignore[no-untyped-def]
    html = factchecker_client.get(f"/sources/{source.pk}/edit/", **HTMX).content.decode()
    item = lxml_html.fromstring(html)
    assert item.get("id") == f"source-{source.pk}"
    url = item.get_element_by_id(f"source-{source.pk}-url")
    assert url.get("value") == source.url and url.get("name") == "url"
    assert item.cssselect(f"label[for=source-{source.pk}-quote]")[0].text_content() == (
        "Quoted passage"
    )
    assert item.get_element_by_id(f"source-{source.pk}-quote").text_content().strip() == (
        source.quote
    )
    form = item.cssselect("form")[0]
    assert form.get("hx-post") == f"/sources/{source.pk}/edit/"


def test_the_edit_form_without_htmx_is_a_full_page(
    factchecker_client: Client, source: Source
) -> None:  # type: ignore[no-untyped-def]
    html = factchecker_client.get(f"/sources/{source.pk}/edit/").content.decode()
    assert "<html" in html and f'id="source-{source.pk}-url"' in html


def test_edit_saves_and_answers_with_the_card(
    factchecker_client: Client, annotation, source: Source, task_queue: str
) -> None:  # type: ignore[no-untyped-def]
    response = factchecker_client.post(
        f"/sources/{source.pk}/edit/",
        edit_payload(
            source, url="https://harbour-herald.example/ferry", title="Fares frozen to 2027"
        ),
        **HTMX,
    )
    assert response.status_code == 200
    assert "annotation-changed" in response.headers["HX-Trigger-After-Settle"]
    card = lxml_html.fromstring(response.content.decode())
    assert card.get("id") == f"annotation-{annotation.pk}"
    item = card.get_element_by_id(f"source-{source.pk}")
    assert "Fares frozen to 2027" in item.text_content()
    # A new address: archived again, so the source is pending and polls.
    assert item.cssselect(".archive")[0].get("data-archive-status") == "pending"
    source.refresh_from_db()
    assert (source.url, source.title, source.archive_status) == (
        "https://harbour-herald.example/ferry",
        "Fares frozen to 2027",
        "pending",
    )


def test_edit_without_htmx_redirects_to_the_card(
    factchecker_client: Client, annotation, source: Source
) -> None:  # type: ignore[no-untyped-def]
    response = factchecker_client.post(
        f"/sources/{source.pk}/edit/", edit_payload(source, stance="contradicts")
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#annotation-{annotation.pk}")
    assert Source.objects.get(pk=source.pk).stance == "contradicts"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"url": "http://192.168.1.1/router"}, "That source address cannot be used"),
        ({"url": "not a web address"}, "Enter a valid URL."),
        ({"stance": "maybe"}, "Select a valid choice."),
    ],
)
def test_bad_input_re_renders_the_card_with_the_form_and_what_was_typed(
    factchecker_client: Client, annotation, source: Source, changes, message: str
) -> None:  # type: ignore[no-untyped-def]
    payload = edit_payload(source, title="Typed, not lost", **changes)
    response = factchecker_client.post(f"/sources/{source.pk}/edit/", payload, **HTMX)
    assert response.status_code == 200
    card = lxml_html.fromstring(response.content.decode())
    form = card.get_element_by_id(f"source-{source.pk}-edit")
    assert message in form.text_content()
    assert card.get_element_by_id(f"source-{source.pk}-title").get("value") == "Typed, not lost"
    assert Source.objects.get(pk=source.pk).title == "Ferry fares frozen"


def test_a_stale_edit_shows_the_newer_values_and_keeps_mine(
    factchecker_client: Client, editor, source: Source
) -> None:  # type: ignore[no-untyped-def]
    opened = edit_payload(source)
    services.source_update(
        source_id=source.pk,
        user=editor,
        data=services.SourceInput(url=source.url, title="Edited by Jonas", quote=source.quote),
    )
    response = factchecker_client.post(
        f"/sources/{source.pk}/edit/", {**opened, "title": "Edited by Amira"}, **HTMX
    )
    assert response.status_code == 200
    card = lxml_html.fromstring(response.content.decode())
    form = card.get_element_by_id(f"source-{source.pk}-edit")
    assert "changed while you were editing" in form.text_content()
    assert "Edited by Jonas" in form.cssselect(".conflict-current")[0].text_content()
    assert card.get_element_by_id(f"source-{source.pk}-title").get("value") == "Edited by Amira"
    assert Source.objects.get(pk=source.pk).title == "Edited by Jonas"
    # Saving again is deliberate, and goes through.
    again = {el.get("name"): el.get("value") for el in form.cssselect("input[type=hidden]")}
    response = factchecker_client.post(
        f"/sources/{source.pk}/edit/", {**opened, **again, "title": "Edited by Amira"}, **HTMX
    )
    assert Source.objects.get(pk=source.pk).title == "Edited by Amira"


def test_edit_is_refused_to_readers_and_hidden_from_other_desks(
    reader_client: Client, outsider_client: Client, source: Source
) -> None:  # type: ignore[no-untyped-def]
    payload = edit_payload(source, title="Hijacked")
    assert reader_client.get(f"/sources/{source.pk}/edit/", **HTMX).status_code == 403
    assert reader_client.post(f"/sources/{source.pk}/edit/", payload, **HTMX).status_code == 403
    assert outsider_client.get(f"/sources/{source.pk}/edit/").status_code == 404
    assert outsider_client.post(f"/sources/{source.pk}/edit/", payload).status_code == 404
    assert Source.objects.get(pk=source.pk).title == "Ferry fares frozen"


def test_two_forms_open_on_a_card_share_no_id(
    factchecker_client: Client, annotation, source: Source
) -> None:  # type: ignore[no-untyped-def]
    # The card re-rendered with this source's edit form open (bad input), plus the add-source
    # form of the same claim: every id on the page is unique and every label finds its field.
    card = factchecker_client.post(
        f"/sources/{source.pk}/edit/", edit_payload(source, url="nope"), **HTMX
    ).content.decode()
    adding = factchecker_client.get(f"/annotations/{annotation.pk}/sources/", **HTMX)
    page = lxml_html.fromstring(f"<div>{card}{adding.content.decode()}</div>")
    ids = Counter(element.get("id") for element in page.iter() if element.get("id"))
    assert [name for name, count in ids.items() if count > 1] == []
    labels = page.cssselect("label[for]")
    assert len(labels) >= 10
    for label in labels:
        assert label.get("for") in ids
