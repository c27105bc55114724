"""The versions list and the diff between two versions, as the desk and other staff see them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from lxml import html as lxml_html

from annotations import roles
from annotations.models import Annotation, Article, ArticleVersion
from annotations.workspace.placements import version_reanchor
from tests.conftest import _user_with_role
from tests.factories import TeamFactory, annotate, import_text

pytestmark = pytest.mark.django_db

URL = "https://wire.example/velmora-diesel-racket"
LORRIES = "cameras at Harrow Pass logged 1,140 lorries heading north with full tanks"
NOTE = "Correction: an earlier version of this story misstated the number of depots."


@pytest.fixture
def versions(article_text, team, factchecker) -> tuple[Article, ArticleVersion, ArticleVersion]:  # type: ignore[no-untyped-def]
    """The wire story, a claim on it, and a second version: a note on top, a figure changed
    inside the claim's words; its claims re-anchored as the worker would."""
    article, first = import_text(article_text, team=team, url=URL, user=factchecker)
    annotate(first, LORRIES, factchecker, claim="1,140 lorries crossed")
    annotate(first, "27 depots", factchecker, claim="27 depots")
    edited = NOTE + "\n\n" + article_text.replace("1,140 lorries", "1,410 lorries")
    _, second = import_text(edited, team=team, url=URL, user=factchecker)
    assert second.number == 2
    version_reanchor(second.pk)
    return article, first, second


@pytest.fixture
def outsider() -> User:
    """An editor of another desk."""
    user = _user_with_role("oskar", roles.EDITOR)
    TeamFactory(name="Sport desk", slug="sport-desk").members.add(user)
    return user


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(lxml_html.fromstring(response.content).text_content().split())


# --- The versions list ---------------------------------------------------------------------


def test_versions_list_shows_every_version_with_its_placements(versions, factchecker) -> None:  # type: ignore[no-untyped-def]
    article, first, second = versions
    response = client_for(factchecker).get(
        reverse("annotations:article_versions", args=[article.pk])
    )
    assert response.status_code == 200
    doc = lxml_html.fromstring(response.content)
    rows = doc.xpath('//table[@id="versions"]/tbody/tr')
    assert [row.get("id") for row in rows] == ["version-2", "version-1"]
    latest = " ".join(rows[0].text_content().split())
    assert "v2 (latest)" in latest
    assert "Pasted text" in latest
    assert factchecker.get_full_name() in latest
    assert f"{len(second.text.split()):,}" in latest
    # The claim on the changed figure has its words changed; the other is anchored.
    assert "1 anchored, 1 with words changed, 0 not found" in latest
    assert rows[0].xpath(f'.//a[@href="/articles/{article.pk}/diff/?from=1&to=2"]')
    assert rows[0].xpath(f'.//a[@href="/articles/{article.pk}/?version=2"]')
    assert f"{len(first.text.split()):,}" in rows[1].text_content()
    # The form to compare any two, preselected with the latest change.
    form = doc.get_element_by_id("compare-form")
    assert form.get("action") == f"/articles/{article.pk}/diff/"
    assert form.xpath('.//select[@name="from"]/option[@selected]/@value') == ["1"]
    assert form.xpath('.//select[@name="to"]/option[@selected]/@value') == ["2"]


def test_versions_list_counts_only_claims_the_user_may_see(versions, outsider, editor) -> None:  # type: ignore[no-untyped-def]
    article, first, _second = versions
    claim = Annotation.objects.get(version=first, exact=LORRIES)
    Annotation.objects.filter(pk=claim.pk).update(state=Annotation.State.PUBLISHED)
    # Another desk sees the article (it has a published claim), and only that claim placed.
    response = client_for(outsider).get(f"/articles/{article.pk}/versions/")
    assert response.status_code == 200
    assert "0 anchored, 1 with words changed, 0 not found" in text_of(response)
    response = client_for(editor).get(f"/articles/{article.pk}/versions/")
    assert "1 anchored, 1 with words changed, 0 not found" in text_of(response)


def test_a_single_version_has_no_compare_form(article_text, team, factchecker) -> None:  # type: ignore[no-untyped-def]
    article, _ = import_text(article_text, team=team)
    response = client_for(factchecker).get(f"/articles/{article.pk}/versions/")
    assert response.status_code == 200
    assert b'id="compare-form"' not in response.content
    assert "v1 (latest)" in text_of(response)


def test_versions_link_partial_counts_the_versions(versions, factchecker) -> None:  # type: ignore[no-untyped-def]
    from django.template.loader import render_to_string

    article, _first, _second = versions
    html = render_to_string(
        "annotations/ingest/partials/versions_link.html",
        {"article": article, "versions": article.versions.all()},
    )
    link = lxml_html.fromstring(html).xpath("//a")[0]
    assert link.get("href") == f"/articles/{article.pk}/versions/"
    assert link.text_content() == "Versions and changes (2)"


# --- The diff ------------------------------------------------------------------------------


def test_diff_defaults_to_the_latest_change(versions, factchecker) -> None:  # type: ignore[no-untyped-def]
    article, _first, _second = versions
    response = client_for(factchecker).get(f"/articles/{article.pk}/diff/")
    assert response.status_code == 200
    doc = lxml_html.fromstring(response.content)
    assert "What changed from version 1 to version 2" in doc.xpath("//h1")[0].text_content()
    summary = doc.get_element_by_id("diff-summary").text_content()
    words = len(NOTE.split())
    assert summary == f"{words + 1} words inserted, 1 deleted in 2 paragraphs"
    deleted = [
        " ".join(d.text_content().split()) for d in doc.xpath('//div[@class="diff-text"]//del')
    ]
    inserted = [
        " ".join(i.text_content().split()) for i in doc.xpath('//div[@class="diff-text"]//ins')
    ]
    assert deleted == ["[deleted: 1,140]"]
    assert inserted == [f"[inserted: {NOTE} ]", "[inserted: 1,410]"]
    # Not colour alone: each mark says what it is in words, hidden only visually.
    for mark in doc.xpath('//div[@class="diff-text"]//*[self::del or self::ins]'):
        hidden = mark.xpath('./span[@class="visually-hidden"]')
        assert hidden and hidden[0].text in ("[deleted: ", "[inserted: ")
    links = doc.xpath('//dl[contains(@class, "diff-versions")]//a/@href')
    assert links == [f"/articles/{article.pk}/?version=1", f"/articles/{article.pk}/?version=2"]


def test_diff_leaves_out_long_unchanged_stretches(versions, factchecker) -> None:  # type: ignore[no-untyped-def]
    article, first, _second = versions
    response = client_for(factchecker).get(f"/articles/{article.pk}/diff/?from=1&to=2")
    doc = lxml_html.fromstring(response.content)
    paragraphs = first.text.count("\n\n") + 1
    shown = doc.xpath('//p[contains(@class, "diff-paragraph")]')
    gaps = [g.text_content() for g in doc.xpath('//p[@class="diff-gap"]')]
    assert gaps and all("unchanged paragraph" in gap for gap in gaps)
    assert len(shown) < paragraphs


def test_diff_can_go_backwards(versions, factchecker) -> None:  # type: ignore[no-untyped-def]
    article, _first, _second = versions
    response = client_for(factchecker).get(f"/articles/{article.pk}/diff/?from=2&to=1")
    assert response.status_code == 200
    doc = lxml_html.fromstring(response.content)
    deleted = doc.xpath('//div[@class="diff-text"]//del')
    assert "1,410" in deleted[-1].text_content()


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("?from=abc&to=2", 400, "Choose the versions by their numbers"),
        ("?from=1&to=²", 400, "Choose the versions by their numbers"),
        ("?from=-1&to=2", 400, "Choose the versions by their numbers"),
        ("?from=99999999999999999999&to=2", 400, "Choose the versions by their numbers"),
        ("?from=2&to=2", 400, "Both sides are version 2"),
        ("?to=1", 400, "Version 1 is the first"),
        ("?from=1&to=9", 404, None),
        ("?from=7", 404, None),
        ("?from=&to=", 200, None),
        ("?from=1&from=2&to=x", 400, "Choose the versions by their numbers"),
    ],
)
def test_bad_choices_never_fail_the_server(versions, factchecker, query, status, message) -> None:  # type: ignore[no-untyped-def]
    article, _first, _second = versions
    response = client_for(factchecker).get(f"/articles/{article.pk}/diff/{query}")
    assert response.status_code == status
    if message:
        doc = lxml_html.fromstring(response.content)
        assert message in doc.get_element_by_id("compare-problem").text_content()
        assert doc.get_element_by_id("compare-form") is not None


def test_a_single_version_says_there_is_nothing_to_compare(article_text, team, factchecker) -> None:  # type: ignore[no-untyped-def]
    article, _ = import_text(article_text, team=team)
    response = client_for(factchecker).get(f"/articles/{article.pk}/diff/")
    assert response.status_code == 200
    assert "only one version so far" in text_of(response)


# --- Who may look --------------------------------------------------------------------------


def test_another_desks_unpublished_article_is_404(versions, outsider) -> None:  # type: ignore[no-untyped-def]
    article, _first, _second = versions
    client = client_for(outsider)
    for url in (f"/articles/{article.pk}/versions/", f"/articles/{article.pk}/diff/?from=1&to=2"):
        assert client.get(url).status_code == 404, url


def test_other_staff_see_the_versions_of_an_article_with_a_published_claim(
    versions, outsider
) -> None:  # type: ignore[no-untyped-def]
    article, first, _second = versions
    Annotation.objects.filter(version=first, exact=LORRIES).update(state="published")
    client = client_for(outsider)
    assert client.get(f"/articles/{article.pk}/versions/").status_code == 200
    assert client.get(f"/articles/{article.pk}/diff/").status_code == 200


def test_a_reader_of_the_desk_sees_the_versions(versions, reader) -> None:  # type: ignore[no-untyped-def]
    article, _first, _second = versions
    assert client_for(reader).get(f"/articles/{article.pk}/diff/").status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(versions) -> None:  # type: ignore[no-untyped-def]
    article, _first, _second = versions
    for url in (f"/articles/{article.pk}/versions/", f"/articles/{article.pk}/diff/?from=1&to=2"):
        response = Client().get(url)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")


def test_the_pages_answer_only_reads(versions, factchecker) -> None:  # type: ignore[no-untyped-def]
    article, _first, _second = versions
    client = client_for(factchecker)
    assert client.post(f"/articles/{article.pk}/versions/").status_code == 405
    assert client.post(f"/articles/{article.pk}/diff/").status_code == 405
